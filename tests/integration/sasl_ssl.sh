#!/usr/bin/env bash
# sasl_ssl.sh: 3 brokers with SASL_SSL for clients and between brokers
# (cluster.sh up --secure: TLS with the cluster CA, SCRAM-SHA-512
# inter-broker as admin, AclAuthorizer on, ZooKeeper locked). kcat writes
# (acks=all, RF 3, min.insync.replicas 2) as admin and reads back as alice
# (SCRAM-SHA-256, made with gregorctl; a topic ACL for User:alice) and as
# admin with PLAIN; mallory (SCRAM, no ACL) is authenticated but refused the
# topic; a wrong password and SASL without TLS on the port are refused. Transactions whose markers travel between brokers over SASL_SSL
# commit and abort as they should (read_committed sees exactly the
# committed messages), and gregorctl lists them over SASL_SSL
# (--command-config). Then the partition leader is killed and a follower,
# which replicated over SASL_SSL, serves every message.
# Usage: sasl_ssl.sh GREGORCTL TXN_CLIENT
source "$(dirname "$0")/lib.sh"

GREGORCTL=${1:?usage: sasl_ssl.sh GREGORCTL TXN_CLIENT}
TXN_CLIENT=${2:?usage: sasl_ssl.sh GREGORCTL TXN_CLIENT}
export GREGORCTL
[[ -x $GREGORCTL && -x $TXN_CLIENT ]] || fail "gregorctl or txn_client missing"
T=sasl-ssl
TX=sasl-ssl-txn
N=2000
cluster_up 3 --secure --set min.insync.replicas=2
[[ -n $CLIENT_CONFIG ]] || fail "cluster.sh up --secure printed no CLIENT_CONFIG"
grep -q '^security.protocol=sasl_ssl$' "$CLIENT_CONFIG" || fail "CLIENT_CONFIG is not SASL_SSL"
grep -q '^listeners=SASL_SSL://' "$CLUSTER_DIR/broker/1/server.properties" ||
	fail "brokers do not listen on SASL_SSL"
CA=$CLUSTER_DIR/tls/ca.pem
ADMIN_PW=$(<"$CLUSTER_DIR/admin.password")

work=$(mktemp -d)
on_exit "rm -rf '$work'"

# kcs PROTOCOL MECH USER PASSWORD KCAT-ARGS...: kcat as that user.
kcs() {
	local proto=$1 mech=$2 user=$3 pw=$4
	shift 4
	timeout 60 kcat -b "$BOOTSTRAP" -X security.protocol="$proto" -X ssl.ca.location="$CA" \
		-X sasl.mechanisms="$mech" -X sasl.username="$user" -X sasl.password="$pw" \
		-X socket.timeout.ms=10000 "$@"
}

[[ -n $ZK_DIGEST_FILE ]] || fail "cluster.sh up --secure printed no ZK_DIGEST_FILE"
for u in alice mallory; do
	"$GREGORCTL" --zookeeper "$ZOOKEEPER" --zk-digest-file "$ZK_DIGEST_FILE" users add \
		--user "$u" --mechanism SCRAM-SHA-256 --password "$u-secret" >/dev/null ||
		fail "gregorctl users add $u"
done
zk create "/brokers/topics/$T" \
	'{"version":2,"partitions":{"0":[1,2,3]},"adding_replicas":{},"removing_replicas":{}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 1 60
# alice may read and describe the topic: Kafka's ACL znode and change
# notification, written with zkCli as an operator with the digest would
acl='{"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow","operation":"Read","host":"*"},{"principal":"User:alice","permissionType":"Allow","operation":"Describe","host":"*"}]}'
out=$(zkcli "addauth digest $(head -n1 "$ZK_DIGEST_FILE")" "create /kafka-acl" \
	"create /kafka-acl-changes" "create /kafka-acl/Topic" "create /kafka-acl/Topic/$T $acl" \
	"create -s /kafka-acl-changes/acl_changes_ Topic:$T")
grep -q "Created /kafka-acl/Topic/$T" <<<"$out" || fail "zkCli topic ACL: $out"
grep -q 'Created /kafka-acl-changes/acl_changes_' <<<"$out" || fail "zkCli ACL notification: $out"

note "admin (SCRAM-SHA-512) produces $N messages, acks=all"
seq -f "m%05g" 1 "$N" >"$work/in.txt"
kc -P -l -t "$T" -X acks=all "$work/in.txt" 2>"$work/p.err" ||
	{ cat "$work/p.err" >&2; fail "produce over SASL_SSL"; }

reads_all() {
	kcs "$@" -C -t "$T" -o beginning -e -q 2>"$work/c.err" | sort >"$work/out.txt"
	cmp -s "$work/out.txt" "$work/in.txt"
}
wait_until 30 "alice (SCRAM-SHA-256) reads all $N" reads_all SASL_SSL SCRAM-SHA-256 alice alice-secret
wait_until 30 "admin (PLAIN) reads all $N" reads_all SASL_SSL PLAIN admin "$ADMIN_PW"
if kcs SASL_SSL SCRAM-SHA-256 mallory mallory-secret -C -t "$T" -o beginning -c 1 -e -q \
	>"$work/m.out" 2>"$work/m.err"; then
	[[ ! -s $work/m.out ]] || fail "mallory (no ACL) read the topic"
fi
grep -qi 'authoriz' "$work/m.err" || { cat "$work/m.err" >&2; fail "no authorization error for mallory"; }

note "refusals: wrong password; SASL without TLS on the SASL_SSL port"
if kcs SASL_SSL SCRAM-SHA-256 alice wrong -L -m 5 >/dev/null 2>"$work/w.err"; then
	fail "a wrong password was accepted"
fi
grep -q 'Authentication failed' "$work/w.err" || { cat "$work/w.err" >&2; fail "no authentication error"; }
if kcs SASL_PLAINTEXT SCRAM-SHA-256 alice alice-secret -L -m 5 >/dev/null 2>&1; then
	fail "SASL_PLAINTEXT was served on a SASL_SSL port"
fi

note "transactions over SASL_SSL (markers between brokers)"
zk create "/brokers/topics/$TX" \
	'{"version":1,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]}}' ||
	fail "could not create the transactional topic znode"
wait_topic_ready "$TX" 3 60
timeout 120 "$TXN_CLIENT" produce "$BOOTSTRAP" "$TX" 6 20 >"$work/tp.out" 2>"$work/tp.err" ||
	fail "transactional producer failed: $(tail -5 "$work/tp.err")"
[[ $(grep -c '^commit' "$work/tp.out") == 4 && $(grep -c '^abort' "$work/tp.out") == 2 ]] ||
	fail "transactions: $(tr '\n' ' ' <"$work/tp.out")"
timeout 120 "$TXN_CLIENT" consume "$BOOTSTRAP" "$TX" 3 read_committed >"$work/rc.out" 2>"$work/rc.err" ||
	fail "read_committed consumer failed: $(tail -5 "$work/rc.err")"
for t in 0 1 3 4; do for ((i = 0; i < 20; i++)); do echo "t$t-m$i"; done; done | sort >"$work/rc.want"
sort "$work/rc.out" | cmp -s - "$work/rc.want" || fail "read_committed did not see exactly the committed messages"
out=$("$GREGORCTL" --bootstrap "$BOOTSTRAP" --command-config "$CLIENT_CONFIG" transactions list 2>&1) ||
	fail "gregorctl over SASL_SSL (--command-config): $out"
grep -q 'gregor-txn-test' <<<"$out" || fail "gregorctl transactions list over SASL_SSL: $out"

note "the leader is killed; a follower serves every message it replicated over SASL_SSL"
leader=$(zk_leader "$T" 0)
[[ $leader =~ ^[123]$ ]] || fail "no leader for $T-0"
cluster kill "$leader" >/dev/null 2>&1
moved() { local l; l=$(zk_leader "$T" 0 2>/dev/null) && [[ $l =~ ^[123]$ && $l != "$leader" ]]; }
wait_until 30 "leadership of $T-0 moved from broker $leader" moved
wait_until 30 "the new leader serves all $N messages" reads_all SASL_SSL SCRAM-SHA-512 admin "$ADMIN_PW"
