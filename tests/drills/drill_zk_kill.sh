#!/usr/bin/env bash
# drill_zk_kill.sh (drill 4): SIGKILL the ZooKeeper leader (one server of
# three) under load; the quorum holds, brokers keep their registrations,
# producing and consuming go on; the server comes back; no loss.
source "$(dirname "$0")/drill_lib.sh"

T=dr4
NP=6
drill_up
drill_topic "$T" "$NP"

# zk_mode N: "leader" or "follower" from the srvr four-letter word.
zk_mode() {
	local h=${ZOOKEEPER%%:*} out
	# shellcheck disable=SC2016 # expanded by the inner shell
	out=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"; printf srvr >&3; cat <&3' _ "$h" \
		"$((ZK_PORT_BASE + $1 - 1))" 2>/dev/null) || return 1
	sed -n 's/^Mode: //p' <<<"$out"
}

producer_start p1 -t "$T" -s 40 -r 300 -m 60000
P1=$PRODUCER_PID
T0=$(now_ns)
sleep 8
Z=""
for n in 1 2 3; do [[ $(zk_mode "$n") == leader ]] && Z=$n; done
[[ -n $Z ]] || fail "no ZooKeeper server says it is the leader"
note "killing ZooKeeper server $Z (the ensemble leader)"
K=$(ms_since "$T0")
cluster zk-kill "$Z"
sleep 15
[[ $(zk_ls /brokers/ids | tr '\n' ' ') == "1 2 3 " ]] || fail "registrations lost with 2 of 3 ZooKeeper servers"
for b in 1 2 3; do pid_alive "$(broker_pid "$b")" || fail "broker $b died"; done
# Consuming goes on: a read of every partition with one server down.
"$ACKED_BIN_DIR/acked_verify" -b "$BOOTSTRAP" -t "$T" -T 60 /dev/null >"$WORK/mid.out" ||
	{ cat "$WORK/mid.out" >&2; fail "reading $T with a ZooKeeper server down failed"; }
note "read with ZooKeeper server $Z down: $(tail -n 1 "$WORK/mid.out")"
M=$(ms_since "$T0")
cluster zk-start "$Z"
producer_wait p1 "$P1"
n=$(acks_between "$WORK/p1.acks" "$((K + 2000))" "$M")
note "acknowledged while ZooKeeper server $Z was down: $n"
((n > 1000)) || fail "producing stalled with a ZooKeeper server down ($n acks in $(((M - K) / 1000)) s)"
wait_isr_full "$T" "$NP" 60
drill_verify "$T" "$WORK/p1.acks"
drill_require_no_failures
