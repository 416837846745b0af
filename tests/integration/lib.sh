# shellcheck shell=bash
# lib.sh: helpers for the bash integration tests (source it; needs bash).
# A test calls cluster_up to get its own cluster in a temp dir on free
# 127.0.0.1 ports; an EXIT trap always tears it down (cluster.sh down, then
# rm -rf) and prints the broker log tails when the test failed. Every wait
# here is bounded. A missing gregord is a failure, never a skip.
#
# Env in: GREGORD (broker binary), GREGOR_SOURCE_ROOT (repo root),
# KEEP_CLUSTER_DIR=1 (keep the temp dir). Set by cluster_up: CLUSTER_DIR,
# BOOTSTRAP, ZOOKEEPER, PORT_BASE, ZK_PORT_BASE, and CLIENT_CONFIG (the
# client properties of a cluster started with --secure, --tls or --sasl; kc passes
# it to kcat; empty otherwise).
set -euo pipefail

GREGOR_SOURCE_ROOT=${GREGOR_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
CLUSTER_SH="$GREGOR_SOURCE_ROOT/deploy/cluster.sh"
ZKQ="$GREGOR_SOURCE_ROOT/deploy/zkq.py" # a program (#! Debian's python3, with kazoo)
ZKCLI=${ZKCLI:-/usr/share/zookeeper/bin/zkCli.sh}
GREGORD=${GREGORD:-$GREGOR_SOURCE_ROOT/build/broker/gregord}
export GREGORD
TEST_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
CLUSTER_DIR=""
BOOTSTRAP=""
ZOOKEEPER=""
CLIENT_CONFIG=""
METRICS=""
CLIENT_CONFIG=""
ZK_DIGEST_FILE=""
_LIB_EXIT_HOOKS=()
_LIB_T0=$SECONDS

note() { printf '[%s +%ss] %s\n' "$TEST_NAME" "$((SECONDS - _LIB_T0))" "$*" >&2; }

fail() {
	printf '[%s] FAIL: %s\n' "$TEST_NAME" "$*" >&2
	exit 1
}

# Runs CMD... at exit (before the cluster is torn down), in order.
on_exit() { _LIB_EXIT_HOOKS+=("$*"); }

_lib_cleanup() {
	local rc=$? h f pid
	trap - EXIT
	set +e
	for h in "${_LIB_EXIT_HOOKS[@]+"${_LIB_EXIT_HOOKS[@]}"}"; do eval "$h"; done
	if [[ -n $CLUSTER_DIR && -d $CLUSTER_DIR ]]; then
		# A SIGSTOPped broker would ignore SIGTERM until the kill fallback.
		for f in "$CLUSTER_DIR"/pids/broker-*.pid; do
			[[ -f $f ]] && pid=$(<"$f") && kill -CONT "$pid" 2>/dev/null
		done
		# Debug and sanitizer builds check invariants as they run
		# (common/check.h): a breach fails the test whatever else passed.
		for f in "$CLUSTER_DIR"/logs/broker-*.log; do
			if [[ ! -f $f ]] || ! grep -q 'invariant broken' "$f"; then
				continue
			fi
			grep 'invariant broken' "$f" | head -n 5 | sed "s|^|[$TEST_NAME] $(basename "$f"): |" >&2
			((rc != 0)) || rc=1
		done
		if ((rc != 0)); then
			for f in "$CLUSTER_DIR"/logs/*.log; do
				[[ -f $f ]] || continue
				printf '[%s] --- last lines of %s ---\n' "$TEST_NAME" "$(basename "$f")" >&2
				tail -n 25 "$f" >&2
			done
		fi
		if [[ -f $CLUSTER_DIR/cluster.env ]]; then
			"$CLUSTER_SH" down --dir "$CLUSTER_DIR" >/dev/null 2>&1 ||
				note "cluster.sh down reported an error"
		fi
		if [[ ${KEEP_CLUSTER_DIR:-} == 1 ]]; then
			note "kept $CLUSTER_DIR"
		else
			rm -rf "$CLUSTER_DIR"
		fi
	fi
	if ((rc == 0)); then note "PASS"; else note "FAILED (exit $rc)"; fi
	exit "$rc"
}
trap _lib_cleanup EXIT
# Name the command that made set -e end the test.
set -E
trap 'note "command failed (exit $?) at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT TERM

require_gregord() {
	[[ -x $GREGORD ]] || fail "broker binary missing or not executable: $GREGORD"
}

# Prints "BASE ZBASE": BASE..BASE+NB-1 free for brokers (and BASE+100.. for
# their metrics endpoints); for NZ ZooKeeper
# servers ZBASE+i-1 (client), ZBASE+100+i (peer), ZBASE+200+i (election)
# free, matching cluster.sh's port plan. Ports are probed by binding to
# every address (a --netns cluster's ZooKeeper listens on the bridge's
# address, not 127.0.0.1) and all lie below the kernel's ephemeral range
# (32768 up): an outgoing connection's local port once took a ZooKeeper
# client port picked from 30000-40000 between the probe and the bind.
free_ports() {
	python3 - "$1" "$2" <<'EOF'
import random, socket, sys
nb, nz = int(sys.argv[1]), int(sys.argv[2])
def free(p):
    s = socket.socket()
    try:
        s.bind(("", p))
        return True
    except OSError:
        return False
    finally:
        s.close()
rnd = random.SystemRandom()
for _ in range(1000):
    base, zk = rnd.randrange(20000, 32000), rnd.randrange(10000, 19700)
    want = [base + i for i in range(nb)] + [zk + i for i in range(nz)]
    want += [base + 100 + i for i in range(nb)]  # brokers' metrics ports
    if nz > 1:
        want += [zk + 100 + i for i in range(1, nz + 1)]
        want += [zk + 200 + i for i in range(1, nz + 1)]
    if all(free(p) for p in want):
        print(base, zk)
        sys.exit(0)
sys.exit("no free ports found")
EOF
}

# cluster_up NBROKERS [cluster.sh up options...]: e.g. --zookeepers 3,
# --set key=value. Fails the test if the cluster does not come up.
cluster_up() {
	local nb=$1 nz=1 a out
	shift
	for ((a = 1; a <= $#; a++)); do
		if [[ ${!a} == --zookeepers ]]; then
			a=$((a + 1))
			nz=${!a}
		fi
	done
	((nb == 0)) || require_gregord
	read -r PORT_BASE ZK_PORT_BASE < <(free_ports "$nb" "$nz")
	[[ -n ${PORT_BASE:-} ]] || fail "could not find free ports"
	CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gregor-it-$TEST_NAME.XXXXXX")
	note "cluster: $nb broker(s) from port $PORT_BASE, $nz ZooKeeper from $ZK_PORT_BASE, dir $CLUSTER_DIR"
	out=$("$CLUSTER_SH" up --brokers "$nb" --dir "$CLUSTER_DIR" --port "$PORT_BASE" \
		--zk-port "$ZK_PORT_BASE" "$@") || fail "cluster.sh up failed"
	BOOTSTRAP=$(printf '%s\n' "$out" | sed -n 's/^BOOTSTRAP=//p')
	ZOOKEEPER=$(printf '%s\n' "$out" | sed -n 's/^ZOOKEEPER=//p')
	CLIENT_CONFIG=$(printf '%s\n' "$out" | sed -n 's/^CLIENT_CONFIG=//p')
	METRICS=$(printf '%s\n' "$out" | sed -n 's/^METRICS=//p')
	CLIENT_CONFIG=$(printf '%s\n' "$out" | sed -n 's/^CLIENT_CONFIG=//p')
	ZK_DIGEST_FILE=$(printf '%s\n' "$out" | sed -n 's/^ZK_DIGEST_FILE=//p')
	[[ -n $ZOOKEEPER ]] || fail "cluster.sh up printed no ZOOKEEPER= line"
	((nb == 0)) || [[ -n $BOOTSTRAP ]] || fail "cluster.sh up printed no BOOTSTRAP= line"
	export BOOTSTRAP ZOOKEEPER METRICS CLUSTER_DIR CLIENT_CONFIG ZK_DIGEST_FILE
	note "up: BOOTSTRAP=$BOOTSTRAP ZOOKEEPER=$ZOOKEEPER"
}

# cluster CMD ARGS...: cluster.sh on this test's cluster.
cluster() { "$CLUSTER_SH" "$@" --dir "$CLUSTER_DIR"; }

broker_pid() { cat "$CLUSTER_DIR/pids/broker-$1.pid"; }

# True while PID exists and is not a zombie (an orphan that exited may stay
# a zombie until init reaps it).
pid_alive() {
	[[ -r /proc/$1/stat ]] || return 1
	[[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

# wait_until SECONDS "what" CMD...: polls CMD every 0.25 s until it
# succeeds; fails the test after SECONDS.
wait_until() {
	local limit=$1 what=$2 deadline
	shift 2
	deadline=$((SECONDS + limit))
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || fail "timed out after ${limit}s waiting for: $what"
		sleep 0.25
	done
}

# ---- ZooKeeper access. zk_* use deploy/zkq.py (fast, exact output);
# zkcli* use the real zkCli.sh, the operator's tool, one JVM per batch.

# On a --secure or --tls cluster (ZooKeeper locked) zk logs in with the brokers'
# digest credentials, so tests can still write znodes.
zk() {
	if [[ -n ${ZK_DIGEST_FILE:-} ]]; then
		"$ZKQ" -s "$ZOOKEEPER" -t 3 -a "$(head -n1 "$ZK_DIGEST_FILE")" "$@"
	else
		"$ZKQ" -s "$ZOOKEEPER" -t 3 "$@"
	fi
}
zk_get() { zk get "$1"; }
zk_ls() { zk ls "$1"; }
zk_exists() { zk exists "$1"; }
# zk_stat PATH FIELD (czxid, version, ephemeralOwner, ...)
zk_stat() { zk stat "$1" | sed -n "s/^$2=//p"; }

# ops_recipe NAME: the command lines of the block of docs/operations.md
# marked <!-- recipe: NAME --> (zkcli_recipes*.sh type them into zkCli.sh).
ops_recipe() {
	awk -v want="<!-- recipe: $1 -->" '
		$0 == want { found = 1; next }
		found && /^```/ { if (inblock) exit; inblock = 1; next }
		inblock { print }' "$GREGOR_SOURCE_ROOT/docs/operations.md"
}

# zkcli CMD-LINE...: runs the command lines in one zkCli.sh session and
# prints its output minus banners and watcher noise. zkCli's exit status is
# that of its last command, so it is not used: callers check the output.
zkcli() {
	local server=${ZOOKEEPER%%,*} out
	out=$(printf '%s\n' "$@" quit |
		CLIENT_JVMFLAGS="-Xmx128m -XX:+UseSerialGC" timeout 60 "$ZKCLI" -server "$server" 2>&1) || true
	printf '%s\n' "$out" |
		grep -v -E '^(SLF4J:|Connecting to |Welcome to ZooKeeper!|JLine support|WATCHER::|WatchedEvent |$)' || true
}

# zkcli_get_many PATH...: one zkCli.sh session; prints each node's data as
# "PATH<TAB>DATA" lines (DATA of a missing node: "<none>"). A get of a
# never-existing sentinel path separates the outputs unambiguously.
zkcli_get_many() {
	local p cmds=() i=0
	for p in "$@"; do
		cmds+=("get $p" "get /zkcli-sep-$i")
		i=$((i + 1))
	done
	# shellcheck disable=SC2016 # a python program, not shell
	zkcli "${cmds[@]}" | python3 -c '
import sys
paths = sys.argv[1:]
cur, out, i = [], [], 0
for line in sys.stdin.read().splitlines():
    if line == "Node does not exist: /zkcli-sep-%d" % i:
        data = "\n".join(cur)
        if data.startswith("Node does not exist:") or data.startswith("org.apache.zookeeper.KeeperException$NoNodeException"):
            data = "<none>"
        out.append("%s\t%s" % (paths[i], data))
        cur, i = [], i + 1
    elif i < len(paths):
        cur.append(line)
if i != len(paths):
    sys.exit("zkcli_get_many: got %d of %d answers" % (i, len(paths)))
print("\n".join(out))
' "$@"
}

# ---- Kafka side (kcat)

# With a --secure, --tls or --sasl cluster, CLIENT_CONFIG supplies the TLS and
# SASL settings.
kc() {
	timeout "${KC_TIMEOUT:-120}" kcat ${CLIENT_CONFIG:+-F "$CLIENT_CONFIG"} -b "$BOOTSTRAP" \
		-X socket.timeout.ms=10000 "$@"
}

# Topic metadata as JSON (kcat -L -J).
topic_meta() { kc -L -J -t "$1" 2>/dev/null; }

# True when TOPIC has NPART partitions, each with a leader, in the metadata
# of the broker(s) kcat reaches.
topic_ready() {
	local t=$1 n=$2
	topic_meta "$t" | python3 -c '
import json, sys
t, n = sys.argv[1], int(sys.argv[2])
m = json.load(sys.stdin)
for top in m.get("topics", []):
    if top.get("topic") != t or top.get("err"):
        continue
    ps = top.get("partitions", [])
    ok = len(ps) == n and all(p.get("leader", -1) >= 0 and not p.get("err") for p in ps)
    sys.exit(0 if ok else 1)
sys.exit(1)
' "$t" "$n"
}

wait_topic_ready() { wait_until "${3:-60}" "topic $1 with $2 led partitions" topic_ready "$1" "$2"; }

# Leader of TOPIC/PARTITION according to its state znode.
zk_leader() {
	zk_get "/brokers/topics/$1/partitions/$2/state" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["leader"])'
}

# leader_is TOPIC PARTITION ID: the state znode names ID as leader.
leader_is() { [[ $(zk_leader "$1" "$2" 2>/dev/null) == "$3" ]]; }

# sigkill_restart ID TOPIC: SIGKILLs broker ID, the leader of TOPIC-0 (a
# one-partition topic), starts it again and waits until it leads again.
sigkill_restart() {
	local pid
	pid=$(broker_pid "$1")
	note "SIGKILL broker $1 (pid $pid)"
	cluster kill "$1" || fail "cluster.sh kill $1"
	! pid_alive "$pid" || fail "broker $1 survived SIGKILL"
	cluster start "$1" || fail "cluster.sh start $1"
	wait_until 60 "broker $1 leads $2-0 again" leader_is "$2" 0 "$1"
	wait_topic_ready "$2" 1 60
}
