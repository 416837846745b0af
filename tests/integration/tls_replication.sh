#!/usr/bin/env bash
# tls_replication.sh: 3 brokers with SSL listeners for clients and between
# brokers (cluster.sh up --tls: client certificates required, so a
# plaintext or certificate-less follower could not fetch). An RF-3 topic
# with min.insync.replicas=2 takes acks=all writes, its leader is killed,
# and everything is read back from the new leader, a former follower that
# replicated over TLS; writes go on after the failover. gregorctl reaches
# the brokers over TLS with --command-config CLIENT_CONFIG.
# Usage: tls_replication.sh PATH-TO-GREGORCTL
source "$(dirname "$0")/lib.sh"
GREGORCTL=${1:-${GREGORCTL:-}}
[[ -n $GREGORCTL && -x $GREGORCTL ]] ||
	fail "usage: tls_replication.sh PATH-TO-GREGORCTL (got '${GREGORCTL}')"

T=tls-rep
N=3000
cluster_up 3 --tls --set min.insync.replicas=2
[[ -n $CLIENT_CONFIG ]] || fail "cluster.sh up --tls printed no CLIENT_CONFIG"
zk create "/brokers/topics/$T" \
	'{"version":2,"partitions":{"0":[1,2,3]},"adding_replicas":{},"removing_replicas":{}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 1 60

work=$(mktemp -d)
on_exit "rm -rf '$work'"
seq 1 "$N" | sed 's/^/m/' >"$work/in.txt"
note "producing $N messages (acks=all) over SSL"
kc -P -l -t "$T" -X acks=all "$work/in.txt" 2>"$work/p.err" || { cat "$work/p.err" >&2; fail "produce failed"; }

isr_full() {
	zk_get "/brokers/topics/$T/partitions/0/state" |
		python3 -c 'import json,sys; sys.exit(0 if sorted(json.load(sys.stdin)["isr"]) == [1,2,3] else 1)'
}
wait_until 60 "ISR [1,2,3] (followers fetching over TLS)" isr_full
old=$(zk_leader "$T" 0)
note "killing leader $old"
cluster kill "$old" >/dev/null 2>&1
new_leader() { local l; l=$(zk_leader "$T" 0) && [[ $l != "$old" && $l != -1 ]]; }
wait_until 60 "a new leader for $T-0" new_leader
note "new leader $(zk_leader "$T" 0)"

wait_topic_ready "$T" 1 60
kc -C -t "$T" -o beginning -c "$N" -e -q >"$work/out.txt" 2>"$work/c.err" ||
	{ cat "$work/c.err" >&2; fail "consume from the new leader failed"; }
cmp -s "$work/in.txt" "$work/out.txt" ||
	fail "read $(wc -l <"$work/out.txt") messages from the new leader, not the $N acknowledged"

seq 1 500 | sed 's/^/after/' >"$work/in2.txt"
kc -P -l -t "$T" -X acks=all "$work/in2.txt" 2>"$work/p2.err" || { cat "$work/p2.err" >&2; fail "produce after failover failed"; }
kc -C -t "$T" -o "$N" -c 500 -e -q >"$work/out2.txt" 2>/dev/null || fail "consume after failover failed"
cmp -s "$work/in2.txt" "$work/out2.txt" || fail "messages produced after the failover differ"
if grep -h 'TLS handshake failed' "$CLUSTER_DIR"/logs/broker-*.log; then
	fail "a broker refused a TLS handshake (inter-broker connection not TLS?)"
fi

note "a consumer group and gregorctl over TLS"
# From the survivors only: kcat's group consumer exits on "all broker
# connections are down" when the first broker it tries is the dead one (as
# in groups_coordinator_kill.sh).
live=$(for id in 1 2 3; do ((id == old)) || printf '127.0.0.1:%d,' $((PORT_BASE + id - 1)); done)
BOOTSTRAP=${live%,} kc -G tls-group -o beginning -c 100 -e -q "$T" >/dev/null 2>"$work/g.err" ||
	{ tail -n 20 "$work/g.err" >&2; fail "group consumer over TLS failed"; }
"$GREGORCTL" --bootstrap "$BOOTSTRAP" --command-config "$CLIENT_CONFIG" --timeout 10 \
	groups describe --group tls-group >"$work/describe.txt" 2>&1 ||
	{ cat "$work/describe.txt" >&2; fail "gregorctl groups describe over TLS failed"; }
grep -q "^tls-group *$T *0 " "$work/describe.txt" ||
	{ cat "$work/describe.txt" >&2; fail "gregorctl did not show tls-group's offset on $T"; }
if "$GREGORCTL" --bootstrap "$BOOTSTRAP" --timeout 3 groups list >/dev/null 2>&1; then
	fail "gregorctl without --command-config got answers from SSL listeners"
fi
note "replicated over TLS; $N + 500 messages read back after the leader's death"
