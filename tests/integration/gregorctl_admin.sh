#!/usr/bin/env bash
# gregorctl's kafka-topics, kafka-configs and kafka-acls counterparts on a
# live 3-broker cluster with the ACL authorizer (User:ANONYMOUS a super
# user, so the plaintext tool may do everything). Each change is checked
# through another path than the one that made it: topics created over
# --bootstrap-server are read back from ZooKeeper and kcat, configs altered
# over the Kafka protocol are read from /config/..., configs written over
# --zookeeper are read back with DescribeConfigs, ACLs added are listed in
# JSON and in /kafka-acl. Usage: gregorctl_admin.sh GREGORCTL
source "$(dirname "$0")/lib.sh"

# exited_with RC WANT PATTERN FILE: RC is WANT and FILE matches PATTERN.
exited_with() { (($1 == $2)) && grep -q "$3" "$4"; }

GCTL=${1:?usage: gregorctl_admin.sh GREGORCTL}
[[ -x $GCTL ]] || fail "gregorctl missing: $GCTL"
cluster_up 3 --set authorizer.class.name=kafka.security.authorizer.AclAuthorizer \
	--set super.users=User:ANONYMOUS
work=$(mktemp -d)
on_exit "rm -rf '$work'"
b() { timeout 60 "$GCTL" --bootstrap-server "$BOOTSTRAP" --timeout 15 "$@"; }
z() { timeout 60 "$GCTL" --zookeeper "$ZOOKEEPER" --timeout 15 "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($1) else 1)"; }

note "topics over --bootstrap-server"
b topics --create --topic adm --partitions 3 --replication-factor 2 --config retention.ms=3600000 \
	>"$work/out" || fail "create: $(cat "$work/out")"
grep -qx "Created topic adm." "$work/out" || fail "create said: $(cat "$work/out")"
b topics --create --topic adm --partitions 3 --replication-factor 2 --if-not-exists ||
	fail "--if-not-exists on an existing topic failed"
rc=0
b topics --create --topic adm --partitions 3 --replication-factor 2 2>"$work/err" || rc=$?
exited_with "$rc" 1 TOPIC_ALREADY_EXISTS "$work/err" || fail "second create: exit $rc, $(cat "$work/err")"
b topics --create --topic adm-ra --replica-assignment 1:2,2:3,3:1,1:3 >/dev/null ||
	fail "create --replica-assignment"
[[ $(zk_get /brokers/topics/adm-ra) == *'"0":[1,2]'*'"3":[1,3]'* ]] ||
	fail "adm-ra assignment in ZooKeeper: $(zk_get /brokers/topics/adm-ra)"
[[ $(zk_get /config/topics/adm) == *'"retention.ms":"3600000"'* ]] ||
	fail "adm's --config not in /config/topics/adm: $(zk_get /config/topics/adm)"
wait_topic_ready adm 3 60
wait_topic_ready adm-ra 4 60
b topics --alter --topic adm --partitions 5 >/dev/null || fail "alter --partitions 5"
wait_topic_ready adm 5 60
b topics --describe --topic adm --json >"$work/desc" || fail "describe --json"
json 'd["topics"][0]["partition_count"] == 5 and d["topics"][0]["replication_factor"] == 2 and d["topics"][0]["configs"] == {"retention.ms": "3600000"}' \
	<"$work/desc" || fail "describe --json: $(cat "$work/desc")"
b topics --describe --topic adm | grep -c $'^\tTopic: adm\tPartition:' | grep -qx 5 ||
	fail "describe text: $(b topics --describe --topic adm)"
[[ -z $(b topics --describe --under-replicated-partitions --exclude-internal) ]] ||
	fail "under-replicated partitions on a healthy cluster"
# min.insync.replicas 3 over RF 2: every partition of adm is under it
b configs --alter --topic adm --add-config min.insync.replicas=3 >/dev/null || fail "set min.insync.replicas"
under_min() { [[ $(b topics --describe --under-min-isr-partitions --topic adm | grep -c 'Partition:') == 5 ]]; }
wait_until 30 "5 partitions of adm under min ISR" under_min
b topics --list --exclude-internal --json | json 'sorted(t["name"] for t in d["topics"]) == ["adm", "adm-ra"]' ||
	fail "list: $(b topics --list --json)"
b topics --delete --topic adm-ra >/dev/null || fail "delete adm-ra"
gone() { ! zk_exists /brokers/topics/adm-ra; }
wait_until 60 "adm-ra deleted" gone
b topics --delete --topic adm-ra --if-exists || fail "--if-exists delete of a deleted topic"

note "configs over --bootstrap-server"
b configs --alter --entity-type topics --entity-name adm \
	--add-config 'cleanup.policy=[compact,delete],segment.ms=600000' >/dev/null || fail "alter topic configs"
[[ $(zk_get /config/topics/adm) == *'"cleanup.policy":"compact,delete"'*'"segment.ms":"600000"'* ||
	$(zk_get /config/topics/adm) == *'"segment.ms":"600000"'*'"cleanup.policy":"compact,delete"'* ]] ||
	fail "/config/topics/adm: $(zk_get /config/topics/adm)"
b configs --describe --topic adm --json >"$work/cfg" || fail "describe topic configs"
json '{c["name"]: c["value"] for c in d["entities"][0]["configs"]} == {"retention.ms": "3600000", "min.insync.replicas": "3", "cleanup.policy": "compact,delete", "segment.ms": "600000"}' \
	<"$work/cfg" || fail "described: $(cat "$work/cfg")"
b configs --alter --topic adm --delete-config segment.ms,min.insync.replicas >/dev/null ||
	fail "--delete-config"
[[ $(zk_get /config/topics/adm) != *segment.ms* ]] || fail "segment.ms still set: $(zk_get /config/topics/adm)"
b configs --describe --topic adm | grep -q '^  segment.ms=' && fail "segment.ms still described"
rc=0
b configs --alter --topic adm --add-config no.such.key=1 2>"$work/err" || rc=$?
exited_with "$rc" 1 INVALID_CONFIG "$work/err" || fail "unknown key: exit $rc, $(cat "$work/err")"
b configs --alter --entity-type brokers --entity-default --add-config log.retention.ms=7200000 >/dev/null ||
	fail "broker default"
[[ $(zk_get '/config/brokers/<default>') == *'"log.retention.ms":"7200000"'* ]] ||
	fail "broker default not in ZooKeeper: $(zk_get '/config/brokers/<default>')"
b configs --describe --broker-defaults | grep -q '^  log.retention.ms=7200000 .*DYNAMIC_DEFAULT_BROKER_CONFIG' ||
	fail "broker default describe: $(b configs --describe --broker-defaults)"
b configs --alter --broker 2 --add-config log.cleaner.threads=2 >/dev/null || fail "broker 2 config"
b configs --describe --entity-type brokers --entity-name 2 --json |
	json 'any(c["name"] == "log.cleaner.threads" and c["value"] == "2" and c["source"] == "DYNAMIC_BROKER_CONFIG" for c in d["entities"][0]["configs"])' ||
	fail "broker 2 describe: $(b configs --describe --broker 2 --json)"

note "configs over --zookeeper (ConfigCommand's way: znode + change notification)"
before=$(zk_ls /config/changes | wc -l)
z configs --alter --topic adm --add-config max.message.bytes=65536 >/dev/null || fail "zk alter"
((($(zk_ls /config/changes | wc -l)) > before)) || fail "no change notification written"
by_kafka() { b configs --describe --topic adm | grep -q '^  max.message.bytes=65536 '; }
wait_until 30 "the brokers to apply the ZooKeeper-written config" by_kafka
z configs --alter --entity-type users --entity-name 'alice@example' --add-config producer_byte_rate=1048576 \
	>/dev/null || fail "zk user config"
[[ $(zk_get /config/users/alice%40example) == *'"producer_byte_rate":"1048576"'* ]] ||
	fail "user config: $(zk_get /config/users/alice%40example)"
z configs --alter --entity-type users --entity-name 'alice@example' --entity-type clients \
	--entity-name app1 --add-config consumer_byte_rate=2048 >/dev/null || fail "zk user+client config"
[[ $(zk_get /config/users/alice%40example/clients/app1) == *'"consumer_byte_rate":"2048"'* ]] ||
	fail "user+client config"
z configs --describe --entity-type clients --entity-default >/dev/null || fail "describe default client"
z configs --describe --entity-type users --json | json 'd["entities"][0]["configs"]["producer_byte_rate"] == "1048576"' ||
	fail "zk describe users: $(z configs --describe --entity-type users --json)"
rc=0
z configs --alter --topic adm --delete-config not.set 2>"$work/err" || rc=$?
((rc == 1)) || fail "deleting an unset key over ZooKeeper: exit $rc"

note "acls"
b acls --add --allow-principal User:alice --producer --topic adm --transactional-id tx1 --idempotent \
	>"$work/acl" || fail "acls --add --producer: $(cat "$work/acl")"
b acls --add --allow-principal User:bob --consumer --topic adm --group g1 >/dev/null || fail "--consumer"
b acls --add --deny-principal User:eve --deny-host 10.0.0.1 --operation Read --operation DESCRIBE_CONFIGS \
	--topic ad --resource-pattern-type prefixed >/dev/null || fail "prefixed deny"
b acls --list --json >"$work/acls" || fail "acls --list --json"
python3 - "$work/acls" <<'PY' || fail "acls listed: $(cat "$work/acls")"
import json, sys
acls = {(a["resource_type"], a["name"], a["pattern_type"], a["principal"], a["host"], a["operation"],
         a["permission_type"]) for a in json.load(open(sys.argv[1]))["acls"]}
want = {("TOPIC", "adm", "LITERAL", "User:alice", "*", op, "ALLOW") for op in ("Write", "Describe", "Create")}
want |= {("TRANSACTIONAL_ID", "tx1", "LITERAL", "User:alice", "*", op, "ALLOW") for op in ("Write", "Describe")}
want.add(("CLUSTER", "kafka-cluster", "LITERAL", "User:alice", "*", "IdempotentWrite", "ALLOW"))
want |= {("TOPIC", "adm", "LITERAL", "User:bob", "*", op, "ALLOW") for op in ("Read", "Describe")}
want.add(("GROUP", "g1", "LITERAL", "User:bob", "*", "Read", "ALLOW"))
want |= {("TOPIC", "ad", "PREFIXED", "User:eve", "10.0.0.1", op, "DENY") for op in ("Read", "DescribeConfigs")}
sys.exit(0 if acls == want else print(sorted(acls ^ want)) or 1)
PY
zk_ls /kafka-acl/Topic | grep -qx adm || fail "no /kafka-acl/Topic/adm"
b acls --list --topic adm --principal User:bob | grep -c 'principal=User:bob' | grep -qx 2 ||
	fail "list --principal: $(b acls --list --topic adm --principal User:bob)"
b acls --remove --allow-principal User:bob --consumer --topic adm --group g1 >/dev/null || fail "remove bob"
b acls --list --topic adm --json | json 'all(a["principal"] == "User:alice" for a in d["acls"]) and len(d["acls"]) == 3' ||
	fail "after removing bob: $(b acls --list --topic adm --json)"
b acls --remove --topic adm --force >/dev/null || fail "remove all of adm"
b acls --list --topic adm --json | json 'd["acls"] == []' || fail "adm still has ACLs"
rc=0
b acls --add --allow-principal alice --topic adm 2>/dev/null || rc=$?
((rc == 1)) || fail "a principal without TYPE: exit $rc"

note "acls over ZooKeeper (kafka-acls --authorizer-properties zookeeper.connect=...)"
z acls --add --allow-principal User:zed --consumer --topic zt --group zg >/dev/null || fail "zk acls --add"
"$GCTL" acls --authorizer-properties "zookeeper.connect=$ZOOKEEPER" --add --deny-principal User:zed \
	--operation Write --topic zp --resource-pattern-type prefixed >/dev/null || fail "--authorizer-properties --add"
[[ $(zk_get /kafka-acl/Topic/zt) == *'"principal":"User:zed","permissionType":"Allow","operation":"Read","host":"*"'* ]] ||
	fail "/kafka-acl/Topic/zt: $(zk_get /kafka-acl/Topic/zt)"
zk_exists /kafka-acl-extended/prefixed/Topic/zp || fail "no prefixed ACL node"
# the brokers follow the change notifications: DescribeAcls sees them
by_brokers() {
	b acls --list --principal User:zed --json | python3 -c '
import json, sys
a = {(x["name"], x["operation"], x["permission_type"]) for x in json.load(sys.stdin)["acls"]}
sys.exit(0 if a == {("zt", "Read", "ALLOW"), ("zt", "Describe", "ALLOW"), ("zg", "Read", "ALLOW"), ("zp", "Write", "DENY")} else 1)'
}
wait_until 30 "brokers to serve the ACLs written to ZooKeeper" by_brokers
z acls --remove --allow-principal User:zed --operation Read --topic zt >/dev/null || fail "zk acls --remove"
z acls --list --topic zt --json | json '[(a["principal"], a["operation"]) for a in d["acls"]] == [("User:zed", "Describe")]' ||
	fail "after the zk remove: $(z acls --list --topic zt --json)"
z acls --remove --topic zt --group zg --force >/dev/null || fail "zk remove all of zt, zg"
z acls --remove --topic zp --resource-pattern-type prefixed --force >/dev/null || fail "zk remove zp"
zk_exists /kafka-acl-extended/prefixed/Topic/zp && fail "the prefixed node is left"
z acls --list --topic zt --json | json 'd["acls"] == []' || fail "zt still has ACLs"
zk_exists /kafka-acl/Topic/zt && fail "/kafka-acl/Topic/zt left after removing all"

note "reassign and leader-election over --zookeeper, election over the Kafka protocol"
printf '{"version":1,"partitions":[{"topic":"adm","partition":0,"replicas":[3,1]}]}\n' >"$work/plan.json"
z reassign --execute --reassignment-json-file "$work/plan.json" >"$work/out" ||
	fail "reassign --zookeeper --execute: $(cat "$work/out")"
zk_moved() { z reassign --verify --reassignment-json-file "$work/plan.json" >"$work/out"; }
wait_until 60 "adm-0 moved to 3,1" zk_moved
grep -qx 'Reassignment of partition adm-0 is completed' "$work/out" || fail "verify: $(cat "$work/out")"
[[ $(zk_get /brokers/topics/adm) == *'"0":[3,1]'* ]] || fail "adm-0 in ZooKeeper: $(zk_get /brokers/topics/adm)"
z leader-election --election-type PREFERRED --topic adm >"$work/out" || fail "preferred election over ZooKeeper"
grep -q '^Started preferred replica election for 5 partition' "$work/out" || fail "election: $(cat "$work/out")"
led_by_3() { [[ $(zk_leader adm 0) == 3 ]]; }
wait_until 60 "adm-0 led by its preferred replica 3" led_by_3
b leader-election --election-type PREFERRED --all-topic-partitions >"$work/out" ||
	fail "election of every partition: $(cat "$work/out")"
note "topics, configs, acls, reassign and elections checked"
