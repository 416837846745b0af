#!/usr/bin/env bash
# log_dir_eio.sh: a leader's fdatasync starts failing with EIO (failpoint
# storage.fdatasync, armed through GREGOR_FAILPOINT in that broker's
# environment only) while every append must be flushed
# (log.flush.interval.messages=1). As Kafka does, the append that could not
# be flushed is answered KAFKA_STORAGE_ERROR, not acknowledged; the broker
# logs the cause once, takes its log dir offline and stops; leadership moves
# to the ISR; every acknowledged write is readable; restarted without the
# fault, the broker recovers and rejoins the ISR.
source "$(dirname "$0")/lib.sh"

ACKED_BIN_DIR=${ACKED_BIN_DIR:-$GREGOR_SOURCE_ROOT/build/tests/lib}
for p in acked_producer acked_verify; do
	[[ -x $ACKED_BIN_DIR/$p ]] || fail "missing $ACKED_BIN_DIR/$p"
done

T=eiodisk
cluster_up 3 --set min.insync.replicas=2 --set replica.lag.time.max.ms=10000 \
	--set log.flush.interval.messages=1
work="$CLUSTER_DIR/work"
mkdir -p "$work"

# Broker 1 again, with fdatasync failing after its first 150 calls.
cluster stop 1 >/dev/null
GREGOR_FAILPOINT='storage.fdatasync=150*off->error(EIO)' cluster start 1 >/dev/null
grep -q 'failpoint.*armed: storage.fdatasync' "$CLUSTER_DIR/logs/broker-1.log" ||
	fail "broker 1 did not report the armed failpoint"

zk create "/brokers/topics/$T" '{"version":1,"partitions":{"0":[1,2,3]}}' >/dev/null ||
	fail "cannot create the topic znode"
wait_until 30 "broker 1 leads $T-0" leader_is "$T" 0 1
wait_topic_ready "$T" 1 60
isr_has() {
	zk_get "/brokers/topics/$T/partitions/0/state" |
		python3 -c 'import json,sys; sys.exit(int(sys.argv[1]) not in json.load(sys.stdin)["isr"])' "$1"
}
wait_until 60 "brokers 2 and 3 in the ISR" eval 'isr_has 2 && isr_has 3'

pid1=$(broker_pid 1)
"$ACKED_BIN_DIR/acked_producer" -b "$BOOTSTRAP" -t "$T" -o "$work/p.acks" -a all \
	-p 200 -n 3000 -r 500 -s 60 -m 60000 -k eio >"$work/p.out" 2>"$work/p.err" &
ppid=$!
on_exit "kill -TERM $ppid 2>/dev/null || true"
note "producing (pid $ppid); waiting for broker 1's fdatasync to fail"

wait_until 60 "broker 1 to stop on EIO" eval '! pid_alive '"$pid1"
log1="$CLUSTER_DIR/logs/broker-1.log"
n=$(grep -c 'log dir .* failed (' "$log1" || true)
((n == 1)) || fail "the cause should be logged once, found $n lines"
grep 'log dir .* failed (' "$log1" | sed 's/^/[broker-1] /' >&2
grep 'log dir .* failed (' "$log1" | grep 'Input/output error' >/dev/null ||
	fail "the logged cause is not EIO"

new_leader() { local l; l=$(zk_leader "$T" 0) && [[ $l == 2 || $l == 3 ]]; }
wait_until 30 "leadership of $T-0 to move to broker 2 or 3" new_leader
note "leader now: broker $(zk_leader "$T" 0)"

rc=0
wait "$ppid" || rc=$?
sed 's/^/[producer] /' "$work/p.out" >&2
((rc == 0)) || { tail -n 20 "$work/p.err" >&2; fail "producer exited $rc"; }
acked=$(sed -n 's/.*acknowledged=\([0-9]*\).*/\1/p' "$work/p.out")
((acked == 3000)) || fail "only $acked of 3000 writes acknowledged"
out=$("$ACKED_BIN_DIR/acked_verify" -b "$BOOTSTRAP" -t "$T" -T 120 "$work/p.acks") || rc=$?
printf '%s\n' "$out" | sed 's/^/[verify] /' >&2
((rc == 0)) || fail "acknowledged writes missing or wrong after EIO (acked_verify exit $rc)"

# The fault is gone (no failpoint this time): recovery, then the ISR.
cluster start 1 >/dev/null
grep -q 'recovered after unclean shutdown' "$log1" || fail "broker 1 did not run recovery on its log"
wait_until 90 "broker 1 back in the ISR of $T-0" isr_has 1
note "broker 1 recovered and rejoined the ISR"
