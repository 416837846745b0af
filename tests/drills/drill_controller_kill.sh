#!/usr/bin/env bash
# drill_controller_kill.sh (drill 2): SIGKILL the controller under load; a
# new controller is elected (/controller names another broker,
# /controller_epoch grows), topic creation works through it, the old
# controller rejoins; no acknowledged write is lost.
source "$(dirname "$0")/drill_lib.sh"

T=dr2
NP=6
drill_up
drill_topic "$T" "$NP"
producer_start p1 -t "$T" -s 40 -r 300 -m 60000
P1=$PRODUCER_PID
sleep 8
C=$(controller_id)
CE=$(controller_epoch)
note "killing controller $C (controller epoch $CE)"
cluster kill "$C"
new_controller() { local c; c=$(controller_id 2>/dev/null) && [[ $c != "$C" ]]; }
wait_until 30 "a new controller" new_controller
C2=$(controller_id)
CE2=$(controller_epoch)
note "new controller $C2 (controller epoch $CE2)"
((CE2 > CE)) || fail "/controller_epoch did not grow ($CE -> $CE2)"
T2=dr2new
drill_admin_ok() { "$DRILL_BIN_DIR/drill_admin" -b "$BOOTSTRAP" -t "$T2" -p 3 -r 2 >&2; }
drill_admin_ok || fail "CreateTopics after the controller change failed"
wait_topic_ready "$T2" 3 60
producer_start p2 -t "$T2" -n 300 -r 200 -m 30000 -k new
P2=$PRODUCER_PID
producer_wait p2 "$P2"
((PRODUCER_ACKED == 300)) || fail "only $PRODUCER_ACKED of 300 acknowledged on the new topic"
cluster start "$C"
wait_isr_full "$T" "$NP" 90
show_states "$T" "$NP" >&2
producer_wait p1 "$P1"
drill_verify "$T" "$WORK/p1.acks"
drill_verify "$T2" "$WORK/p2.acks"
drill_require_no_failures
