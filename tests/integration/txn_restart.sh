#!/usr/bin/env bash
# Aborted transactions stay filtered after restarts: the per-segment
# .txnindex files (Kafka's layout, 34 bytes an entry) are written on every
# replica, and after a clean restart of all brokers (files trusted) and
# after a SIGKILL of all brokers (rescanned segments' files rebuilt from
# the markers) a read_committed consumer still sees exactly the committed
# messages. Small segments so that aborts land in several segments.
# Usage: txn_restart.sh TXN_CLIENT
source "$(dirname "$0")/lib.sh"

CLIENT=${1:?usage: txn_restart.sh TXN_CLIENT}
[[ -x $CLIENT ]] || fail "client binary missing: $CLIENT"
TXNS=${TXN_COUNT:-12}
PER=${TXN_PER:-10}
T=txnr
cluster_up 3 --set min.insync.replicas=2 --set log.segment.bytes=2000
# 3 partitions: txn_client writes message i to partition i % 3
zk create "/brokers/topics/$T" \
	'{"version":1,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 3 60

work=$(mktemp -d)
on_exit "rm -rf '$work'"

note "producing $TXNS transactions of $PER messages (every third aborted)"
timeout 300 "$CLIENT" produce "$BOOTSTRAP" "$T" "$TXNS" "$PER" >"$work/produce.out" 2>"$work/produce.err" ||
	fail "producer failed (exit $?, $(wc -l <"$work/produce.out") lines out): $(tail -5 "$work/produce.err")"
nabort=$(grep -c '^abort' "$work/produce.out" || true)
((nabort > 0)) || fail "no transaction was aborted"

expected_committed() {
	local t i
	for ((t = 0; t < TXNS; t++)); do
		((t % 3 == 2)) && continue
		for ((i = 0; i < PER; i++)); do echo "t$t-m$i"; done
	done | sort
}
expected_committed >"$work/exp"

# every replica holds the same entries (one per aborted transaction that
# wrote to the partition), in 34-byte entries
txnindex_entries() {
	local total=0 f s
	for f in "$CLUSTER_DIR/broker/$1/data/$T"-*/*.txnindex; do
		[[ -e $f ]] || continue
		s=$(stat -c %s "$f")
		((s % 34 == 0)) || { echo "torn:$f"; return; }
		total=$((total + s / 34))
	done
	echo "$total"
}
entries_at_least() { local n; n=$(txnindex_entries "$1"); [[ $n =~ ^[0-9]+$ ]] && ((n >= $2)); }
entries_are() { [[ $(txnindex_entries "$1") == "$2" ]]; }
REF=
check_files() {
	local b n
	if [[ -z $REF ]]; then
		wait_until 30 "broker 1 to index aborted transactions" entries_at_least 1 "$nabort"
		REF=$(txnindex_entries 1)
	fi
	for b in 1 2 3; do
		wait_until 30 "broker $b to hold $REF .txnindex entries" entries_are "$b" "$REF"
		n=$(find "$CLUSTER_DIR/broker/$b/data" -path "*/$T-*/*.txnindex" | wc -l)
		note "broker $b: $REF entries in $n .txnindex file(s) ($1)"
	done
}

check_read_committed() {
	timeout 180 "$CLIENT" consume "$BOOTSTRAP" "$T" 3 read_committed >"$work/rc.out" 2>"$work/rc.err" ||
		fail "read_committed consumer failed ($1): $(tail -5 "$work/rc.err")"
	sort "$work/rc.out" >"$work/rc.sorted"
	if ! diff -q "$work/exp" "$work/rc.sorted" >/dev/null; then
		note "missing: $(comm -23 "$work/exp" "$work/rc.sorted" | wc -l), unexpected: $(comm -13 "$work/exp" "$work/rc.sorted" | head -3 | tr '\n' ' ')"
		fail "read_committed did not see exactly the committed messages ($1)"
	fi
	note "read_committed ($1): $(wc -l <"$work/rc.sorted") messages, as expected"
}

check_files "before restart"
check_read_committed "before restart"

note "clean restart of every broker"
for b in 1 2 3; do cluster stop "$b" >/dev/null || fail "stop $b"; done
for b in 1 2 3; do cluster start "$b" >/dev/null || fail "start $b"; done
wait_topic_ready "$T" 3 90
check_files "after clean restart"
check_read_committed "after clean restart"

note "SIGKILL of every broker, every .txnindex file removed"
for b in 1 2 3; do cluster kill "$b" >/dev/null || fail "kill $b"; done
for b in 1 2 3; do rm -f "$CLUSTER_DIR/broker/$b/data/$T"-*/*.txnindex; done
for b in 1 2 3; do cluster start "$b" >/dev/null || fail "start $b"; done
wait_topic_ready "$T" 3 90
check_files "after SIGKILL, rebuilt"
check_read_committed "after SIGKILL"
note "PASS"
