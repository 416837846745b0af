#!/usr/bin/env bash
# drill_rolling_restart.sh (drill 5): restart every broker in turn with
# SIGTERM (controlled shutdown) under an acks=all load, waiting for the
# full ISR between brokers; no produce may fail beyond retriable errors
# and no acknowledged write may be lost.
source "$(dirname "$0")/drill_lib.sh"

T=dr5
NP=6
drill_up
drill_topic "$T" "$NP"
producer_start p1 -t "$T" -s 300 -r 300 -m 60000
P1=$PRODUCER_PID
sleep 5
for b in 1 2 3; do
	note "rolling: stopping broker $b"
	t0=$SECONDS
	cluster stop "$b"
	((SECONDS - t0 < 15)) || fail "broker $b needed $((SECONDS - t0)) s to stop (SIGKILL fallback?)"
	grep -q 'gregord exited with status 0' <(tail -n 3 "$CLUSTER_DIR/logs/broker-$b.log") ||
		fail "broker $b did not exit cleanly on SIGTERM"
	cluster start "$b"
	wait_isr_full "$T" "$NP" 90
	show_states "$T" "$NP" >&2
	pid_alive "$P1" || fail "producer ended early"
done
sleep 3
kill -TERM "$P1"
producer_wait p1 "$P1"
drill_verify "$T" "$WORK/p1.acks"
drill_require_no_failures
