#!/usr/bin/env bash
# repl_path.sh: where the time of one acks=all produce goes, from the
# request's arrival at the leader to its response, through the followers'
# fetches and the high-watermark advance. Starts a 3-broker cluster
# (with_cluster.sh: temp dir, free ports, torn down by trap), puts perf
# uprobes on the broker functions of that path, sends acks=all messages to a
# 1-partition RF 3 topic at 20 msg/s (linger 0, so one message per request)
# and prints the median time of each step (repl_path.py).
#
#   tests/bench/repl_path.sh          (needs root for the uprobes, and perf)
#   env: GREGORD, BENCH_DIR, RATE (20), SECS (5)
set -euo pipefail

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SELF")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-$REPO_ROOT/build/tests/bench}
export GREGORD=${GREGORD:-$REPO_ROOT/build/broker/gregord}
export GREGOR_SOURCE_ROOT=$REPO_ROOT
# entry probes, and the return of the append
FUNCS=(handle_produce rm_append_client rm_append_client%return purg_check_key fetch_respond
       rm_append_replica handle_fetch rm_follower_fetched finish conn_flush)

if [[ ${1:-} != --inside ]]; then
	command -v perf >/dev/null || { echo "repl_path.sh: perf missing (Debian: linux-perf)" >&2; exit 1; }
	OUT=$(mktemp -d "${TMPDIR:-/tmp}/gregor-repl-path.XXXXXX")
	perf probe -q -d 'probe_gregord:*' 2>/dev/null || true
	for f in "${FUNCS[@]}"; do
		perf probe -q -x "$GREGORD" -a "$f" || { echo "repl_path.sh: cannot probe $f" >&2; exit 1; }
	done
	trap 'perf probe -q -d "probe_gregord:*" 2>/dev/null || true' EXIT
	WITH_CLUSTER_NAME=bench-repl-path timeout -k 60 600 \
		"$REPO_ROOT/tests/integration/clients/with_cluster.sh" --brokers 3 \
		--set min.insync.replicas=2 -- "$SELF" --inside "$OUT"
	python3 "$(dirname "$SELF")/repl_path.py" "$OUT/events.txt"
	exit
fi

OUT=$2
"$BENCH_DIR/bench" --bootstrap "$BOOTSTRAP" --skip-machine --topic repl-path --partitions 1 \
	--replication 3 --acks -1 --open-loop 20 --duration 1 >/dev/null # create, warm up
pids=$(cat "$GREGOR_CLUSTER_DIR"/pids/broker-*.pid | paste -sd,)
perf record -q -e 'probe_gregord:*' -p "$pids" -o "$OUT/perf.data" 2>/dev/null &
perf_pid=$!
sleep 1
timeout -k 10 120 "$BENCH_DIR/bench" --bootstrap "$BOOTSTRAP" --skip-machine --topic repl-path \
	--no-create --partitions 1 --acks -1 --open-loop "${RATE:-20}" --duration "${SECS:-5}"
sleep 0.5
kill -INT "$perf_pid"
wait "$perf_pid" || true
perf script -i "$OUT/perf.data" -F pid,time,event >"$OUT/events.txt" 2>/dev/null
