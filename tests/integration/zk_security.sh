#!/usr/bin/env bash
# zk_security: zookeeper.set.acl with digest credentials, as an operator
# sees it through Debian's zkCli.sh.
#  1. A 3-broker cluster starts with ZooKeeper ACLs off: its znodes are
#     world:anyone:cdrwa. The brokers are restarted with
#     zookeeper.set.acl=true and zookeeper.digest.file: the start fixes the
#     existing znodes (creator-all + world-read; /config/users creator-only).
#  2. A zkCli session without credentials reads /brokers and /controller but
#     cannot change /brokers, /controller or /config, and cannot read
#     /config/users; one that ran "addauth digest" can.
#  3. Config values written with zkCli are validated as AlterConfigs
#     validates them: max.message.bytes=2000 takes effect, then -1 is
#     refused with a WARN naming the key and 2000 stays in force.
#  4. Garbage in /controller_epoch, then in /controller: the brokers log an
#     ERROR with the zkCli command that repairs it, gregorctl cluster
#     controller shows it, and running the logged commands brings a
#     controller back. gregorctl with --zk-digest-file can write.
#  5. Without an authorizer the ACL APIs answer SECURITY_DISABLED (54).
# Usage: zk_security.sh PATH-TO-GREGORCTL
source "$(dirname "$0")/lib.sh"

GREGORCTL=${1:?usage: zk_security.sh PATH-TO-GREGORCTL}
[[ -x $GREGORCTL ]] || fail "gregorctl missing: $GREGORCTL"
HERE=$(cd "$(dirname "$0")" && pwd)
cluster_up 3
IFS=, read -r B1 _ _ <<<"$BOOTSTRAP"
DIGEST=gregor:s3cret-pw
ZK1=${ZOOKEEPER%%,*}
logs() { cat "$CLUSTER_DIR"/logs/broker-*.log; }
logged() { grep -q -- "$1" "$CLUSTER_DIR"/logs/broker-*.log; }
gctl() { "$GREGORCTL" --zookeeper "$ZOOKEEPER" --timeout 10 "$@"; }
# one raw request through authz.py's encoders
py() { python3 -c "import sys; sys.path.insert(0, '$HERE'); import authz; $1"; }
# getAcl needs READ or ADMIN: the credentials, as an operator would use
acl_of() { zkcli "addauth digest $DIGEST" "getAcl $1" | tr '\n' ' '; }
# acls_of PATH...: one zkCli session; "PATH<TAB>ACL" per path, ACL lines
# joined (a missing sentinel node's error separates the answers)
acls_of() {
	local p cmds=("addauth digest $DIGEST") i=0
	for p in "$@"; do
		cmds+=("getAcl $p" "get /zkacl-sep-$i")
		i=$((i + 1))
	done
	zkcli "${cmds[@]}" | awk -v paths="$*" '
		BEGIN { n = split(paths, p, " "); i = 1 }
		/^Node does not exist: \/zkacl-sep-/ { print p[i] "\t" acl; acl = ""; i++; next }
		{ acl = acl $0 " " }'
}

note "phase 1: ZooKeeper ACLs off"
printf 'x\n' | kc -P -t zt1 || fail "produce to zt1 failed"
wait_topic_ready zt1 1
[[ $(acl_of /brokers/topics/zt1) == *"'world,'anyone : cdrwa"* ]] ||
	fail "open cluster: /brokers/topics/zt1 is not world cdrwa: $(acl_of /brokers/topics/zt1)"

note "phase 2: restart with zookeeper.set.acl=true"
printf '%s\n' "$DIGEST" >"$CLUSTER_DIR/zk-digest"
chmod 600 "$CLUSTER_DIR/zk-digest"
for id in 1 2 3; do cluster stop "$id" >/dev/null & done
wait
for id in 1 2 3; do
	printf 'zookeeper.set.acl=true\nzookeeper.digest.file=%s\n' "$CLUSTER_DIR/zk-digest" \
		>>"$CLUSTER_DIR/broker/$id/server.properties"
done
pids=()
for id in 1 2 3; do cluster start "$id" >/dev/null & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid" || fail "a broker did not restart"; done
# captured first: grep -q closing the pipe early would fail it under pipefail
three_brokers() {
	local meta
	meta=$(kcat -L -b "$BOOTSTRAP" -m 5 2>/dev/null) && grep -q ' 3 brokers' <<<"$meta"
}
wait_until 60 "three brokers listed" three_brokers
logged "zookeeper.set.acl: ACLs of [0-9]* existing znode(s) set" ||
	fail "no broker reported securing the existing znodes"
acls_of /brokers/topics/zt1 /brokers/ids /controller /config/topics/zt1 /cluster/id \
	/config/users >"$CLUSTER_DIR/acls.txt"
cat "$CLUSTER_DIR/acls.txt" >&2
[[ $(wc -l <"$CLUSTER_DIR/acls.txt") -eq 6 ]] || fail "expected 6 getAcl answers"
while IFS=$'\t' read -r p a; do
	if [[ $p == /config/users ]]; then
		[[ $a == *"'digest,'gregor:"* && $a != *"world"* ]] ||
			fail "/config/users readable by the world: $a"
	else
		[[ $a == *"'digest,'gregor:"*": cdrwa"* && $a == *"'world,'anyone : r "* ]] ||
			fail "$p not creator-all + world-read: $a"
	fi
done <"$CLUSTER_DIR/acls.txt"

note "zkCli without credentials: reads yes, writes no, /config/users hidden"
out=$(zkcli "get /brokers/topics/zt1" "get /controller" \
	"set /brokers/topics/zt1 {}" "create /brokers/ids/99 x" "delete /brokers/ids/1" \
	"set /controller {}" "set /controller_epoch 999" \
	"set /config/topics/zt1 {}" "create /config/topics/evil x" "create /config/brokers/1 x" \
	"get /config/users" "ls /config/users")
printf '%s\n' "$out" >&2
grep -q '"partitions"' <<<"$out" || fail "world cannot read /brokers/topics/zt1"
grep -q '"brokerid"' <<<"$out" || fail "world cannot read /controller"
n=$(grep -c "Insufficient permission" <<<"$out" || true)
((n == 10)) || fail "expected 10 refusals (8 writes, 2 reads of /config/users), got $n"
zk exists /brokers/ids/99 >/dev/null 2>&1 && fail "an unauthenticated client registered broker 99"
zk exists /config/topics/evil >/dev/null 2>&1 && fail "an unauthenticated client wrote /config/topics/evil"

note "zkCli with addauth digest: config writes are validated"
out=$(zkcli "addauth digest $DIGEST" \
	'set /config/topics/zt1 {"version":1,"config":{"max.message.bytes":"2000"}}')
printf '%s\n' "$out" >&2
grep -q "Insufficient permission" <<<"$out" && fail "the brokers' credentials could not write"
leader=$(py "
m = authz.metadata_topics(authz.kw.addr_of('$B1'), [b'zt1'])
b, _ = authz.ka.metadata(authz.kw.addr_of('$B1'))
print('%s:%d' % b[m['zt1'][1][0]])")
big() { py "print(authz.produce(authz.kw.addr_of('$leader'), b'zt1', value=b'x' * $1))"; }
big_refused() { [[ $(big 3000) == 10 ]]; }
wait_until 20 "max.message.bytes=2000 in force" big_refused
zkcli "addauth digest $DIGEST" \
	'set /config/topics/zt1 {"version":1,"config":{"max.message.bytes":"-1"}}' >/dev/null
wait_until 20 "the refusal logged" logged \
	'topic zt1: config from ZooKeeper refused: Invalid value -1 for configuration max.message.bytes: Value must be at least 0; keeping the previous value 2000'
[[ $(big 3000) == 10 ]] || fail "max.message.bytes=-1 from zkCli turned the size limit off"
[[ $(big 100) == 0 ]] || fail "a small record was refused"

note "garbage /controller_epoch and /controller"
ctl_before=$(gctl cluster controller) || fail "gregorctl cluster controller failed"
out=$(zkcli "addauth digest $DIGEST" "set /controller_epoch garbage!" "delete /controller")
wait_until 30 "the epoch ERROR" logged \
	'ERROR.*/controller_epoch holds malformed data "garbage!".*set /controller_epoch [0-9]'
repair=$(logs | grep -o 'zkCli.sh -server [^ ]* set /controller_epoch [0-9]*' | tail -1)
note "logged repair: $repair"
if gctl cluster controller 2>"$CLUSTER_DIR/gctl.err"; then fail "gregorctl saw a controller"; fi
grep -q 'malformed data in /controller_epoch: "garbage!".*set /controller_epoch' "$CLUSTER_DIR/gctl.err" ||
	fail "gregorctl did not show the garbage epoch: $(cat "$CLUSTER_DIR/gctl.err")"
zkcli "addauth digest $DIGEST" "create /controller not-json" >/dev/null
wait_until 30 "the /controller ERROR" logged \
	'ERROR.*/controller holds malformed data "not-json".*delete /controller'
if gctl cluster controller 2>"$CLUSTER_DIR/gctl.err"; then fail "gregorctl accepted /controller"; fi
grep -q 'malformed data in /controller: "not-json".*delete /controller' "$CLUSTER_DIR/gctl.err" ||
	fail "gregorctl did not show the garbage controller: $(cat "$CLUSTER_DIR/gctl.err")"
# the operator runs the two logged commands
zkcli "addauth digest $DIGEST" "${repair#zkCli.sh -server * }" "delete /controller" >/dev/null
wait_until 30 "a controller again" gctl cluster controller
note "before: $ctl_before; after: $(gctl cluster controller)"

note "gregorctl: writes need --zk-digest-file"
if gctl topics create --topic zt2 --partitions 1 --replication-factor 1 2>/dev/null; then
	fail "gregorctl created a topic without credentials"
fi
gctl --zk-digest-file "$CLUSTER_DIR/zk-digest" topics create --topic zt2 --partitions 1 \
	--replication-factor 1 || fail "gregorctl with credentials could not create a topic"
[[ $(acl_of /brokers/topics/zt2) == *"'digest,'gregor:"* ]] || fail "gregorctl's znode is not secured"
wait_topic_ready zt2 1

note "no authorizer: ACL APIs answer SECURITY_DISABLED"
[[ $(py "print(authz.describe_acls(authz.kw.addr_of('$B1')))") == 54 ]] ||
	fail "DescribeAcls without an authorizer did not answer SECURITY_DISABLED"
note "ok ($ZK1)"
