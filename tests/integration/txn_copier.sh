#!/usr/bin/env bash
# Exactly-once consume-transform-produce with librdkafka on a 3-broker
# cluster: N unique messages (idempotent producer) are copied from one topic
# to another by a transactional copier (read_committed group consumer, no
# auto commit; per batch of up to 500: produce copies, send_offsets_to_
# transaction, commit). The copier is SIGKILLed twice mid-run and restarted
# with the same transactional.id, and the group coordinator's broker is
# SIGKILLed once and restarted. A read_committed reader of the output must
# then see every input message exactly once.
# Usage: txn_copier.sh TXN_COPIER   (TXN_COPIER_N: messages, default 100000)
source "$(dirname "$0")/lib.sh"

COPIER=${1:?usage: txn_copier.sh TXN_COPIER}
[[ -x $COPIER ]] || fail "client binary missing: $COPIER"
N=${TXN_COPIER_N:-100000}
IN=copy-in
OUT=copy-out
G=copier-group
TXNID=copier-txn
cluster_up 3 --set min.insync.replicas=2 --set group.initial.rebalance.delay.ms=0 \
	--set replica.lag.time.max.ms=6000
for t in "$IN" "$OUT"; do
	zk create "/brokers/topics/$t" \
		'{"version":1,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]}}' ||
		fail "could not create the topic znode of $t"
	wait_topic_ready "$t" 3 60
done

work=$(mktemp -d)
on_exit "rm -rf '$work'"
COPIER_PID=""
stop_copier() {
	if [[ -n $COPIER_PID ]]; then
		kill -9 "$COPIER_PID" 2>/dev/null || true
		wait "$COPIER_PID" 2>/dev/null || true
	fi
	COPIER_PID=""
	return 0
}
on_exit stop_copier

note "producing $N messages to $IN (idempotent)"
timeout 200 "$COPIER" produce "$BOOTSTRAP" "$IN" 3 "$N" >"$work/produce.out" 2>"$work/produce.err" ||
	fail "producer failed: $(cat "$work/produce.out") $(tail -5 "$work/produce.err")"
note "$(cat "$work/produce.out")"

RUN=0
start_copier() {
	RUN=$((RUN + 1))
	"$COPIER" copy "$BOOTSTRAP" "$IN" "$OUT" 3 "$G" "$TXNID" 200 \
		>"$work/copy$RUN.out" 2>"$work/copy$RUN.err" &
	COPIER_PID=$!
	note "copier run $RUN: pid $COPIER_PID"
}
copied() {
	local v=""
	[[ -s $work/copy$RUN.out ]] && v=$(tail -n 1 "$work/copy$RUN.out" | sed -n 's/^copied //p')
	echo "${v:-0}"
}
# wait_copied COUNT SECONDS: this run has committed at least COUNT messages,
# or it has already copied all the input and exited 0 (on a loaded machine a
# broker restart can outlast the rest of the copy; the output check at the
# end still holds every run to exactly once).
wait_copied() {
	local deadline=$((SECONDS + $2)) rc
	[[ -n $COPIER_PID ]] || return 0 # this run already finished
	while (($(copied) < $1)); do
		if ! pid_alive "$COPIER_PID"; then
			rc=0
			wait "$COPIER_PID" || rc=$?
			((rc == 0)) || fail "copier run $RUN exited $rc early: $(tail -3 "$work/copy$RUN.err")"
			note "copier run $RUN finished the input early ($(copied) copied)"
			COPIER_PID=""
			return 0
		fi
		((SECONDS < deadline)) || fail "copier run $RUN: only $(copied) of $1 copied in $2 s"
		sleep 0.1
	done
}

step=$((N / 5))
start_copier
wait_copied "$step" 120
note "run $RUN copied $(copied): SIGKILL the copier"
stop_copier

start_copier
wait_copied "$step" 120
P=$(python3 -c '
import sys
h = 0
for ch in sys.argv[1]:
    h = (h * 31 + ord(ch)) & 0xffffffff
h = h - (1 << 32) if h >= 1 << 31 else h
print((0 if h == -(1 << 31) else abs(h)) % 50)' "$G")
coord=$(zk_leader __consumer_offsets "$P")
note "run $RUN copied $(copied); group coordinator (__consumer_offsets-$P) is broker $coord: SIGKILL it"
cluster kill "$coord" >/dev/null || fail "could not kill broker $coord"
before=$(copied)
wait_copied $((before + step / 2)) 150
note "run $RUN copied $(copied) with broker $coord down: restarting it, then SIGKILL the copier"
cluster start "$coord" >/dev/null || fail "could not restart broker $coord"
before=$(copied)
wait_copied $((before + step / 4)) 120
stop_copier

start_copier
deadline=$((SECONDS + 200))
while pid_alive "$COPIER_PID"; do
	((SECONDS < deadline)) || fail "the last copier run did not finish in 200 s"
	sleep 0.25
done
rc=0
wait "$COPIER_PID" || rc=$?
COPIER_PID=""
((rc == 0)) || fail "the last copier run exited $rc: $(tail -5 "$work/copy$RUN.err")"
note "run $RUN copied $(copied) and found every input partition committed at its end"
grep -h 'aborted a transaction' "$work"/copy*.err | sort | uniq -c | sed 's/^/  /' >&2 || true

timeout 200 "$COPIER" consume "$BOOTSTRAP" "$OUT" 3 "$N" >"$work/out.txt" 2>"$work/consume.err" ||
	fail "read_committed reader failed: $(tail -5 "$work/consume.err")"
seq -f 'out-in-%07g' 0 $((N - 1)) >"$work/expected.txt"
sort "$work/out.txt" >"$work/out.sorted"
uniq -d "$work/out.sorted" >"$work/dups.txt"
sort -u "$work/out.sorted" >"$work/out.uniq"
comm -23 "$work/expected.txt" "$work/out.uniq" >"$work/missing.txt"
comm -13 "$work/expected.txt" "$work/out.uniq" >"$work/unexpected.txt"
total=$(wc -l <"$work/out.sorted")
dups=$(wc -l <"$work/dups.txt")
missing=$(wc -l <"$work/missing.txt")
unexpected=$(wc -l <"$work/unexpected.txt")
note "input $N, output $total, duplicated $dups, missing $missing, unexpected $unexpected"
((dups == 0 && missing == 0 && unexpected == 0 && total == N)) ||
	fail "the output is not exactly the input once: e.g. dup $(sed -n '1,2p' "$work/dups.txt" | tr '\n' ' ')missing $(sed -n '1,2p' "$work/missing.txt" | tr '\n' ' ')"
