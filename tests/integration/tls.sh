#!/usr/bin/env bash
# tls.sh: one broker (cluster.sh up --tls) restarted with three listeners:
# SSL (server certificate only, PEM keystore), MTLS (ssl.client.auth=required
# and a PKCS12 keystore, both as listener.name.mtls.* overrides) and PLAIN.
# kcat produces and consumes over SSL and over mTLS; on MTLS the client
# certificate's subject is the principal (mapped by a listener's
# ssl.principal.mapping.rules to User:client, which the ACLs allow on one
# topic and nothing else); a client without a certificate is refused on MTLS; plaintext on a TLS port and TLS on the
# plaintext port are refused; then gregord refuses to start, naming the key,
# with a missing or unreadable keystore, a wrong keystore or key password,
# an unknown protocol.
source "$(dirname "$0")/lib.sh"

cluster_up 1 --tls
d=$CLUSTER_DIR/tls
work=$(mktemp -d)
on_exit "rm -rf '$work'"
read -r mtls plain < <(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
for s in ss: s.close()')
ssl=$PORT_BASE

openssl pkcs12 -export -inkey "$d/broker-1.key" -in "$d/broker-1.crt" -certfile "$d/ca.pem" \
	-passout pass:p12secret -out "$d/broker-1.p12" || fail "openssl pkcs12 failed"
props=$CLUSTER_DIR/broker/1/server.properties
# Topics, and the ACLs the authorizer loads at start: User:client may use
# tls-m; tls-denied has no ACL (allow.everyone.if.no.acl.found is false).
for t in tls-m tls-denied; do
	zk create "/brokers/topics/$t" \
		'{"version":2,"partitions":{"0":[1]},"adding_replicas":{},"removing_replicas":{}}' ||
		fail "could not create topic $t"
done
zk create /kafka-acl >/dev/null 2>&1 || true
zk create /kafka-acl/Topic >/dev/null 2>&1 || true
zk create /kafka-acl/Topic/tls-m '{"version":1,"acls":[
{"principal":"User:client","permissionType":"Allow","operation":"Read","host":"*"},
{"principal":"User:client","permissionType":"Allow","operation":"Write","host":"*"},
{"principal":"User:client","permissionType":"Allow","operation":"Describe","host":"*"}]}' ||
	fail "could not write the ACL znode"
cluster stop 1 >/dev/null 2>&1
sed -i -e '/^listeners=/d' -e '/^advertised.listeners=/d' -e '/^ssl.client.auth=/d' \
	-e '/^security.inter.broker.protocol=/d' -e '/^authorizer.class.name=/d' "$props"
cat >>"$props" <<EOF
listeners=SSL://127.0.0.1:$ssl,MTLS://127.0.0.1:$mtls,PLAIN://127.0.0.1:$plain
advertised.listeners=SSL://127.0.0.1:$ssl,MTLS://127.0.0.1:$mtls,PLAIN://127.0.0.1:$plain
listener.security.protocol.map=SSL:SSL,MTLS:SSL,PLAIN:PLAINTEXT
inter.broker.listener.name=SSL
ssl.client.auth=none
listener.name.mtls.ssl.client.auth=required
listener.name.mtls.ssl.keystore.type=PKCS12
listener.name.mtls.ssl.keystore.location=$d/broker-1.p12
listener.name.mtls.ssl.keystore.password=p12secret
listener.name.mtls.ssl.principal.mapping.rules=RULE:^CN=([^,]+),O=Gregor$/\$1/L,DEFAULT
authorizer.class.name=kafka.security.authorizer.AclAuthorizer
super.users=User:ANONYMOUS
EOF
cluster start 1 >/dev/null 2>&1 || fail "broker did not restart with SSL, MTLS and PLAIN listeners"
grep -q 'listener MTLS: TLS ready (client auth required)' "$CLUSTER_DIR/logs/broker-1.log" ||
	fail "MTLS listener not set up with client auth required"

k() { timeout 60 kcat -X socket.timeout.ms=10000 -m "${KM:-10}" "$@"; }
ssl_c() { k -b "127.0.0.1:$ssl" -X security.protocol=ssl -X ssl.ca.location="$d/ca.pem" "$@"; }
mtls_c() {
	k -b "127.0.0.1:$mtls" -X security.protocol=ssl -X ssl.ca.location="$d/ca.pem" \
		-X ssl.certificate.location="$d/client.crt" -X ssl.key.location="$d/client.key" "$@"
}

note "produce and consume over SSL"
seq 1 500 | sed 's/^/ssl-/' >"$work/in.txt"
ssl_c -P -l -t tls-t -X acks=all "$work/in.txt" 2>"$work/p.err" || { cat "$work/p.err" >&2; fail "SSL produce failed"; }
ssl_c -C -t tls-t -o beginning -c 500 -e -q >"$work/out-ssl.txt" 2>"$work/c.err" ||
	{ cat "$work/c.err" >&2; fail "SSL consume failed"; }
cmp -s "$work/in.txt" "$work/out-ssl.txt" || fail "SSL consume returned $(wc -l <"$work/out-ssl.txt") lines, not the 500 produced"

note "produce and consume over mTLS (client certificate, PKCS12 broker keystore)"
seq 1 300 | sed 's/^/mtls-/' >"$work/in2.txt"
mtls_c -P -l -t tls-m -X acks=all "$work/in2.txt" 2>"$work/p2.err" || { cat "$work/p2.err" >&2; fail "mTLS produce failed"; }
mtls_c -C -t tls-m -o beginning -c 300 -e -q >"$work/out-m.txt" 2>/dev/null || fail "mTLS consume failed"
cmp -s "$work/in2.txt" "$work/out-m.txt" || fail "mTLS consume differs from what was produced"
# the principal is User:client (not ANONYMOUS, a super user here): refused
# where it has no ACL
if mtls_c -P -t tls-denied -X acks=all -X message.timeout.ms=5000 <<<"x" >"$work/denied.out" 2>&1; then
	fail "mTLS principal wrote to tls-denied without an ACL"
fi
grep -qi 'authoriz' "$work/denied.out" || { cat "$work/denied.out" >&2; fail "no authorization error for tls-denied"; }
got=$(mtls_c -L -J 2>/dev/null | python3 -c 'import json,sys; print(*[b["name"] for b in json.load(sys.stdin)["brokers"]])')
[[ $got == "127.0.0.1:$mtls" ]] || fail "a client on MTLS was told brokers [$got], not its own listener's endpoint"

note "refusals"
KM=3 # a refused client retries until its metadata timeout
if k -b "127.0.0.1:$mtls" -X security.protocol=ssl -X ssl.ca.location="$d/ca.pem" -L >"$work/nocert.out" 2>&1; then
	fail "MTLS listener answered a client without a certificate"
fi
grep -qi 'certificate' "$work/nocert.out" || { cat "$work/nocert.out" >&2; fail "no certificate error for the client without one"; }
if k -b "127.0.0.1:$ssl" -L >"$work/plain-on-tls.out" 2>&1; then
	fail "a plaintext client got metadata from the SSL port"
fi
if k -b "127.0.0.1:$plain" -X security.protocol=ssl -X ssl.ca.location="$d/ca.pem" -L >"$work/tls-on-plain.out" 2>&1; then
	fail "a TLS client got metadata from the plaintext port"
fi
grep -q 'TLS handshake failed' "$CLUSTER_DIR/logs/broker-1.log" || fail "broker did not log the refused handshakes"
KM=10
got=$(k -b "127.0.0.1:$plain" -L -J 2>/dev/null | python3 -c 'import json,sys; print(*[b["name"] for b in json.load(sys.stdin)["brokers"]])')
[[ $got == "127.0.0.1:$plain" ]] || fail "plaintext listener broken after refusals: [$got]"
pid_alive "$(broker_pid 1)" || fail "broker died"

note "start-up refusals name the key"
openssl pkey -in "$d/broker-1.key" -aes256 -passout pass:keypass -out "$work/enc.key" 2>/dev/null ||
	fail "openssl pkey failed"
cat "$work/enc.key" "$d/broker-1.crt" >"$work/enc.pem"
# refuse NAME KEY-IN-MESSAGE SED-EXPRESSION... : gregord with the edited
# config must exit non-zero and name the key.
refuse() {
	local name=$1 key=$2 cfg="$work/$1.properties" rc=0
	shift 2
	sed -e "s|^log.dirs=.*|log.dirs=$work/data-$name|" -e "/^metrics.listen=/d" "$@" "$props" >"$cfg"
	timeout 30 "$GREGORD" "$cfg" >"$work/$name.out" 2>&1 || rc=$?
	((rc != 0 && rc != 124)) || fail "$name: gregord exit status $rc (want a start-up failure)"
	grep -qF "$key" "$work/$name.out" || { tail -5 "$work/$name.out" >&2; fail "$name: message does not name $key"; }
	note "$name: $(grep -F "$key" "$work/$name.out" | head -1 | sed 's/^.*ERROR //')"
}
refuse missing-keystore ssl.keystore.location -e "s|^ssl.keystore.location=.*|ssl.keystore.location=$work/nope.pem|"
refuse unreadable-keystore ssl.keystore.location -e "s|^ssl.keystore.location=.*|ssl.keystore.location=$d|"
refuse no-keystore ssl.keystore.location -e '/^ssl.keystore.location=/d'
refuse wrong-p12-password listener.name.mtls.ssl.keystore.password \
	-e 's|^listener.name.mtls.ssl.keystore.password=.*|listener.name.mtls.ssl.keystore.password=wrong|'
refuse wrong-key-password ssl.key.password \
	-e "s|^ssl.keystore.location=.*|ssl.keystore.location=$work/enc.pem|" -e "\$a ssl.key.password=wrong"
refuse missing-key-password ssl.key.password \
	-e "s|^ssl.keystore.location=.*|ssl.keystore.location=$work/enc.pem|"
refuse unknown-protocol ssl.enabled.protocols -e "\$a ssl.enabled.protocols=TLSv1.2,TLSv1.9"
refuse unknown-cipher ssl.cipher.suites -e "\$a ssl.cipher.suites=TLS_NO_SUCH_CIPHER"
refuse bad-client-auth ssl.client.auth -e "\$a listener.name.ssl.ssl.client.auth=sometimes"
pid_alive "$(broker_pid 1)" || fail "broker died"
