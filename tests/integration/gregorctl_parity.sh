#!/usr/bin/env bash
# gregorctl's parity with Kafka's tools where the path differs, on a live
# 3-broker SASL (SCRAM-SHA-256) cluster:
# - configs --bootstrap-server for users and clients: quotas set through
#   AlterClientQuotas are read back with 'gregorctl quotas', configs
#   --describe and from the znodes (zkCli); a SCRAM user added through
#   AlterUserScramCredentials authenticates with kcat, and no longer once
#   its mechanism is deleted; Kafka's refusals (quota and SCRAM keys mixed,
#   SCRAM for a client, too few iterations, deleting an unset quota).
# - reassign --zookeeper --generate prints what --bootstrap-server prints
#   for the same input, and refuses an unregistered broker.
# - reassign --zookeeper --execute --throttle writes the four throttle
#   configs (read back from the znodes, and applied by the brokers through
#   the change notifications); --verify removes them once the move is done.
# Usage: gregorctl_parity.sh GREGORCTL
source "$(dirname "$0")/lib.sh"

GCTL=${1:?usage: gregorctl_parity.sh GREGORCTL}
[[ -x $GCTL ]] || fail "gregorctl missing: $GCTL"
cluster_up 3 --sasl SCRAM-SHA-256
[[ -n $CLIENT_CONFIG && -r $CLIENT_CONFIG ]] || fail "cluster.sh up --sasl printed no CLIENT_CONFIG"
work=$(mktemp -d)
on_exit "rm -rf '$work'"
b() { timeout 60 "$GCTL" --bootstrap-server "$BOOTSTRAP" --command-config "$CLIENT_CONFIG" --timeout 15 "$@"; }
z() { timeout 60 "$GCTL" --zookeeper "$ZOOKEEPER" --timeout 15 "$@"; }
# refused WANT-RC PATTERN CMD...: CMD exits WANT-RC saying PATTERN on stderr.
refused() {
	local want=$1 pat=$2 rc=0
	shift 2
	"$@" >/dev/null 2>"$work/err" || rc=$?
	((rc == want)) && grep -q -- "$pat" "$work/err" || fail "$* : exit $rc, $(cat "$work/err")"
}

note "configs --bootstrap-server: client quotas (AlterClientQuotas)"
b configs --alter --entity-type users --entity-name 'alice@x' \
	--add-config producer_byte_rate=1048576,consumer_byte_rate=2097152 >"$work/out" ||
	fail "alter user quotas: $(cat "$work/out")"
grep -qx 'Completed updating config for user alice@x.' "$work/out" || fail "alter said: $(cat "$work/out")"
b quotas describe --user 'alice@x' >"$work/out" || fail "quotas describe"
grep -q 'producer_byte_rate=1048576' "$work/out" || fail "gregorctl quotas: $(cat "$work/out")"
b configs --describe --user 'alice@x' >"$work/out" || fail "configs --describe --user"
grep -q "^Quota configs for user-principal 'alice@x' are .*producer_byte_rate=1048576.0" "$work/out" ||
	fail "configs --describe: $(cat "$work/out")"
b configs --alter --user 'alice@x' --delete-config consumer_byte_rate >/dev/null || fail "delete a quota"
refused 1 'Invalid config(s): consumer_byte_rate' b configs --alter --user 'alice@x' --delete-config consumer_byte_rate
b configs --alter --entity-type clients --entity-default --add-config request_percentage=50 >"$work/out" ||
	fail "default client quota"
grep -qx 'Completed updating default config for clients in the cluster.' "$work/out" || fail "said: $(cat "$work/out")"
b configs --alter --user 'alice@x' --client app1 --add-config producer_byte_rate=4096 >/dev/null ||
	fail "user+client quota"
# names pair with types in order: the default user, client app2
b configs --alter --user-defaults --client app2 --add-config consumer_byte_rate=3000 >/dev/null ||
	fail "default user + client quota"
[[ $(zk_get '/config/users/<default>/clients/app2') == *'"consumer_byte_rate":"3000'* ]] ||
	fail "default user + app2 in ZooKeeper: $(zk_get '/config/users/<default>/clients/app2' 2>&1)"
b configs --describe --entity-type users --entity-type clients --json >"$work/out" || fail "describe pairs"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
sys.exit(0 if {"entity_type":"users","entity_name":"alice@x","client":"app1","configs":{"producer_byte_rate":4096.0}} in d["entities"] else 1)' \
	"$work/out" || fail "pairs: $(cat "$work/out")"
refused 64 'Cannot alter both quota and SCRAM' b configs --alter --user bob \
	--add-config 'producer_byte_rate=1,SCRAM-SHA-256=[password=x]'
refused 64 "Only quota configs can be altered for 'clients'" b configs --alter --client c1 \
	--add-config 'SCRAM-SHA-256=[password=x]'
refused 64 'Unexpected config name: retention.ms' b configs --alter --user bob --add-config retention.ms=1

note "configs --bootstrap-server: SCRAM credentials (AlterUserScramCredentials)"
b configs --alter --entity-type users --entity-name erin \
	--add-config 'SCRAM-SHA-256=[iterations=8192,password=erin-secret],SCRAM-SHA-512=[password=erin-secret]' \
	>"$work/out" || fail "add SCRAM credentials: $(cat "$work/out")"
grep -qx 'Completed updating config for user erin.' "$work/out" || fail "said: $(cat "$work/out")"
b configs --describe --entity-type users --entity-name erin >"$work/out" || fail "describe erin"
grep -q "^SCRAM credential configs for user-principal 'erin' are .*SCRAM-SHA-256=iterations=8192" "$work/out" &&
	grep -q 'SCRAM-SHA-512=iterations=4096' "$work/out" || fail "erin's credentials: $(cat "$work/out")"
refused 1 'Iterations 100 is less than the minimum 4096' b configs --alter --user erin \
	--add-config 'SCRAM-SHA-256=[iterations=100,password=x]'
# kcat_as PASSWORD: metadata as erin over SCRAM-SHA-256
kcat_as() {
	timeout 30 kcat -b "$BOOTSTRAP" -X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=SCRAM-SHA-256 \
		-X sasl.username=erin -X sasl.password="$1" -X socket.timeout.ms=8000 -m 8 -L >/dev/null 2>&1
}
wait_until 30 "erin to authenticate with SCRAM-SHA-256" kcat_as erin-secret
kcat_as wrong-secret && fail "erin authenticated with a wrong password"
b configs --alter --user erin --delete-config SCRAM-SHA-256 >/dev/null || fail "delete SCRAM-SHA-256"
b configs --describe --user erin >"$work/out" || fail "describe erin after delete"
grep -q 'SCRAM-SHA-256' "$work/out" && fail "SCRAM-SHA-256 still described: $(cat "$work/out")"
erin_refused() { ! kcat_as erin-secret; }
wait_until 30 "erin refused once SCRAM-SHA-256 is deleted" erin_refused

note "reassign --generate: --zookeeper prints what --bootstrap-server prints"
b topics --create --topic mv --partitions 4 --replication-factor 1 >/dev/null || fail "create mv"
b topics --create --topic mv2 --partitions 3 --replication-factor 2 >/dev/null || fail "create mv2"
wait_topic_ready mv 4 60
wait_topic_ready mv2 3 60
echo '{"topics":[{"topic":"mv"}],"version":1}' >"$work/move.json"
b reassign --generate --topics-to-move-json-file "$work/move.json" --broker-list 2 >"$work/gen.b" ||
	fail "generate over bootstrap: $(cat "$work/gen.b")"
z reassign --generate --topics-to-move-json-file "$work/move.json" --broker-list 2 >"$work/gen.z" ||
	fail "generate over zookeeper: $(cat "$work/gen.z")"
cmp -s "$work/gen.b" "$work/gen.z" || fail "generate differs: $(diff "$work/gen.b" "$work/gen.z")"
grep -q '"topic":"mv","partition":3,"replicas":\[2\]' "$work/gen.z" || fail "proposal: $(cat "$work/gen.z")"
# over several brokers the proposal is random, the current assignment not
echo '{"topics":[{"topic":"mv2"},{"topic":"mv"}],"version":1}' >"$work/move.json"
b reassign --generate --topics-to-move-json-file "$work/move.json" --broker-list 3,1,2 >"$work/gen.b" &&
	z reassign --generate --topics-to-move-json-file "$work/move.json" --broker-list 3,1,2 >"$work/gen.z" ||
	fail "generate over 3 brokers"
[[ $(head -n2 "$work/gen.b") == "$(head -n2 "$work/gen.z")" ]] || fail "current assignments differ"
sed -n 5p "$work/gen.z" | python3 -c 'import json,sys; p=json.load(sys.stdin)["partitions"]
ok = len(p) == 7 and all(len(set(x["replicas"])) == len(x["replicas"]) == (2 if x["topic"] == "mv2" else 1)
                          and set(x["replicas"]) <= {1, 2, 3} for x in p)
sys.exit(0 if ok else 1)' || fail "proposal over 3 brokers: $(cat "$work/gen.z")"
refused 1 'broker 9 is not registered' z reassign --generate --topics-to-move-json-file "$work/move.json" \
	--broker-list 1,9

note "reassign --zookeeper --execute --throttle, --verify removes the throttle"
refused 64 '--wait needs --bootstrap-server' z reassign --execute --reassignment-json-file "$work/move.json" --wait 5
cur=$(zk_leader mv 0)
[[ $cur =~ ^[123]$ ]] || fail "mv-0's leader: '$cur'"
new=$((cur % 3 + 1))
printf '{"version":1,"partitions":[{"topic":"mv","partition":0,"replicas":[%s]}]}\n' "$new" >"$work/plan.json"
z reassign --execute --reassignment-json-file "$work/plan.json" --throttle 50000000 >"$work/out" ||
	fail "execute --throttle: $(cat "$work/out")"
grep -q 'throttle limit was set to 50000000 B/s' "$work/out" || fail "execute said: $(cat "$work/out")"
zkcli_get_many "/config/users/alice%40x" "/config/brokers/$cur" "/config/brokers/$new" /config/topics/mv >"$work/zk"
grep -q $'^/config/users/alice%40x\t.*"producer_byte_rate":"1048576' "$work/zk" ||
	fail "zkCli: alice's quota: $(cat "$work/zk")"
for id in "$cur" "$new"; do
	grep "^/config/brokers/$id"$'\t' "$work/zk" | grep -q '"leader.replication.throttled.rate":"50000000"' &&
		grep "^/config/brokers/$id"$'\t' "$work/zk" | grep -q '"follower.replication.throttled.rate":"50000000"' ||
		fail "zkCli: broker $id's rates: $(cat "$work/zk")"
done
grep $'^/config/topics/mv\t' "$work/zk" | grep -q "\"leader.replication.throttled.replicas\":\"0:$cur\"" &&
	grep $'^/config/topics/mv\t' "$work/zk" | grep -q "\"follower.replication.throttled.replicas\":\"0:$new\"" ||
	fail "zkCli: mv's throttled replicas: $(cat "$work/zk")"
# the change notifications reach the brokers: they serve the new rate
applied() { b configs --describe --broker "$new" | grep -q '^  leader.replication.throttled.rate=50000000 '; }
wait_until 30 "broker $new to apply the throttle rate" applied
verified() { z reassign --verify --reassignment-json-file "$work/plan.json" >"$work/out"; }
wait_until 60 "mv-0 moved to $new" verified
grep -qx 'Reassignment of partition mv-0 is completed' "$work/out" && grep -qx 'Throttle was removed.' "$work/out" ||
	fail "verify said: $(cat "$work/out")"
for n in "/config/brokers/$cur" "/config/brokers/$new" /config/topics/mv; do
	zk_get "$n" | grep -q 'throttled' && fail "$n still throttled: $(zk_get "$n")"
done
note "configs over bootstrap for users/clients, generate and throttle over zookeeper checked"
