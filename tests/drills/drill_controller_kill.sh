#!/usr/bin/env bash
# drill_controller_kill.sh (drill 2): `gregorctl drill controller-kill`:
# SIGKILL the controller under load; a new controller is elected, topic
# creation works through it, the old controller rejoins; no acknowledged
# write is lost. Here also: /controller_epoch grew and the topic created
# through the new controller takes writes.
source "$(dirname "$0")/drill_lib.sh"

T=dr2
NP=6
drill_up
drill_topic "$T" "$NP"
CE=$(controller_epoch)
drill_run controller-kill --topic "$T" --rate 300 --warmup 8 --down 5 --timeout 90
CE2=$(controller_epoch)
((CE2 > CE)) || fail "/controller_epoch did not grow ($CE -> $CE2)"
T2=$T-after
wait_topic_ready "$T2" 3 60
producer_start p2 -t "$T2" -n 300 -r 200 -m 30000 -k new
producer_wait p2 "$PRODUCER_PID"
((PRODUCER_ACKED == 300)) || fail "only $PRODUCER_ACKED of 300 acknowledged on $T2"
drill_verify "$T2" "$WORK/p2.acks"
drill_require_no_failures
