#!/usr/bin/env bash
# txn_check.sh FAULT: the transactional checker under one fault. Several
# librdkafka transactional producers (txn_workload produce: each transaction
# writes unique values to 2-4 random partitions, ~20% aborted on purpose),
# two read_committed consumers, one read_uncommitted consumer and an
# LSO/HW sampler record their history while FAULT hits the cluster midway;
# then tests/drills/txn_history.py checks it for lost writes, aborted reads,
# duplicates, values at two offsets, consumers disagreeing on order,
# partial visibility, read_committed reading past an open transaction, and
# hanging transactions (LSO stuck past transaction.max.timeout.ms).
#
# FAULT: none (plain 127.0.0.1 cluster, no root: the integration suite's
# short run) | leader-kill | coord-kill | isolate | zk-kill | client-kill |
# delay (a partition leader restarted with the produce.delay_txn failpoint,
# holding transactional produces past the producers' message timeout so
# their retries land after the transaction was aborted). All but none run
# in network namespaces with a 3-server ZooKeeper ensemble (root).
# Prints TXN-CHECK-RESULT fault=... committed= aborted= unknown= values=
# refused= (transactional batches the leaders refused: verification or
# producer state) anomalies=
# (txn_loop.sh collects them); fails on any anomaly.
# Env: TXN_CHECK_SECONDS (40), TXN_CHECK_PRODUCERS (3).
source "$(dirname "$0")/drill_lib.sh"

FAULT=${1:-none}
# shellcheck disable=SC2034 # read by lib.sh (log lines, temp dir names)
TEST_NAME="txn-check-$FAULT"
DURATION=${TXN_CHECK_SECONDS:-40}
NPROD=${TXN_CHECK_PRODUCERS:-3}
NP=6
T=txncheck
MAXTO=30000      # transaction.max.timeout.ms: the hanging threshold
TXN_TO=10000     # the producers' transaction.timeout.ms and message.timeout.ms
DELAY_MS=12000   # > TXN_TO: a held batch outlives its transaction
WL=$DRILL_BIN_DIR/txn_workload
HISTORY="python3 $GREGOR_SOURCE_ROOT/tests/drills/txn_history.py"
WIRE="python3 $GREGOR_SOURCE_ROOT/tests/lib/txn_wire.py"
[[ -x $WL && -x $DRILL_BIN_DIR/drill_admin ]] ||
	fail "missing $WL or drill_admin (ninja -C <build> tests/drills/txn_workload)"

TXN_PARTS=6 # __transaction_state: enough to spread coordinators, quick to create
SETS=(--set "transaction.max.timeout.ms=$MAXTO"
	--set transaction.abort.timed.out.transaction.cleanup.interval.ms=1000
	--set "transaction.state.log.num.partitions=$TXN_PARTS")
case $FAULT in
none)
	cluster_up 3 --set min.insync.replicas=2 --set unclean.leader.election.enable=false \
		"${SETS[@]}"
	WORK="$CLUSTER_DIR/drill"
	mkdir -p "$WORK"
	;;
leader-kill | coord-kill | isolate | zk-kill | client-kill)
	drill_up "${SETS[@]}"
	;;
delay) # the restarted leader must lead again soon: preferred election
	drill_up "${SETS[@]}" --set leader.imbalance.check.interval.seconds=3
	;;
*) fail "unknown fault $FAULT" ;;
esac
H=$WORK/history
STOP=$WORK/stop
mkdir -p "$H"
drill_topic "$T" "$NP"
$WIRE coordinator warmup >/dev/null || fail "no transaction coordinator"
wait_topic_ready __transaction_state "$TXN_PARTS" 60

# ---- the workload

declare -A PROD_PID PROD_GEN
start_producer() {
	local i=$1 gen=${PROD_GEN[$1]:-0}
	"$WL" produce -b "$BOOTSTRAP" -t "$T" -P "$NP" -i "chk$i" -g "$gen" -T "$TXN_TO" \
		-o "$H/P$i.$gen.log" -s "$STOP" -S "$((i * 1000 + gen + RANDOM))" \
		2>>"$WORK/producer$i.err" &
	PROD_PID[$i]=$!
	PROD_GEN[$i]=$((gen + 1))
	_DRILL_PIDS+=("$!")
}
start_reader() {
	"$WL" "$@" -b "$BOOTSTRAP" -t "$T" -P "$NP" -s "$STOP" 2>>"$WORK/readers.err" &
	READER_PIDS+=("$!")
	_DRILL_PIDS+=("$!")
}
READER_PIDS=()
start_reader consume -I read_committed -n rc1 -o "$H/R.rc1.log"
start_reader consume -I read_committed -n rc2 -o "$H/R.rc2.log"
start_reader consume -I read_uncommitted -n ru -o "$H/R.ru.log"
start_reader lso -o "$H/L.log" -w 90
for ((i = 0; i < NPROD; i++)); do start_producer "$i"; done
note "workload: $NPROD producers, 2 read_committed + 1 read_uncommitted consumers, ${DURATION}s, fault $FAULT"

commits() { cat "$H"/P*.log 2>/dev/null | grep -c '^C ' || true; }
# shellcheck disable=SC2016 # expanded by eval
wait_until 60 "first commits" eval '(($(commits) >= 3))'

# ---- the fault, from a third to two thirds of the run

sleep $((DURATION / 3))
leader_of() { pstate "$T" "$1" leader; }
HEAL=()
case $FAULT in
none) ;;
leader-kill)
	B=$(leader_of 0)
	note "SIGKILL broker $B (leader of $T-0)"
	cluster kill "$B" >/dev/null
	HEAL=(cluster start "$B")
	;;
coord-kill)
	B=$($WIRE coordinator chk0) || fail "no coordinator for chk0"
	note "SIGKILL broker $B (transaction coordinator of chk0)"
	cluster kill "$B" >/dev/null
	HEAL=(cluster start "$B")
	;;
isolate)
	B=$(leader_of 1)
	note "isolating broker $B (leader of $T-1)"
	cluster isolate "$B" >/dev/null
	HEAL=(cluster heal "$B")
	;;
zk-kill)
	Z=""
	for n in 1 2 3; do
		# shellcheck disable=SC2016 # expanded by the inner shell
		m=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"; printf srvr >&3; cat <&3' _ \
			"${ZOOKEEPER%%:*}" "$((ZK_PORT_BASE + n - 1))" 2>/dev/null | sed -n 's/^Mode: //p')
		[[ $m == leader ]] && Z=$n
	done
	[[ -n $Z ]] || fail "no ZooKeeper leader found"
	note "SIGKILL ZooKeeper server $Z (the leader)"
	cluster zk-kill "$Z" >/dev/null
	HEAL=(cluster zk-start "$Z")
	;;
client-kill)
	for ((i = 0; i < NPROD; i++)); do
		note "SIGKILL producer $i (pid ${PROD_PID[$i]}) mid-transaction"
		kill -KILL "${PROD_PID[$i]}"
		wait "${PROD_PID[$i]}" 2>/dev/null || true
		sleep 1
		start_producer "$i" # same transactional.id: fences and aborts the old one
	done
	;;
delay)
	B=$(leader_of 2)
	note "restarting broker $B (leader of $T-2) with produce.delay_txn=delay($DELAY_MS)"
	cluster stop "$B" >/dev/null
	GREGOR_FAILPOINT="produce.delay_txn=delay($DELAY_MS)" cluster start "$B" >/dev/null
	grep -q 'failpoint.*produce.delay_txn' "$CLUSTER_DIR/logs/broker-$B.log" ||
		fail "broker $B did not report the armed failpoint"
	leads_again() { [[ $(leader_of 2) == "$B" ]]; }
	wait_until 60 "broker $B leading $T-2 again" leads_again
	HEAL=(eval "cluster stop $B >/dev/null && cluster start $B")
	DELAYED_BROKER=$B
	;;
esac
sleep $((DURATION / 3))
if [[ -n ${DELAYED_BROKER:-} ]]; then
	held() { grep -c 'produce.delay_txn: holding' "$CLUSTER_DIR/logs/broker-$DELAYED_BROKER.log" || true; }
	holding() { (($(held) > 0)); }
	wait_until 30 "broker $DELAYED_BROKER holding a Produce" holding
	sleep $((DELAY_MS / 1000 + 3)) # the held requests land before the heal
	note "broker $DELAYED_BROKER held $(held) transactional Produce request(s)"
fi
if ((${#HEAL[@]})); then
	note "healing: ${HEAL[*]}"
	"${HEAL[@]}" >/dev/null || fail "could not heal: ${HEAL[*]}"
fi
sleep $((DURATION - 2 * (DURATION / 3)))

# ---- stop, drain, check

touch "$STOP"
for ((i = 0; i < NPROD; i++)); do
	wait_until 120 "producer $i to finish" eval '! pid_alive '"${PROD_PID[$i]}"
done
for p in "${READER_PIDS[@]}"; do
	wait_until 200 "readers to finish" eval '! pid_alive '"$p"
done
rc=0
out=$($HISTORY "$H" "$MAXTO") || rc=$?
printf '%s\n' "$out" | sed 's/^/[check] /' >&2
sum() { sed -n "s/^transactions: \([0-9]*\) committed, \([0-9]*\) aborted, \([0-9]*\) unknown; values acknowledged: \([0-9]*\).*/$1/p" <<<"$out"; }
fatal=$(cat "$WORK"/producer*.err 2>/dev/null | grep -c 'Fatal error' || true)
((fatal == 0)) || note "$fatal producer instance(s) ended on a fatal client error (a new one took over): $(grep -h -m1 'Fatal error' "$WORK"/producer*.err | head -n 3)"
# batches the leaders refused: at produce-time verification (not in the
# transaction, ended meanwhile) or by the producer state (fenced epoch...)
refused=$(cat "$CLUSTER_DIR"/logs/broker-*.log |
	grep -cE 'transactional batch refused|sequence -?[0-9]+ refused: error' || true)
printf 'TXN-CHECK-RESULT fault=%s committed=%s aborted=%s unknown=%s values=%s refused=%s anomalies=%s\n' \
	"$FAULT" "$(sum '\1')" "$(sum '\2')" "$(sum '\3')" "$(sum '\4')" "$refused" \
	"$(sed -n 's/^anomalies: //p' <<<"$out")"
((rc == 0)) || fail "the checker found anomalies (history in $H)"
(($(sum '\1') > 0)) || fail "no transaction committed"
