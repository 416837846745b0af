#!/usr/bin/env bash
# with_cluster.sh: runs one client test against its own throw-away Gregor
# cluster, using the suite's lib.sh (cluster.sh up in a temp dir on free
# 127.0.0.1 ports; EXIT trap: cluster.sh down, log tails on failure, rm -rf).
# Fails if the command fails or if any broker died during it.
#
#   with_cluster.sh [--brokers N] [--set key=value ...] [--secure | --tls]
#                   [--sasl MECHANISM] -- COMMAND [ARGS...]
#
# COMMAND sees BOOTSTRAP, ZOOKEEPER and GREGOR_CLUSTER_DIR, and with
# --secure, --tls or --sasl (cluster.sh up) CLIENT_CONFIG. Env in: GREGORD,
# GREGOR_SOURCE_ROOT, KEEP_CLUSTER_DIR=1 (see lib.sh), WITH_CLUSTER_NAME
# (log/temp-dir label). A missing broker binary is a failure, never a skip.
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$SELF_DIR/../lib.sh"

BROKERS=3
SETS=()
while (($#)); do
	case $1 in
	--brokers) BROKERS=${2:?}; shift 2 ;;
	--set) SETS+=(--set "${2:?}"); shift 2 ;;
	--secure) SETS+=(--secure); shift ;;
	--tls) SETS+=(--tls); shift ;;
	--sasl) SETS+=(--sasl "${2:?}"); shift 2 ;;
	--) shift; break ;;
	*) fail "unknown option $1" ;;
	esac
done
(($#)) || fail "no command given"
# shellcheck disable=SC2034  # read by lib.sh
if [[ -n ${WITH_CLUSTER_NAME:-} ]]; then
	TEST_NAME=$WITH_CLUSTER_NAME
elif [[ $(basename "$1") == node ]]; then
	TEST_NAME="clients-$(basename "${2:-node}")"
else
	TEST_NAME="clients-$(basename "$1")"
fi

cluster_up "$BROKERS" "${SETS[@]+"${SETS[@]}"}"
export GREGOR_CLUSTER_DIR=$CLUSTER_DIR

rc=0
"$@" || rc=$?
# A broker that crashed during the test fails it even if the client finished.
if ! cluster status >"$CLUSTER_DIR/status.txt" 2>&1; then
	note "cluster not healthy after the test:"
	cat "$CLUSTER_DIR/status.txt" >&2
	((rc != 0)) || rc=1
fi
exit "$rc"
