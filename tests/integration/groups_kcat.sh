#!/usr/bin/env bash
# groups_kcat.sh: a kcat balanced consumer (-G, librdkafka's group protocol)
# consumes a 3-partition topic through the group coordinator: every message
# exactly once; the group's committed offsets are then visible to a second
# member of the group, which finds nothing left to read.
source "$(dirname "$0")/lib.sh"

N=3000
T=grouped
G=kcat-group
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

note "consuming with kcat -G $G"
KC_TIMEOUT=90 kc -G "$G" -c "$N" -q -f '%s\n' -X auto.offset.reset=earliest \
	-X enable.auto.commit=true -X auto.commit.interval.ms=200 "$T" \
	>"$work/out.txt" 2>"$work/consume.err" ||
	{ cat "$work/consume.err" >&2; fail "kcat -G exited with an error or timed out ($(wc -l <"$work/out.txt") of $N)"; }
sort "$work/out.txt" | uniq -d >"$work/dups.txt"
[[ ! -s $work/dups.txt ]] || fail "duplicates: $(head -3 "$work/dups.txt" | tr '\n' ' ')"
diff <(sort "$work/in.txt") <(sort -u "$work/out.txt") >/dev/null ||
	fail "consumed set differs from produced set ($(sort -u "$work/out.txt" | wc -l) distinct of $N)"
note "all $N messages consumed once"

# kcat commits on close (enable.auto.commit); a new member resumes there.
note "rejoining: nothing must be re-read"
KC_TIMEOUT=20 kc -G "$G" -q -f '%s\n' -X auto.offset.reset=earliest "$T" \
	>"$work/again.txt" 2>"$work/again.err" || true
[[ ! -s $work/again.txt ]] ||
	fail "a new member re-read $(wc -l <"$work/again.txt") messages: offsets were not committed"
