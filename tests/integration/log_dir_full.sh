#!/usr/bin/env bash
# log_dir_full.sh: a leader's disk fills up for real (its log dir is a small
# tmpfs). Kafka's behaviour is asserted: the broker answers KAFKA_STORAGE_ERROR
# instead of acknowledging, logs the cause once, takes its log dir offline and
# (having no other) stops; the controller moves leadership to the ISR; every
# acknowledged write is readable afterwards; once the disk has room again the
# broker starts, recovers its log and rejoins the ISR. Needs root (mount).
source "$(dirname "$0")/lib.sh"

((EUID == 0)) || fail "needs root: it mounts a tmpfs as a broker's log dir"
ACKED_BIN_DIR=${ACKED_BIN_DIR:-$GREGOR_SOURCE_ROOT/build/tests/lib}
for p in acked_producer acked_verify; do
	[[ -x $ACKED_BIN_DIR/$p ]] || fail "missing $ACKED_BIN_DIR/$p"
done

T=fulldisk
cluster_up 3 --set min.insync.replicas=2 --set replica.lag.time.max.ms=10000
D1="$CLUSTER_DIR/broker/1/data"
work="$CLUSTER_DIR/work"
mkdir -p "$work"

# Broker 1's log dir moves onto an 8 MiB tmpfs (contents kept).
cluster stop 1 >/dev/null
cp -a "$D1" "$work/d1.before"
mount -t tmpfs -o size=8m gregor-it-full "$D1" || fail "cannot mount a tmpfs on $D1"
on_exit "umount -l '$D1' 2>/dev/null || true"
cp -a "$work/d1.before/." "$D1/"
cluster start 1 >/dev/null

# Broker 1 is the preferred (so first) leader of the one partition.
zk create "/brokers/topics/$T" '{"version":1,"partitions":{"0":[1,2,3]}}' >/dev/null ||
	fail "cannot create the topic znode"
wait_until 30 "broker 1 leads $T-0" leader_is "$T" 0 1
wait_topic_ready "$T" 1 60

isr_has() {
	zk_get "/brokers/topics/$T/partitions/0/state" |
		python3 -c 'import json,sys; sys.exit(int(sys.argv[1]) not in json.load(sys.stdin)["isr"])' "$1"
}
wait_until 60 "brokers 2 and 3 in the ISR" eval 'isr_has 2 && isr_has 3'

# ~12 MB of acks=all writes at 3000/s: the tmpfs fills after about 2.5 s.
pid1=$(broker_pid 1)
"$ACKED_BIN_DIR/acked_producer" -b "$BOOTSTRAP" -t "$T" -o "$work/p.acks" -a all \
	-p 1000 -n 12000 -r 3000 -s 60 -m 60000 -k full >"$work/p.out" 2>"$work/p.err" &
ppid=$!
on_exit "kill -TERM $ppid 2>/dev/null || true"
note "producing (pid $ppid); waiting for broker 1 to fill its disk"

wait_until 60 "broker 1 to stop on the full disk" eval '! pid_alive '"$pid1"
log1="$CLUSTER_DIR/logs/broker-1.log"
n=$(grep -c 'log dir .* failed (' "$log1" || true)
((n == 1)) || fail "the cause should be logged once, found $n lines"
grep 'log dir .* failed (' "$log1" | sed 's/^/[broker-1] /' >&2
grep -q 'No space left on device' <<<"$(grep 'log dir .* failed (' "$log1")" ||
	fail "the logged cause is not ENOSPC"

new_leader() { local l; l=$(zk_leader "$T" 0) && [[ $l == 2 || $l == 3 ]]; }
wait_until 30 "leadership of $T-0 to move to broker 2 or 3" new_leader
note "leader now: broker $(zk_leader "$T" 0)"

rc=0
wait "$ppid" || rc=$?
sed 's/^/[producer] /' "$work/p.out" >&2
((rc == 0)) || { tail -n 20 "$work/p.err" >&2; fail "producer exited $rc"; }
acked=$(sed -n 's/.*acknowledged=\([0-9]*\).*/\1/p' "$work/p.out")
((acked == 12000)) || fail "only $acked of 12000 writes acknowledged (retriable errors must go to the new leader)"

out=$("$ACKED_BIN_DIR/acked_verify" -b "$BOOTSTRAP" -t "$T" -T 120 "$work/p.acks") || rc=$?
printf '%s\n' "$out" | sed 's/^/[verify] /' >&2
((rc == 0)) || fail "acknowledged writes missing or wrong after the disk filled (acked_verify exit $rc)"

# The fault is cleared: room on the disk, the broker recovers and catches up.
mount -o remount,size=64m "$D1" || fail "cannot grow the tmpfs"
cluster start 1 >/dev/null
grep -q 'recovered after unclean shutdown' "$log1" ||
	fail "broker 1 did not run recovery on its log"
wait_until 90 "broker 1 back in the ISR of $T-0" isr_has 1
note "broker 1 recovered and rejoined the ISR"
