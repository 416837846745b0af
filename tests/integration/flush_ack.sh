#!/usr/bin/env bash
# flush_ack.sh: a flush per message (log.flush.interval.messages=1) runs on
# the broker's flusher thread, and a produce is answered only once the
# flush covering it completed (flush_ack.py says what is checked). One
# broker, its append-flush jobs armed through the failpoint
# storage.append_flush: the first held 6 s, the second normal, the third
# failing with EIO, which takes the broker's only log dir offline and stops
# it, as a failed flush on the loop did. Restarted without the fault, it
# recovers and serves both acknowledged records.
source "$(dirname "$0")/lib.sh"

PY=$(dirname "$0")/flush_ack.py
GREGOR_FAILPOINT='storage.append_flush=1*delay(6000)->1*off->error(EIO)' \
	cluster_up 1 --set log.flush.interval.messages=1
log1="$CLUSTER_DIR/logs/broker-1.log"
grep -q 'failpoint.*armed: storage.append_flush' "$log1" ||
	fail "broker 1 did not report the armed failpoint"
pid1=$(broker_pid 1)
addr=${BOOTSTRAP%%,*}

python3 "$PY" held "$addr" || fail "flush_ack.py held failed"
wait_until 60 "broker 1 to stop on its failed flush" eval '! pid_alive '"$pid1"
grep -q 'flush-ack-0: flush below offset [0-9]*: Input/output error' "$log1" ||
	fail "broker 1 did not report the failed flush"
grep -q 'log dir .* failed (flush of flush-ack-0: Input/output error)' "$log1" ||
	fail "broker 1 did not take its log dir offline on the failed flush"

cluster start 1 >/dev/null
grep -q 'flush-ack-0: recovered after unclean shutdown' "$log1" ||
	fail "broker 1 did not run recovery on its log"
python3 "$PY" check "$addr" || fail "flush_ack.py check failed"
note "PASS"
