#!/usr/bin/env bash
# session_loss.sh: a broker frozen (SIGSTOP) longer than its ZooKeeper
# session timeout loses its session and ephemeral registration; after
# SIGCONT it opens a new session, registers again (new czxid = new broker
# epoch), the cluster keeps a controller, and clients see all 3 brokers.
source "$(dirname "$0")/lib.sh"

cluster_up 3 --set zookeeper.session.timeout.ms=2000
ctl=$(zk_get /controller | python3 -c 'import json,sys; print(json.load(sys.stdin)["brokerid"])')
# Freeze a broker that is not the controller, then the controller itself.
victims=()
for b in 1 2 3; do [[ $b == "$ctl" ]] || { victims+=("$b"); break; }; done
victims+=("$ctl")

znode_gone() { zk exists "$1"; (($? == 2)); }
controller_not() {
	local c
	c=$(zk_get /controller | python3 -c 'import json,sys; print(json.load(sys.stdin)["brokerid"])') &&
		[[ $c != "$1" ]]
}
registered_anew() { local c; c=$(zk_stat "/brokers/ids/$1" czxid) && [[ -n $c && $c != "$2" ]]; }

for b in "${victims[@]}"; do
	pid=$(broker_pid "$b")
	cz=$(zk_stat "/brokers/ids/$b" czxid)
	[[ -n $cz ]] || fail "broker $b not registered before the test"
	note "SIGSTOP broker $b (pid $pid, czxid $cz)"
	kill -STOP "$pid"
	wait_until 20 "/brokers/ids/$b to vanish after session expiry" znode_gone "/brokers/ids/$b"
	if [[ $b == "$ctl" ]]; then
		wait_until 20 "another broker to become controller" controller_not "$b"
	fi
	sleep 1
	kill -CONT "$pid"
	note "SIGCONT broker $b"
	wait_until 30 "broker $b to register with a new session" registered_anew "$b" "$cz"
	pid_alive "$pid" || fail "broker $b exited after losing its session"
done

wait_until 20 "a controller" zk_exists /controller
[[ $(zk_ls /brokers/ids | tr '\n' ' ') == "1 2 3 " ]] || fail "registered: $(zk_ls /brokers/ids | tr '\n' ' ')"
brokers_in_metadata() {
	[[ $(kc -L -J 2>/dev/null | python3 -c 'import json,sys; print(sorted(b["id"] for b in json.load(sys.stdin)["brokers"]))') == "[1, 2, 3]" ]]
}
wait_until 30 "metadata listing brokers 1, 2, 3" brokers_in_metadata
note "re-registration after session loss works"
