#!/usr/bin/env bash
# crash_restart.sh: with log.flush.interval.messages=1 every acknowledged
# message is on disk, so SIGKILLing the partition's only replica and
# starting it again loses nothing: all offsets 0..N-1 read back identical,
# and new messages continue at offset N.
source "$(dirname "$0")/lib.sh"

N=2000
M=500
T=durable
cluster_up 3 --set log.flush.interval.messages=1
# RF 1 on broker 2: the restarted broker's own disk is the only copy, so
# nothing can be repaired from another replica.
zk create "/brokers/topics/$T" '{"version":1,"partitions":{"0":[2]}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 1 60
leader=$(zk_leader "$T" 0)
[[ $leader == 2 ]] || fail "leader is $leader, expected 2"

work=$(mktemp -d)
on_exit "rm -rf '$work'"
gen() { python3 -c 'import sys
for i in range(int(sys.argv[1]), int(sys.argv[2])): print("m%06d-%s" % (i, "p" * (i % 61)))' "$1" "$2"; }
gen 0 "$N" >"$work/first.txt"
gen "$N" $((N + M)) >"$work/second.txt"

note "producing $N messages with acks=all"
kc -P -t "$T" -p 0 -X acks=all -l "$work/first.txt" 2>"$work/p1.err" ||
	{ cat "$work/p1.err" >&2; fail "first produce failed"; }

sigkill_restart 2 "$T"

consume() { kc -C -t "$T" -p 0 -o beginning -e -q -f '%o %s\n' >"$1" 2>"$1.err" || { cat "$1.err" >&2; fail "consume failed"; }; }
check() { # check FILE COUNT INPUT...: offsets 0..COUNT-1, values = inputs
	python3 - "$@" <<'PY'
import sys
out, count, inputs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
want = [l.rstrip("\n") for f in inputs for l in open(f)]
got = [l.rstrip("\n").split(" ", 1) for l in open(out)]
if len(got) != count:
    sys.exit("got %d messages, want %d" % (len(got), count))
for i, (o, v) in enumerate(got):
    if int(o) != i or v != want[i]:
        sys.exit("at %d: offset %s value %r, want offset %d value %r" % (i, o, v[:30], i, want[i][:30]))
PY
}
consume "$work/c1.txt"
check "$work/c1.txt" "$N" "$work/first.txt" || fail "messages lost or changed across the crash"
note "all $N messages survived SIGKILL"

kc -P -t "$T" -p 0 -X acks=all -l "$work/second.txt" 2>"$work/p2.err" ||
	{ cat "$work/p2.err" >&2; fail "produce after restart failed"; }
consume "$work/c2.txt"
check "$work/c2.txt" $((N + M)) "$work/first.txt" "$work/second.txt" ||
	fail "produce after restart did not continue at offset $N"
note "new messages continue at offset $N"
