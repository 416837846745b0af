#!/usr/bin/env bash
# recovery_threads.sh: num.recovery.threads.per.data.dir=3 loads a broker's
# partition logs on three threads after SIGKILL. Eight RF 1 partitions on
# broker 2 (its disk is the only copy), one of them with more than 1 MiB
# above its recovery point, one given a torn tail (garbage appended while
# the broker is down): the restarted broker says it loads with 3 threads,
# recovers all eight, cuts only the garbage, and every acknowledged message
# reads back at its offset. The large partition's re-read range is flushed
# in the background and its recovery-point file then reaches its end.
source "$(dirname "$0")/lib.sh"

T=rthreads
P=8
N=200       # messages per partition
BIG=1500    # messages of about 1 KiB in partition 0 (over 1 MiB)
cluster_up 3 --set num.recovery.threads.per.data.dir=3
parts=$(python3 -c 'import json,sys; print(json.dumps({str(i): [2] for i in range(int(sys.argv[1]))}))' "$P")
zk create "/brokers/topics/$T" "{\"version\":1,\"partitions\":$parts}" ||
	fail "could not create the topic znode"
wait_topic_ready "$T" "$P" 60

work=$(mktemp -d)
on_exit "rm -rf '$work'"
gen() { # gen PARTITION COUNT PAD
	python3 -c 'import sys
p, n, pad = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for i in range(n): print("p%d-m%06d-%s" % (p, i, "x" * (pad + i % 13)))' "$1" "$2" "$3"
}
for ((p = 0; p < P; p++)); do
	if ((p == 0)); then gen 0 "$BIG" 1000 >"$work/in-0.txt"; else gen "$p" "$N" 20 >"$work/in-$p.txt"; fi
	kc -P -t "$T" -p "$p" -X acks=all -l "$work/in-$p.txt" 2>"$work/p-$p.err" ||
		{ cat "$work/p-$p.err" >&2; fail "produce to partition $p failed"; }
done
note "produced to $P partitions on broker 2"

pid=$(broker_pid 2)
cluster kill 2 || fail "cluster.sh kill 2"
! pid_alive "$pid" || fail "broker 2 survived SIGKILL"
# a torn write at the end of partition 5's active segment
seg=$(find "$CLUSTER_DIR/broker/2/data/$T-5" -maxdepth 1 -name '*.log' | sort | tail -n 1)
printf '\0\0\0\0\0\0\0\xc8\0\0\0\x40garbage' >>"$seg"
log2="$CLUSTER_DIR/logs/broker-2.log"
before=$(wc -l <"$log2")
cluster start 2 || fail "cluster.sh start 2"
wait_topic_ready "$T" "$P" 60

# the restart's lines in a file: grep -q on a pipe leaves at the first
# match, and under pipefail tail's SIGPIPE would fail the check
tail -n +"$((before + 1))" "$log2" >"$work/since.log"
grep -q 'loading partition logs (3 recovery thread(s) per log dir)' "$work/since.log" ||
	fail "broker 2 did not load its logs with 3 threads"
n=$(grep -c "/$T-[0-9]*: recovered after unclean shutdown" "$work/since.log" || true)
((n == P)) || fail "broker 2 recovered $n of the $P partitions"
grep -q "/$T-5: corrupt or torn data" "$work/since.log" || fail "the torn tail of $T-5 was not found"
note "loaded on 3 threads: $n partitions recovered, the torn tail of $T-5 cut"

for ((p = 0; p < P; p++)); do
	want=$(wc -l <"$work/in-$p.txt")
	kc -C -t "$T" -p "$p" -o beginning -e -q -f '%o %s\n' >"$work/out-$p.txt" 2>"$work/c-$p.err" ||
		{ cat "$work/c-$p.err" >&2; fail "consume of partition $p failed"; }
	python3 - "$work/out-$p.txt" "$work/in-$p.txt" <<'PY' || fail "partition $p: acknowledged messages lost or changed"
import sys
got = [l.rstrip("\n").split(" ", 1) for l in open(sys.argv[1])]
want = [l.rstrip("\n") for l in open(sys.argv[2])]
if len(got) != len(want):
    sys.exit("got %d messages, want %d" % (len(got), len(want)))
for i, (o, v) in enumerate(got):
    if int(o) != i or v != want[i]:
        sys.exit("at %d: offset %s, value %r" % (i, o, v[:30]))
PY
	note "partition $p: all $want messages at their offsets"
done

rp_at_end() { [[ $(cat "$CLUSTER_DIR/broker/2/data/$T-0/recovery-point" 2>/dev/null) == "$BIG" ]]; }
wait_until 60 "$T-0's recovery-point file at its end ($BIG)" rp_at_end
note "the re-read range of $T-0 was flushed and its recovery point moved to $BIG"
