#!/usr/bin/env bash
# with_cluster.sh: runs one client test against its own throw-away Gregor
# cluster: deploy/cluster.sh up in a temp dir on free 127.0.0.1 ports, the
# command with BOOTSTRAP/ZOOKEEPER exported, then cluster.sh down by trap
# (also on failure or signal).  Exit status is the command's.
#
#   with_cluster.sh [--brokers N] [--set key=value ...] -- COMMAND [ARGS...]
#
# Env: GREGORD (broker binary, passed through to cluster.sh), CLUSTER_SH
# (default: deploy/cluster.sh of this repo), KEEP_CLUSTER_DIR=1 keeps the
# temp dir (logs) for inspection.  Exit 77 (meson: skipped) when the broker
# binary or cluster.sh is missing.
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SELF_DIR/../../.." && pwd)
CLUSTER_SH=${CLUSTER_SH:-$REPO_ROOT/deploy/cluster.sh}
BROKERS=3
SETS=()

say() { printf 'with_cluster: %s\n' "$*" >&2; }

while (($#)); do
	case $1 in
	--brokers) BROKERS=${2:?}; shift 2 ;;
	--set) SETS+=(--set "${2:?}"); shift 2 ;;
	--) shift; break ;;
	*) say "unknown option $1"; exit 64 ;;
	esac
done
(($#)) || { say "no command given"; exit 64; }

[[ -x $CLUSTER_SH ]] || { say "SKIP: $CLUSTER_SH missing"; exit 77; }
GREGORD=${GREGORD:-$REPO_ROOT/build/broker/gregord}
[[ -x $GREGORD ]] || { say "SKIP: broker binary $GREGORD missing"; exit 77; }
export GREGORD

# Free ports: a run of BROKERS consecutive ports for brokers and one for
# ZooKeeper's client port, chosen by binding them (released before use; the
# suite is not parallel, so nothing else on this host races for them).
read -r PORT ZK_PORT < <(python3 - "$BROKERS" <<'EOF'
import random, socket, sys
n = int(sys.argv[1])
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        s.close()
rnd = random.SystemRandom()
for _ in range(500):
    base = rnd.randrange(20000, 40000)
    zk = rnd.randrange(40000, 60000)
    if all(free(base + i) for i in range(n)) and free(zk):
        print(base, zk)
        break
else:
    sys.exit("no free ports found")
EOF
)

DIR=$(mktemp -d "${TMPDIR:-/tmp}/gregor-clients.XXXXXX")
RC=1

teardown() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -f $DIR/cluster.env ]]; then
		"$CLUSTER_SH" down --dir "$DIR" >/dev/null 2>&1 ||
			say "cluster.sh down reported an error"
	fi
	if ((RC != 0)) && [[ -d $DIR/logs ]]; then
		for f in "$DIR"/logs/broker-*.log; do
			[[ -f $f ]] || continue
			say "last lines of $(basename "$f"):"
			tail -n 20 "$f" >&2
		done
	fi
	if [[ ${KEEP_CLUSTER_DIR:-} == 1 ]]; then
		say "kept $DIR"
	else
		rm -rf "$DIR"
	fi
	exit "$((RC != 0 ? RC : rc))"
}
trap teardown EXIT
trap 'RC=130; exit 130' INT TERM

say "cluster: $BROKERS broker(s) on ports $PORT.., ZooKeeper on $ZK_PORT, dir $DIR"
if ! OUT=$("$CLUSTER_SH" up --brokers "$BROKERS" --dir "$DIR" --port "$PORT" \
	--zk-port "$ZK_PORT" "${SETS[@]+"${SETS[@]}"}"); then
	say "FAIL: cluster.sh up failed"
	RC=1
	exit 1
fi
BOOTSTRAP=$(printf '%s\n' "$OUT" | sed -n 's/^BOOTSTRAP=//p')
ZOOKEEPER=$(printf '%s\n' "$OUT" | sed -n 's/^ZOOKEEPER=//p')
[[ -n $BOOTSTRAP ]] || { say "FAIL: no BOOTSTRAP from cluster.sh"; RC=1; exit 1; }
export BOOTSTRAP ZOOKEEPER GREGOR_CLUSTER_DIR=$DIR
say "BOOTSTRAP=$BOOTSTRAP"

set +e
"$@"
RC=$?
set -e
# The brokers must have survived the test: a crash is a failure even if the
# client happened to finish.
if ! "$CLUSTER_SH" status --dir "$DIR" >"$DIR/status.txt" 2>&1; then
	say "FAIL: cluster not healthy after the test:"
	cat "$DIR/status.txt" >&2
	((RC != 0)) || RC=1
fi
exit "$RC"
