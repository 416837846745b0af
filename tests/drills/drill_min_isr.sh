#!/usr/bin/env bash
# drill_min_isr.sh (drill 6): min.insync.replicas=2 and two of three
# brokers stopped: acks=all produce is refused (NOT_ENOUGH_REPLICAS after
# the retries), acks=1 still succeeds; with the brokers back acks=all works
# again; every acknowledged write is in the final logs.
source "$(dirname "$0")/drill_lib.sh"

T=dr6
NP=3
drill_up
drill_topic "$T" "$NP"
producer_start before -t "$T" -n 300 -r 300 -m 30000 -k before
producer_wait before "$PRODUCER_PID"
((PRODUCER_ACKED == 300)) || fail "healthy cluster: $PRODUCER_ACKED of 300 acknowledged"
cluster stop 2
cluster stop 3
only1() {
	local p
	for ((p = 0; p < NP; p++)); do
		[[ $(pstate "$T" "$p" isr) == 1 && $(pstate "$T" "$p" leader) == 1 ]] || return 1
	done
}
wait_until 60 "broker 1 alone leading with ISR [1]" only1
show_states "$T" "$NP" >&2

producer_start all -t "$T" -n 60 -r 100 -a all -m 15000 -k all -X retries=3
producer_wait all "$PRODUCER_PID"
((PRODUCER_ACKED == 0)) || fail "acks=all acknowledged $PRODUCER_ACKED writes with ISR [1] and min.insync.replicas=2"
((PRODUCER_FAILED == 60)) || fail "acks=all: $PRODUCER_FAILED of 60 failed"
grep -q '^error NOT_ENOUGH_REPLICAS' "$WORK/all.out" || fail "acks=all failed without NOT_ENOUGH_REPLICAS"
DRILL_FAILED_PRODUCE=0

producer_start one -t "$T" -n 300 -r 300 -a 1 -m 15000 -k one
producer_wait one "$PRODUCER_PID"
((PRODUCER_ACKED == 300)) || fail "acks=1 with one broker: $PRODUCER_ACKED of 300 acknowledged"

cluster start 2
cluster start 3
wait_isr_full "$T" "$NP" 90
producer_start after -t "$T" -n 300 -r 300 -m 30000 -k after
producer_wait after "$PRODUCER_PID"
((PRODUCER_ACKED == 300)) || fail "after recovery: $PRODUCER_ACKED of 300 acknowledged"
drill_verify "$T" "$WORK/before.acks" "$WORK/one.acks" "$WORK/after.acks"
drill_require_no_failures
