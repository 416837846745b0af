#!/usr/bin/env bash
# run-one.sh NNNN: runs librdkafka 2.0.2's own test number NNNN (all its
# variants, never quick mode) against a fresh 3-broker Gregor cluster that
# lives only for this run. A fresh cluster per test keeps one test's broken
# broker state from failing the next; it costs a few seconds per test.
#
#   run-one.sh NNNN
# Env: RDK_CONFORMANCE_CACHE (librdkafka build cache; default
#      <repo>/build/conformance-cache), RDK_CONFORMANCE_RUNS (kept run dirs),
#      RDK_TEST_TIMEOUT (hard limit in s; default tests.txt timeout= or 280), RDK_KAFKA_VERSION
#      (version the harness assumes, default 2.8.0), RDK_TIMEOUT_MULTIPLIER,
#      RDK_TEST_DEBUG (librdkafka debug contexts), GREGORD (broker binary),
#      RDK_CLUSTER_SET ("key=value ..." broker overrides, for diagnosis),
#      GREGORCTL (gregorctl binary; with it the tests get KAFKA_PATH and
#      ZK_ADDRESS, and kafka-path/bin/kafka-topics.sh serves their
#      test_kafka_topics() calls through gregorctl),
#      RDK_TEST_IDEMPOTENT=1 (test-runner -P: every producer idempotent),
#      RDK_CONFORMANCE_KEEP=1 (keep the run dir of a passed test too),
#      RDK_CONFORMANCE_SSL=1 (an SSL build, see fetch-and-build.sh; needed by
#      the cluster=tls|secure lines, which are skipped without it).
# Exit: 0 pass, 1 fail, 77 every variant was skipped by the harness.
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd "$SELF_DIR/../.." && pwd -P)
CLUSTER_SH="$REPO_ROOT/deploy/cluster.sh"
TESTS_TXT="$SELF_DIR/tests.txt"

say() { printf 'run-one.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

NUM=${1:-}
[[ $NUM =~ ^[0-9]{4}$ ]] || die "usage: run-one.sh NNNN (four digits)"

CACHE=${RDK_CONFORMANCE_CACHE:-$REPO_ROOT/build/conformance-cache}
RUNS=${RDK_CONFORMANCE_RUNS:-$CACHE/runs}
KAFKA_VERSION=${RDK_KAFKA_VERSION:-2.8.0}

# tests.txt: "NNNN category needs [scenario=NAME] [timeout=S] [multiplier=M]
# [subtests=A,B,...] [cluster=tls|secure] [set=KEY=VALUE ...] [# note]".
# set: a broker setting for this test's cluster (cluster.sh up --set). cluster: cluster.sh up
# --tls (SSL, client certificate) or --secure (SASL_SSL, SCRAM-SHA-512
# admin); the test.conf gets the cluster's client.properties, the
# environment trivup's SSL_* certificate variables. subtests: one test-runner run per listed
# SUBTESTS substring (the harness matches one substring), all in one cluster
# and within the one time limit: how a known-broken sub-test is left out.
# needs is "local" (no broker at all) or "broker".
NEEDS=broker
SCENARIO=default
TXT_TIMEOUT=280
SECURITY=""
TXT_SETS=()
if [[ -f $TESTS_TXT ]]; then
	line=$(awk -v n="$NUM" '$1 == n { sub(/#.*/, ""); print; exit }' "$TESTS_TXT")
	if [[ -n $line ]]; then
		read -r _ _ NEEDS extras <<<"$line" || true
		for kv in ${extras:-}; do
			case $kv in
			scenario=*) SCENARIO=${kv#scenario=} ;;
			timeout=*) TXT_TIMEOUT=${kv#timeout=} ;;
			multiplier=*) TXT_MULTIPLIER=${kv#multiplier=} ;;
			subtests=*) TXT_SUBTESTS=${kv#subtests=} ;;
			cluster=tls | cluster=secure) SECURITY=${kv#cluster=} ;;
			set=*=*) TXT_SETS+=("${kv#set=}") ;;
			*) die "tests.txt: unknown field '$kv' for $NUM" ;;
			esac
		done
	fi
fi
HARD_TIMEOUT=${RDK_TEST_TIMEOUT:-$TXT_TIMEOUT}
MULTIPLIER=${RDK_TIMEOUT_MULTIPLIER:-${TXT_MULTIPLIER:-1.0}}
[[ $HARD_TIMEOUT =~ ^[0-9]+$ ]] || die "bad timeout '$HARD_TIMEOUT'"

if [[ -n $SECURITY && ${RDK_CONFORMANCE_SSL:-0} != 1 ]]; then
	say "SKIP: $NUM needs a --$SECURITY cluster and an SSL build (RDK_CONFORMANCE_SSL=1)"
	exit 77
fi
TESTS_DIR=$("$SELF_DIR/fetch-and-build.sh" "$CACHE" | tail -n 1)
[[ -x $TESTS_DIR/test-runner ]] || die "no test-runner in $TESTS_DIR"

mkdir -p "$RUNS"
RUN_DIR=$(mktemp -d "$RUNS/$NUM-XXXXXX")
LOG="$RUN_DIR/test-runner.log"
CLUSTER_DIR="$RUN_DIR/cluster"
CLUSTER_UP=0

cleanup() {
	local rc=$?
	if ((CLUSTER_UP)); then
		"$CLUSTER_SH" down --dir "$CLUSTER_DIR" >/dev/null 2>&1 ||
			say "cluster.sh down reported an error (dir $CLUSTER_DIR)"
	fi
	if ((rc == 0 || rc == 77)) && [[ ${RDK_CONFORMANCE_KEEP:-0} != 1 ]]; then
		rm -rf "$RUN_DIR"
	else
		say "kept $RUN_DIR (test-runner.log, cluster/logs/broker-*.log)"
	fi
	exit "$rc"
}
trap cleanup EXIT
# timeout(1) passes a TERM on to test-runner's whole process group.
stop_runner() {
	if [[ -n ${TR_PID:-} ]]; then
		kill -TERM "$TR_PID" 2>/dev/null || true
		wait "$TR_PID" 2>/dev/null || true
	fi
	exit 130
}
trap stop_runner INT TERM

# One run of 3 consecutive free broker ports and one ZooKeeper port, probed
# by binding (released before use, so a race is possible; up is retried).
free_ports() {
	python3 - <<'EOF'
import random, socket, sys
def free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        s.close()
for _ in range(200):
    b = random.randrange(20000, 29000)
    z = random.randrange(30000, 39000)
    if all(free(p) for p in (b, b + 1, b + 2, z)):
        print(b, z)
        sys.exit(0)
sys.exit("no free ports found")
EOF
}

# trivup's scenarios (librdkafka tests/scenarios/*.json) give topics 4
# partitions and 3 replicas by default; noautocreate also turns
# auto-creation off. trivup leaves group.initial.rebalance.delay.ms at
# Kafka's default 3000 (cluster.sh sets 0): consumers subscribing together
# must land in one first generation (0102 static members expect it).
cluster_up() {
	local port zk attempt out sets=(
		--set num.partitions=4 --set default.replication.factor=3
		--set group.initial.rebalance.delay.ms=3000
	)
	[[ $SCENARIO == noautocreate ]] && sets+=(--set auto.create.topics.enable=false)
	[[ -z $SECURITY ]] || sets+=("--$SECURITY")
	local kv
	for kv in "${TXT_SETS[@]+"${TXT_SETS[@]}"}" ${RDK_CLUSTER_SET:-}; do sets+=(--set "$kv"); done
	for attempt in 1 2 3; do
		read -r port zk < <(free_ports)
		rm -rf "$CLUSTER_DIR"
		CLUSTER_UP=1
		if out=$("$CLUSTER_SH" up --brokers 3 --dir "$CLUSTER_DIR" --port "$port" \
			--zk-port "$zk" "${sets[@]}" 2>"$RUN_DIR/cluster-up.err"); then
			BOOTSTRAP=$(printf '%s\n' "$out" | sed -n 's/^BOOTSTRAP=//p')
			ZK_CONNECT=$(printf '%s\n' "$out" | sed -n 's/^ZOOKEEPER=//p')
			[[ -n $BOOTSTRAP ]] && return 0
		fi
		say "cluster up attempt $attempt failed:"
		tail -n 20 "$RUN_DIR/cluster-up.err" >&2
		"$CLUSTER_SH" down --dir "$CLUSTER_DIR" >/dev/null 2>&1 || true
		CLUSTER_UP=0
	done
	die "could not start a Gregor cluster"
}

# The --tls/--secure cluster's client settings into test.conf, and the
# certificate files 0097 reads through trivup's SSL_* variables (the client
# certificate and key as PEM, DER and a password-protected PKCS#12 that also
# holds the CA; the CA as PEM and DER).
SSL_ENV=()
secure_client_setup() {
	local props="$CLUSTER_DIR/client.properties" tls="$CLUSTER_DIR/tls" d="$RUN_DIR/ssl" pw
	[[ -f $props ]] || die "cluster.sh printed no client.properties"
	grep -v '^bootstrap.servers=' "$props" >>"$CONF"
	mkdir -p "$d"
	pw=$(openssl rand -hex 8)
	openssl x509 -in "$tls/client.crt" -outform DER -out "$d/client.der" &&
		openssl pkey -in "$tls/client.key" -outform DER -out "$d/client-key.der" &&
		openssl x509 -in "$tls/ca.pem" -outform DER -out "$d/ca.der" &&
		openssl pkcs12 -export -in "$tls/client.crt" -inkey "$tls/client.key" \
			-certfile "$tls/ca.pem" -passout "pass:$pw" -out "$d/client.p12" ||
		die "openssl: cannot convert the cluster's certificates"
	if [[ $SECURITY == tls ]]; then printf 'ssl.key.password=%s\n' "$pw" >>"$CONF"; fi
	SSL_ENV=(SSL_pkcs="$d/client.p12" SSL_password="$pw"
		SSL_pub_pem="$tls/client.crt" SSL_pub_der="$d/client.der"
		SSL_priv_pem="$tls/client.key" SSL_priv_der="$d/client-key.der"
		SSL_ca_pem="$tls/ca.pem" SSL_ca_der="$d/ca.der" SSL_all_cas_pem="$tls/ca.pem")
}

CONF="$RUN_DIR/test.conf"
{
	printf 'test.timeout.multiplier=%s\n' "$MULTIPLIER"
} >"$CONF"
if [[ $NEEDS != local ]]; then
	start=$SECONDS
	cluster_up
	say "cluster up in $((SECONDS - start))s: $BOOTSTRAP (dir $CLUSTER_DIR)"
	printf 'bootstrap.servers=%s\n' "$BOOTSTRAP" >>"$CONF"
	[[ -z $SECURITY ]] || secure_client_setup
fi

# kafka-topics.sh for the tests (KAFKA_PATH/bin), only with a broker
# cluster and a gregorctl to drive it.
TOPICS_ENV=()
if [[ $NEEDS != local && -x ${GREGORCTL:-} && -n ${ZK_CONNECT:-} ]]; then
	TOPICS_ENV=(KAFKA_PATH="$SELF_DIR/kafka-path" ZK_ADDRESS="$ZK_CONNECT"
		GREGORCTL="$GREGORCTL")
	[[ ! -x $CACHE/kafka-acls ]] || TOPICS_ENV+=(KAFKA_ACLS="$CACHE/kafka-acls")
fi

# -p1: one test at a time (the harness inflates timeouts when parallel).
# No -Q (quick mode skips the real work), no -l/-L/-E: every variant runs.
# timeout(1) runs test-runner in its own process group and signals the
# whole group, then SIGKILLs it 10 s later.
args=(-p1 -s "$SCENARIO")
[[ ${RDK_TEST_IDEMPOTENT:-0} == 1 ]] && args+=(-P)
say "TESTS=$NUM test-runner ${args[*]} (kafka version $KAFKA_VERSION, limit ${HARD_TIMEOUT}s, log $LOG)"
# LD_LIBRARY_PATH: test-runner links librdkafka.so.1 dynamically and would
# otherwise pick up the system's (Debian's librdkafka1) instead of this build.
# Started in the background so a TERM from meson reaches the trap at once
# (bash runs traps only between foreground commands).
# run_runner SUBSTRING TIMEOUT: one test-runner run (SUBTESTS=SUBSTRING if
# not empty), output appended to $LOG; returns its exit status.
run_runner() {
	(
		cd "$TESTS_DIR" &&
			exec env -u CI TESTS="$NUM" RDKAFKA_TEST_CONF="$CONF" \
				LD_LIBRARY_PATH="$TESTS_DIR/../src:$TESTS_DIR/../src-cpp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
				TEST_KAFKA_VERSION="$KAFKA_VERSION" ${RDK_TEST_DEBUG:+TEST_DEBUG="$RDK_TEST_DEBUG"} \
				${1:+SUBTESTS="$1"} "${TOPICS_ENV[@]+"${TOPICS_ENV[@]}"}" \
				"${SSL_ENV[@]+"${SSL_ENV[@]}"}" \
				timeout -s TERM -k 10 "$2" ./test-runner "${args[@]}"
	) >>"$LOG" 2>&1 &
	TR_PID=$!
	local st=0
	wait "$TR_PID" || st=$?
	TR_PID=
	return "$st"
}
SUBTEST_RUNS=("")
[[ -n ${TXT_SUBTESTS:-} ]] && IFS=, read -r -a SUBTEST_RUNS <<<"$TXT_SUBTESTS"
deadline=$((SECONDS + HARD_TIMEOUT))
rc=0
for sub in "${SUBTEST_RUNS[@]}"; do
	left=$((deadline - SECONDS))
	((left > 0)) || { rc=124; break; }
	[[ -n $sub ]] && say "sub-tests matching '$sub'"
	run_runner "$sub" "$left" || { rc=$?; break; }
done

# The summary table and failure lines, colour codes stripped.
clean() { sed 's/\x1b\[[0-9;]*m//g' "$LOG"; }
clean | grep -E '^\|' | grep -v '<MAIN>' >&2 || true
if ((rc == 124 || rc == 137)); then
	clean | tail -n 40 >&2
	say "FAIL: killed after ${HARD_TIMEOUT}s"
	exit 1
fi
if ((rc != 0)); then
	clean | grep -E 'FAIL|Test.*failed|assert' | head -n 30 >&2 || true
	clean | tail -n 15 >&2
	say "FAIL: test-runner exited $rc"
	exit 1
fi
if ! clean | grep -E '^\|' | grep -v '<MAIN>' | grep PASSED >/dev/null; then
	clean | grep -E 'SKIP' | head -n 5 >&2 || true
	say "SKIP: no variant of $NUM ran"
	exit 77
fi
say "PASS"
