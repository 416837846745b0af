#!/usr/bin/env bash
# state_change_log.sh (suite integration): the state-change log, Kafka's
# state.change.logger: one INFO line under [state.change] per decision,
# naming the partition (group, transactional id), the epochs and the
# reason. Checked on a live 3-broker cluster: the controller's election at
# start; a new partition; after a leader kill the controller's election
# line (leader L -> N, leader epoch e -> e+1, ISR, zkVersion, reason: leader
# L not live), the broker failure (or, when L was the controller, the next
# controller's election), the new leader's "became leader" line and,
# once L is back, the leader's ISR expansion naming L; a consumer group
# rebalance (kcat -G: two members join, one leaves) with generations and
# reasons; a topic config change written through ZooKeeper; a committed and
# an aborted transaction.
source "$(dirname "$0")/drill_lib.sh"

T=sclog
G=sclog-group
CLIENT=$DRILL_BIN_DIR/drill_txn_client
[[ -x $CLIENT ]] || fail "missing $CLIENT"
cluster_up 3 --set zookeeper.session.timeout.ms=6000 --set transaction.state.log.num.partitions=3 \
	--set group.initial.rebalance.delay.ms=0
WORK="$CLUSTER_DIR/drill"
mkdir -p "$WORK"
SC='INFO \[state\.change\]'
logs() { cat "$CLUSTER_DIR"/logs/broker-*.log; }
# logged ERE: a state-change line matching ERE in some broker's log.
logged() { logs | grep -E "$SC .*$1" >/dev/null; }
expect() { wait_until "${2:-30}" "state-change line /$1/" logged "$1"; }
show() { logs | grep -E "$SC .*$1" | tail -n "${2:-3}" | sed 's/^/  /' >&2; }

expect '\[Controller id=[1-3] epoch=[0-9]+\] elected controller \(controller epoch [0-9]+ -> [0-9]+, reason: won the /controller election\)'
"$DRILL_BIN_DIR/drill_admin" -b "$BOOTSTRAP" -t "$T" -p 1 -r 3 >&2 || fail "CreateTopics $T"
wait_topic_ready "$T" 1 60
expect "\] $T-0: NewPartition -> OnlinePartition: leader [1-3], leader epoch 0, ISR \[[1-3],[1-3],[1-3]\], zkVersion 0 \(reason: new partition\)"

# ---- a leader kill
L=$(pstate "$T" 0 leader)
E=$(pstate "$T" 0 leader_epoch)
C=$(controller_id)
CE=$(controller_epoch)
note "killing broker $L, leader of $T-0 at leader epoch $E (controller: $C)"
cluster kill "$L"
moved() { local l; l=$(pstate "$T" 0 leader) && [[ $l != "$L" && $l -gt 0 ]]; }
wait_until 40 "a new leader of $T-0" moved
N=$(pstate "$T" 0 leader)
if [[ $L == "$C" ]]; then # the leader was the controller: a new one is elected
	expect "\[Controller id=[1-3] epoch=$((CE + 1))\] elected controller \(controller epoch $CE -> $((CE + 1)), reason: won the /controller election\)"
else
	expect "\[Controller id=$C epoch=$CE\] broker $L failed \(reason: its registration is gone\)"
fi
expect "\[Controller id=[1-3] epoch=[0-9]+\] $T-0: leader $L -> $N, leader epoch $E -> $((E + 1)), ISR \[[0-9,]+\] -> \[[0-9,]+\], zkVersion [0-9]+ \(reason: offline partition: leader $L is not live\)"
expect "\[Broker id=$N\] $T-0: became leader, leader $L -> $N, leader epoch $E -> $((E + 1)), ISR \[[0-9,]+\], log end [0-9]+, high watermark [0-9]+ \(reason: LeaderAndIsr of controller epoch [0-9]+, zkVersion [0-9]+\)"
cluster start "$L"
expect "\[Broker id=$N\] $T-0: ISR \[[0-9,]+\] -> \[[0-9,]+\] at leader epoch $((E + 1)), zkVersion [0-9]+ -> [0-9]+ \(reason: replica $L caught up at offset [0-9]+" 90
expect "\[Broker id=$L\] $T-0: became follower, leader -?[0-9]+ -> $N, leader epoch -?[0-9]+ -> $((E + 1))"
show "$T-0" 6

# ---- a consumer group rebalance: two members join, one leaves
kcat_member() {
	kcat -b "$BOOTSTRAP" -G "$G" -X session.timeout.ms=6000 -q "$T" >/dev/null 2>>"$WORK/kcat.err" &
	_DRILL_PIDS+=("$!")
	echo "$!"
}
C1=$(kcat_member)
expect "\[GroupCoordinator id=[1-3]\] group $G: Empty -> PreparingRebalance at generation 0, 1 members \(reason: member [^ ]+ joined\)" 60
expect "group $G: PreparingRebalance -> CompletingRebalance, generation 0 -> 1, 1 members, protocol [a-z]+, leader [^ ]+ \(reason: every member rejoined or the rebalance timeout passed\)" 60
C2=$(kcat_member)
expect "group $G: (Stable|CompletingRebalance) -> PreparingRebalance at generation 1, 2 members \(reason: member [^ ]+ joined\)" 60
expect "group $G: PreparingRebalance -> CompletingRebalance, generation 1 -> 2, 2 members" 60
kill -TERM "$C2"
wait "$C2" 2>/dev/null || true
expect "group $G: (Stable|CompletingRebalance) -> PreparingRebalance at generation 2, 1 members \(reason: member [^ ]+ left \(LeaveGroup\)\)" 60
expect "group $G: PreparingRebalance -> CompletingRebalance, generation 2 -> 3, 1 members" 60
kill -TERM "$C1"
wait "$C1" 2>/dev/null || true
show "group $G" 6

# ---- a topic config change through ZooKeeper (zkCli's way)
zk create "/config/topics/$T" '{"version":1,"config":{"retention.ms":"3600000"}}' >/dev/null 2>&1 || true
zk set "/config/topics/$T" '{"version":1,"config":{"retention.ms":"7200000"}}' >/dev/null
expect "\[Broker id=[1-3]\] config change applied: topics/$T, zkVersion [0-9]+, 1 override\(s\) \{retention.ms=7200000\} \(reason: its znode changed\)"
show "config change applied: topics/$T" 3

# ---- transaction outcomes
"$CLIENT" one -b "$BOOTSTRAP" -t "$T" -i sclog-commit -m 3 -v c -c commit -P 1 >"$WORK/commit.out" 2>&1 ||
	{ cat "$WORK/commit.out" >&2; fail "committing a transaction failed"; }
"$CLIENT" one -b "$BOOTSTRAP" -t "$T" -i sclog-abort -m 3 -v a -c abort -P 1 >"$WORK/abort.out" 2>&1 ||
	{ cat "$WORK/abort.out" >&2; fail "aborting a transaction failed"; }
expect "\[TransactionCoordinator id=[1-3]\] txn sclog-commit: CompleteCommit, producer [0-9]+ epoch [0-9]+, 1 partition\(s\) marked, __transaction_state-[0-9] coordinator epoch [0-9]+ \(reason: EndTxn commit\)"
expect "\[TransactionCoordinator id=[1-3]\] txn sclog-abort: CompleteAbort, producer [0-9]+ epoch [0-9]+, 1 partition\(s\) marked, __transaction_state-[0-9] coordinator epoch [0-9]+ \(reason: EndTxn abort\)"
show "txn sclog-" 2
