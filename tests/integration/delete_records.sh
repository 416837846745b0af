#!/usr/bin/env bash
# DeleteRecords (KIP-107) on a 3-broker RF3 topic with librdkafka's admin
# API: 1000 messages, delete before 400 -> low watermark 400; then every
# broker in turn leads (the leader is SIGKILLed and restarted) and kcat
# -o beginning reads from 400 exactly, ListOffsets earliest answers 400;
# a full restart keeps it (log-start-offset-checkpoint). Also: an offset
# above the high watermark is OFFSET_OUT_OF_RANGE.
# Usage: delete_records.sh DELETE_RECORDS_CLIENT
source "$(dirname "$0")/lib.sh"

CLIENT=${1:?usage: delete_records.sh DELETE_RECORDS_CLIENT}
[[ -x $CLIENT ]] || fail "client binary missing: $CLIENT"
T=delrec
cluster_up 3 --set log.segment.bytes=4096 --set min.insync.replicas=2
zk create "/brokers/topics/$T" '{"version":1,"partitions":{"0":[1,2,3]}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 1 60

seq 0 999 | sed 's/^/m/' | kc -P -t "$T" -p 0 -X acks=all -X batch.num.messages=10 -X linger.ms=0 || fail "kcat produce failed"
hw() { kc -Q -t "$T:0:-1" 2>/dev/null | sed -n 's/.* offset \([0-9-]*\).*/\1/p'; }
earliest() { kc -Q -t "$T:0:-2" 2>/dev/null | sed -n 's/.* offset \([0-9-]*\).*/\1/p'; }
hw_is() { [[ $(hw) == "$1" ]]; }
earliest_is() { [[ $(earliest) == "$1" ]]; }
wait_until 30 "high watermark 1000" hw_is 1000

out=$("$CLIENT" "$BOOTSTRAP" "$T" 0 2000 10000) || fail "DeleteRecords beyond HW: no answer"
note "DeleteRecords at 2000: $out"
[[ $out == *OFFSET_OUT_OF_RANGE* ]] || fail "expected OFFSET_OUT_OF_RANGE, got: $out"

out=$("$CLIENT" "$BOOTSTRAP" "$T" 0 400 30000) || fail "DeleteRecords: no answer"
note "DeleteRecords at 400: $out"
[[ $out == "400 NO_ERROR" ]] || fail "expected low watermark 400, got: $out"

# kcat -o beginning: the first offset served, and how many messages follow
first_read() {
	kc -C -t "$T" -p 0 -o beginning -e -f '%o\n' 2>/dev/null >"$CLUSTER_DIR/read.txt" || return 1
	local first n
	first=$(head -1 "$CLUSTER_DIR/read.txt")
	n=$(wc -l <"$CLUSTER_DIR/read.txt")
	[[ $first == 400 && $n == 600 ]]
}
check_from_400() {
	wait_until 60 "earliest offset 400 ($1)" earliest_is 400
	wait_until 60 "kcat -o beginning to read 600 messages from 400 ($1)" first_read
	note "$1: earliest 400, kcat -o beginning read offsets 400..999"
}
check_from_400 "leader $(zk_leader "$T" 0)"

# each follower's log start moved too (they reported it: low watermark 400)
for b in 1 2 3; do
	[[ ! -e $CLUSTER_DIR/broker/$b/data/$T-0/00000000000000000000.log ]] ||
		fail "broker $b still has the segment at offset 0"
done

state_json() { zk_get "/brokers/topics/$T/partitions/0/state"; }
leads() { [[ $(state_json | python3 -c 'import json,sys; print(json.load(sys.stdin)["leader"])') == "$1" ]]; }
isr_full() { state_json | python3 -c 'import json,sys; sys.exit(0 if len(json.load(sys.stdin)["isr"]) == 3 else 1)'; }
# every broker leads once: SIGKILL the two others (the target, in the ISR,
# is then the only one left to lead), check, restart them
for target in 1 2 3; do
	[[ $(zk_leader "$T" 0) == "$target" ]] && continue
	wait_until 90 "a full ISR" isr_full
	others=()
	for b in 1 2 3; do ((b == target)) || others+=("$b"); done
	note "SIGKILL brokers ${others[*]} so that $target leads"
	for b in "${others[@]}"; do cluster kill "$b" >/dev/null || fail "kill $b"; done
	wait_until 60 "broker $target to lead" leads "$target"
	check_from_400 "leader $target, brokers ${others[*]} down"
	for b in "${others[@]}"; do cluster start "$b" >/dev/null || fail "start $b"; done
done
wait_until 90 "a full ISR" isr_full

note "restart of every broker"
for b in 1 2 3; do cluster stop "$b" >/dev/null || fail "stop $b"; done
for b in 1 2 3; do cluster start "$b" >/dev/null || fail "start $b"; done
wait_topic_ready "$T" 1 90
check_from_400 "after full restart"
note "PASS"
