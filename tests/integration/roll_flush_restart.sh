#!/usr/bin/env bash
# roll_flush_restart.sh: with small segments (log.segment.bytes=16384) and
# no flush policy, every roll fsyncs the sealed segments in the background
# and moves the partition's recovery point to the new active segment; the
# recovery-point file follows (log.flush.offset.checkpoint.interval.ms=1000).
# After a SIGKILL of the partition's only replica the restarted broker reads
# again only the active segment (its log says how many it read), and every
# acknowledged message reads back at its offset.
source "$(dirname "$0")/lib.sh"

N=3000
T=rolled
cluster_up 3 --set log.segment.bytes=16384 --set log.flush.offset.checkpoint.interval.ms=1000
# RF 1 on broker 2: its own disk is the only copy.
zk create "/brokers/topics/$T" '{"version":1,"partitions":{"0":[2]}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 1 60
[[ $(zk_leader "$T" 0) == 2 ]] || fail "leader of $T-0 is not broker 2"

work=$(mktemp -d)
on_exit "rm -rf '$work'"
python3 -c 'import sys
for i in range(int(sys.argv[1])): print("m%06d-%s" % (i, "r" * (i % 97)))' "$N" >"$work/in.txt"

note "producing $N messages with acks=all in small batches"
kc -P -t "$T" -p 0 -X acks=all -X batch.num.messages=20 -l "$work/in.txt" 2>"$work/p.err" ||
	{ cat "$work/p.err" >&2; fail "produce failed"; }

pdir="$CLUSTER_DIR/broker/2/data/$T-0"
active_base() { # the base offset of the newest segment, as a number
	local f
	f=$(find "$pdir" -maxdepth 1 -name '*.log' -printf '%f\n' | sort | tail -n 1)
	echo $((10#${f%.log}))
}
rp_file() { cat "$pdir/recovery-point" 2>/dev/null || echo -1; }
rp_at_active() { [[ $(rp_file) == "$(active_base)" ]]; }
segments=$(find "$pdir" -maxdepth 1 -name '*.log' | wc -l)
((segments >= 4)) || fail "only $segments segments: the produce did not roll the log"
wait_until 60 "recovery-point file at the active segment's base" rp_at_active
base=$(active_base)
note "$segments segments; recovery point written: $base"

sigkill_restart 2 "$T"

log2="$CLUSTER_DIR/logs/broker-2.log"
line=$(grep -F "$T-0: recovered after unclean shutdown" "$log2" | tail -n 1)
[[ -n $line ]] || fail "broker 2 logged no recovery of $T-0"
note "broker 2: ${line#*INFO }"
[[ $line == *"(recovery point $base; read again: 1 of $segments segments,"* ]] ||
	fail "recovery of $T-0 read more than the active segment: $line"

kc -C -t "$T" -p 0 -o beginning -e -q -f '%o %s\n' >"$work/out.txt" 2>"$work/c.err" ||
	{ cat "$work/c.err" >&2; fail "consume failed"; }
python3 - "$work/out.txt" "$work/in.txt" <<'PY' || fail "acknowledged messages lost or changed"
import sys
got = [l.rstrip("\n").split(" ", 1) for l in open(sys.argv[1])]
want = [l.rstrip("\n") for l in open(sys.argv[2])]
if len(got) != len(want):
    sys.exit("got %d messages, want %d" % (len(got), len(want)))
for i, (o, v) in enumerate(got):
    if int(o) != i or v != want[i]:
        sys.exit("at %d: offset %s value %r" % (i, o, v[:30]))
PY
note "all $N acknowledged messages read back after the SIGKILL"
