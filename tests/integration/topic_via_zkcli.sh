#!/usr/bin/env bash
# topic_via_zkcli.sh: an operator creates a topic with zkCli.sh by writing
# its assignment znode (as with Kafka before KRaft); the controller creates
# the partition states, the brokers serve it, and kcat can produce to and
# consume from both partitions.
source "$(dirname "$0")/lib.sh"

T=ztopic
cluster_up 3
out=$(zkcli "create /brokers/topics/$T {\"version\":1,\"partitions\":{\"0\":[1],\"1\":[2]}}")
grep -q "^Created /brokers/topics/$T\$" <<<"$out" || fail "zkCli.sh create failed: $out"

wait_until 30 "partition states of $T" zk_exists "/brokers/topics/$T/partitions/1/state"
wait_until 30 "broker 1 leads $T-0" leader_is "$T" 0 1
wait_until 30 "broker 2 leads $T-1" leader_is "$T" 1 2
wait_topic_ready "$T" 2 60

work=$(mktemp -d)
on_exit "rm -rf '$work'"
for p in 0 1; do
	seq -f "p$p-%05g" 1 300 >"$work/in$p.txt"
	kc -P -t "$T" -p "$p" -X acks=all -l "$work/in$p.txt" 2>"$work/p$p.err" ||
		{ cat "$work/p$p.err" >&2; fail "produce to partition $p failed"; }
done
for p in 0 1; do
	kc -C -t "$T" -p "$p" -o beginning -e -q -f '%s\n' >"$work/out$p.txt" 2>"$work/c$p.err" ||
		{ cat "$work/c$p.err" >&2; fail "consume of partition $p failed"; }
	cmp -s "$work/in$p.txt" "$work/out$p.txt" ||
		fail "partition $p: read back $(wc -l <"$work/out$p.txt") lines, differs from the 300 produced"
done
note "zkCli-created topic served on both partitions"
