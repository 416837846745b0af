#!/usr/bin/env bash
# gregorctl_health.sh: `gregorctl health` (the container health check) and
# `gregord --env` against a real cluster. Healthy only while the broker's
# process runs, is registered with the broker epoch it registered with, is
# not shutting down, and a controller exists: a SIGSTOPped broker whose
# session expired, a SIGKILLed one, and one in controlled shutdown are all
# unhealthy; --wait waits for a restarted one. gregord --env takes KAFKA_*
# variables and refuses a bad one by name.
# Usage: gregorctl_health.sh PATH-TO-GREGORCTL
source "$(dirname "$0")/lib.sh"

GREGORCTL=${1:-${GREGORCTL:-}}
[[ -n $GREGORCTL && -x $GREGORCTL ]] || fail "usage: gregorctl_health.sh PATH-TO-GREGORCTL"

cluster_up 2 --set zookeeper.session.timeout.ms=6000
dir() { echo "$CLUSTER_DIR/broker/$1/data"; }
health() { "$GREGORCTL" health --log-dir "$(dir "$1")" "${@:2}"; }
unhealthy_because() { ! out=$(health "$1" 2>&1) && grep -q -- "$2" <<<"$out"; }

out=$(health 1 --wait 30) || fail "broker 1 unhealthy after up: $out"
[[ $out == "healthy: broker 1 (broker epoch "*"), controller "[12] ]] || fail "unexpected: $out"
# --wait: cluster.sh up returns once both are registered, which can be a
# moment before broker 2 has written its status file as running
out=$(KAFKA_LOG_DIRS=$(dir 2) "$GREGORCTL" health --wait 30) || fail "KAFKA_LOG_DIRS not used: $out"
[[ $out == "healthy: broker 2 "* ]] || fail "unexpected: $out"
rc=0
env -u KAFKA_LOG_DIRS "$GREGORCTL" health 2>/dev/null || rc=$?
((rc == 64)) || fail "health without a log dir should be a usage error (64), got $rc"
health 1 --log-dir /nonexistent >/dev/null 2>&1 && fail "healthy without a status file"

# A frozen broker: its process lives but its session expires.
epoch_before=$(sed -n 's/^broker.epoch=//p' "$(dir 2)/gregord.status")
pid=$(broker_pid 2)
kill -STOP "$pid"
on_exit "kill -CONT $pid 2>/dev/null || true"
wait_until 30 "broker 2 unhealthy while frozen (registration gone)" \
	unhealthy_because 2 "not registered in ZooKeeper"
kill -CONT "$pid"
out=$(health 2 --wait 40) || fail "broker 2 not healthy again after SIGCONT: $out"
epoch_after=$(sed -n 's/^broker.epoch=//p' "$(dir 2)/gregord.status")
((epoch_after != epoch_before)) || fail "broker 2 came back with its old epoch $epoch_before"
note "broker 2 re-registered: broker epoch $epoch_before -> $epoch_after"

# Killed: the status file stays behind but no longer vouches for anything.
cluster kill 1 >/dev/null
t0=$SECONDS
unhealthy_because 1 "is not running" || fail "killed broker 1 reported: $out"
health 1 --wait 2 >/dev/null 2>&1 && fail "killed broker 1 healthy with --wait"
((SECONDS - t0 >= 2)) || fail "--wait 2 returned before 2 s"
cluster start 1 >/dev/null || fail "restart broker 1"
out=$(health 1 --wait 30) || fail "restarted broker 1 unhealthy: $out"

# Controlled shutdown: unhealthy from the signal on.
kill -TERM "$(broker_pid 2)"
wait_until 30 "broker 2 unhealthy once SIGTERM arrived" unhealthy_because 2 "shutting_down\|not running"

# gregord --env: KAFKA_* variables in place of server.properties.
port=$((PORT_BASE + 2))
envdir=$CLUSTER_DIR/env-broker
mkdir -p "$envdir"
env -i PATH="$PATH" KAFKA_BROKER_ID=9 KAFKA_ZOOKEEPER_CONNECT="$ZOOKEEPER" \
	KAFKA_LISTENERS="PLAINTEXT://127.0.0.1:$port" KAFKA_LOG_DIRS="$envdir/data" \
	KAFKA_ZOOKEEPER_SESSION_TIMEOUT_MS=6000 KAFKA_HEAP_OPTS=-Xmx1G \
	"$GREGORD" --env >"$envdir/log" 2>&1 &
envpid=$!
on_exit "kill -KILL $envpid 2>/dev/null || true"
out=$(health 9 --log-dir "$envdir/data" --wait 30) ||
	{ tail -20 "$envdir/log" >&2; fail "gregord --env broker 9 unhealthy: $out"; }
grep -q "KAFKA_HEAP_OPTS is a setting of Kafka's JVM launcher; ignored" "$envdir/log" ||
	fail "KAFKA_HEAP_OPTS not reported as ignored"
kill -TERM "$envpid"
wait_until 30 "gregord --env stopped" bash -c "! kill -0 $envpid 2>/dev/null"
rc=0
out=$(env -i KAFKA_BROKER_ID=9 KAFKA_ZOOKEEPER_CONNECT="$ZOOKEEPER" KAFKA_NUM_PARTITIONS=many \
	"$GREGORD" --env 2>&1) || rc=$?
((rc == 1)) || fail "a bad KAFKA_NUM_PARTITIONS should stop gregord with 1, got $rc: $out"
grep -q 'KAFKA_NUM_PARTITIONS: invalid value "many" for num.partitions' <<<"$out" ||
	fail "the message does not name the variable: $out"
