#!/usr/bin/env bash
# idempotence.sh IDEMPOTENCE_CLIENT: an enable.idempotence=true librdkafka
# producer sends 200,000 keyed messages to an RF-3 topic (min.insync=2)
# while the leader of partition 0 is SIGKILLed twice (and restarted); the
# read-back must hold every acknowledged key exactly once:
# "acknowledged=N consumed=N duplicates=0 lost=0".
source "$(dirname "$0")/lib.sh"

CLIENT=${1:?usage: idempotence.sh IDEMPOTENCE_CLIENT}
[[ -x $CLIENT ]] || fail "client binary missing: $CLIENT"
N=${IDEMPOTENCE_MESSAGES:-200000}
RATE=${IDEMPOTENCE_RATE:-2500}
T=idem
cluster_up 3 --set min.insync.replicas=2
zk create "/brokers/topics/$T" \
	'{"version":1,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 3 60

work=$(mktemp -d)
on_exit "rm -rf '$work'"
prod_pid=""
# shellcheck disable=SC2016 # expands when the hook runs
on_exit 'if [[ -n $prod_pid ]]; then kill "$prod_pid" 2>/dev/null; fi'

note "producing $N messages at $RATE/s with enable.idempotence=true"
"$CLIENT" produce "$BOOTSTRAP" "$T" "$N" "$RATE" "$work/acks" >"$work/produce.out" 2>"$work/produce.err" &
prod_pid=$!

acked_lines() { [[ -f $work/acks ]] && wc -l <"$work/acks" || echo 0; }
in_isr() { # in_isr TOPIC PART ID
	zk_get "/brokers/topics/$1/partitions/$2/state" |
		python3 -c 'import json,sys; sys.exit(0 if int(sys.argv[1]) in json.load(sys.stdin)["isr"] else 1)' "$3"
}
leader_not() { local l; l=$(zk_leader "$T" 0 2>/dev/null) && [[ $l != "$1" && $l -ge 0 ]]; }

for round in 1 2; do
	sleep $((round == 1 ? 6 : 4))
	pid_alive "$prod_pid" || fail "producer ended before kill $round: $(cat "$work/produce.out" "$work/produce.err")"
	leader=$(zk_leader "$T" 0)
	note "kill $round: SIGKILL broker $leader, leader of $T-0"
	cluster kill "$leader" || fail "cluster.sh kill $leader"
	wait_until 60 "a new leader for $T-0" leader_not "$leader"
	note "new leader $(zk_leader "$T" 0); restarting broker $leader"
	sleep 2
	cluster start "$leader" || fail "cluster.sh start $leader"
	wait_until 90 "broker $leader back in the ISR of $T-0" in_isr "$T" 0 "$leader"
done

note "waiting for the producer to finish"
deadline=$((SECONDS + 300))
while pid_alive "$prod_pid"; do
	((SECONDS < deadline)) || fail "producer still running after 300 s"
	sleep 1
done
prod_rc=0
wait "$prod_pid" || prod_rc=$?
prod_pid=""
cat "$work/produce.out" >&2
grep -v '^%' "$work/produce.err" | tail -5 >&2 || true
((prod_rc == 0)) || fail "producer failed (exit $prod_rc)"

out=$("$CLIENT" verify "$BOOTSTRAP" "$T" 3 "$N" "$work/acks") || {
	printf '%s\n' "$out"
	fail "read-back found duplicates or losses"
}
printf '%s\n' "$out"
read -r a c <<<"$(printf '%s\n' "$out" | sed -n 's/^acknowledged=\([0-9]*\) consumed=\([0-9]*\).*/\1 \2/p')"
[[ $a == "$N" ]] || fail "only $a of $N acknowledged"
[[ $c == "$N" ]] || fail "consumed $c, want $N"

# Producer ids came from blocks claimed in ZooKeeper (Kafka's JSON, strings).
zk_get /latest_producer_id_block | python3 -c '
import json, sys
d = json.load(sys.stdin)
s, e = int(d["block_start"]), int(d["block_end"])
assert d["version"] == 1 and d["broker"] in (1, 2, 3), d
assert isinstance(d["block_start"], str) and e - s == 999 and s % 1000 == 0, d
print("latest producer id block:", d)
' || fail "unexpected /latest_producer_id_block"
dups=$(cat "$CLUSTER_DIR"/logs/broker-*.log | grep -c "duplicate of offset" || true)
note "resends answered as duplicates by the brokers: $dups"
