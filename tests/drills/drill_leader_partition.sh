#!/usr/bin/env bash
# drill_leader_partition.sh (drill 3b): `gregorctl drill isolate` with
# cluster.sh isolate --keep-clients: the isolated leader stays reachable
# for clients (only its traffic with the other brokers and ZooKeeper is
# dropped). The producer keeps sending to it; it must not acknowledge
# acks=all writes it cannot replicate (its ISR shrink cannot reach
# ZooKeeper), so no acknowledged offset may be missing from the new
# leader's final log. The partition is held 15 s, past the old leader's
# replica.lag.time.max.ms (10 s).
source "$(dirname "$0")/drill_lib.sh"

T=dr3b
NP=6
drill_up
drill_topic "$T" "$NP"
L=$(pstate "$T" 0 leader)
cs=$(printf '%q' "$CLUSTER_SH")
dir=$(printf '%q' "$CLUSTER_DIR")
drill_run isolate --topic "$T" --rate 300 --warmup 8 --down 15 --timeout 120 \
	--isolate "$cs isolate {id} --keep-clients --dir $dir"
show_states "$T" "$NP" >&2
grep -E "$T-[0-9]+: (truncating divergent tail|ISR)" "$CLUSTER_DIR/logs/broker-$L.log" | sed "s/^/broker-$L: /" >&2 || true
