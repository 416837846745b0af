#!/usr/bin/env bash
# suite.sh: the benchmark suite of issue 14 in one command. Measures the
# machine's limits (tests/bench/machine), librdkafka's in-process mock
# cluster as the client's ceiling (bench --mock), and Gregor on fresh
# 3-broker clusters (plaintext; log.flush.interval.messages=1; --tls), each
# figure RUNS times; prints the goal table with medians, references, ratios
# and the load average, and draws the produce-latency plot with gnuplot.
# Prints figures only: nothing here asserts a time.
#
#   tests/bench/suite.sh [--runs N] [--restart-gb N] [--out DIR] [--plot FILE.svg]
#                        [--phases "machine mock main flush tls restart p1000"]
#   env: GREGORD, GREGOR_SOURCE_ROOT, BENCH_DIR (build/tests/bench)
# Every client run is bounded by timeout(1); every cluster is torn down by
# with_cluster.sh's trap. Results (RESULT lines) and the table go to --out.
set -euo pipefail

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SELF")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-$REPO_ROOT/build/tests/bench}
BENCH=$BENCH_DIR/bench
TXN_BENCH=$BENCH_DIR/txn_bench
MACHINE=$BENCH_DIR/machine
WITH_CLUSTER=$REPO_ROOT/tests/integration/clients/with_cluster.sh
CLUSTER_SH=$REPO_ROOT/deploy/cluster.sh
export GREGORD=${GREGORD:-$REPO_ROOT/build/broker/gregord}
export GREGOR_SOURCE_ROOT=$REPO_ROOT

# the phases (run as "suite.sh --phase NAME") get these through the environment
RUNS=${RUNS:-3}
RESTART_GB=${RESTART_GB:-1}
PHASES="machine mock main flush tls"
OUT=""
PLOT=""
PHASE=""
# open-loop rates of the latency plot; 10,000 and 30,000 are table rows
PLOT_RATES=${PLOT_RATES:-1000,3000,10000,20000,30000,50000}
COUNT=${COUNT:-1000000}

usage() { sed -n '10,12p' "$SELF" | sed 's/^# \{0,3\}//' >&2; exit 2; }
while (($#)); do
	case $1 in
	--runs) RUNS=${2:?}; shift 2 ;;
	--restart-gb) RESTART_GB=${2:?}; shift 2 ;;
	--out) OUT=${2:?}; shift 2 ;;
	--plot) PLOT=${2:?}; shift 2 ;;
	--phases) PHASES=${2:?}; shift 2 ;;
	--phase) PHASE=${2:?}; shift 2 ;;   # internal: one phase, inside its cluster
	*) usage ;;
	esac
done
[[ $RUNS =~ ^[1-9][0-9]?$ && $RESTART_GB =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage

note() { printf '[suite +%ss] %s\n' "$SECONDS" "$*" >&2; }
res() { printf 'RESULT %s %s\n' "$1" "$2"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# ---- inside a phase (with_cluster.sh has started the cluster) -----------

# b LABEL [bench options...]: one bounded bench run against this cluster.
b() {
	local label=$1
	shift
	timeout -k 10 "${BENCH_TIMEOUT:-400}" "$BENCH" --bootstrap "$BOOTSTRAP" --skip-machine \
		--label "$label" ${CLIENT_CONFIG:+--client-config "$CLIENT_CONFIG"} "$@" ||
		note "bench $label exited $?"
}

broker_pids() { cat "$GREGOR_CLUSTER_DIR"/pids/broker-*.pid; }

# Clock ticks of user+system CPU of every broker together.
brokers_cpu_ticks() {
	local pid sum=0 t
	for pid in $(broker_pids); do
		t=$(awk '{print $14 + $15}' "/proc/$pid/stat")
		sum=$((sum + t))
	done
	echo "$sum"
}

phase_main() {
	local r t0 t1 tck
	tck=$(getconf CLK_TCK)
	for ((r = 1; r <= RUNS; r++)); do
		note "main run $r/$RUNS: produce 100 B RF 1 acks=1 (broker CPU)"
		t0=$(brokers_cpu_ticks)
		b rf1_100 --topic "rf1-100-$r" --size 100 --count "$COUNT" --partitions 6 \
			--replication 1 --acks 1 --produce-only
		t1=$(brokers_cpu_ticks)
		res rf1_100.cpu_us_per_msg "$(awk -v d=$((t1 - t0)) -v h="$tck" -v n="$COUNT" \
			'BEGIN { printf "%.4f", d / h * 1e6 / n }')"
		note "main run $r/$RUNS: produce+consume 1 KiB RF 1 acks=1"
		b rf1_1k --topic "rf1-1k-$r" --size 1024 --count $((COUNT / 2)) --partitions 6 \
			--replication 1 --acks 1
		note "main run $r/$RUNS: 100 B RF 3 acks=all, plain then idempotent"
		b rf3 --topic "rf3-$r" --size 100 --count "$COUNT" --partitions 6 --replication 3 \
			--acks -1 --produce-only
		b idem --topic "idem-$r" --size 100 --count "$COUNT" --partitions 6 --replication 3 \
			--acks -1 --produce-only --idempotent
		note "main run $r/$RUNS: transactions of 1,000 messages, then idempotent"
		txn_pair "$r"
	done
	for ((r = 1; r <= RUNS; r++)); do
		note "main run $r/$RUNS: open loop acks=all and acks=1 at $PLOT_RATES msg/s"
		b ol_all --topic "ol-all-$r" --partitions 6 --replication 3 --acks -1 \
			--open-loop "$PLOT_RATES" --duration 5
		b ol_1 --topic "ol-1-$r" --partitions 6 --replication 3 --acks 1 \
			--open-loop "$PLOT_RATES" --duration 5
		note "main run $r/$RUNS: end-to-end at 10,000 msg/s"
		b e2e --topic "e2e-$r" --partitions 6 --replication 3 --acks -1 --e2e 10000 --duration 5
	done
	many_partitions
	restart_after_kill
}

# Transactions of 1,000 messages against the same messages through an
# idempotent producer, on one 6-partition RF 3 topic.
txn_pair() {
	local topic="txn-$1" line
	b txn_topic --topic "$topic" --partitions 6 --replication 3 --count 1 --produce-only >/dev/null
	local -A extra=([txn]="" [idempotent]=idempotent)
	for mode in txn idempotent; do
		# shellcheck disable=SC2086  # extra is empty or one word
		line=$(timeout -k 10 300 "$TXN_BENCH" "$BOOTSTRAP" "$topic" 6 200 1000 100 \
			${extra[$mode]}) || note "txn_bench $mode exited $?"
		printf '%s\n' "$line"
		res "txn_$mode.msgs" "$(sed -n 's/.* \([0-9.]*\) msg\/s,.*/\1/p' <<<"$line")"
	done
}

# 1,000 partitions, RF 3 (so 1,000 replicas on each of the 3 brokers): idle
# CPU and RSS per broker after they settled, then produce over them against
# produce over 12 partitions, one message to each partition in turn.
many_partitions() {
	local pid t0 t1 tck r worst_cpu=0 worst_rss=0 cpu rss
	tck=$(getconf CLK_TCK)
	note "1,000 partitions: creating (RF 3)"
	BENCH_TIMEOUT=300 b p1000_create --topic p1000 --partitions 1000 --replication 3 --count 1 \
		--produce-only >/dev/null
	sleep 10 # settle: elections and follower fetchers started
	note "1,000 partitions: idle for 10 s"
	declare -A c0
	for pid in $(broker_pids); do c0[$pid]=$(awk '{print $14 + $15}' "/proc/$pid/stat"); done
	sleep 10
	for pid in $(broker_pids); do
		t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
		cpu=$(awk -v d=$((t1 - c0[$pid])) -v h="$tck" 'BEGIN { printf "%.2f", d / h / 10 * 100 }')
		rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
		note "broker pid $pid idle: ${cpu} % CPU, RSS ${rss} MB"
		worst_cpu=$(awk -v a="$worst_cpu" -v b="$cpu" 'BEGIN { print (b > a ? b : a) }')
		worst_rss=$(awk -v a="$worst_rss" -v b="$rss" 'BEGIN { print (b > a ? b : a) }')
	done
	res p1000.idle_cpu_pct "$worst_cpu"
	res p1000.rss_mb "$worst_rss"
	many_partitions_produce
}

# b_cpu LABEL [bench options...]: b, then the brokers' CPU per message it
# sent (µs, all brokers, --count messages), replication's tail included.
b_cpu() {
	local label=$1 n t0 t1 tck
	tck=$(getconf CLK_TCK)
	n=$(sed -n 's/.*--count \([0-9]*\).*/\1/p' <<<"$*")
	t0=$(brokers_cpu_ticks)
	b "$@"
	sleep 1 # the followers' last fetches
	t1=$(brokers_cpu_ticks)
	res "$label.cpu_us_per_msg" "$(awk -v d=$((t1 - t0)) -v h="$tck" -v n="$n" \
		'BEGIN { printf "%.3f", d / h * 1e6 / n }')"
}

# RUNS times: 1,000 partitions (topic p1000, made by the caller), then a
# fresh 12-partition topic, one message to each partition in turn.
many_partitions_produce() {
	local r
	for ((r = 1; r <= RUNS; r++)); do
		note "produce over 1,000 and over 12 partitions, run $r/$RUNS"
		b_cpu p1000 --topic p1000 --no-create --size 100 --count $((COUNT / 10)) --chunk 1 \
			--acks 1 --produce-only
		b p12_create --topic "p12-$r" --partitions 12 --replication 3 --count 1 \
			--produce-only >/dev/null
		b_cpu p12 --topic "p12-$r" --no-create --size 100 --count $((COUNT / 10)) --chunk 1 \
			--acks 1 --produce-only
	done
}

# The 1,000-partition produce row alone (--phases p1000), without the idle
# measurement and the rest of "main".
phase_p1000() {
	note "p1000 phase: 1,000 partitions (RF 3)"
	BENCH_TIMEOUT=300 b p1000_create --topic p1000 --partitions 1000 --replication 3 --count 1 \
		--produce-only >/dev/null
	sleep 10 # settle: elections and follower fetchers started
	many_partitions_produce
}

# serving BROKER_PORT: the broker answers a Metadata request.
serving() { timeout 5 kcat -b "127.0.0.1:$1" -L -m 2 -t p12-1 >/dev/null 2>&1; }

registered() {
	"$CLUSTER_SH" zk stat "/brokers/ids/$1" --dir "$GREGOR_CLUSTER_DIR" >/dev/null 2>&1
}

# Fill a topic with RESTART_GB per broker (RF 3 on 3 brokers), then RUNS
# times: SIGKILL broker 1, wait until its ZooKeeper session has expired (so
# the figure is the broker's own start, not ZooKeeper's session timeout),
# start it and time until it listens, serves Metadata and is registered.
restart_after_kill() {
	local count port pid t0 t_serve r deadline du
	count=$(awk -v g="$RESTART_GB" 'BEGIN { printf "%d", g * 1024 * 1024 * 1024 / 1024 }')
	port=${BOOTSTRAP%%,*}
	port=${port##*:}
	note "restart: filling $RESTART_GB GB per broker ($count x 1 KiB, RF 3)"
	BENCH_TIMEOUT=1200 b fill --topic fill --partitions 3 --replication 3 --size 1024 \
		--count "$count" --acks -1 --produce-only >/dev/null
	du=$(du -sm "$GREGOR_CLUSTER_DIR/broker/1" 2>/dev/null | cut -f1)
	res restart.broker1_data_mb "${du:-0}"
	for ((r = 1; r <= RUNS; r++)); do
		pid=$(cat "$GREGOR_CLUSTER_DIR/pids/broker-1.pid")
		kill -KILL "$pid"
		deadline=$((SECONDS + 60))
		while registered 1 && ((SECONDS < deadline)); do sleep 0.2; done
		t0=$(date +%s.%N)
		"$CLUSTER_SH" start 1 --dir "$GREGOR_CLUSTER_DIR" --timeout 600 >/dev/null 2>&1 &
		local starter=$!
		t_serve=""
		deadline=$((SECONDS + 600))
		while ((SECONDS < deadline)); do
			if [[ -z $t_serve ]] && serving "$port"; then t_serve=$(date +%s.%N); fi
			[[ -n $t_serve ]] && registered 1 && break
			sleep 0.05
		done
		local t_reg
		t_reg=$(date +%s.%N)
		wait "$starter" || note "cluster.sh start 1 failed"
		res restart.listen_s "$(awk -v a="$t0" -v b="${t_serve:-$t0}" 'BEGIN { printf "%.2f", b - a }')"
		res restart.serving_s "$(awk -v a="$t0" -v b="$t_reg" 'BEGIN { printf "%.2f", b - a }')"
		note "restart $r/$RUNS: serving and registered after $(awk -v a="$t0" -v b="$t_reg" 'BEGIN { printf "%.2f", b - a }') s"
	done
	# where the last restart's time went: its start, log loading, listener
	# and registration, from the broker's own log
	grep -hE "=== .* starting broker|loaded [0-9]+ partition logs|listening on|registered /brokers" \
		"$GREGOR_CLUSTER_DIR/logs/broker-1.log" | tail -n 4 >&2 || true
	note "partitions recovered after the unclean shutdown in the last restart: $(grep -c \
		'recovered after unclean shutdown' "$GREGOR_CLUSTER_DIR/logs/broker-1.log" || true) (all restarts)"
	# what the last restart read again after its unclean shutdown (each
	# partition's recovery line: "read again: S of N segments, B bytes")
	local reread
	reread=$(awk '/=== .* starting broker-1/ { s = 0; b = 0; m = 0 }
		/read again: / { split($0, a, "read again: "); split(a[2], f, " "); s += f[1]; b += f[5]; m++ }
		END { if (m) printf "%d %.1f", s, b / 1048576 }' "$GREGOR_CLUSTER_DIR/logs/broker-1.log")
	if [[ -n $reread ]]; then
		res restart.reread_mb "${reread#* }"
		note "read again in the last restart: ${reread% *} segments, ${reread#* } MB"
	fi
}

# The restart row alone (--phases restart): 1,000 partitions RF 3 plus the
# RESTART_GB fill, then restart_after_kill, without the rest of "main".
phase_restart() {
	note "restart phase: 1,000 partitions (RF 3) and p12-1"
	BENCH_TIMEOUT=300 b p1000_create --topic p1000 --partitions 1000 --replication 3 --count 1 \
		--produce-only >/dev/null
	b p12_create --topic p12-1 --partitions 12 --replication 3 --count 1 --produce-only >/dev/null
	restart_after_kill
}

phase_flush() {
	local r
	for ((r = 1; r <= RUNS; r++)); do
		note "flush run $r/$RUNS: 1 KiB RF 3 acks=all, log.flush.interval.messages=1"
		BENCH_TIMEOUT=200 b flush --topic "flush-$r" --size 1024 --count $((COUNT / 10)) \
			--partitions 6 --replication 3 --acks -1 --produce-only --timeout 120
	done
}

phase_tls() {
	local r
	for ((r = 1; r <= RUNS; r++)); do
		note "tls run $r/$RUNS: produce+consume 1 KiB RF 1 acks=1"
		b tls_1k --topic "tls-1k-$r" --size 1024 --count $((COUNT / 2)) --partitions 6 \
			--replication 1 --acks 1
	done
}

# The same client against librdkafka's mock cluster, in this process.
phase_mock() {
	local r m=(timeout -k 10 300 "$BENCH" --mock 3 --skip-machine --partitions 6)
	for ((r = 1; r <= RUNS; r++)); do
		note "mock run $r/$RUNS"
		"${m[@]}" --label mock_100 --size 100 --count "$COUNT" --replication 1 --acks 1 \
			--produce-only || note "mock exited $?"
		# produce only: the mock keeps only the last few MB of a partition,
		# so reading it back from the start would stall
		"${m[@]}" --label mock_1k --size 1024 --count $((COUNT / 2)) --replication 1 --acks 1 \
			--produce-only || note "mock exited $?"
		# reading back: the mock keeps 5 MiB per partition, so the same
		# bytes are spread over enough partitions (4,000 x 1 KiB each)
		"${m[@]}" --label mock_c1k --size 1024 --count $((COUNT / 2)) --replication 1 --acks 1 \
			--partitions $(((COUNT / 2 + 3999) / 4000 > 6 ? (COUNT / 2 + 3999) / 4000 : 6)) ||
			note "mock exited $?"
		"${m[@]}" --label mock_ol --replication 3 --acks -1 --open-loop 10000,30000 \
			--duration 5 || note "mock exited $?"
		# the client's own cost of spreading messages over many partitions
		# (one message to each in turn: batches of one message)
		"${m[@]}" --label mock_p1000 --partitions 1000 --replication 3 --size 100 \
			--count $((COUNT / 10)) --chunk 1 --acks 1 --produce-only || note "mock exited $?"
		"${m[@]}" --label mock_p12 --partitions 12 --replication 3 --size 100 \
			--count $((COUNT / 10)) --chunk 1 --acks 1 --produce-only || note "mock exited $?"
	done
}

phase_machine() {
	local r
	for ((r = 1; r <= RUNS; r++)); do
		timeout -k 10 300 "$MACHINE" "${TMPDIR:-/tmp}" || note "machine exited $?"
	done
}

if [[ -n $PHASE ]]; then
	res "load.$PHASE" "$(loadavg | tr ' ' /)"
	"phase_$PHASE"
	res "load.$PHASE.end" "$(loadavg | tr ' ' /)"
	exit 0
fi

# ---- the driver -----------------------------------------------------------

for f in "$BENCH" "$TXN_BENCH" "$MACHINE" "$GREGORD"; do
	[[ -x $f ]] || { echo "suite.sh: $f missing (ninja -C build)" >&2; exit 1; }
done
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/gregor-bench.XXXXXX")}
mkdir -p "$OUT"
RESULTS=$OUT/results.txt
: >"$RESULTS"
PLOT=${PLOT:-$OUT/latency.svg}
export RUNS RESTART_GB PLOT_RATES COUNT
note "results in $OUT; load average $(loadavg)"

run_phase() {
	local name=$1 limit=$2
	shift 2
	note "phase $name (at most $limit s)"
	if (($# == 0)); then
		timeout -k 30 "$limit" "$SELF" --phase "$name" | tee -a "$RESULTS" || note "phase $name exited $?"
	else
		WITH_CLUSTER_NAME=bench-$name timeout -k 60 "$limit" "$WITH_CLUSTER" --brokers 3 "$@" -- \
			"$SELF" --phase "$name" | tee -a "$RESULTS" || note "phase $name exited $?"
	fi
}

for p in $PHASES; do
	case $p in
	machine) run_phase machine 900 ;;
	mock) run_phase mock 1200 ;;
	main) run_phase main 5400 --set min.insync.replicas=2 ;;
	restart) run_phase restart 2400 --set min.insync.replicas=2 ;;
	p1000) run_phase p1000 1800 --set min.insync.replicas=2 ;;
	flush) run_phase flush 1200 --set min.insync.replicas=2 --set log.flush.interval.messages=1 ;;
	tls) run_phase tls 1200 --tls ;;
	*) echo "suite.sh: unknown phase $p" >&2; exit 2 ;;
	esac
done

python3 "$(dirname "$SELF")/suite_table.py" "$RESULTS" "$RUNS" "$RESTART_GB" | tee "$OUT/table.md"
python3 "$(dirname "$SELF")/suite_table.py" --plot-data "$RESULTS" >"$OUT/latency.dat"
if command -v gnuplot >/dev/null 2>&1; then
	gnuplot -e "datafile='$OUT/latency.dat'; outfile='$PLOT'" "$(dirname "$SELF")/latency.gp" &&
		note "latency plot: $PLOT"
else
	note "gnuplot missing (deploy/install-deps.sh installs gnuplot-nox): no plot"
fi
