#!/usr/bin/env bash
# zkcli_recipes.sh: every recipe of docs/operations.md, typed into Debian's
# zkCli.sh exactly as written there, against a live 3-broker cluster, and its
# effect checked. The commands come from the page itself, so the page cannot
# drift from what works.
source "$(dirname "$0")/lib.sh"

T=orders

# run_recipe NAME: types the recipe into one zkCli.sh session; prints its output.
run_recipe() {
	local cmds=()
	mapfile -t cmds < <(ops_recipe "$1")
	((${#cmds[@]} > 0)) || fail "docs/operations.md has no recipe '$1'"
	note "recipe $1: ${cmds[*]}"
	zkcli "${cmds[@]}"
}

gone() { ! zk_exists "$1" 2>/dev/null; }
not_leader() { ! leader_is "$@"; }
epoch_past() { (($(zk_get /controller_epoch) > $1)); }

json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

cluster_up 3

# brokers
out=$(run_recipe brokers)
grep -q '^\[1, 2, 3\]$' <<<"$out" || fail "ls /brokers/ids did not list [1, 2, 3]: $out"
grep -q '"endpoints":\["PLAINTEXT://' <<<"$out" || fail "registration of broker 1 lacks endpoints: $out"

# create-topic (the other recipes work on it)
out=$(run_recipe create-topic)
grep -q "^Created /brokers/topics/$T\$" <<<"$out" || fail "create-topic: $out"
wait_topic_ready "$T" 3 60

# partition-state
out=$(run_recipe partition-state)
state=$(grep '^{.*"leader"' <<<"$out") || fail "partition-state printed no state: $out"
[[ $(json_field leader <<<"$state") == 1 ]] || fail "orders-0 should be led by its preferred replica 1: $state"
[[ $(json_field isr <<<"$state") == "[1, 2, 3]" ]] || note "isr still forming: $state"

# controller: delete /controller, a controller comes back with the epoch + 1
epoch0=$(zk_get /controller_epoch)
out=$(run_recipe controller)
grep -q '"brokerid"' <<<"$out" || fail "get /controller printed no brokerid: $out"
grep -qx "$epoch0" <<<"$out" || fail "get /controller_epoch did not print $epoch0: $out"
wait_until 30 "a new controller" zk_exists /controller
wait_until 30 "controller epoch past $epoch0" epoch_past "$epoch0"

# topic-config: max.message.bytes 2000 refuses a 3,000-byte record
work=$(mktemp -d)
on_exit "rm -rf '$work'"
out=$(run_recipe topic-config)
grep -q 'Created /config/changes/config_change_' <<<"$out" || fail "topic-config: no change notification: $out"
head -c 3000 /dev/zero | tr '\0' x >"$work/big"
too_large() {
	! kc -P -t "$T" -p 0 -X acks=all -X message.max.bytes=100000 "$work/big" 2>"$work/err" &&
		grep -qi 'too large\|MSG_SIZE_TOO_LARGE' "$work/err"
}
wait_until 30 "a 3,000-byte record refused" too_large
[[ $(zk_get "/config/topics/$T" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["retention.ms"])') == 3600000 ]] ||
	fail "retention.ms not in /config/topics/$T"

# quota: a producer with client id batch-loader is throttled, others not
out=$(run_recipe quota)
grep -q 'Created /config/changes/config_change_' <<<"$out" || fail "quota: no change notification: $out"
# produce_throttle CLIENT_ID: throttle_time_ms of a 50 KB Produce to orders-0
produce_throttle() {
	PYTHONPATH="$GREGOR_SOURCE_ROOT/tests/lib" python3 - "$1" <<'PY'
import socket, struct, sys
from kafka_admin import find_leader
from kafka_wire import addr_of, batch, kstr, request
import os
leader = find_leader(addr_of(os.environ["BOOTSTRAP"].split(",")[0]), b"orders")
blob = batch([b"x" * 50000])
body = struct.pack(">h", -1) + struct.pack(">hi", 1, 10000) + struct.pack(">i", 1)
body += kstr(b"orders") + struct.pack(">i", 1) + struct.pack(">ii", 0, len(blob)) + blob
with socket.create_connection(leader, timeout=30) as s:
    print(struct.unpack(">i", request(s, 0, 7, 1, body, client_id=sys.argv[1].encode())[-4:])[0])
PY
}
throttled() { (($(produce_throttle batch-loader) > 0)); }
wait_until 30 "batch-loader throttled" throttled
(($(produce_throttle other-client) == 0)) || fail "quota: a client without a quota was throttled"

# preferred-election: move orders-0 away from broker 1, then elect it back
cluster kill 1
wait_until 30 "orders-0 led by another broker" not_leader "$T" 0 1
cluster start 1
in_isr() { zk_get "/brokers/topics/$T/partitions/0/state" | grep '"isr":\[[^]]*1' >/dev/null; }
wait_until 60 "broker 1 back in the ISR of orders-0" in_isr
out=$(run_recipe preferred-election)
grep -q 'Created /admin/preferred_replica_election' <<<"$out" || fail "preferred-election: $out"
wait_until 30 "broker 1 leads orders-0 again" leader_is "$T" 0 1
wait_until 30 "election znode removed" gone /admin/preferred_replica_election

# reassign-throttle: brokers 2 and 1 apply their rates
out=$(run_recipe reassign-throttle)
(($(grep -c 'Created /config/changes/config_change_' <<<"$out") == 3)) ||
	fail "reassign-throttle: not three change notifications: $out"
throttle_applied() {
	grep -q "leader replication throttle: 10485760 bytes/s" "$CLUSTER_DIR/logs/broker-2.log" &&
		grep -q "follower replication throttle: 10485760 bytes/s" "$CLUSTER_DIR/logs/broker-1.log"
}
wait_until 30 "brokers 2 and 1 apply the replication throttles" throttle_applied

# reassign: orders-1 from [2,3,1] to [1,2]
out=$(run_recipe reassign)
grep -q 'Created /admin/reassign_partitions' <<<"$out" || fail "reassign: $out"
reassigned() {
	gone /admin/reassign_partitions &&
		zk_get "/brokers/topics/$T" | grep '"1":\[1,2\]' >/dev/null
}
wait_until 90 "orders-1 moved to [1,2]" reassigned

# delete-topic
out=$(run_recipe delete-topic)
grep -q "Created /admin/delete_topics/$T" <<<"$out" || fail "delete-topic: $out"
wait_until 60 "topic znode gone" gone "/brokers/topics/$T"
wait_until 30 "delete request removed" gone "/admin/delete_topics/$T"
note "every recipe of docs/operations.md worked as written"
