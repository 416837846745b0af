#!/usr/bin/env bash
# gregorctl transactions/producers on a 3-broker cluster: a librdkafka
# transactional producer leaves a transaction open on partitions 0 and 2;
# "transactions list" shows it Ongoing with both partitions, "describe" finds
# it through FindCoordinator, "producers" shows the open transaction on the
# leader; after the producer commits, list/describe show CompleteCommit (or
# Empty) with no partitions. Nothing is flagged HANGING.
# Usage: gregorctl_txn.sh GREGORCTL TXN_OPEN_CLIENT
source "$(dirname "$0")/lib.sh"

GCTL=${1:?usage: gregorctl_txn.sh GREGORCTL TXN_OPEN_CLIENT}
CLIENT=${2:?usage: gregorctl_txn.sh GREGORCTL TXN_OPEN_CLIENT}
[[ -x $GCTL && -x $CLIENT ]] || fail "binaries missing"
T=gtxn
TID=gctl-txn-1
cluster_up 3
zk create "/brokers/topics/$T" \
	'{"version":1,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 3 60
work=$(mktemp -d)
on_exit "rm -rf '$work'"
g() { timeout 60 "$GCTL" --bootstrap "$BOOTSTRAP" --timeout 10 "$@"; }

"$CLIENT" "$BOOTSTRAP" "$T" "$TID" 0 2 >"$work/client.out" 2>"$work/client.err" &
cpid=$!
on_exit "kill $cpid 2>/dev/null || true"
client_open() { grep -qx open "$work/client.out"; }
wait_until 90 "the transaction to be open" client_open

note "transactions list (open)"
g transactions list >"$work/list1" || fail "list failed: $(cat "$work/list1")"
cat "$work/list1" >&2
line=$(grep "^$TID " "$work/list1") || fail "$TID not listed"
read -r _id _coord pid epoch state timeout _age parts _rest <<<"$line"
[[ $state == Ongoing ]] || fail "state $state, expected Ongoing"
[[ $parts == "$T-0,$T-2" || $parts == "$T-2,$T-0" ]] || fail "partitions '$parts'"
[[ $timeout == 90000 ]] || fail "timeout $timeout"
((pid >= 0 && epoch >= 0)) || fail "producer id/epoch $pid/$epoch"
grep -q HANGING "$work/list1" && fail "a fresh transaction flagged HANGING"

note "transactions describe $TID"
g transactions describe "$TID" >"$work/desc1" || fail "describe failed"
grep -q "^$TID .* Ongoing " "$work/desc1" || fail "describe: $(cat "$work/desc1")"

note "producers $T 0"
g producers "$T" 0 >"$work/prod" || fail "producers failed: $(cat "$work/prod")"
cat "$work/prod" >&2
grep -q "^$pid .*(open transaction)$" "$work/prod" || fail "producer $pid has no open transaction on $T-0"

note "commit"
kill -USR1 "$cpid"
wait "$cpid" || fail "client failed: $(cat "$work/client.err")"
grep -qx committed "$work/client.out" || fail "client did not commit"
committed() {
	g transactions describe "$TID" >"$work/desc2" 2>&1 &&
		grep -Eq "^$TID .* (CompleteCommit|Empty) .* -$" "$work/desc2"
}
wait_until 30 "CompleteCommit with no partitions" committed
g transactions list >"$work/list2" || fail "list after commit failed"
cat "$work/list2" >&2
grep -Eq "^$TID .* (CompleteCommit|Empty) " "$work/list2" || fail "list after commit: $(cat "$work/list2")"
g producers "$T" 0 >"$work/prod2" || fail "producers after commit failed"
grep -q "(open transaction)" "$work/prod2" && fail "open transaction left on $T-0"
g transactions describe no-such-txn >/dev/null 2>"$work/err" && fail "unknown id described"
note "unknown id: $(cat "$work/err")"
note "ok"
