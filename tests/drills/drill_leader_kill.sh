#!/usr/bin/env bash
# drill_leader_kill.sh (drill 1): SIGKILL the leader of partition 0 while an
# acks=all producer runs; a new leader comes from the ISR; the killed broker
# restarts, catches up and is back in the ISR of every partition (state
# znodes); no acknowledged write is lost.
source "$(dirname "$0")/drill_lib.sh"

T=dr1
NP=6
drill_up
drill_topic "$T" "$NP"
producer_start p1 -t "$T" -s 40 -r 300 -m 60000
sleep 8
L=$(pstate "$T" 0 leader)
E=$(pstate "$T" 0 leader_epoch)
note "killing broker $L (leader of $T-0 at epoch $E)"
cluster kill "$L"
new_leader() { local l; l=$(pstate "$T" 0 leader) && [[ $l != "$L" && $l -gt 0 ]]; }
wait_until 30 "a new leader of $T-0" new_leader
note "new leader of $T-0: $(pstate "$T" 0 leader) epoch $(pstate "$T" 0 leader_epoch) isr $(pstate "$T" 0 isr)"
(($(pstate "$T" 0 leader_epoch) > E)) || fail "leader epoch of $T-0 did not grow"
[[ ,$(pstate "$T" 0 isr), != *",$L,"* ]] || fail "killed broker $L still in the ISR of $T-0"
sleep 5
cluster start "$L"
wait_isr_full "$T" "$NP" 90
show_states "$T" "$NP" >&2
producer_wait p1 "$PRODUCER_PID"
drill_verify "$T" "$WORK/p1.acks"
drill_require_no_failures
