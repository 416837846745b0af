#!/usr/bin/env bash
# transactional.id expiry: with transactional.id.expiration.ms=8000 and a
# 1 s check, a transactional id whose last transaction completed is
# forgotten after ~8 s and not before (a tombstone in __transaction_state):
# DescribeTransactions answers TRANSACTIONAL_ID_NOT_FOUND (105) and
# ListTransactions no longer lists it; a new coordinator after a SIGKILL
# does not resurrect it; the id can be used again (new producer id).
# Usage: txn_expiry.sh DRILL_TXN_CLIENT
source "$(dirname "$0")/lib.sh"

CLIENT=${1:?usage: txn_expiry.sh DRILL_TXN_CLIENT}
[[ -x $CLIENT ]] || fail "client binary missing: $CLIENT"
WIRE="python3 $GREGOR_SOURCE_ROOT/tests/lib/txn_wire.py"
T=txe
ID=txe-1
cluster_up 3 --set min.insync.replicas=2 --set transactional.id.expiration.ms=8000 \
	--set transaction.remove.expired.transaction.cleanup.interval.ms=1000
zk create "/brokers/topics/$T" '{"version":1,"partitions":{"0":[1,2,3]}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 1 60
work=$(mktemp -d)
on_exit "rm -rf '$work'"

timeout 60 "$CLIENT" one -b "$BOOTSTRAP" -t "$T" -i "$ID" -m 3 -v first -c commit -p 0 \
	>"$work/1.out" 2>"$work/1.err" || fail "first transaction failed: $(tail -3 "$work/1.err")"
t0=$SECONDS
d=$($WIRE describe "$ID")
note "after the commit: $d"
[[ $d == "0 CompleteCommit "* ]] || fail "expected CompleteCommit: $d"
pid1=$(awk '{print $3}' <<<"$d")
sleep 4
d=$($WIRE describe "$ID")
note "$((SECONDS - t0))s later: $d"
[[ $d == "0 CompleteCommit "* ]] || fail "expired too early: $d"
gone() { [[ $($WIRE describe "$ID") == "105 "* ]]; }
wait_until 30 "$ID expired" gone
el=$((SECONDS - t0))
note "expired ${el}s after its last transaction"
((el >= 6)) || fail "expired after ${el}s, before transactional.id.expiration.ms"
$WIRE list | grep "^$ID " >/dev/null && fail "ListTransactions still lists $ID"
C=$($WIRE coordinator "$ID")
note "killing coordinator broker $C"
cluster kill "$C" >/dev/null
moved() { local c; c=$($WIRE coordinator "$ID") && [[ $c != "$C" ]]; }
wait_until 60 "a new coordinator for $ID" moved
d=$($WIRE describe "$ID")
note "new coordinator $($WIRE coordinator "$ID"): $d"
[[ $d == "105 "* ]] || fail "the expired id came back after failover: $d"
timeout 60 "$CLIENT" one -b "$BOOTSTRAP" -t "$T" -i "$ID" -m 3 -v second -c commit -p 0 \
	>"$work/2.out" 2>"$work/2.err" || fail "reusing the id failed: $(tail -3 "$work/2.err")"
d=$($WIRE describe "$ID")
note "reused: $d"
[[ $d == "0 CompleteCommit "* && $(awk '{print $3}' <<<"$d") != "$pid1" ]] ||
	fail "expected a new producer id (old $pid1): $d"
cluster start "$C" >/dev/null
