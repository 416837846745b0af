#!/usr/bin/env bash
# rsyslog_omkafka.sh: rsyslog's omkafka (Debian's rsyslog-kafka, librdkafka
# underneath) shipping log lines into a Gregor topic, the way many shops
# feed Kafka. A private rsyslogd (its own config, socket, pid file and work
# directory; the system's syslog is not touched) reads 200 lines written with
# logger to its socket and sends them to the topic with acks=all; every line
# must then be in the topic, read back with kcat. Run under with_cluster.sh.
# A missing rsyslog or rsyslog-kafka package is a failure, not a skip.
set -euo pipefail
fail() { echo "FAIL $*" >&2; exit 1; }
command -v rsyslogd >/dev/null || fail "rsyslogd not installed (rsyslog; deploy/install-deps.sh)"
[[ -e /usr/lib/x86_64-linux-gnu/rsyslog/omkafka.so || -n $(find /usr/lib -name omkafka.so -print -quit 2>/dev/null) ]] ||
	fail "omkafka not installed (rsyslog-kafka; deploy/install-deps.sh)"

work=$(mktemp -d)
rs_pid=
cleanup() {
	if [[ -n $rs_pid ]] && kill -0 "$rs_pid" 2>/dev/null; then
		kill "$rs_pid"
		for _ in $(seq 50); do kill -0 "$rs_pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$rs_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

TOPIC=syslog-lines N=200 RUN=$$-$RANDOM
IFS=, read -ra bs <<<"$BOOTSTRAP"
brokers=$(printf '"%s",' "${bs[@]}")
cat >"$work/rsyslog.conf" <<CONF
global(workDirectory="$work")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$work/log.sock" CreatePath="on")
module(load="omkafka")
template(name="line" type="string" string="%msg%")
action(type="omkafka" broker=[${brokers%,}] topic="$TOPIC" template="line"
       confParam=["socket.timeout.ms=10000", "message.send.max.retries=20"]
       topicConfParam=["request.required.acks=-1"]
       resubmitOnFailure="on" keepFailedMessages="on" failedMsgFile="$work/failed")
CONF
rsyslogd -n -f "$work/rsyslog.conf" -i "$work/rsyslogd.pid" >"$work/rsyslogd.out" 2>&1 &
rs_pid=$!
for _ in $(seq 100); do [[ -S $work/log.sock ]] && break; sleep 0.1; done
[[ -S $work/log.sock ]] || { cat "$work/rsyslogd.out" >&2; fail "rsyslogd did not open its socket"; }
echo "ok   rsyslogd (pid $rs_pid) with omkafka is up"

for i in $(seq 1 "$N"); do
	logger -u "$work/log.sock" -t gregor-test "line $i of run $RUN"
done

# read the topic until every line is there (bounded)
deadline=$((SECONDS + 60))
got=0
while ((SECONDS < deadline)); do
	got=$(timeout 20 kcat -b "$BOOTSTRAP" -C -t "$TOPIC" -e -q -f '%s\n' 2>/dev/null |
		grep -c "of run $RUN\$" || true)
	((got >= N)) && break
	sleep 1
done
((got == N)) || { cat "$work/rsyslogd.out" >&2; fail "$got of $N log lines reached $TOPIC"; }
missing=$(comm -23 <(seq 1 "$N" | sed "s/.*/line & of run $RUN/" | sort) \
	<(timeout 20 kcat -b "$BOOTSTRAP" -C -t "$TOPIC" -e -q -f '%s\n' | sed 's/^ *//' | sort -u) | wc -l)
((missing == 0)) || fail "$missing lines missing from $TOPIC"
echo "ok   all $N log lines shipped by omkafka are in $TOPIC"
