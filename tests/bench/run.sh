#!/usr/bin/env bash
# run.sh: the produce/consume benchmark against a fresh 3-broker Gregor
# cluster (deploy/cluster.sh in a temp dir, free ports), torn down by trap;
# then (TLS=1, the default) the same on a cluster started with --tls
# (SSL between clients and brokers and between brokers, client
# certificates), and TLS next to plaintext: the ratios and whether the
# brokers sent log slices with kernel TLS (SSL_sendfile) or pread+SSL_write.
#
#   run.sh [BENCH_BINARY] [bench options...]   (e.g. --compression zstd --payload text;
#   bench --help lists them)
#   env: COUNT (1000000), SIZE (100), PARTITIONS (3), ACKS (1), BROKERS (3),
#        TLS (1; 0 = plaintext only),
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
WITH_CLUSTER=$REPO_ROOT/tests/integration/clients/with_cluster.sh

# run_bench LABEL [with_cluster options...] -- [bench options...]
run_bench() {
	local label=$1 wc=()
	shift
	while (($#)) && [[ $1 != -- ]]; do wc+=("$1"); shift; done
	shift
	# shellcheck disable=SC2016  # expanded by the inner bash, after the cluster is up
	WITH_CLUSTER_NAME=bench-$label "$WITH_CLUSTER" --brokers "$BROKERS" "${wc[@]+"${wc[@]}"}" -- \
		bash -c '"$0" --count "$1" --size "$2" --partitions "$3" --replication "$4" \
			--acks "$5" --fsync-dir "$GREGOR_CLUSTER_DIR" \
			${CLIENT_CONFIG:+--client-config "$CLIENT_CONFIG"} "${@:6}" || exit
			if [[ -n ${CLIENT_CONFIG:-} ]]; then
				grep -h "kernel TLS send" "$GREGOR_CLUSTER_DIR"/logs/broker-*.log |
					sed "s/^.*\[tls\] /tls: /" | sort -u
			fi' \
		"$BENCH" "${COUNT:-1000000}" "${SIZE:-100}" "${PARTITIONS:-3}" \
		"$((BROKERS < 3 ? BROKERS : 3))" "${ACKS:-1}" "$@"
}

out=$(mktemp)
trap 'rm -f "$out" "$out.tls"' EXIT
run_bench plaintext -- "$@" | tee "$out"
[[ ${TLS:-1} == 1 ]] || exit 0
echo "--- the same over TLS (cluster.sh up --tls) ---"
run_bench tls --tls -- --skip-machine "$@" | tee "$out.tls"
# "kafka: produce  N msgs/s  M MB/s ..." lines of both runs
awk '
	FNR == 1 { run++ }
	/^kafka: (produce|consume)/ { for (i = 3; i <= NF; i++) if ($i == "msgs/s") rate[run, $2] = $(i - 1) }
	END {
		for (i = 1; i <= 2; i++) {
			op = i == 1 ? "produce" : "consume"
			if (rate[1, op] > 0 && rate[2, op] > 0)
				printf "tls/plaintext %s: %.0f vs %.0f msgs/s = %.2fx\n", op,
					rate[2, op], rate[1, op], rate[2, op] / rate[1, op]
		}
	}' "$out" "$out.tls"
