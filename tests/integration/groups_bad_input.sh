#!/usr/bin/env bash
# groups_bad_input.sh: group requests that break the protocol's rules get
# Kafka's error codes (groups_bad_input.py: INCONSISTENT_GROUP_PROTOCOL,
# ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS over raw
# JoinGroup/SyncGroup/Heartbeat/OffsetCommit), and the group still works
# afterwards: a kcat -G member of the same group reads every message from
# the offsets the raw members committed (0), and commits.
source "$(dirname "$0")/lib.sh"

N=200
T=badgroups
G=bad-input-group
cluster_up 3
zk create "/brokers/topics/$T" \
	'{"version":2,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]},"adding_replicas":{},"removing_replicas":{}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 3 60

work=$(mktemp -d)
on_exit "rm -rf '$work'"
seq -f 'm%06g' 1 "$N" >"$work/in.txt"
kc -P -l -t "$T" -X acks=all "$work/in.txt" 2>"$work/produce.err" ||
	{ cat "$work/produce.err" >&2; fail "kcat produce failed"; }

timeout 120 python3 "$(dirname "$0")/groups_bad_input.py" "$G" "$T" 3 >&2 ||
	fail "groups_bad_input.py reported failures"

note "the group still works: kcat -G $G"
KC_TIMEOUT=90 kc -G "$G" -c "$N" -q -f '%s\n' -X auto.offset.reset=latest \
	-X enable.auto.commit=true -X auto.commit.interval.ms=200 "$T" \
	>"$work/out.txt" 2>"$work/consume.err" ||
	{ cat "$work/consume.err" >&2; fail "kcat -G failed ($(wc -l <"$work/out.txt") of $N)"; }
diff <(sort "$work/in.txt") <(sort "$work/out.txt") >/dev/null ||
	fail "kcat read $(wc -l <"$work/out.txt") messages, $(sort -u "$work/out.txt" | wc -l) distinct, expected the $N from the committed offsets 0"
KC_TIMEOUT=20 kc -G "$G" -q -f '%s\n' -X auto.offset.reset=earliest "$T" \
	>"$work/again.txt" 2>"$work/again.err" || true
[[ ! -s $work/again.txt ]] || fail "kcat's commits were lost: a new member re-read $(wc -l <"$work/again.txt")"
note "kcat read all $N from offset 0 and committed"
