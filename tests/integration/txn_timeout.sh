#!/usr/bin/env bash
# Timeout abort: a producer with transaction.timeout.ms=5000 begins a
# transaction, produces and hangs (alive, no commit). Until the timeout the
# partition's LSO is held at its first message (a later committed
# transaction of another producer is invisible to read_committed); within
# timeout + transaction.abort.timed.out.transaction.cleanup.interval.ms
# (1 s here) the coordinator aborts it with an epoch bump: the later
# transaction becomes visible, the hung one's messages never do, and the
# hung producer's late commit fails.
# Usage: txn_timeout.sh DRILL_TXN_CLIENT
source "$(dirname "$0")/lib.sh"

CLIENT=${1:?usage: txn_timeout.sh DRILL_TXN_CLIENT}
[[ -x $CLIENT ]] || fail "client binary missing: $CLIENT"
WIRE="python3 $GREGOR_SOURCE_ROOT/tests/lib/txn_wire.py"
T=tto
cluster_up 3 --set min.insync.replicas=2 \
	--set transaction.abort.timed.out.transaction.cleanup.interval.ms=1000
zk create "/brokers/topics/$T" '{"version":1,"partitions":{"0":[1,2,3]}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 1 60
work=$(mktemp -d)
on_exit "rm -rf '$work'"
count() { grep -c "$1" "$2" || true; }
consume() { "$CLIENT" consume -b "$BOOTSTRAP" -t "$T" -P 1 -I "$1" 2>>"$work/consume.err"; }

"$CLIENT" hang -b "$BOOTSTRAP" -t "$T" -i tto-hung -m 5 -v hung -T 5000 -s 25 -p 0 \
	>"$work/hung.out" 2>"$work/hung.err" &
HPID=$!
on_exit "kill $HPID 2>/dev/null || true"
written() { grep -q '^produced' "$work/hung.out" || ! pid_alive "$HPID"; }
wait_until 60 "the hung producer's messages written" written
pid_alive "$HPID" || fail "hung producer ended early: $(tail -5 "$work/hung.err")"
t0=$SECONDS
note "hung producer wrote its messages: $($WIRE describe tto-hung)"
timeout 60 "$CLIENT" one -b "$BOOTSTRAP" -t "$T" -i tto-other -m 3 -v after -c commit -p 0 \
	>"$work/other.out" 2>"$work/other.err" || fail "the other producer failed: $(tail -3 "$work/other.err")"
"$CLIENT" consume -b "$BOOTSTRAP" -t "$T" -P 1 -I read_committed -s 0 >"$work/early" 2>/dev/null ||
	fail "read_committed consumer failed"
early=$(count '^after-' "$work/early")
el=$((SECONDS - t0))
note "read_committed ${el}s after the hung transaction began: $early of 3 later messages"
if ((el < 4)); then
	((early == 0)) || fail "the LSO did not wait for the open transaction"
else
	note "(too late to check the LSO before the timeout)"
fi
visible() { (($(consume read_committed | grep -c '^after-' || true) == 3)); }
wait_until 30 "the later transaction visible to read_committed" visible
el=$((SECONDS - t0))
note "visible ${el}s after the hung transaction's messages were written"
((el <= 20)) || fail "abort took ${el}s (timeout 5 s + cleanup interval 1 s)"
d=$($WIRE describe tto-hung)
note "DescribeTransactions tto-hung: $d"
[[ $d == "0 CompleteAbort "* ]] || fail "the timed-out transaction is not CompleteAbort: $d"
(($(awk '{print $4}' <<<"$d") >= 1)) || fail "the producer epoch was not bumped: $d"
consume read_committed >"$work/rc"
consume read_uncommitted >"$work/ru"
(($(count '^hung-' "$work/ru") == 5)) || fail "the hung producer's data is not in the log"
(($(count '^hung-' "$work/rc") == 0)) || fail "a timed-out transaction's message is visible"
wait "$HPID" || fail "hung producer exited $?: $(tail -3 "$work/hung.err")"
note "hung producer: $(tail -1 "$work/hung.out")"
grep -q '^commit failed' "$work/hung.out" || fail "the hung producer's late commit succeeded"
consume read_committed >"$work/rc2"
(($(count '^hung-' "$work/rc2") == 0)) || fail "hung messages visible after its commit"
