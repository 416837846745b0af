#!/usr/bin/env bash
# Failover of a transaction in PrepareCommit/PrepareAbort: broker 2 runs
# with GREGOR_FAILPOINT=txn_after_prepare, so as coordinator it exits right
# after the Prepare* record is acknowledged, before any marker is sent and
# before the client hears back. The next coordinator must load the record
# and finish the transaction: a committed one becomes visible to
# read_committed (checked while broker 2 is still down), an aborted one
# never does yet the LSO moves past it; DescribeTransactions shows
# CompleteCommit/CompleteAbort and ListTransactions no Prepare* state.
# Usage: txn_failover.sh DRILL_TXN_CLIENT
source "$(dirname "$0")/lib.sh"

CLIENT=${1:?usage: txn_failover.sh DRILL_TXN_CLIENT}
[[ -x $CLIENT ]] || fail "client binary missing: $CLIENT"
WIRE="python3 $GREGOR_SOURCE_ROOT/tests/lib/txn_wire.py"
T=tfo
F=2
cluster_up 3 --set min.insync.replicas=2 --set leader.imbalance.check.interval.seconds=3
zk create "/brokers/topics/$T" \
	'{"version":1,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 3 60
work=$(mktemp -d)
on_exit "rm -rf '$work'"

# Broker F again, with the failpoint (only it has it in its environment).
fp_start() {
	GREGOR_FAILPOINT=txn_after_prepare cluster start "$F" >/dev/null
	grep -q 'failpoint.*armed: txn_after_prepare' "$CLUSTER_DIR/logs/broker-$F.log" ||
		fail "broker $F did not report the armed failpoint"
}
note "restarting broker $F with GREGOR_FAILPOINT=txn_after_prepare"
cluster stop "$F" >/dev/null
fp_start
# The first FindCoordinator creates __transaction_state, spread over all.
$WIRE coordinator warmup >/dev/null || fail "no coordinator"
wait_topic_ready __transaction_state 50 60
wait_topic_ready "$T" 3 60

consume() { "$CLIENT" consume -b "$BOOTSTRAP" -t "$T" -P 3 -I "$1" 2>>"$work/consume.err"; }
no_prepare() {
	local l
	l=$($WIRE list) || return 1
	! grep -q ' Prepare' <<<"$l"
}
count() { grep -c "$1" "$2" || true; }

# run_case END PREFIX: a transaction coordinated by broker F ended with
# END (commit|abort); F must die by the failpoint; the client's end call
# must succeed against the next coordinator.
run_case() {
	local end=$1 prefix=$2 id fpid
	id=$($WIRE pick "$F" "fo-$end") || fail "no transactional id coordinated by broker $F"
	note "$end: transactional.id $id (coordinator broker $F)"
	fpid=$(broker_pid "$F")
	timeout 180 "$CLIENT" one -b "$BOOTSTRAP" -t "$T" -i "$id" -m 9 -v "$prefix" -c "$end" \
		>"$work/$end.out" 2>"$work/$end.err" &
	local cpid=$!
	wait_until 60 "broker $F exiting at the failpoint" eval '! pid_alive '"$fpid"
	grep -q 'failpoint txn_after_prepare: exiting' "$CLUSTER_DIR/logs/broker-$F.log" ||
		fail "broker $F exited, but not at the failpoint"
	local rc=0
	wait "$cpid" || rc=$?
	note "client: $(tr '\n' ' ' <"$work/$end.out") (exit $rc); errors seen: $(grep -c . "$work/$end.err" || true)"
	local want=committed
	[[ $end == abort ]] && want=aborted
	grep -q "^result $want\$" "$work/$end.out" ||
		fail "$end did not succeed against the new coordinator: $(tail -3 "$work/$end.err")"
	local d b resumed=0
	for b in 1 2 3; do
		((b == F)) && continue
		grep -qE 'loaded __transaction_state-[0-9]+ .*: [0-9]+ transactional id\(s\), [1-9][0-9]* transaction\(s\) resumed' \
			"$CLUSTER_DIR/logs/broker-$b.log" && resumed=1
	done
	((resumed)) || fail "no other broker reports resuming a Prepare* transaction on load"
	d=$($WIRE describe "$id")
	note "DescribeTransactions $id: $d (coordinator now broker $($WIRE coordinator "$id"))"
	[[ $d == "0 Complete"* ]] || fail "$id is not Complete*: $d"
	no_prepare || fail "ListTransactions failed or shows a Prepare* state: $($WIRE list 2>&1 | grep -v Complete)"
	$WIRE list | grep "^$id Complete" >/dev/null || fail "ListTransactions does not list $id as Complete*"
	CASE_ID=$id
}

run_case commit fc
d=$($WIRE describe "$CASE_ID")
[[ $d == "0 CompleteCommit "* ]] || fail "expected CompleteCommit, got $d"
pid_alive "$(broker_pid "$F")" && fail "broker $F is running again too early"
n=$(consume read_committed | grep -c '^fc-m' || true)
note "read_committed with broker $F down: $n of 9 committed messages"
((n == 9)) || fail "the new coordinator did not complete the commit ($n of 9 visible)"

note "restarting broker $F with the failpoint; waiting for it to coordinate again"
fp_start
coord_back() { $WIRE pick "$F" fo-abort >/dev/null 2>&1; }
wait_until 90 "preferred leadership back on broker $F" coord_back
run_case abort fa
d=$($WIRE describe "$CASE_ID")
[[ $d == "0 CompleteAbort "* ]] || fail "expected CompleteAbort, got $d"

note "a later transaction on the same partitions"
timeout 120 "$CLIENT" one -b "$BOOTSTRAP" -t "$T" -i fo-after -m 9 -v after -c commit \
	>"$work/after.out" 2>"$work/after.err" || fail "later transaction failed: $(tail -3 "$work/after.err")"
consume read_committed >"$work/rc"
consume read_uncommitted >"$work/ru"
note "read_committed: fc $(count '^fc-' "$work/rc") fa $(count '^fa-' "$work/rc") after $(count '^after-' "$work/rc"); read_uncommitted: fa $(count '^fa-' "$work/ru")"
(($(count '^fa-' "$work/ru") == 9)) || fail "the aborted transaction's data is not in the log"
grep -q '^fa-' "$work/rc" && fail "an aborted message is visible to read_committed"
(($(count '^after-' "$work/rc") == 9)) || fail "LSO stuck: the later transaction is not visible"
(($(count '^fc-' "$work/rc") == 9)) || fail "committed messages not seen exactly once"
cluster start "$F" >/dev/null
wait_until 60 "no Prepare* anywhere" no_prepare
