#!/usr/bin/env bash
# drill_zk_kill.sh (drill 4): `gregorctl drill zk-kill`: SIGKILL the
# ZooKeeper leader (one server of three, found with 'srvr') under load for
# 15 s; the quorum holds, brokers keep their registrations, producing goes
# on; the server comes back; no loss. Here also: all three brokers stayed
# in Metadata, and no partition went without acknowledgements for as long
# as the server was down.
source "$(dirname "$0")/drill_lib.sh"

T=dr4
NP=6
DOWN=15
drill_up
drill_topic "$T" "$NP"
drill_run zk-kill --topic "$T" --rate 300 --warmup 8 --down "$DOWN" --timeout 60
grep -q 'down: 3 of 3 brokers in Metadata' <<<"$DRILL_OUT" ||
	fail "brokers missing from Metadata with a ZooKeeper server down"
((DRILL_RECOVER_MS >= 0 && DRILL_RECOVER_MS < DOWN * 1000)) ||
	fail "producing stalled for ${DRILL_RECOVER_MS} ms with one ZooKeeper server of three down"
[[ $(zk_ls /brokers/ids | tr '\n' ' ') == "1 2 3 " ]] || fail "registrations lost"
