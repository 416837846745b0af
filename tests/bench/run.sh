#!/usr/bin/env bash
# run.sh: the produce/consume benchmark against a fresh 3-broker Gregor
# cluster (deploy/cluster.sh in a temp dir, free ports), torn down by trap.
#
#   run.sh [BENCH_BINARY] [bench options...]   (e.g. --compression zstd --payload text;
#   bench --help lists them)
#   env: COUNT (1000000), SIZE (100), PARTITIONS (3), ACKS (1), BROKERS (3),
#        GREGORD, GREGOR_SOURCE_ROOT, KEEP_CLUSTER_DIR=1 (see lib.sh)
# The machine measurements (loopback, sendfile, fdatasync) run in the
# cluster's directory, i.e. on the file system the brokers write to.
#
# Produce latency (issue 14's scenario: acks=all, RF 3, linger 0, open loop):
#   PARTITIONS=6 ACKS=-1 run.sh build/tests/bench/bench --skip-machine \
#       --open-loop 2000,7000,10000,30000 [--idempotent]
# Idempotent vs plain producer (closed loop, acks=all):
#   PARTITIONS=6 ACKS=-1 run.sh build/tests/bench/bench --skip-machine --idempotence-ratio
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SELF_DIR/../.." && pwd)
BENCH=${1:-${BENCH:-$REPO_ROOT/build/tests/bench/bench}}
(($# == 0)) || shift
[[ -x $BENCH ]] || { echo "run.sh: bench binary $BENCH missing (ninja -C build tests/bench/bench)" >&2; exit 1; }
BROKERS=${BROKERS:-3}
export WITH_CLUSTER_NAME=bench

# shellcheck disable=SC2016  # expanded by the inner bash, after the cluster is up
exec "$REPO_ROOT/tests/integration/clients/with_cluster.sh" --brokers "$BROKERS" -- \
	bash -c 'exec "$0" --count "$1" --size "$2" --partitions "$3" --replication "$4" \
		--acks "$5" --fsync-dir "$GREGOR_CLUSTER_DIR" "${@:6}"' \
	"$BENCH" "${COUNT:-1000000}" "${SIZE:-100}" "${PARTITIONS:-3}" \
	"$((BROKERS < 3 ? BROKERS : 3))" "${ACKS:-1}" "$@"
