#!/usr/bin/env bash
# drill_leader_kill.sh (drill 1): `gregorctl drill leader-kill`: SIGKILL the
# leader of partition 0 while an acks=all load runs; a new leader comes from
# the ISR; the killed broker restarts, catches up and is back in the ISR of
# every partition; no acknowledged write is lost. Here also: the leader
# epoch of partition 0 grew (state znode).
source "$(dirname "$0")/drill_lib.sh"

T=dr1
NP=6
drill_up
drill_topic "$T" "$NP"
E=$(pstate "$T" 0 leader_epoch)
drill_run leader-kill --topic "$T" --rate 300 --warmup 8 --down 5 --timeout 90
show_states "$T" "$NP" >&2
(($(pstate "$T" 0 leader_epoch) > E)) || fail "leader epoch of $T-0 did not grow (was $E)"
