#!/usr/bin/env bash
# cluster_tool.sh: deploy/cluster.sh's commands on a real cluster of 3
# brokers and a 3-server ZooKeeper ensemble: status, kill (SIGKILL; the
# registration vanishes after the session timeout), stop (SIGTERM; clean
# exit), start (same config and data; registers again), zk-kill/zk-start of
# one ZooKeeper server without disturbing the brokers, and down.
source "$(dirname "$0")/lib.sh"

cluster_up 3 --zookeepers 3 --set zookeeper.session.timeout.ms=3000
[[ $BOOTSTRAP == "127.0.0.1:$PORT_BASE,127.0.0.1:$((PORT_BASE + 1)),127.0.0.1:$((PORT_BASE + 2))" ]] ||
	fail "BOOTSTRAP=$BOOTSTRAP"
for b in 1 2 3; do
	grep -qx "broker.id=$b" "$CLUSTER_DIR/broker/$b/server.properties" || fail "broker $b config lacks broker.id"
	grep -qx "zookeeper.session.timeout.ms=3000" "$CLUSTER_DIR/broker/$b/server.properties" || fail "--set not applied to broker $b"
	[[ $(grep -c '^zookeeper.session.timeout.ms=' "$CLUSTER_DIR/broker/$b/server.properties") == 1 ]] ||
		fail "--set key duplicated in broker $b config"
done

st=$(cluster status) || fail "status non-zero on a healthy cluster: $st"
[[ $(grep -c '^broker [123]: running' <<<"$st") == 3 ]] || fail "status: $st"
grep -qx 'registered: 1 2 3' <<<"$st" || fail "status registered line: $st"
grep -qE '^controller: [123]$' <<<"$st" || fail "status controller line: $st"

registered() { [[ " $(zk_ls /brokers/ids | tr '\n' ' ')" == *" $1 "* ]]; }
unregistered() { ! registered "$1"; }

# kill: SIGKILL, the znode outlives the process until the session expires.
pid=$(broker_pid 2)
cluster kill 2 || fail "kill 2"
! pid_alive "$pid" || fail "broker 2 alive after kill"
st=$(cluster status) && fail "status should be non-zero with broker 2 down"
grep -qx 'broker 2: stopped' <<<"$st" || fail "status after kill: $st"
wait_until 20 "broker 2's znode to expire" unregistered 2
cluster kill 2 && fail "kill of a dead broker should fail"
cluster start 2 || fail "start 2"
registered 2 || fail "start returned before broker 2 registered"
[[ $(broker_pid 2) != "$pid" ]] || fail "start reused the old pid"

# stop: SIGTERM and a clean exit; the session is closed, no expiry wait.
pid=$(broker_pid 3)
t0=$SECONDS
cluster stop 3 || fail "stop 3"
! pid_alive "$pid" || fail "broker 3 alive after stop"
((SECONDS - t0 < 15)) || fail "broker 3 needed $((SECONDS - t0))s to stop (SIGKILL fallback?)"
wait_until 5 "broker 3's znode to go on clean shutdown" unregistered 3
out=$(cluster stop 3 2>&1) || fail "stop of a stopped broker failed: $out"
grep -q 'not running' <<<"$out" || fail "stop of a stopped broker should say so: $out"
cluster start 3 || fail "start 3"
registered 3 || fail "start returned before broker 3 registered"
out=$(cluster start 3 2>&1) || fail "start of a running broker failed: $out"
grep -q 'already running' <<<"$out" || fail "start of a running broker should say so: $out"

# One ZooKeeper server down: quorum holds, brokers stay registered.
cluster zk-kill 1 || fail "zk-kill 1"
st=$(cluster status) && fail "status should be non-zero with a ZooKeeper server down"
grep -qx 'zookeeper 1: stopped' <<<"$st" || fail "status after zk-kill: $st"
sleep 5
for b in 1 2 3; do pid_alive "$(broker_pid "$b")" || fail "broker $b died when ZooKeeper server 1 died"; done
[[ $(zk_ls /brokers/ids | tr '\n' ' ') == "1 2 3 " ]] || fail "registrations lost with 2 of 3 ZooKeeper servers up"
cluster zk-start 1 || fail "zk-start 1"
st=$(cluster status) || fail "status non-zero after everything restarted: $st"

# Bad arguments fail cleanly.
cluster kill 9 2>/dev/null && fail "kill 9 (no such broker) should fail"
"$CLUSTER_SH" status --dir "$CLUSTER_DIR/nope" 2>/dev/null && fail "status of a missing dir should fail"

pids=$(cat "$CLUSTER_DIR"/pids/*.pid)
cluster down || fail "down"
for p in $pids; do ! pid_alive "$p" || fail "pid $p alive after down"; done
note "cluster.sh commands behave"
