#!/usr/bin/env bash
# drill_leader_partition.sh (drill 3b): like drill 3, but the isolated
# leader stays reachable for clients (cluster.sh isolate --keep-clients:
# only its traffic with the other brokers and ZooKeeper is dropped). The
# producer keeps sending to it; it must not acknowledge acks=all writes it
# cannot replicate (its ISR shrink cannot reach ZooKeeper), so no
# acknowledged offset may be missing from the new leader's final log.
source "$(dirname "$0")/drill_lib.sh"

T=dr3b
NP=6
drill_up
drill_topic "$T" "$NP"
producer_start p1 -t "$T" -s 50 -r 300 -m 60000
P1=$PRODUCER_PID
T0=$(now_ns)
sleep 8
L=$(pstate "$T" 0 leader)
E=$(pstate "$T" 0 leader_epoch)
led=$(for ((p = 0; p < NP; p++)); do if [[ $(pstate "$T" "$p" leader) == "$L" ]]; then printf '%d ' "$p"; fi; done)
note "partitioning broker $L from brokers and ZooKeeper (leader of $T partitions: $led; $T-0 at epoch $E)"
ISO0=$(ms_since "$T0")
cluster isolate "$L" --keep-clients
new_leader() { local l; l=$(pstate "$T" 0 leader) && [[ $l != "$L" && $l -gt 0 ]]; }
wait_until 40 "a new leader of $T-0 while $L is partitioned" new_leader
note "new leader of $T-0: $(pstate "$T" 0 leader) epoch $(pstate "$T" 0 leader_epoch) isr $(pstate "$T" 0 isr)"
# Long enough for the old leader's replica.lag.time.max.ms (10 s) to pass.
sleep 15
ISO1=$(ms_since "$T0")
cluster heal "$L"
note "healed broker $L after $(((ISO1 - ISO0) / 1000)) s"
wait_isr_full "$T" "$NP" 120
show_states "$T" "$NP" >&2
producer_wait p1 "$P1"
note "acknowledgements stamped during the partition (any leader): $(acks_between "$WORK/p1.acks" "$ISO0" "$ISO1")"
grep -E "$T-[0-9]+: (truncating divergent tail|ISR)" "$CLUSTER_DIR/logs/broker-$L.log" | sed "s/^/broker-$L: /" >&2 || true
drill_verify "$T" "$WORK/p1.acks"
drill_require_no_failures
