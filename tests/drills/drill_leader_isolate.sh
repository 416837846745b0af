#!/usr/bin/env bash
# drill_leader_isolate.sh (drill 3): cut the leader of partition 0 off from
# the other brokers, ZooKeeper and the clients (its veth down) under an
# acks=all load; the controller elects a new leader from the ISR once the
# isolated broker's session expires; heal; the old leader truncates any
# unacknowledged tail and rejoins the ISR. Whatever the isolated broker
# did meanwhile, no acknowledged offset may be missing from the final logs.
source "$(dirname "$0")/drill_lib.sh"

T=dr3
NP=6
drill_up
drill_topic "$T" "$NP"
producer_start p1 -t "$T" -s 45 -r 300 -m 60000
P1=$PRODUCER_PID
T0=$(now_ns)
sleep 8
L=$(pstate "$T" 0 leader)
E=$(pstate "$T" 0 leader_epoch)
led=$(for ((p = 0; p < NP; p++)); do if [[ $(pstate "$T" "$p" leader) == "$L" ]]; then printf '%d ' "$p"; fi; done)
note "isolating broker $L (leader of $T partitions: $led; $T-0 at epoch $E)"
ISO0=$(ms_since "$T0")
cluster isolate "$L"
new_leader() { local l; l=$(pstate "$T" 0 leader) && [[ $l != "$L" && $l -gt 0 ]]; }
wait_until 40 "a new leader of $T-0 while $L is isolated" new_leader
note "new leader of $T-0: $(pstate "$T" 0 leader) epoch $(pstate "$T" 0 leader_epoch) isr $(pstate "$T" 0 isr)"
sleep 5
ISO1=$(ms_since "$T0")
cluster heal "$L"
note "healed broker $L after $(((ISO1 - ISO0) / 1000)) s"
wait_isr_full "$T" "$NP" 120
show_states "$T" "$NP" >&2
producer_wait p1 "$P1"
note "acknowledgements stamped during the isolation (any leader): $(acks_between "$WORK/p1.acks" "$ISO0" "$ISO1")"
grep -E "$T-[0-9]+: truncating divergent tail" "$CLUSTER_DIR/logs/broker-$L.log" | sed "s/^/broker-$L: /" >&2 || true
drill_verify "$T" "$WORK/p1.acks"
drill_require_no_failures
