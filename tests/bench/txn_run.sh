#!/usr/bin/env bash
# txn_run.sh: transactional throughput with and without produce-time
# transaction verification (transaction.partition.verification.enable), each
# against a fresh 3-broker cluster (with_cluster.sh: temp dir, free ports,
# torn down by trap). Prints txn_bench's line for each; no assertions.
#
#   txn_run.sh [TXN_BENCH_BINARY]
#   env: TXNS (300), PER_TXN (100), SIZE (100), PARTITIONS (3), MODES ("true false")
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SELF_DIR/../.." && pwd)
TXN_BENCH=${1:-$REPO_ROOT/build/tests/bench/txn_bench}
[[ -x $TXN_BENCH ]] || { echo "txn_run.sh: $TXN_BENCH missing (ninja -C build tests/bench/txn_bench)" >&2; exit 1; }
export WITH_CLUSTER_NAME=txn-bench
P=${PARTITIONS:-3}

for mode in ${MODES:-true false}; do
	echo "transaction.partition.verification.enable=$mode"
	# shellcheck disable=SC2016  # expanded by the inner bash, after the cluster is up
	"$REPO_ROOT/tests/integration/clients/with_cluster.sh" --brokers 3 \
		--set "transaction.partition.verification.enable=$mode" --set num.partitions="$P" -- \
		bash -c 'kcat -b "$BOOTSTRAP" -L -t txn-bench >/dev/null 2>&1 || true
			exec "$0" "$BOOTSTRAP" txn-bench "$1" "$2" "$3" "$4"' \
		"$TXN_BENCH" "$P" "${TXNS:-300}" "${PER_TXN:-100}" "${SIZE:-100}"
done
