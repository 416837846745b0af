#!/usr/bin/env bash
# profile.sh: where the brokers spend their CPU under the suite's produce
# runs. Starts a 3-broker cluster (with_cluster.sh: temp dir, free ports,
# torn down by trap), and for acks=1 and acks=all (100 B, 6 partitions, RF 3,
# closed loop) records every broker with `perf record -g` for the length of
# the run, then prints perf report's top entries (self time, all brokers).
#
#   tests/bench/profile.sh [OUT_DIR]     (perf.data files kept there)
#   env: COUNT (2000000), TOP (25), GREGORD, BENCH_DIR
set -euo pipefail

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SELF")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-$REPO_ROOT/build/tests/bench}
export GREGORD=${GREGORD:-$REPO_ROOT/build/broker/gregord}
export GREGOR_SOURCE_ROOT=$REPO_ROOT

if [[ ${1:-} != --inside ]]; then
	command -v perf >/dev/null || { echo "profile.sh: perf missing (Debian: linux-perf)" >&2; exit 1; }
	OUT=${1:-$(mktemp -d "${TMPDIR:-/tmp}/gregor-profile.XXXXXX")}
	mkdir -p "$OUT"
	WITH_CLUSTER_NAME=bench-profile timeout -k 60 1200 \
		"$REPO_ROOT/tests/integration/clients/with_cluster.sh" --brokers 3 \
		--set min.insync.replicas=2 -- "$SELF" --inside "$OUT"
	exit
fi

OUT=$2
pids=$(cat "$GREGOR_CLUSTER_DIR"/pids/broker-*.pid | paste -sd,)
for acks in 1 -1; do
	name=acks$([[ $acks == 1 ]] && echo 1 || echo all)
	perf record -q -F 999 -g -p "$pids" -o "$OUT/$name.perf.data" 2>/dev/null &
	perf_pid=$!
	sleep 1
	timeout -k 10 300 "$BENCH_DIR/bench" --bootstrap "$BOOTSTRAP" --skip-machine \
		--topic "profile-$name" --size 100 --count "${COUNT:-2000000}" --partitions 6 \
		--replication 3 --acks "$acks" --produce-only || echo "profile.sh: bench exited $?"
	kill -INT "$perf_pid"
	wait "$perf_pid" || true
	echo "=== $name: top ${TOP:-25} by self time (all brokers) ==="
	perf report -i "$OUT/$name.perf.data" --no-children --sort symbol --stdio 2>/dev/null |
		awk -v top="${TOP:-25}" '/^# Samples/ || (/^ +[0-9.]+%/ && n++ < top)'
done
echo "perf data in $OUT"
