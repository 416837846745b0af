#!/usr/bin/env bash
# idle.sh: what 3 idle brokers cost with many partitions and no clients
# (issue 14's row "1,000 partitions per broker, idle"). Starts a 3-broker
# cluster (with_cluster.sh: temp dir, free ports, torn down by trap), creates
# one topic of PARTITIONS partitions, RF 3, waits until every partition has
# its 3 replicas in sync, lets it settle, then prints each broker's CPU (% of
# one core, from /proc/PID/stat over SECONDS_IDLE s) and RSS. Figures only.
#
#   tests/bench/idle.sh          env: PARTITIONS (1000), SECONDS_IDLE (30),
#                                     SETTLE (5), GREGORD, BENCH_DIR
set -euo pipefail

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
REPO_ROOT=$(cd "$(dirname "$SELF")/../.." && pwd)
BENCH_DIR=${BENCH_DIR:-$REPO_ROOT/build/tests/bench}
export GREGORD=${GREGORD:-$REPO_ROOT/build/broker/gregord}
export GREGOR_SOURCE_ROOT=$REPO_ROOT
PARTITIONS=${PARTITIONS:-1000}
SECONDS_IDLE=${SECONDS_IDLE:-30}
SETTLE=${SETTLE:-5}

if [[ ${1:-} != --inside ]]; then
	WITH_CLUSTER_NAME=bench-idle timeout -k 60 900 \
		"$REPO_ROOT/tests/integration/clients/with_cluster.sh" --brokers 3 \
		--set auto.create.topics.enable=false -- "$SELF" --inside
	exit
fi

note() { printf '[idle +%ss] %s\n' "$SECONDS" "$*" >&2; }

# Partitions of topic "idle" whose ISR holds all 3 replicas.
in_sync_count() {
	timeout 20 kcat -b "$BOOTSTRAP" -L -t idle -m 10 2>/dev/null |
		grep -c 'isrs: [0-9]*,[0-9]*,[0-9]*' || true
}

note "creating topic idle: $PARTITIONS partitions, RF 3"
# CreateTopics may time out under load while the controller goes on
# creating the partitions: the wait below is what counts.
timeout -k 10 200 python3 - "$REPO_ROOT/tests/lib" "${BOOTSTRAP%%,*}" "$PARTITIONS" <<'PY' ||
import sys
sys.path.insert(0, sys.argv[1])
import kafka_admin
host, port = sys.argv[2].rsplit(":", 1)
err, msg = kafka_admin.create_topic((host, int(port)), "idle", int(sys.argv[3]), 3,
                                    timeout_ms=120000)
print("CreateTopics: error %d %s" % (err, msg), file=sys.stderr)
sys.exit(0 if err in (0, 7) else 1)  # 7: REQUEST_TIMED_OUT, creation goes on
PY
	note "CreateTopics did not answer in time; waiting for the partitions"
deadline=$((SECONDS + 300))
while n=$(in_sync_count) && ((n < PARTITIONS)); do
	((SECONDS < deadline)) || { note "only $n of $PARTITIONS partitions in sync after 300 s"; exit 1; }
	sleep 2
done
note "all $PARTITIONS partitions in sync; settling ${SETTLE} s"
sleep "$SETTLE"

tck=$(getconf CLK_TCK)
pids=$(cat "$GREGOR_CLUSTER_DIR"/pids/broker-*.pid)
declare -A c0
for pid in $pids; do c0[$pid]=$(awk '{print $14 + $15}' "/proc/$pid/stat"); done
note "idle for ${SECONDS_IDLE} s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
sleep "$SECONDS_IDLE"
for pid in $pids; do
	t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	cpu=$(awk -v d=$((t1 - c0[$pid])) -v h="$tck" -v s="$SECONDS_IDLE" \
		'BEGIN { printf "%.2f", d / h / s * 100 }')
	rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
	printf 'broker pid %s: %s %% of a core, RSS %s MB\n' "$pid" "$cpu" "$rss"
done
printf 'load average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n ${IDLE_HOLD:-} ]]; then # profiling: keep the cluster up this many seconds
	note "holding the cluster ${IDLE_HOLD} s (pids: $(echo $pids))"
	sleep "$IDLE_HOLD"
fi
