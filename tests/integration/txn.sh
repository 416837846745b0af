#!/usr/bin/env bash
# Transactions end to end with librdkafka on a 3-broker cluster: a
# transactional producer commits two of every three transactions and aborts
# the third; a read_committed consumer must see every committed message
# exactly once and no aborted one, a read_uncommitted consumer both. Then
# zombie fencing: two producers with one transactional.id, the older is
# fenced and its writes never become visible to read_committed.
# Usage: txn.sh TXN_CLIENT
source "$(dirname "$0")/lib.sh"

CLIENT=${1:?usage: txn.sh TXN_CLIENT}
[[ -x $CLIENT ]] || fail "client binary missing: $CLIENT"
TXNS=${TXN_COUNT:-30}
PER=${TXN_PER:-20}
T=txn
cluster_up 3 --set min.insync.replicas=2
zk create "/brokers/topics/$T" \
	'{"version":1,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 3 60

work=$(mktemp -d)
on_exit "rm -rf '$work'"

note "producing $TXNS transactions of $PER messages (every third aborted)"
timeout 300 "$CLIENT" produce "$BOOTSTRAP" "$T" "$TXNS" "$PER" >"$work/produce.out" 2>"$work/produce.err" ||
	fail "producer failed: $(tail -5 "$work/produce.err")"
ncommit=$(grep -c '^commit' "$work/produce.out" || true)
nabort=$(grep -c '^abort' "$work/produce.out" || true)
note "producer: $ncommit committed, $nabort aborted"
((ncommit + nabort == TXNS)) || fail "producer finished only $((ncommit + nabort)) transactions"

expected_committed() {
	local t i
	for ((t = 0; t < TXNS; t++)); do
		((t % 3 == 2)) && continue
		for ((i = 0; i < PER; i++)); do echo "t$t-m$i"; done
	done | sort
}
expected_all() {
	local t i
	for ((t = 0; t < TXNS; t++)); do
		for ((i = 0; i < PER; i++)); do echo "t$t-m$i"; done
	done | sort
}

timeout 180 "$CLIENT" consume "$BOOTSTRAP" "$T" 3 read_committed >"$work/rc.out" 2>"$work/rc.err" ||
	fail "read_committed consumer failed: $(tail -5 "$work/rc.err")"
sort "$work/rc.out" >"$work/rc.sorted"
expected_committed >"$work/exp_committed"
dups=$(uniq -d "$work/rc.sorted" | wc -l)
note "read_committed: $(wc -l <"$work/rc.sorted") messages, $dups duplicated"
if ! diff -q "$work/exp_committed" "$work/rc.sorted" >/dev/null; then
	note "missing: $(comm -23 "$work/exp_committed" "$work/rc.sorted" | wc -l), unexpected: $(comm -13 "$work/exp_committed" "$work/rc.sorted" | head -3 | tr '\n' ' ')"
	fail "read_committed did not see exactly the committed messages"
fi

timeout 180 "$CLIENT" consume "$BOOTSTRAP" "$T" 3 read_uncommitted >"$work/ru.out" 2>"$work/ru.err" ||
	fail "read_uncommitted consumer failed: $(tail -5 "$work/ru.err")"
sort "$work/ru.out" >"$work/ru.sorted"
expected_all >"$work/exp_all"
note "read_uncommitted: $(wc -l <"$work/ru.sorted") messages"
diff -q "$work/exp_all" "$work/ru.sorted" >/dev/null ||
	fail "read_uncommitted did not see every message once (committed and aborted)"

note "zombie fencing"
Z=txnz
zk create "/brokers/topics/$Z" '{"version":1,"partitions":{"0":[1,2,3]}}' ||
	fail "could not create the zombie topic znode"
wait_topic_ready "$Z" 1 60
timeout 240 "$CLIENT" zombie "$BOOTSTRAP" "$Z" >"$work/z.out" 2>"$work/z.err" ||
	fail "zombie run failed: $(cat "$work/z.out") $(tail -5 "$work/z.err")"
note "$(tr '\n' ';' <"$work/z.out")"
grep -q 'old commit failed' "$work/z.out" || fail "the fenced producer could commit"
timeout 180 "$CLIENT" consume "$BOOTSTRAP" "$Z" 1 read_committed >"$work/z.rc" 2>/dev/null ||
	fail "zombie read_committed consumer failed"
note "read_committed on $Z: $(tr '\n' ' ' <"$work/z.rc")"
grep -q '^young-1$' "$work/z.rc" || fail "the young producer's commit is not visible"
if grep -q '^zombie' "$work/z.rc"; then fail "a fenced producer's write is visible"; fi
note "PASS"
