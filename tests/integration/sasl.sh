#!/usr/bin/env bash
# sasl.sh: SASL_PLAINTEXT on a 3-broker cluster whose brokers authenticate
# to each other with SCRAM-SHA-256 (cluster.sh up --sasl). kcat produces
# (acks=all, RF 3) and consumes as users made three ways: PLAIN from the
# listener's JAAS config, SCRAM-SHA-256 and SCRAM-SHA-512 made with
# gregorctl users, and SCRAM-SHA-256 written as a raw znode with zkCli plus
# a change notification (credential computed here, independently of
# Gregor). A wrong password and a deleted user are refused with
# SASL_AUTHENTICATION_FAILED; the wire checks (sasl_wire.py) cover refusals,
# v0 raw-token framing, SCRAM over SaslAuthenticate v1/v2, KIP-368
# re-authentication and expiry, and Describe/AlterUserScramCredentials
# (refused without DESCRIBE/ALTER on the cluster: AclAuthorizer is on).
# Misconfigured SASL stops start-up with a message naming the key. Finally the partition leader stops and
# every message is read from a follower that replicated it over SASL.
source "$(dirname "$0")/lib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
GREGORCTL=${1:-${GREGORCTL:-$(dirname "$GREGORD")/../coord/gregorctl/gregorctl}}
export GREGORCTL
[[ -x $GREGORCTL ]] || fail "gregorctl missing: $GREGORCTL"
T=sasl_t
N=300
PLAIN_JAAS='org.apache.kafka.common.security.plain.PlainLoginModule required user_bob="bob-secret" user_eve="eve-secret";'
cluster_up 3 --sasl SCRAM-SHA-256 \
	--set "listener.name.sasl_plaintext.plain.sasl.jaas.config=$PLAIN_JAAS" \
	--set "listener.name.sasl_plaintext.plain.connections.max.reauth.ms=3000" \
	--set authorizer.class.name=kafka.security.authorizer.AclAuthorizer \
	--set super.users=User:admin --set allow.everyone.if.no.acl.found=true
[[ -n $CLIENT_CONFIG && -r $CLIENT_CONFIG ]] || fail "cluster.sh up --sasl printed no CLIENT_CONFIG"
B1=${BOOTSTRAP%%,*}

work=$(mktemp -d)
on_exit "rm -rf '$work'"

# kcs MECH USER PASSWORD KCAT-ARGS...: kcat as that user, no CLIENT_CONFIG.
kcs() {
	local mech=$1 user=$2 pw=$3
	shift 3
	timeout 60 kcat -b "$BOOTSTRAP" -X security.protocol=SASL_PLAINTEXT \
		-X sasl.mechanisms="$mech" -X sasl.username="$user" -X sasl.password="$pw" \
		-X socket.timeout.ms=10000 "$@"
}

note "users: alice (SCRAM-SHA-256) and carol (SCRAM-SHA-512) with gregorctl"
"$GREGORCTL" --zookeeper "$ZOOKEEPER" users add --user alice --mechanism SCRAM-SHA-256 \
	--password alice-secret >/dev/null || fail "gregorctl users add alice"
"$GREGORCTL" --zookeeper "$ZOOKEEPER" users add --user carol --mechanism SCRAM-SHA-512 \
	--password carol-secret --iterations 8192 >/dev/null || fail "gregorctl users add carol"
out=$("$GREGORCTL" --zookeeper "$ZOOKEEPER" users list)
grep -q $'^carol\tSCRAM-SHA-512\titerations=8192$' <<<"$out" || fail "users list: $out"

note "user dave (SCRAM-SHA-256) as a raw znode with zkCli and a change notification"
cred=$(python3 - <<'PY'
import base64, hashlib, hmac, os
salt = os.urandom(24)
salted = hashlib.pbkdf2_hmac("sha256", b"dave-secret", salt, 4096)
ck = hmac.new(salted, b"Client Key", "sha256").digest()
sk = hmac.new(salted, b"Server Key", "sha256").digest()
b = lambda x: base64.b64encode(x).decode()
print("salt=%s,stored_key=%s,server_key=%s,iterations=4096"
      % (b(salt), b(hashlib.sha256(ck).digest()), b(sk)))
PY
)
out=$(zkcli "create /config/users/dave {\"version\":1,\"config\":{\"SCRAM-SHA-256\":\"$cred\"}}" \
	"create -s /config/changes/config_change_ {\"version\":2,\"entity_path\":\"users/dave\"}")
grep -q 'Created /config/users/dave' <<<"$out" || fail "zkCli create of /config/users/dave: $out"
grep -q 'Created /config/changes/config_change_' <<<"$out" || fail "zkCli notification: $out"

note "alice produces $N messages (acks=all, RF 3)"
seq -f "m%05g" 1 "$N" >"$work/in.txt"
# the credential reaches every broker asynchronously: retry the first write
wait_until 30 "alice authenticated" \
	kcs SCRAM-SHA-256 alice alice-secret -L -t "$T" -X allow.auto.create.topics=true
kcs SCRAM-SHA-256 alice alice-secret -P -l -t "$T" -X acks=all "$work/in.txt" 2>"$work/p.err" ||
	{ cat "$work/p.err" >&2; fail "produce as alice"; }
wait_topic_ready "$T" 1 60

# reads_all MECH USER PASSWORD: the user reads exactly the messages produced.
reads_all() {
	kcs "$1" "$2" "$3" -C -t "$T" -o beginning -e -q 2>"$work/c.err" | sort >"$work/out.txt"
	cmp -s "$work/out.txt" "$work/in.txt"
}
for who in "SCRAM-SHA-512 carol carol-secret" "SCRAM-SHA-256 dave dave-secret" \
	"PLAIN bob bob-secret"; do
	read -r mech user pw <<<"$who"
	note "$user consumes with $mech"
	wait_until 30 "$user ($mech) reads all $N messages" reads_all "$mech" "$user" "$pw"
done

note "wrong password and a deleted user are refused"
if kcs SCRAM-SHA-256 alice wrong -L -m 5 >/dev/null 2>"$work/w.err"; then
	fail "a wrong password was accepted"
fi
grep -q 'Authentication failed during authentication due to invalid credentials' "$work/w.err" ||
	{ cat "$work/w.err" >&2; fail "no SASL_AUTHENTICATION_FAILED message for a wrong password"; }
"$GREGORCTL" --zookeeper "$ZOOKEEPER" users delete --user alice >/dev/null ||
	fail "gregorctl users delete alice"
refused() { ! kcs SCRAM-SHA-256 alice alice-secret -L -m 3 >/dev/null 2>&1; }
wait_until 30 "deleted user alice refused" refused

note "wire checks"
python3 "$HERE/sasl_wire.py" "$B1" refusals bob bob-secret || fail "sasl_wire refusals"
python3 "$HERE/sasl_wire.py" "$B1" raw-plain bob bob-secret || fail "sasl_wire raw-plain"
python3 "$HERE/sasl_wire.py" "$B1" raw-scram SCRAM-SHA-512 carol carol-secret || fail "sasl_wire raw-scram"
python3 "$HERE/sasl_wire.py" "$B1" scram SCRAM-SHA-512 carol carol-secret || fail "sasl_wire scram"
python3 "$HERE/sasl_wire.py" "$B1" reauth bob bob-secret 3000 || fail "sasl_wire reauth"
python3 "$HERE/sasl_wire.py" "$B1" scram-admin bob bob-secret || fail "sasl_wire scram-admin"
note "a cluster ACL (zkCli) for bob only: eve may neither describe nor alter credentials"
acl='{"version":1,"acls":[{"principal":"User:bob","permissionType":"Allow","operation":"All","host":"*"},{"principal":"User:eve","permissionType":"Deny","operation":"All","host":"*"}]}'
out=$(zkcli "create /kafka-acl" "create /kafka-acl-changes" "create /kafka-acl/Cluster" \
	"create /kafka-acl/Cluster/kafka-cluster $acl" \
	"create -s /kafka-acl-changes/acl_changes_ CLUSTER:kafka-cluster")
grep -q 'Created /kafka-acl/Cluster/kafka-cluster' <<<"$out" || fail "zkCli cluster ACL: $out"
python3 "$HERE/sasl_wire.py" "$B1" scram-denied eve eve-secret || fail "sasl_wire scram-denied"

note "start-up refusals name the key"
props=$CLUSTER_DIR/broker/1/server.properties
# refuse NAME KEY-IN-MESSAGE SED-EXPRESSION...: gregord with broker 1's
# config so edited must exit non-zero naming the key (before binding a port)
refuse() {
	local name=$1 key=$2 cfg="$work/$1.properties" rc=0
	shift 2
	sed -e "s|^log.dirs=.*|log.dirs=$work/data-$name|" -e '/^metrics.listen=/d' "$@" "$props" >"$cfg"
	timeout 30 "$GREGORD" "$cfg" >"$work/$name.out" 2>&1 || rc=$?
	((rc != 0 && rc != 124)) || fail "$name: gregord exit status $rc (want a start-up failure)"
	grep -qF "$key" "$work/$name.out" || { tail -5 "$work/$name.out" >&2; fail "$name: message does not name $key"; }
	note "$name: $(grep -F "$key" "$work/$name.out" | head -1 | sed 's/^.*ERROR //')"
}
refuse gssapi sasl.enabled.mechanisms -e 's|^sasl.enabled.mechanisms=.*|sasl.enabled.mechanisms=PLAIN,GSSAPI|'
refuse plain-without-users plain.sasl.jaas.config -e '/plain.sasl.jaas.config=/d'
refuse bad-jaas listener.name.sasl_plaintext.plain.sasl.jaas.config \
	-e 's|user_bob="bob-secret"|user_bob="bob-secret|'
refuse inter-broker-mechanism sasl.mechanism.inter.broker.protocol \
	-e 's|^sasl.mechanism.inter.broker.protocol=.*|sasl.mechanism.inter.broker.protocol=OAUTHBEARER|'
refuse inter-broker-identity sasl.jaas.config -e '/scram-sha-256.sasl.jaas.config=/d'

note "the leader stops; a follower serves every message it replicated over SASL"
leader=$(zk_leader "$T" 0)
[[ $leader =~ ^[123]$ ]] || fail "no leader for $T-0"
cluster stop "$leader" >/dev/null
moved() { local l; l=$(zk_leader "$T" 0 2>/dev/null) && [[ $l =~ ^[123]$ && $l != "$leader" ]]; }
wait_until 30 "leadership of $T-0 moved from broker $leader" moved
wait_until 30 "the new leader serves all $N messages" reads_all SCRAM-SHA-512 carol carol-secret
unexpected=$(grep -h "refused our SASL" "$CLUSTER_DIR"/logs/broker-*.log | grep -v "invalid credentials" || true)
if [[ -n $unexpected ]]; then
	printf '%s\n' "$unexpected" >&2
	fail "inter-broker SASL refused for another reason than credentials not yet loaded"
fi
