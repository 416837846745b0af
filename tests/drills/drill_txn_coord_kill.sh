#!/usr/bin/env bash
# drill_txn_coord_kill.sh: exactly-once across a transaction coordinator
# failover. A librdkafka transactional producer runs TXNS transactions of
# PER messages over a 3-partition RF3 topic (min.insync.replicas=2),
# committing two of three and aborting every third; mid-run the broker that
# coordinates its transactional.id is SIGKILLed and restarted later (and
# leadership returns to it by preferred election: a second, clean
# failover). Then read_committed must show every message of each
# transaction whose commit returned success exactly once and none of an
# aborted one; read_uncommitted must show every committed one. Needs no
# network namespaces (plain 127.0.0.1 cluster).
source "$(dirname "$0")/drill_lib.sh"

CLIENT=$DRILL_BIN_DIR/drill_txn_client
WIRE="python3 $GREGOR_SOURCE_ROOT/tests/lib/txn_wire.py"
T=drtxn
TXNS=${DRILL_TXNS:-200}
PER=${DRILL_TXN_PER:-50}
DELAY_MS=${DRILL_TXN_DELAY_MS:-150} # spreads the run over both failovers
ID=drill-txn-$$
[[ -x $CLIENT && -x $DRILL_BIN_DIR/drill_admin ]] ||
	fail "missing $CLIENT or drill_admin (ninja -C <build> tests/drills/drill_txn_client)"

cluster_up 3 --set zookeeper.session.timeout.ms=6000 --set min.insync.replicas=2 \
	--set unclean.leader.election.enable=false --set replica.lag.time.max.ms=10000 \
	--set leader.imbalance.check.interval.seconds=15
WORK="$CLUSTER_DIR/drill"
mkdir -p "$WORK"
drill_topic "$T" 3
# The first FindCoordinator creates __transaction_state.
C=$($WIRE coordinator "$ID") || fail "no transaction coordinator for $ID"
wait_topic_ready __transaction_state 50 60
note "coordinator of $ID: broker $C"

"$CLIENT" produce -b "$BOOTSTRAP" -t "$T" -i "$ID" -n "$TXNS" -m "$PER" -P 3 -d "$DELAY_MS" \
	-o "$WORK/txn.log" >"$WORK/producer.out" 2>"$WORK/producer.err" &
PPID_TXN=$!
_DRILL_PIDS+=("$PPID_TXN")
done_txns() { [[ -f $WORK/txn.log ]] && wc -l <"$WORK/txn.log" || echo 0; }
at_least() { (($(done_txns) >= $1)) || ! pid_alive "$PPID_TXN"; }
wait_until 120 "$((TXNS / 4)) transactions done" at_least $((TXNS / 4))

C=$($WIRE coordinator "$ID")
before=$(done_txns)
note "killing broker $C, coordinator of $ID, after $before transactions"
cluster kill "$C"
moved() { local c; c=$($WIRE coordinator "$ID") && [[ $c != "$C" ]]; }
wait_until 60 "a new coordinator for $ID" moved
note "new coordinator: broker $($WIRE coordinator "$ID")"
wait_until 120 "transactions after the failover" at_least $((before + 10))
note "$(done_txns) transactions done with broker $C down"
cluster start "$C"
note "broker $C restarted"
back() { [[ $($WIRE coordinator "$ID") == "$C" ]] || ! pid_alive "$PPID_TXN"; }
wait_until 90 "coordination back on broker $C (preferred leader) or the producer done" back
note "coordinator now: broker $($WIRE coordinator "$ID") after $(done_txns) transactions"

deadline=$((SECONDS + 400))
while pid_alive "$PPID_TXN" && ((SECONDS < deadline)); do sleep 1; done
pid_alive "$PPID_TXN" && fail "producer still running after 400 s ($(done_txns) transactions)"
prc=0
wait "$PPID_TXN" || prc=$?
note "producer: $(cat "$WORK/producer.out") (exit $prc)"
grep -E 'txn -?[0-9]+ ' "$WORK/producer.err" | sort | uniq -c | sort -rn | head -n 15 >&2 || true
note "coordinator at the end: broker $($WIRE coordinator "$ID")"

out=$("$CLIENT" verify -b "$BOOTSTRAP" -t "$T" -P 3 -l "$WORK/txn.log") || vrc=$?
vrc=${vrc:-0}
note "verify: $out (exit $vrc)"
get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" $out"; }
printf 'DRILL-RESULT drill=%s topic=%s runs=%s acknowledged=%s lost=%s duplicates=%s aborted_seen=%s failed=%s \n' \
	"$TEST_NAME" "$T" "$(get txns)" "$(get acknowledged)" "$(get lost)" "$(get duplicates)" \
	"$(get aborted_seen)" "$(get unknown)"
((vrc == 0)) || fail "exactly-once violated (verify exit $vrc)"
((prc == 0)) || fail "producer hit a fatal error (exit $prc)"
(($(get txns) == TXNS)) || fail "only $(get txns) of $TXNS transactions ran"
