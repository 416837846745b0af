#!/usr/bin/env bash
# groups_coordinator_kill.sh: committed offsets survive a SIGKILL of the
# group coordinator's broker. A kcat group member consumes 1000 of 3000
# messages and commits; the broker leading the group's __consumer_offsets
# partition is killed; a new member (coordinator now elsewhere, loaded from
# the replicated log) resumes at the committed offsets: it reads exactly the
# other 2000 messages, none of the first 1000 again.
source "$(dirname "$0")/lib.sh"

N=3000
FIRST=1000
T=resume
G=resume-group
cluster_up 3 --set replica.lag.time.max.ms=6000
zk create "/brokers/topics/$T" \
	'{"version":2,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]},"adding_replicas":{},"removing_replicas":{}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 3 60

work=$(mktemp -d)
on_exit "rm -rf '$work'"
seq -f 'm%06g' 1 "$N" >"$work/in.txt"
kc -P -l -t "$T" -X acks=all "$work/in.txt" 2>"$work/produce.err" ||
	{ cat "$work/produce.err" >&2; fail "kcat produce failed"; }

consume() { # COUNT OUT: one group member reads COUNT messages, commits, leaves
	KC_TIMEOUT=120 kc -G "$G" -c "$1" -q -f '%s\n' -X auto.offset.reset=earliest \
		-X enable.auto.commit=true -X auto.commit.interval.ms=200 "$T" >"$2" 2>"$2.err"
}
consume "$FIRST" "$work/first.txt" || { cat "$work/first.txt.err" >&2; fail "first member failed"; }
[[ $(wc -l <"$work/first.txt") -eq $FIRST ]] || fail "first member read $(wc -l <"$work/first.txt")"

# Kafka's partitionFor: abs(Java String.hashCode(group)) % 50.
P=$(python3 -c '
import sys
h = 0
for ch in sys.argv[1]:
    h = (h * 31 + ord(ch)) & 0xffffffff
h = h - (1 << 32) if h >= 1 << 31 else h
print((0 if h == -(1 << 31) else abs(h)) % 50)' "$G")
coord=$(zk_leader __consumer_offsets "$P")
note "group $G lives in __consumer_offsets-$P, coordinator broker $coord: SIGKILL"
cluster kill "$coord" >/dev/null || fail "could not kill broker $coord"
wait_until 60 "a new leader for __consumer_offsets-$P" \
	bash -c "[[ \$(python3 '$ZKQ' -s '$ZOOKEEPER' -t 3 get /brokers/topics/__consumer_offsets/partitions/$P/state | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"leader\"])') != $coord ]]"
note "new coordinator: broker $(zk_leader __consumer_offsets "$P")"

# Bootstrap from the survivors only: kcat's group consumer exits on
# "all broker connections are down" when the first broker it tries (which
# librdkafka may count as its only one so far) is the dead one.
live=$(for id in 1 2 3; do ((id == coord)) || printf '127.0.0.1:%d,' $((PORT_BASE + id - 1)); done)
BOOTSTRAP=${live%,} consume $((N - FIRST)) "$work/second.txt" || { cat "$work/second.txt.err" >&2; fail "second member failed"; }
dups=$(sort "$work/first.txt" "$work/second.txt" | uniq -d | wc -l)
distinct=$(sort -u "$work/first.txt" "$work/second.txt" | wc -l)
note "first=$FIRST second=$(wc -l <"$work/second.txt") re-read=$dups distinct=$distinct"
((dups == 0)) || fail "$dups messages of the first member were read again: offsets lost"
((distinct == N)) || fail "only $distinct of $N messages consumed"
