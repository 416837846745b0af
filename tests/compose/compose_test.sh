#!/usr/bin/env bash
# compose_test.sh (suite compose): deploy/docker-compose.yml run for real
# with podman-compose, as a user would: validate the compose files, up, wait
# for 3 brokers and a controller, 100,000 keyed acks=all messages from the
# host through EXTERNAL, all of them read back by a client container through
# INTERNAL, then fault drills on the containers with the acked-writes check
# (`gregorctl drill leader-kill` through podman kill/start, pause the
# ZooKeeper leader, `gregorctl drill isolate` through podman network
# disconnect/connect, rolling restart), then down and up
# again (named volumes keep every message), then the SASL_SSL variant from
# the host, then everything removed but the images (the cache, images.sh).
# On a failure the whole container logs are kept in COMPOSE_SAVE_DIR
# (default /tmp/gregor-compose-failures/TIME-PID/failed; with
# COMPOSE_KEEP_LOGS=1 also after each gregorctl drill and at the end). Runs
# on one machine take turns through a lock file.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/drills/drill_lib.sh
source "$here/../drills/drill_lib.sh"
ROOT=$GREGOR_SOURCE_ROOT
# shellcheck source=tests/compose/podman_env.sh
. "$here/podman_env.sh"

P=${COMPOSE_PROJECT:-gregorct}
NET=${P}_default
COMPOSE_FILE=$ROOT/deploy/docker-compose.yml
SECURE_FILE=$ROOT/deploy/docker-compose.secure.yml
CLIENT_IMAGE=${CLIENT_IMAGE:-localhost/gregor-test-client:latest}
export GREGOR_IMAGE=${GREGOR_IMAGE:-localhost/gregor:latest}
BOOTSTRAP=127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094
DATA_TOPIC=compose-data
N_MSGS=100000
WORK="" # made once this run holds the lock
SAVE_ID=$(date +%Y%m%dT%H%M%S)-$$
COMPOSE_UP=0

compose() { podman-compose -p "$P" -f "$COMPOSE_FILE" "$@"; }
# podman, its output into a log: without systemd, podman start complains
# that it cannot set up health check timers (the test polls instead).
pm() { podman "$@" >>"$WORK/podman.log" 2>&1 || { tail -5 "$WORK/podman.log" >&2; return 1; }; }
ctr() { echo "${P}_$1_1"; }

# save_logs NAME: the whole logs of every container into
# COMPOSE_SAVE_DIR/TIME-PID/NAME (a container's log covers only its
# current incarnation: step_down_up and the secure step make new ones).
save_logs() {
	local c dir=${COMPOSE_SAVE_DIR:-/tmp/gregor-compose-failures}/$SAVE_ID/$1
	mkdir -p "$dir" || return 0
	for c in zookeeper-1 zookeeper-2 zookeeper-3 broker-1 broker-2 broker-3; do
		podman logs "$(ctr "$c")" >"$dir/$c.log" 2>&1 || true
	done
	[[ -z $WORK ]] || cp "$WORK"/gdrill-*.rdkafka "$dir/" 2>/dev/null || true
	note "whole container logs kept in $dir"
}
# keep_logs NAME: save_logs on success too, with COMPOSE_KEEP_LOGS=1.
keep_logs() { [[ -z ${COMPOSE_KEEP_LOGS:-} ]] || save_logs "$1"; }

# Everything the project made, whatever state it is in; the images stay.
# (Every command may fail here: there may be nothing to remove.)
compose_cleanup() {
	local c v
	if ((COMPOSE_UP)) && [[ ${rc:-0} != 0 ]]; then
		for c in zookeeper-1 zookeeper-2 zookeeper-3 broker-1 broker-2 broker-3; do
			note "--- last lines of $c ---"
			podman logs --tail 25 "$(ctr "$c")" 2>&1 | sed "s/^/[$c] /" >&2 || true
		done
		save_logs failed
	elif ((COMPOSE_UP)); then
		keep_logs end
	fi
	for c in $(podman ps -a --filter "label=io.podman.compose.project=$P" --format '{{.Names}}'); do
		podman unpause "$c" >/dev/null 2>&1 || true
	done
	# rm -v first: the anonymous volume of a container that mounts nothing
	# on the image's VOLUME (the certs service) goes with it; podman-compose
	# down leaves those behind
	for c in $(podman ps -aq --filter "label=io.podman.compose.project=$P"); do
		podman rm -f -v -t 5 "$c" >/dev/null 2>&1 || true
	done
	compose down -v -t 5 >/dev/null 2>&1 || true
	for v in $(podman volume ls -q --filter "label=io.podman.compose.project=$P"); do
		podman volume rm -f "$v" >/dev/null 2>&1 || true
	done
	# podman-compose down leaves the project network behind
	podman network rm -f "$NET" >/dev/null 2>&1 || true
	[[ -z $WORK ]] || rm -rf "$WORK"
}

# ---- state of the containers

# The Mode line of ZooKeeper server N's srvr answer (leader, follower).
zk_mode() {
	podman exec "$(ctr "zookeeper-$1")" bash -c \
		'exec 3<>/dev/tcp/127.0.0.1/2181 && printf srvr >&3 && cat <&3' 2>/dev/null |
		sed -n 's/^Mode: //p'
}
zk_quorum() {
	local n m leaders=0
	for n in "$@"; do
		healthy "zookeeper-$n" || return 1
		m=$(zk_mode "$n")
		[[ $m == leader || $m == follower ]] || return 1
		[[ $m == leader ]] && leaders=$((leaders + 1))
	done
	((leaders == 1))
}
zk_leader_id() {
	local n
	for n in 1 2 3; do [[ $(zk_mode "$n") == leader ]] && echo "$n" && return 0; done
	return 1
}
# The compose file's own health checks, run on demand (podman schedules
# them with systemd timers, which these machines lack): gregorctl health
# for a broker, zkServer.sh status for ZooKeeper.
healthy() { podman healthcheck run "$(ctr "$1")" >/dev/null 2>&1; }
broker_healthy() { healthy "broker-$1"; }
all_healthy() { broker_healthy 1 && broker_healthy 2 && broker_healthy 3; }
wait_all_healthy() {
	wait_until "${1:-120}" "3 brokers registered with their current epoch and a controller" \
		all_healthy
}
running() { [[ $(podman inspect -f '{{.State.Status}}' "$(ctr "$1")" 2>/dev/null) == running ]]; }

# zk_cli ARGS...: gregorctl against the ensemble from inside broker 1.
zk_cli() {
	podman exec "$(ctr broker-1)" gregorctl \
		--zookeeper zookeeper-1:2181,zookeeper-2:2181,zookeeper-3:2181 "$@"
}

# Partition P's leader of TOPIC, from the host's metadata (EXTERNAL).
leader_of() {
	kcat -b "$BOOTSTRAP" -L -J -t "$1" 2>/dev/null | python3 -c '
import json, sys
m = json.load(sys.stdin)
for t in m["topics"]:
    for p in t["partitions"]:
        if p["partition"] == int(sys.argv[1]) and p["leader"] > 0:
            print(p["leader"]); sys.exit(0)
sys.exit(1)' "$2"
}

# Every partition of TOPIC led and with ISR of all three (from ZooKeeper).
isr_full_zk() {
	zk_cli topics describe --topic "$1" | awk '
		/Leader:/ { n++; if ($0 !~ /Isr: *[123],[123],[123]/) bad++ }
		END { exit !(n > 0 && bad == 0) }'
}

# ---- steps

step_validate() {
	note "docker-compose config: the compose files are valid"
	docker-compose -f "$COMPOSE_FILE" config -q || fail "docker-compose rejects $COMPOSE_FILE"
	docker-compose -f "$COMPOSE_FILE" -f "$SECURE_FILE" config -q ||
		fail "docker-compose rejects $SECURE_FILE over $COMPOSE_FILE"
}

step_up() {
	local t0=$SECONDS
	COMPOSE_UP=1
	compose up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; fail "compose up"; }
	wait_until 120 "a ZooKeeper quorum (one leader, two followers)" zk_quorum 1 2 3
	wait_all_healthy 120
	note "up: quorum, 3 brokers healthy and a controller in $((SECONDS - t0))s"
}

step_data() {
	local t0=$SECONDS n
	"$DRILL_BIN_DIR/drill_admin" -b "$BOOTSTRAP" -t "$DATA_TOPIC" -p 6 -r 3 >&2 ||
		fail "CreateTopics $DATA_TOPIC through EXTERNAL"
	wait_until 60 "$DATA_TOPIC fully replicated" isr_full_zk "$DATA_TOPIC"
	seq 1 "$N_MSGS" | sed 's/.*/key-&:value-&/' |
		timeout 180 kcat -b "$BOOTSTRAP" -P -t "$DATA_TOPIC" -K: -X acks=all \
			-X message.timeout.ms=60000 2>"$WORK/produce.err" ||
		{ cat "$WORK/produce.err" >&2; fail "kcat produce through EXTERNAL"; }
	grep -qi 'fail\|error' "$WORK/produce.err" && { cat "$WORK/produce.err" >&2; fail "kcat reported errors"; }
	note "produced $N_MSGS keyed messages (acks=all) through EXTERNAL in $((SECONDS - t0))s"
	check_data "INTERNAL, from a client container on $NET"
}

# check_data WHERE: a client container on the compose network reads the
# whole topic through INTERNAL: exactly the keys 1..N, each once.
check_data() {
	local t0=$SECONDS n
	timeout 180 podman run --rm --network "$NET" "$CLIENT_IMAGE" \
		-b broker-1:9092,broker-2:9092,broker-3:9092 -C -t "$DATA_TOPIC" -e -q \
		-f '%k\n' >"$WORK/keys" 2>"$WORK/consume.err" ||
		{ cat "$WORK/consume.err" >&2; fail "consume through INTERNAL"; }
	n=$(sort -u "$WORK/keys" | wc -l)
	(($(wc -l <"$WORK/keys") == N_MSGS && n == N_MSGS)) ||
		fail "read $(wc -l <"$WORK/keys") messages ($n distinct keys), expected $N_MSGS"
	[[ $(sed 's/^key-//' "$WORK/keys" | sort -n | awk -v n="$N_MSGS" '$1 != NR { bad++ } END { print NR == n && !bad }') == 1 ]] ||
		fail "the keys read back are not key-1..key-$N_MSGS"
	note "read all $N_MSGS messages back through $1 in $((SECONDS - t0))s"
}

# drill NAME FAULT-FUNCTION SECONDS: a fresh RF 3 topic, an acks=all
# producer from the host for SECONDS (the fault's duration), the fault, then
# the read-back of every acknowledged write (lost must be 0). The fault
# functions see $name (bash's dynamic scope).
drill() {
	local name=$1 fault=$2 seconds=$3 topic="drill-$1" t0=$SECONDS
	"$DRILL_BIN_DIR/drill_admin" -b "$BOOTSTRAP" -t "$topic" -p 3 -r 3 >&2 ||
		fail "CreateTopics $topic"
	wait_until 60 "$topic fully replicated" isr_full_zk "$topic"
	producer_start "$name" -t "$topic" -s "$seconds" -r 200 -m 60000
	sleep_until_acked "$name" 200
	"$fault" "$topic"
	producer_wait "$name" "$PRODUCER_PID"
	drill_verify "$topic" "$WORK/$name.acks"
	wait_all_healthy 120
	note "drill $name passed in $((SECONDS - t0))s"
}

# Waits (bounded) until the producer has N acknowledgements: the fault
# lands on a cluster under load.
acked_count() { (($(wc -l <"$WORK/$1.acks") >= $2)); }
sleep_until_acked() { wait_until 60 "producer $1 acknowledged $2 writes" acked_count "$1" "$2"; }

fault_pause_zk_leader() {
	local z
	z=$(zk_leader_id) || fail "no ZooKeeper leader"
	note "pause: the container of ZooKeeper server $z (the leader)"
	podman pause "$(ctr "zookeeper-$z")" >/dev/null
	local others=() n
	for n in 1 2 3; do [[ $n != "$z" ]] && others+=("$n"); done
	wait_until 90 "the other two ZooKeeper servers elect a leader" zk_quorum "${others[@]}"
	sleep_until_acked_more 100
	podman unpause "$(ctr "zookeeper-$z")" >/dev/null
	wait_until 90 "ZooKeeper server $z back in the quorum" zk_quorum 1 2 3
}

# A fault that lasts while the producer keeps getting acknowledgements.
sleep_until_acked_more() {
	local have
	have=$(wc -l <"$WORK/$name.acks")
	wait_until 60 "producer $name acknowledged $1 more writes" acked_count "$name" $((have + $1))
}

# gdrill NAME [gregorctl drill options]: `gregorctl drill NAME` on the
# containers, its faults through podman, as an operator of this compose
# file would give them; PASS required, then every broker healthy.
gdrill() {
	local name=$1 rc=0 t0=$SECONDS
	shift
	# librdkafka's own lines (connections, leaders, produce retries and
	# timeouts) go to a file, kept with the container logs on a failure
	"$GREGORCTL" drill "$name" --bootstrap "$BOOTSTRAP" --topic "gdrill-$name" --partitions 3 \
		--rate 200 --warmup 5 --down 5 --timeout 120 --verbose -X debug=broker,topic,msg \
		"$@" >"$WORK/gdrill-$name.out" 2>"$WORK/gdrill-$name.rdkafka" || rc=$?
	sed "s/^/[gregorctl drill $name] /" "$WORK/gdrill-$name.out" >&2
	grep -v ' 7 ' "$WORK/gdrill-$name.rdkafka" | tail -20 | sed "s/^/[gregorctl drill $name] /" >&2 ||
		true
	((rc == 0)) || fail "gregorctl drill $name on the containers exited $rc"
	keep_logs "gdrill-$name"
	wait_all_healthy 120
	note "gregorctl drill $name passed in $((SECONDS - t0))s"
}

fault_rolling_restart() {
	local b t0
	for b in 1 2 3; do
		t0=$SECONDS
		pm stop -t 60 "$(ctr "broker-$b")"
		# SIGTERM, not the SIGKILL at the end of the grace period
		[[ $(podman inspect -f '{{.State.ExitCode}}' "$(ctr "broker-$b")") == 0 ]] ||
			fail "broker $b did not exit 0 on SIGTERM"
		# (whole output first: grep -q would end the pipe early, pipefail)
		podman logs --tail 30 "$(ctr "broker-$b")" >"$WORK/stop-$b.log" 2>&1
		grep -q "controlled shutdown: leadership moved" "$WORK/stop-$b.log" ||
			fail "broker $b stopped without a completed controlled shutdown"
		note "rolling: broker $b stopped (controlled shutdown, exit 0) in $((SECONDS - t0))s"
		pm start "$(ctr "broker-$b")"
		wait_until 120 "broker $b healthy again" broker_healthy "$b"
		wait_until 120 "$1 fully replicated again" isr_full_zk "$1"
	done
}

step_down_up() {
	local t0=$SECONDS
	compose down -t 60 >"$WORK/down.log" 2>&1 || { cat "$WORK/down.log" >&2; fail "compose down"; }
	podman network rm -f "$NET" >/dev/null 2>&1 || true
	note "down (volumes kept) in $((SECONDS - t0))s"
	step_up
	check_data "INTERNAL after down and up"
}

# The secure variant (docker-compose.secure.yml over the first file): the
# certs service writes a CA, broker certificates and passwords; from the
# host through EXTERNAL with SASL_SSL: admin (a super user) produces with
# acks=all and reads everything back; client (no ACLs) and a wrong password
# are refused.
step_secure() {
	local t0=$SECONDS n
	compose down -v -t 60 >"$WORK/down.log" 2>&1 || { cat "$WORK/down.log" >&2; fail "compose down -v"; }
	podman network rm -f "$NET" >/dev/null 2>&1 || true
	podman-compose -p "$P" -f "$COMPOSE_FILE" -f "$SECURE_FILE" up -d >"$WORK/up-secure.log" 2>&1 ||
		{ cat "$WORK/up-secure.log" >&2; fail "compose up (secure)"; }
	# podman-compose starts the brokers without waiting for certs: one that
	# finds no certificate yet exits and its restart policy starts it again
	wait_until 120 "a ZooKeeper quorum (one leader, two followers)" zk_quorum 1 2 3
	wait_all_healthy 180
	[[ $(podman inspect -f '{{.State.ExitCode}}' "$(ctr certs)") == 0 ]] || fail "certs service failed"
	pm cp "$(ctr certs):/certs/ca.pem" "$WORK/ca.pem"
	pm cp "$(ctr certs):/certs/admin.password" "$WORK/admin.password"
	pm cp "$(ctr certs):/certs/client.password" "$WORK/client.password"
	note "secure: up with SASL_SSL in $((SECONDS - t0))s"
	sasl() {
		local user=$1 pass=$2
		shift 2
		timeout 120 kcat -b "$BOOTSTRAP" -X security.protocol=SASL_SSL -X sasl.mechanisms=PLAIN \
			-X sasl.username="$user" -X sasl.password="$pass" -X ssl.ca.location="$WORK/ca.pem" "$@"
	}
	seq 1 1000 | sed 's/.*/key-&:value-&/' |
		sasl admin "$(cat "$WORK/admin.password")" -P -t secure-data -K: -X acks=all \
			2>"$WORK/secure-produce.err" ||
		{ cat "$WORK/secure-produce.err" >&2; fail "SASL_SSL produce as admin"; }
	echo "client-key:x" | sasl client "$(cat "$WORK/client.password")" -P -t secure-data -K: \
		-X message.timeout.ms=10000 2>"$WORK/secure-client.err" || true
	grep -qi 'authoriz' "$WORK/secure-client.err" ||
		fail "client (no ACLs) was not refused: $(head -3 "$WORK/secure-client.err")"
	sasl admin "$(cat "$WORK/admin.password")" -C -t secure-data -e -q -f '%k\n' \
		>"$WORK/secure-keys" 2>"$WORK/secure-consume.err" ||
		{ cat "$WORK/secure-consume.err" >&2; fail "SASL_SSL consume as admin"; }
	n=$(grep -c '^key-' "$WORK/secure-keys" || true)
	((n == 1000)) || fail "read $n keys back over SASL_SSL, expected 1000"
	! grep -q '^client-key' "$WORK/secure-keys" ||
		fail "the refused client's message is in secure-data"
	sasl admin wrong-password -L -m 5 >/dev/null 2>&1 && fail "a wrong password was accepted"
	note "secure: 1000 messages over SASL_SSL as admin; client without ACLs and a wrong password refused ($((SECONDS - t0))s)"
}

# ---- main

for p in podman podman-compose docker-compose kcat; do
	command -v "$p" >/dev/null || fail "missing $p (deploy/install-deps.sh installs it)"
done
for p in "$DRILL_BIN_DIR/drill_admin" "$ACKED_BIN_DIR/acked_producer" "$ACKED_BIN_DIR/acked_verify" \
	"$GREGORCTL"; do
	[[ -x $p ]] || fail "missing $p"
done
((EUID == 0)) || fail "the compose test needs root (rootful podman)"
# The compose file publishes fixed host ports and names its project, so two
# runs on one machine (two suites side by side) take turns instead of
# tearing down each other's containers.
exec 9>"${COMPOSE_LOCK:-/run/lock/gregor-compose.lock}"
if ! flock -n 9; then
	note "another compose test is running: waiting for it (at most 20 min)"
	flock -w 1200 9 || fail "the compose lock stayed held for 20 minutes"
fi
for port in 19092 19093 19094; do
	! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
		fail "127.0.0.1:$port is in use: the compose file publishes it"
done
# From here on this run owns the project's containers.
on_exit compose_cleanup
# Leftovers of an interrupted run of this project.
compose_cleanup
WORK=$(mktemp -d /tmp/gregor-compose.XXXXXX)

t_images=$SECONDS
"$here/images.sh"
note "images ready in $((SECONDS - t_images))s"
T0=$SECONDS

step_validate
step_up
step_data
gdrill leader-kill --kill "podman kill -s KILL $(ctr 'broker-{id}')" \
	--start "podman start $(ctr 'broker-{id}')"
drill zk-pause fault_pause_zk_leader 30
gdrill isolate --isolate "podman network disconnect $NET $(ctr 'broker-{id}')" \
	--heal "podman network connect --alias broker-{id} $NET $(ctr 'broker-{id}')"
drill rolling-restart fault_rolling_restart 45
step_down_up
step_secure
note "compose test took $((SECONDS - T0))s after the images"
