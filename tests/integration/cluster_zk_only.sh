#!/usr/bin/env bash
# cluster_zk_only.sh: cluster.sh with --brokers 0 runs a 3-server ZooKeeper
# ensemble alone: quorum forms, data written through one server is read
# through another and through zkCli.sh, one server may die (quorum holds),
# two may not (no quorum), zk-start brings them back, down stops every pid.
source "$(dirname "$0")/lib.sh"

cluster_up 0 --zookeepers 3
[[ -z $BOOTSTRAP ]] || fail "BOOTSTRAP should be empty without brokers, got '$BOOTSTRAP'"
[[ $ZOOKEEPER == "127.0.0.1:$ZK_PORT_BASE,127.0.0.1:$((ZK_PORT_BASE + 1)),127.0.0.1:$((ZK_PORT_BASE + 2))" ]] ||
	fail "unexpected ZOOKEEPER=$ZOOKEEPER"

zkat() { python3 "$ZKQ" -s "127.0.0.1:$((ZK_PORT_BASE + $1 - 1))" -t 2 "${@:2}"; }

zkat 1 create /it-probe '{"v":1}' || fail "create through server 1"
[[ $(zkat 3 get /it-probe) == '{"v":1}' ]] || fail "server 3 does not see server 1's write"
out=$(zkcli_get_many /it-probe /it-missing)
[[ $out == $'/it-probe\t{"v":1}\n/it-missing\t<none>' ]] || fail "zkCli.sh read: $out"

st=$(cluster status) || fail "status non-zero with everything up: $st"
[[ $(grep -c 'serving$' <<<"$st") == 3 ]] || fail "not all 3 servers serving: $st"

cluster zk-kill 1 || fail "zk-kill 1"
[[ ! -f $CLUSTER_DIR/pids/zk-1.pid ]] || fail "pid file of server 1 left after zk-kill"
zkat 2 set /it-probe two || fail "write with 2 of 3 servers"
cluster status >/dev/null && fail "status should be non-zero with a server down"
cluster zk-kill 2 || fail "zk-kill 2"
zkat 3 get /it-probe >/dev/null 2>&1 && fail "server 3 serves without a quorum"
cluster zk-start 2 || fail "zk-start 2"
wait_until 30 "server 3 serving again" zkat 3 ping
cluster zk-start 1 || fail "zk-start 1"
wait_until 30 "server 1 serving again" zkat 1 ping
[[ $(zkat 1 get /it-probe) == two ]] || fail "restarted server 1 lacks the write made while it was down"

pids=$(cat "$CLUSTER_DIR"/pids/*.pid)
[[ $(wc -w <<<"$pids") == 3 ]] || fail "expected 3 pid files, got: $pids"
cluster down || fail "down"
for p in $pids; do
	! pid_alive "$p" || fail "pid $p alive after down"
done
ls "$CLUSTER_DIR"/pids/*.pid >/dev/null 2>&1 && fail "pid files left after down"
exit 0
