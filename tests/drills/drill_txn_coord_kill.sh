#!/usr/bin/env bash
# drill_txn_coord_kill.sh: `gregorctl drill txn-coordinator-kill`:
# exactly-once across a transaction coordinator failover. The drill's
# librdkafka transactional producer runs transactions of 20 messages over a
# 3-partition RF3 topic (min.insync.replicas=2), aborting every third; the
# broker that coordinates its transactional.id is SIGKILLed and restarted,
# and in the 25 s the load goes on afterwards the preferred-leader check
# (every 15 s) moves __transaction_state leadership back to it: a second,
# clean failover. Then read_committed must show every message of each
# committed transaction exactly once and none of an aborted one;
# read_uncommitted must show every committed one. Needs no network
# namespaces (plain 127.0.0.1 cluster).
source "$(dirname "$0")/drill_lib.sh"

T=drtxn
cluster_up 3 --set zookeeper.session.timeout.ms=6000 --set min.insync.replicas=2 \
	--set unclean.leader.election.enable=false --set replica.lag.time.max.ms=10000 \
	--set leader.imbalance.check.interval.seconds=15
WORK="$CLUSTER_DIR/drill"
mkdir -p "$WORK"
drill_topic "$T" 3
drill_run txn-coordinator-kill --topic "$T" --rate 300 --txn-size 20 --warmup 8 --down 5 \
	--settle 25 --timeout 120
grep -q ' 0 unknown; aborted values read: 0' <<<"$DRILL_OUT" ||
	fail "transactions of unknown outcome or aborted values read"
