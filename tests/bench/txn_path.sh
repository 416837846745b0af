#!/usr/bin/env bash
# txn_path.sh: where the time of one transaction goes, on the coordinator and
# the partition leaders, with the client's view beside it. Starts a 3-broker
# cluster (with_cluster.sh: temp dir, free ports, torn down by trap), puts
# perf uprobes on the broker functions a transaction passes through
# (AddPartitionsToTxn, Produce with its verification, EndTxn, the
# PrepareCommit write, WriteTxnMarkers and the marker appends, CompleteCommit),
# runs txn_bench (transactions of 1,000 x 100 B over 6 partitions, RF 3) with
# librdkafka's eos,protocol debug log, and prints the median and p90 of each
# step (txn_path.py).
#
#   tests/bench/txn_path.sh           (needs root for the uprobes, and perf)
#   env: GREGORD, BENCH_DIR, TXNS (150)
set -euo pipefail

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SELF")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-$REPO_ROOT/build/tests/bench}
export GREGORD=${GREGORD:-$REPO_ROOT/build/broker/gregord}
export GREGOR_SOURCE_ROOT=$REPO_ROOT BENCH_DIR
# NAME=FUNCTION@FILE where the name alone is ambiguous
FUNCS=(handle_end_txn end_written on_complete_written handle_add_partitions_to_txn apt_done
       tc_held_release handle_write_txn_markers wtm_part_done job_finish on_marker_appended
       handle_produce on_verified
       'tc_on_written=on_written@broker/txn/tc_log.c'
       'dp_complete=on_complete@broker/replica/delayed_produce.c')

if [[ ${1:-} != --inside ]]; then
	command -v perf >/dev/null || { echo "txn_path.sh: perf missing (Debian: linux-perf)" >&2; exit 1; }
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/gregor-txn-path.XXXXXX")
	perf probe -q -d 'probe_gregord:*' 2>/dev/null || true
	for f in "${FUNCS[@]}"; do
		perf probe -q -x "$GREGORD" -a "$f" >/dev/null ||
			{ echo "txn_path.sh: cannot probe $f" >&2; exit 1; }
	done
	trap 'perf probe -q -d "probe_gregord:*" 2>/dev/null || true' EXIT
	WITH_CLUSTER_NAME=bench-txn-path timeout -k 60 600 \
		"$REPO_ROOT/tests/integration/clients/with_cluster.sh" --brokers 3 \
		--set min.insync.replicas=2 -- "$SELF" --inside "$OUT"
	python3 "$(dirname "$SELF")/txn_path.py" "$OUT/events.txt" "$OUT/client.log"
	echo "(events and client log in $OUT)"
	exit
fi

OUT=$2
"$BENCH_DIR/bench" --bootstrap "$BOOTSTRAP" --skip-machine --topic txn-path --partitions 6 \
	--replication 3 --count 1 --produce-only >/dev/null # create the topic
pids=$(cat "$GREGOR_CLUSTER_DIR"/pids/broker-*.pid | paste -sd,)
perf record -q -e 'probe_gregord:*' -p "$pids" -o "$OUT/perf.data" 2>/dev/null &
perf_pid=$!
sleep 1
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
TXN_BENCH_DEBUG=eos,protocol timeout -k 10 300 "$BENCH_DIR/txn_bench" "$BOOTSTRAP" txn-path 6 \
	"${TXNS:-150}" 1000 100 2>"$OUT/client.log"
sleep 0.5
kill -INT "$perf_pid"
wait "$perf_pid" || true
perf script -i "$OUT/perf.data" -F pid,time,event >"$OUT/events.txt" 2>/dev/null
