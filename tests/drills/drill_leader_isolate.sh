#!/usr/bin/env bash
# drill_leader_isolate.sh (drill 3): `gregorctl drill isolate`: cut the
# leader of partition 0 off from the other brokers, ZooKeeper and the
# clients (its veth down) under an acks=all load; the controller elects a
# new leader from the ISR once the isolated broker's session expires; heal;
# the old leader truncates any unacknowledged tail and rejoins the ISR.
# Whatever the isolated broker did meanwhile, no acknowledged offset may be
# missing from the final logs.
source "$(dirname "$0")/drill_lib.sh"

T=dr3
NP=6
drill_up
drill_topic "$T" "$NP"
L=$(pstate "$T" 0 leader)
drill_run isolate --topic "$T" --rate 300 --warmup 8 --down 5 --timeout 120
show_states "$T" "$NP" >&2
grep -E "$T-[0-9]+: truncating divergent tail" "$CLUSTER_DIR/logs/broker-$L.log" | sed "s/^/broker-$L: /" >&2 || true
