#!/bin/sh
# gen-certs.sh: the one-shot "certs" service of docker-compose.secure.yml.
# Writes, once, into /certs (a named volume the brokers mount read-only):
# a cluster CA (ca.pem), one key + certificate per broker (broker-N.pem,
# names broker-N, localhost, 127.0.0.1) signed by it, and random SASL
# passwords for the users broker, admin and client in the brokers' JAAS
# entries (*.jaas) and plain files (*.password) for clients. Files are
# readable by the image's user gregor (uid 1000) only.
set -eu
out=${CERTS_DIR:-/certs}
days=${CERTS_DAYS:-825}
cd "$out"
if [ -f ca.pem ] && [ -f broker-3.pem ] && [ -f broker.jaas ]; then
	echo "gen-certs.sh: $out already has certificates; keeping them"
	exit 0
fi
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=gregor-compose-ca" \
	-keyout ca.key -out ca.pem 2>/dev/null
for n in 1 2 3; do
	openssl req -newkey rsa:2048 -nodes -subj "/CN=broker-$n" \
		-keyout "broker-$n.key" -out "broker-$n.csr" 2>/dev/null
	printf 'subjectAltName=DNS:broker-%s,DNS:localhost,IP:127.0.0.1\n' "$n" >"broker-$n.ext"
	openssl x509 -req -in "broker-$n.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
		-days "$days" -extfile "broker-$n.ext" -out "broker-$n.crt" 2>/dev/null
	cat "broker-$n.key" "broker-$n.crt" >"broker-$n.pem"
	rm -f "broker-$n.csr" "broker-$n.ext" "broker-$n.key" "broker-$n.crt"
done
rm -f ca.key ca.srl # nothing else is ever signed
for u in broker admin client; do
	openssl rand -hex 16 >"$u.password"
done
pw() { cat "$1.password"; }
# The brokers' PLAIN users (Kafka's PlainLoginModule JAAS syntax); the
# broker logs in to other brokers as "broker".
printf '%s\n' "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" password=\"$(pw broker)\" user_broker=\"$(pw broker)\" user_admin=\"$(pw admin)\" user_client=\"$(pw client)\";" >broker.jaas
chown 1000:1000 ./* && chmod 0400 ./* && chmod 0444 ca.pem
echo "gen-certs.sh: wrote ca.pem, broker-1..3.pem, broker.jaas, {broker,admin,client}.password"
