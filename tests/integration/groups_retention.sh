#!/usr/bin/env bash
# groups_retention.sh: offsets retention (offsets.retention.minutes=1,
# checked every second). A kcat group member consumes and commits a
# 3-partition topic, then leaves: the group is Empty. Its offsets are
# there (OffsetFetch, ListGroups) well into the minute, gone shortly after
# it (and not before ~a minute), and the group with them. The coordinator
# is then SIGKILLed: the new one, loading from the replicated log, finds
# the tombstones and does not bring the group or its offsets back.
source "$(dirname "$0")/lib.sh"

N=300
T=retained
G=retention-group
WIRE=(python3 "$(dirname "$0")/../lib/groups_wire.py")
cluster_up 3 --set offsets.retention.minutes=1 --set offsets.retention.check.interval.ms=1000
zk create "/brokers/topics/$T" \
	'{"version":2,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]},"adding_replicas":{},"removing_replicas":{}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 3 60

work=$(mktemp -d)
on_exit "rm -rf '$work'"
seq -f 'm%06g' 1 "$N" >"$work/in.txt"
kc -P -l -t "$T" -X acks=all "$work/in.txt" 2>"$work/produce.err" ||
	{ cat "$work/produce.err" >&2; fail "kcat produce failed"; }

note "consuming with kcat -G $G (commits on close, then leaves)"
KC_TIMEOUT=90 kc -G "$G" -c "$N" -q -f '%s\n' -X auto.offset.reset=earliest \
	-X enable.auto.commit=true -X auto.commit.interval.ms=200 "$T" \
	>"$work/out.txt" 2>"$work/consume.err" ||
	{ cat "$work/consume.err" >&2; fail "kcat -G failed ($(wc -l <"$work/out.txt") of $N)"; }
t_empty=$SECONDS
[[ $(wc -l <"$work/out.txt") -eq $N ]] || fail "consumed $(wc -l <"$work/out.txt") of $N"

# Prints the sum of the group's committed offsets on the 3 partitions, or
# "none" if none is committed (a partition kcat's producer left empty has
# nothing to commit; an error shows as a large negative offset).
committed() {
	"${WIRE[@]}" offsets "$G" "$T" 3 | tr ' ' '\n' |
		awk -F: '$2 != -1 {s += $2; n++} END {print n ? s : "none"}'
}
listed() { "${WIRE[@]}" list | grep "^$G consumer$" >/dev/null; }
gone() {
	local s
	s=$(committed) || return 1
	[[ $s == none ]] && ! listed
}

expect_present() {
	local s
	s=$(committed) || fail "OffsetFetch failed ($1)"
	[[ $s == "$N" ]] || fail "$1: committed offsets sum to $s, expected $N"
	listed || fail "$1: $G missing from ListGroups: $("${WIRE[@]}" list)"
	note "$1: offsets sum to $s, group listed"
}
# kcat commits on close; the commit is applied before it is acknowledged.
s=$("${WIRE[@]}" offsets "$G" "$T" 3) || fail "OffsetFetch failed"
note "committed right after the member left: $s"
expect_present "right after the member left"
# Retention counts from the later of commit and becoming Empty: ~60 s.
while ((SECONDS - t_empty < 40)); do
	gone && fail "offsets expired after only $((SECONDS - t_empty)) s"
	sleep 2
done
expect_present "40 s later"

wait_until 75 "offsets and group $G expired" gone
took=$((SECONDS - t_empty))
note "expired ${took} s after the member left"
((took >= 50)) || fail "expired after ${took} s, before the 1 minute retention"

# The tombstones are in the log: a new coordinator does not resurrect them.
P=$(python3 -c '
import sys
h = 0
for ch in sys.argv[1]:
    h = (h * 31 + ord(ch)) & 0xffffffff
h = h - (1 << 32) if h >= 1 << 31 else h
print((0 if h == -(1 << 31) else abs(h)) % 50)' "$G")
coord=$(zk_leader __consumer_offsets "$P")
note "SIGKILL the coordinator, broker $coord (__consumer_offsets-$P)"
cluster kill "$coord" >/dev/null || fail "could not kill broker $coord"
wait_until 60 "a new leader for __consumer_offsets-$P" \
	bash -c "[[ \$(python3 '$ZKQ' -s '$ZOOKEEPER' -t 3 get /brokers/topics/__consumer_offsets/partitions/$P/state | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"leader\"])') != $coord ]]"
wait_until 30 "the new coordinator answers OffsetFetch" committed
s=$(committed)
[[ $s == none ]] || fail "after failover the offsets are back: sum $s"
wait_until 30 "ListGroups answers on every live broker" "${WIRE[@]}" list
groups=$("${WIRE[@]}" list) || fail "ListGroups failed after failover"
! grep -q "^$G " <<<"$groups" || fail "after failover $G is listed again: $groups"
note "after failover: no offsets, group not listed"
