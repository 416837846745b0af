#!/usr/bin/env bash
# txn_add_hold.sh: an AddPartitionsToTxn that arrives while the previous
# transaction of its id is still completing (markers, CompleteCommit) is
# held by the coordinator and carried out when it completes, instead of
# answered CONCURRENT_TRANSACTIONS (after which librdkafka waits 20 ms and
# sends it again). One librdkafka producer (tests/bench/txn_bench) runs
# TXNS transactions back to back over 6 partitions; each begins right after
# the previous commit, so without the hold most of its first
# AddPartitionsToTxn were refused and resent (1.7 requests per transaction
# measured before). Asserted from the brokers' request counters: fewer than
# 1.4 AddPartitionsToTxn (v0-3, the client's) per transaction, and every
# transaction committed.
# Env: TXN_BENCH (the txn_bench program), BENCH (tests/bench/bench).
source "$(dirname "$0")/lib.sh"

TXNS=150
T=hold
[[ -x ${TXN_BENCH:-} && -x ${BENCH:-} ]] || fail "TXN_BENCH or BENCH missing"
cluster_up 3 --set min.insync.replicas=2
[[ -n $METRICS ]] || fail "cluster.sh up printed no METRICS= line"
"$BENCH" --bootstrap "$BOOTSTRAP" --topic "$T" --count 1 --acks -1 --replication 3 \
	--partitions 6 --skip-machine --produce-only >/dev/null 2>&1 || fail "could not create $T"
wait_topic_ready "$T" 6 60

out=$(timeout 300 "$TXN_BENCH" "$BOOTSTRAP" "$T" 6 "$TXNS" 200 100) ||
	fail "txn_bench failed: $out"
note "$out"
[[ $out == *"$TXNS transactions"* ]] || fail "txn_bench did not report $TXNS transactions"

# client AddPartitionsToTxn requests (v0-3; v4 is the leaders' verification)
adds=0
for u in ${METRICS//,/ }; do
	n=$(curl -sf --max-time 5 "$u" | awk '
		/^kafka_network_requestmetrics_requests_total\{request="AddPartitionsToTxn",version="[0-3]"\}/ {
			s += $2 } END { printf "%d", s }') || fail "cannot scrape $u"
	adds=$((adds + n))
done
note "AddPartitionsToTxn from the client: $adds for $TXNS transactions"
((adds >= TXNS)) || fail "only $adds AddPartitionsToTxn for $TXNS transactions: counter broken?"
((adds * 10 < TXNS * 14)) || fail "$adds AddPartitionsToTxn for $TXNS transactions: refused and resent"
note PASS
