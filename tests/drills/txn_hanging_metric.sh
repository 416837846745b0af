#!/usr/bin/env bash
# txn_hanging_metric.sh (suite integration): the metrics of transactions
# open past their timeout. A librdkafka transactional producer
# (drill_txn_client hang) begins a transaction with transaction.timeout.ms
# 4 s, writes and then sleeps; its coordinator's check runs only every 30 s
# here, so for a while the transaction is Ongoing past its timeout: the
# coordinator's
# kafka_coordinator_transaction_transactionstatemanager_ongoingpasttimeout
# reads 1 (summed over the brokers) while `gregorctl transactions list`
# marks it HANGING; then the check aborts it:
# ..._timedoutaborts_total counts it and the gauge returns to 0. Should a
# check land right after the timeout, before a scrape saw the gauge, the
# transaction is retried with a new id (at most 3 times).
source "$(dirname "$0")/drill_lib.sh"

T=hangm
CLIENT=$DRILL_BIN_DIR/drill_txn_client
GAUGE=kafka_coordinator_transaction_transactionstatemanager_ongoingpasttimeout
COUNTER=kafka_coordinator_transaction_transactionstatemanager_timedoutaborts_total
[[ -x $CLIENT && -x $GREGORCTL ]] || fail "missing $CLIENT or $GREGORCTL"
cluster_up 3 --set transaction.abort.timed.out.transaction.cleanup.interval.ms=30000 \
	--set transaction.state.log.num.partitions=3
[[ -n $METRICS ]] || fail "cluster.sh up printed no METRICS= line"
WORK="$CLUSTER_DIR/drill"
mkdir -p "$WORK"
"$DRILL_BIN_DIR/drill_admin" -b "$BOOTSTRAP" -t "$T" -p 1 -r 3 >&2 || fail "CreateTopics $T"
wait_topic_ready "$T" 1 60

# metric NAME: the series summed over every broker's /metrics.
metric() {
	local u sum=0 v
	for u in ${METRICS//,/ }; do
		v=$(curl -sf --max-time 5 "$u" | awk -v n="$1" '$1 == n { print $2 }') || return 1
		[[ -n $v ]] || return 1
		sum=$((sum + ${v%.*}))
	done
	echo "$sum"
}
[[ $(metric "$GAUGE") == 0 && $(metric "$COUNTER") == 0 ]] ||
	fail "an idle cluster reports transactions past their timeout"

seen=""
for attempt in 1 2 3; do
	id=hang-$attempt-$$
	"$CLIENT" hang -b "$BOOTSTRAP" -t "$T" -i "$id" -m 3 -v "h$attempt" -p 0 -T 4000 -s 60 \
		>"$WORK/$id.out" 2>"$WORK/$id.err" &
	pid=$!
	_DRILL_PIDS+=("$pid")
	produced() { grep -q '^produced' "$WORK/$id.out"; }
	wait_until 60 "transaction $id written" produced
	c0=$(metric "$COUNTER")
	deadline=$((SECONDS + 45))
	while ((SECONDS < deadline)); do
		if [[ $(metric "$GAUGE") == 1 ]]; then
			seen=$id
			break
		fi
		(($(metric "$COUNTER") == c0)) || break # aborted before a scrape saw it
		sleep 0.3
	done
	[[ -n $seen ]] && break
	note "attempt $attempt: the check aborted $id before a scrape saw it; again"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
done
[[ -n $seen ]] || fail "$GAUGE never read 1 for a transaction past its timeout"
note "$GAUGE = 1 for $seen"
"$GREGORCTL" --bootstrap "$BOOTSTRAP" transactions list >"$WORK/list.out" ||
	fail "gregorctl transactions list failed"
grep -E "^$seen .*HANGING" "$WORK/list.out" >&2 ||
	{ cat "$WORK/list.out" >&2; fail "gregorctl transactions list does not mark $seen HANGING"; }
aborted() { (($(metric "$COUNTER") > c0)) && [[ $(metric "$GAUGE") == 0 ]]; }
wait_until 60 "the coordinator's check to abort $seen" aborted
note "$COUNTER went from $c0 to $(metric "$COUNTER"); $GAUGE back to 0"
