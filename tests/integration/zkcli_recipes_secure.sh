#!/usr/bin/env bash
# zkcli_recipes_secure.sh: the recipes of docs/operations.md for a locked
# ZooKeeper (scram-user, acl), typed into Debian's zkCli.sh as written there
# (with the brokers' digest password put in for ZK-PASSWORD) against a
# `cluster.sh up --secure` cluster (SASL_SSL with SCRAM-SHA-512,
# AclAuthorizer without allow.everyone, zookeeper.set.acl). Checked: dave
# authenticates only after the scram-user recipe, is refused the topic until
# the acl recipe and then produces and consumes it, a zkCli session without
# the digest cannot read his credential, and a wrong password stays refused.
source "$(dirname "$0")/lib.sh"

T=orders
N=50

cluster_up 3 --secure
[[ -n $ZK_DIGEST_FILE && -r $ZK_DIGEST_FILE && -n $CLIENT_CONFIG ]] ||
	fail "cluster.sh up --secure printed no ZK_DIGEST_FILE or CLIENT_CONFIG"
ZK_PW=$(cut -d: -f2- <"$ZK_DIGEST_FILE")

# run_recipe NAME: the recipe's lines, ZK-PASSWORD replaced, in one zkCli session
run_recipe() {
	local cmds=()
	mapfile -t cmds < <(ops_recipe "$1" | sed "s/ZK-PASSWORD/$ZK_PW/")
	((${#cmds[@]} > 1)) || fail "docs/operations.md has no recipe '$1'"
	note "recipe $1 (${#cmds[@]} lines)"
	zkcli "${cmds[@]}"
}

work=$(mktemp -d)
on_exit "rm -rf '$work'"
# dave's client properties: admin's, with dave's name and PASSWORD
dave_config() {
	sed -e 's/^sasl.username=.*/sasl.username=dave/' -e "s/^sasl.password=.*/sasl.password=$1/" \
		"$CLIENT_CONFIG" >"$work/dave-$1.properties"
	printf '%s' "$work/dave-$1.properties"
}
# as_dave PASSWORD KCAT-ARGS...
as_dave() {
	local cfg
	cfg=$(dave_config "$1")
	shift
	timeout 60 kcat -F "$cfg" -X socket.timeout.ms=10000 "$@"
}

zk create "/brokers/topics/$T" \
	'{"version":2,"partitions":{"0":[1,2,3]},"adding_replicas":{},"removing_replicas":{}}' >/dev/null ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 1 60

as_dave dave-secret -L -m 5 >"$work/before.out" 2>&1 && fail "dave authenticated before he existed"
grep -qi 'authentication\|SASL' "$work/before.out" || fail "no authentication error before: $(head -3 "$work/before.out")"

out=$(run_recipe scram-user)
grep -q 'Created /config/users/dave' <<<"$out" || fail "scram-user: $out"
grep -q 'Created /config/changes/config_change_' <<<"$out" || fail "scram-user: no notification: $out"
anon=$(printf 'get /config/users/dave\nquit\n' |
	CLIENT_JVMFLAGS="-Xmx128m -XX:+UseSerialGC" timeout 60 "$ZKCLI" -server "${ZOOKEEPER%%,*}" 2>&1 || true)
grep -q 'stored_key' <<<"$anon" && fail "a session without the digest read dave's credential"
grep -qi 'NoAuth\|Insufficient permission\|Authentication is not valid' <<<"$anon" ||
	fail "unexpected answer to an unauthenticated read: $(tail -3 <<<"$anon")"

authenticates() { as_dave dave-secret -L -m 5 >"$work/meta.out" 2>&1; }
wait_until 30 "dave authenticates" authenticates
as_dave wrong-secret -L -m 5 >"$work/wrong.out" 2>&1 && fail "a wrong password was accepted"
seq -f 'd%03g' 1 "$N" >"$work/in.txt"
as_dave dave-secret -P -t "$T" -X acks=all "$work/in.txt" >"$work/denied.out" 2>&1 &&
	fail "dave produced to $T before any ACL"
grep -qi 'authoriz' "$work/denied.out" || fail "no authorization error: $(tail -3 "$work/denied.out")"

out=$(run_recipe acl)
grep -q "Created /kafka-acl/Topic/$T" <<<"$out" || fail "acl: $out"
grep -q 'Created /kafka-acl-changes/acl_changes_' <<<"$out" || fail "acl: no notification: $out"
produces() { as_dave dave-secret -P -t "$T" -X acks=all "$work/in.txt" >"$work/produce.out" 2>&1; }
wait_until 30 "dave produces to $T" produces
as_dave dave-secret -C -t "$T" -o beginning -e -q -f '%s\n' >"$work/got.txt" 2>"$work/consume.err" ||
	fail "dave could not consume $T: $(tail -3 "$work/consume.err")"
grep -c '^d0' "$work/got.txt" | grep -qx "$N" ||
	fail "dave read $(grep -c '^d0' "$work/got.txt") of his $N messages"
note "dave: authenticated after scram-user, refused then allowed on $T by acl, read $N/$N"
