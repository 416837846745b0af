#!/usr/bin/env bash
# client_quotas.sh QUOTA_CLIENT GREGORCTL: client quotas enforced on real librdkafka
# clients (tests/integration/quota_client.c) against one broker.
# - A producer held to producer_byte_rate=1048576 (a client-id quota set
#   with gregorctl quotas --bootstrap-server) measures at most 10 % over
#   1 MiB/s and at least 75 % of it over a sustained run (see held below),
#   and its responses carry throttle times;
#   an unthrottled producer (its own 4 MiB/s pace) running beside it is not
#   slowed: it reaches at least 90 % of what it reached alone.
# - The metrics page shows the throttled client's byte rate and throttle
#   time (kafka_server_quota_*).
# - A consumer under a user quota consumer_byte_rate=1048576 (set with
#   gregorctl quotas --zookeeper: znode plus change notification) measures
#   the same way against 1 MiB/s.
# The broker keeps 3 quota samples of 1 s (quota.window.num=3): Kafka's
# default 11 lets a fresh client send 10 windows' worth at once, then
# throttles it to the quota on average, which needs minutes of running to
# measure near the quota (tests/unit/test_quota.c simulates that case).
source "$(dirname "$0")/lib.sh"

QC=${1:?usage: client_quotas.sh QUOTA_CLIENT GREGORCTL}
GCTL=${2:?usage: client_quotas.sh QUOTA_CLIENT GREGORCTL}
[[ -x $QC && -x $GCTL ]] || fail "need quota_client ($QC) and gregorctl ($GCTL)"
MIB=1048576
T=quota-test

cluster_up 1 --set quota.window.num=3 --set auto.create.topics.enable=false
"$GCTL" --zookeeper "$ZOOKEEPER" topics create --topic "$T" --partitions 1 \
	--replication-factor 1 >/dev/null || fail "topic create"
wait_topic_ready "$T" 1 60

# held VALUE QUOTA: a throttled client's measured rate is at most 10 % over
# its quota (the quota is a ceiling) and at least 75 % of it. Below the
# quota a client loses rate to its own scheduling after each throttle on a
# busy machine and, for consumers, to Kafka's empty answers to throttled
# fetches (docs/quotas.md): a consumer measured 0.88x of its quota beside a
# second full suite. The floor is there to catch a throttle far too long.
held() { python3 -c 'import sys; v, q = map(float, sys.argv[1:]); sys.exit(not 0.75 * q <= v <= 1.1 * q)' "$@"; }
field() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }

work=$(mktemp -d)
on_exit "rm -rf '$work'"

note "baseline: the free producer alone at its 4 MiB/s pace"
alone=$("$QC" produce "$BOOTSTRAP" "$T" free 14 4 $((4 * MIB))) || fail "free producer alone: $alone"
free_alone=$(field rate "$alone")
note "free alone: $alone"

"$GCTL" quotas alter --client-id slow --add-config producer_byte_rate=$MIB \
	--bootstrap-server "$BOOTSTRAP" || fail "gregorctl quotas alter"
"$GCTL" quotas describe --client-id slow --bootstrap-server "$BOOTSTRAP" | grep -q "producer_byte_rate=$MIB" ||
	fail "gregorctl quotas describe does not show the quota"

note "the slow producer (unpaced, held to 1 MiB/s) and the free one side by side"
"$QC" produce "$BOOTSTRAP" "$T" slow 28 6 0 >"$work/slow" 2>"$work/slow.err" &
slow_pid=$!
on_exit "kill $slow_pid 2>/dev/null || true"
beside=$("$QC" produce "$BOOTSTRAP" "$T" free 28 6 $((4 * MIB))) || fail "free producer beside: $beside"
wait "$slow_pid" || fail "slow producer: $(cat "$work/slow" "$work/slow.err")"
slow=$(cat "$work/slow")
note "slow: $slow"
note "free beside: $beside"
slow_rate=$(field rate "$slow")
free_beside=$(field rate "$beside")
held "$slow_rate" $MIB || fail "throttled producer measured $slow_rate B/s, not within 0.75-1.1 x $MIB"
(($(field throttles "$slow") > 0)) || fail "the throttled producer saw no throttle_time_ms: $slow"
((free_beside * 10 >= free_alone * 9)) ||
	fail "the unthrottled producer was slowed: $free_beside B/s beside, $free_alone B/s alone"
(($(field throttles "$beside") == 0)) || fail "the unthrottled producer was throttled: $beside"

page=$(curl -sf --max-time 10 "${METRICS%%,*}") || fail "no metrics page"
grep -q '^kafka_server_quota_throttle_time{resource="Produce",clientId="slow"} [0-9.]' <<<"$page" ||
	fail "no Produce throttle time for clientId slow: $(grep quota <<<"$page")"
grep -q '^kafka_server_quota_byte_rate{resource="Produce",clientId="slow"} [0-9.]' <<<"$page" ||
	fail "no Produce byte rate for clientId slow"

note "a consumer under a user quota set through ZooKeeper"
"$GCTL" quotas alter --user ANONYMOUS --add-config consumer_byte_rate=$MIB \
	--zookeeper "$ZOOKEEPER" || fail "gregorctl quotas alter --zookeeper"
applied() { grep -q "quotas of user ANONYMOUS changed" "$CLUSTER_DIR/logs/broker-1.log"; }
wait_until 30 "the broker applied the user quota" applied
consumed=$("$QC" consume "$BOOTSTRAP" "$T" reader 24 6) || fail "consumer: $consumed"
note "consumer: $consumed"
held "$(field rate "$consumed")" $MIB ||
	fail "throttled consumer measured $(field rate "$consumed") B/s, not within 0.75-1.1 x $MIB"
note "measured: throttled producer $slow_rate B/s, consumer $(field rate "$consumed") B/s (quota $MIB); free producer $free_alone B/s alone, $free_beside B/s beside"
