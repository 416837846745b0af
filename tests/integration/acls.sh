#!/usr/bin/env bash
# ACLs on a 3-broker cluster through librdkafka's admin API: CreateAcls of
# three ACLs (literal topic, prefixed topic, literal group) and one invalid
# (cluster resource not named kafka-cluster: INVALID_REQUEST); DescribeAcls
# from a different broker (ANY and MATCH filters); the znodes hold Kafka's
# JSON (read with zkCli.sh) and change notifications; DeleteAcls by principal
# removes exactly alice's two ACLs and their now-empty znodes; describe again.
# The brokers run Kafka's AclAuthorizer with the test's principal
# (User:ANONYMOUS) as super user, so the ACLs written here restrict nobody;
# tests/integration/authz.py covers enforcement.
# Usage: acls.sh ACL_CLIENT
source "$(dirname "$0")/lib.sh"

CLIENT=${1:?usage: acls.sh ACL_CLIENT}
[[ -x $CLIENT ]] || fail "client binary missing: $CLIENT"
cluster_up 3 --set authorizer.class.name=kafka.security.authorizer.AclAuthorizer \
	--set super.users=User:ANONYMOUS
IFS=, read -r B1 B2 B3 <<<"$BOOTSTRAP"
[[ -n $B3 ]] || fail "expected three brokers in $BOOTSTRAP"
work=$(mktemp -d)
on_exit "rm -rf '$work'"
ac() { timeout 60 "$CLIENT" "$@"; }

note "CreateAcls through $B1"
ac "$B1" create >"$work/create" || fail "create failed"
cat "$work/create" >&2
grep -qx 'TOPIC acl-t1 LITERAL User:alice \* READ ALLOW' "$work/create" || fail "acl-t1 not created"
grep -qx 'TOPIC acl-pre PREFIXED User:bob \* WRITE ALLOW' "$work/create" || fail "acl-pre not created"
grep -qx 'GROUP g1 LITERAL User:alice 127.0.0.1 DESCRIBE DENY' "$work/create" || fail "g1 not created"
grep -q '^BROKER not-the-cluster .* INVALID_REQUEST$' "$work/create" || fail "invalid cluster ACL not refused"

note "DescribeAcls (ANY) through $B3"
ac "$B3" describe ANY - ANY - | sort >"$work/all" || fail "describe failed"
cat "$work/all" >&2
[[ $(wc -l <"$work/all") -eq 3 ]] || fail "expected 3 ACLs, got $(wc -l <"$work/all")"
grep -qx 'TOPIC acl-pre PREFIXED User:bob \* WRITE ALLOW' "$work/all" || fail "prefixed ACL missing"

note "DescribeAcls MATCH topic acl-prefix-x through $B2 (the prefixed ACL only)"
ac "$B2" describe TOPIC acl-prefix-x MATCH - >"$work/match" || fail "describe match failed"
[[ $(cat "$work/match") == 'TOPIC acl-pre PREFIXED User:bob * WRITE ALLOW' ]] ||
	fail "MATCH gave: $(cat "$work/match")"
ac "$B2" describe TOPIC acl-t1 LITERAL - >"$work/lit" || fail "describe literal failed"
[[ $(cat "$work/lit") == 'TOPIC acl-t1 LITERAL User:alice * READ ALLOW' ]] ||
	fail "LITERAL gave: $(cat "$work/lit")"

note "znodes (zkCli.sh)"
zkcli_get_many /kafka-acl/Topic/acl-t1 /kafka-acl-extended/prefixed/Topic/acl-pre \
	/kafka-acl/Group/g1 /kafka-acl/Cluster/not-the-cluster >"$work/zk" || fail "zkCli failed"
cat "$work/zk" >&2
python3 - "$work/zk" <<'PY' || fail "znode JSON differs from Kafka's"
import json, sys
want = {
    "/kafka-acl/Topic/acl-t1": [{"principal": "User:alice", "permissionType": "Allow", "operation": "Read", "host": "*"}],
    "/kafka-acl-extended/prefixed/Topic/acl-pre": [{"principal": "User:bob", "permissionType": "Allow", "operation": "Write", "host": "*"}],
    "/kafka-acl/Group/g1": [{"principal": "User:alice", "permissionType": "Deny", "operation": "Describe", "host": "127.0.0.1"}],
}
got = dict(l.split("\t", 1) for l in open(sys.argv[1]).read().splitlines())
assert got["/kafka-acl/Cluster/not-the-cluster"] == "<none>", "invalid ACL was stored"
for p, acls in want.items():
    d = json.loads(got[p])
    assert d["version"] == 1 and d["acls"] == acls, (p, d)
PY
# captured first: grep -q closing the pipe early would fail it under pipefail
chg=$(zk ls /kafka-acl-changes)
grep -q acl_changes_ <<<"$chg" || fail "no literal change notification: $chg"
nchg=$(zk ls /kafka-acl-extended-changes | grep -c acl_changes_ || true)
((nchg >= 1)) || fail "no extended change notification"

note "DeleteAcls principal User:alice through $B2"
ac "$B2" delete ANY - ANY User:alice | sort >"$work/del" || fail "delete failed"
cat "$work/del" >&2
[[ $(wc -l <"$work/del") -eq 2 ]] || fail "expected 2 deleted ACLs"
grep -qx 'GROUP g1 LITERAL User:alice 127.0.0.1 DESCRIBE DENY' "$work/del" || fail "g1 ACL not reported deleted"
ac "$B1" describe ANY - ANY - >"$work/after" || fail "describe after delete failed"
[[ $(cat "$work/after") == 'TOPIC acl-pre PREFIXED User:bob * WRITE ALLOW' ]] ||
	fail "after delete: $(cat "$work/after")"
zk exists /kafka-acl/Topic/acl-t1 >/dev/null 2>&1 && fail "empty znode /kafka-acl/Topic/acl-t1 left behind"
ac "$B3" delete ANY - ANY User:alice >"$work/del2" || fail "second delete failed"
[[ ! -s $work/del2 ]] || fail "second delete matched: $(cat "$work/del2")"
note "ok"
