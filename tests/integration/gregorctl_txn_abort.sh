#!/usr/bin/env bash
# gregorctl transactions abort, as kafka-transactions.sh abort: a
# librdkafka transactional producer leaves a transaction open on partition
# 0 and is killed with SIGKILL, so only its coordinator's timeout (90 s)
# would end it. describe-producers shows the open transaction and its first
# offset; "abort --start-offset" writes the ABORT marker at the leader
# (WriteTxnMarkers); then the partition has no open transaction, a
# read_committed consumer reads to the end without the aborted record, and
# dump-log shows the marker and the .txnindex entry on disk.
# Usage: gregorctl_txn_abort.sh GREGORCTL TXN_OPEN_CLIENT
source "$(dirname "$0")/lib.sh"

GCTL=${1:?usage: gregorctl_txn_abort.sh GREGORCTL TXN_OPEN_CLIENT}
CLIENT=${2:?usage: gregorctl_txn_abort.sh GREGORCTL TXN_OPEN_CLIENT}
[[ -x $GCTL && -x $CLIENT ]] || fail "binaries missing"
T=gabort
cluster_up 3
work=$(mktemp -d)
on_exit "rm -rf '$work'"
t() { timeout 60 "$GCTL" transactions --bootstrap-server "$BOOTSTRAP" --timeout 15 "$@"; }
"$GCTL" topics --bootstrap-server "$BOOTSTRAP" --create --topic "$T" --replica-assignment 1:2 >/dev/null ||
	fail "create $T"
wait_topic_ready "$T" 1 60
printf 'before\n' | kc -P -t "$T" -p 0 || fail "produce"

"$CLIENT" "$BOOTSTRAP" "$T" gctl-abort-1 0 >"$work/client.out" 2>"$work/client.err" &
cpid=$!
on_exit "kill -9 $cpid 2>/dev/null || true"
client_open() { grep -qx open "$work/client.out"; }
wait_until 90 "the transaction to be open" client_open
kill -9 "$cpid"
wait "$cpid" 2>/dev/null || true

t describe-producers --topic "$T" --partition 0 >"$work/prod" || fail "describe-producers: $(cat "$work/prod")"
read -r pid epoch _seq _ts _ce start _rest < <(grep '(open transaction)$' "$work/prod") ||
	fail "no open transaction: $(cat "$work/prod")"
[[ $start == 1 ]] || fail "transaction starts at $start, expected 1 (after 'before')"
# its coordinator still has it Ongoing: not hanging, even with no age limit
t find-hanging --topic "$T" --max-transaction-timeout 0 >"$work/hang" || fail "find-hanging"
grep -qx 'No hanging transactions found.' "$work/hang" || fail "find-hanging: $(cat "$work/hang")"
rc=0
t abort --topic "$T" --partition 0 --start-offset 0 2>"$work/err" || rc=$?
((rc == 1)) || fail "abort at an offset without an open transaction: exit $rc"

t abort --topic "$T" --partition 0 --start-offset "$start" >"$work/abort" || fail "abort: $(cat "$work/abort")"
grep -qx "Aborted transaction of producer $pid (epoch $epoch) on $T-0" "$work/abort" ||
	fail "abort said: $(cat "$work/abort")"
t describe-producers --topic "$T" --partition 0 >"$work/prod2" || fail "describe-producers after"
grep -q '(open transaction)$' "$work/prod2" && fail "still open: $(cat "$work/prod2")"
kc -C -t "$T" -p 0 -o beginning -e -X isolation.level=read_committed -f '%o %s\n' >"$work/read" ||
	fail "read_committed consumer"
[[ $(cat "$work/read") == "0 before" ]] || fail "read_committed saw: $(cat "$work/read")"

# the leader's copy (broker 1: the first replica of 1:2)
seg="$CLUSTER_DIR/broker/1/data/$T-0/00000000000000000000"
on_disk() {
	"$GCTL" dump-log --files "$seg.log,$seg.txnindex" --deep-iteration >"$work/dump" &&
		grep -q 'endTxnMarker: ABORT' "$work/dump"
}
wait_until 30 "the ABORT marker on disk" on_disk
grep -q "^version: 0 producerId: $pid firstOffset: 1 lastOffset: 2 lastStableOffset: 3\$" "$work/dump" ||
	fail "txnindex: $(cat "$work/dump")"
note "hanging transaction aborted with WriteTxnMarkers"
