#!/usr/bin/env bash
# flush_kill_restart.sh: log.flush.interval.messages=1 with acks=all, RF 3.
# A flush only fdatasyncs the segment data; the recovery-point file, the
# indexes, .txnindex and the epoch file follow at the periodic checkpoint
# (here every second). The leader is SIGKILLed in the middle of the load,
# while its small segments roll: restarted, it recovers (everything from
# the segment holding the checkpointed point on is read again and its
# indexes rebuilt), rejoins the ISR and leads again; every acknowledged
# write is read back from it, and it takes new writes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/log_dir_lib.sh"

T=flushkill
N=4000
cluster_up 3 --set min.insync.replicas=2 --set replica.lag.time.max.ms=10000 \
	--set log.flush.interval.messages=1 --set log.segment.bytes=16384 \
	--set log.flush.offset.checkpoint.interval.ms=1000 \
	--set leader.imbalance.check.interval.seconds=3
work="$CLUSTER_DIR/work"
mkdir -p "$work"

ld_topic_led_by_1 "$T"
pid1=$(broker_pid 1)
ld_produce "$T" "$N" 400 1 fk "$work"
acks() { [[ -f $work/p.acks ]] && (($(wc -l <"$work/p.acks") >= $1)); }
wait_until 60 "1000 acknowledged writes" acks 1000
rp_file="$CLUSTER_DIR/broker/1/data/$T-0/recovery-point"
rp_written() { [[ -f $rp_file ]] && (($(cat "$rp_file") > 0)); }
wait_until 30 "a checkpointed recovery point on broker 1" rp_written
note "SIGKILL broker 1 (pid $pid1) after $(wc -l <"$work/p.acks") acks"
cluster kill 1 || fail "cluster.sh kill 1"
! pid_alive "$pid1" || fail "broker 1 survived SIGKILL"
ld_expect_leader_moved "$T"

cluster start 1 >/dev/null || fail "cluster.sh start 1"
log1="$CLUSTER_DIR/logs/broker-1.log"
line=$(grep -F "$T-0: recovered after unclean shutdown" "$log1") ||
	fail "broker 1 did not run recovery on $T-0"
note "${line#*\] }"
# "offsets S..E (recovery point R; read again: X of Y segments": the
# checkpoint wrote a point during the load, and not past the recovered end
read -r end rp segs < <(sed -n 's/.*offsets [0-9]*\.\.\([0-9]*\) (recovery point \([0-9]*\); read again: [0-9]* of \([0-9]*\) segments.*/\1 \2 \3/p' <<<"$line")
[[ -n $rp ]] || fail "cannot parse the recovery line"
((rp > 0 && rp <= end)) || fail "recovery point $rp, recovered end $end: expected 0 < point <= end"
((segs > 1)) || fail "expected several segments (log.segment.bytes=16384), found $segs"

wait_until 90 "broker 1 back in the ISR of $T-0" isr_has "$T" 1
ld_check_acked "$T" "$N" "$work" "SIGKILL of the leader"
wait_until 60 "broker 1 to lead $T-0 again (preferred leader)" leader_is "$T" 0 1
note "broker 1 leads again; reading every acknowledged write from it"
out=$("$ACKED_BIN_DIR/acked_verify" -b "$BOOTSTRAP" -t "$T" -T 120 "$work/p.acks") ||
	{ printf '%s\n' "$out" >&2; fail "acknowledged writes missing on broker 1 after its restart"; }
printf '%s\n' "$out" | sed 's/^/[verify] /' >&2

printf 'after-%d\n' 1 2 3 >"$work/after.txt"
kc -P -t "$T" -p 0 -X acks=all -l "$work/after.txt" 2>"$work/after.err" ||
	{ cat "$work/after.err" >&2; fail "broker 1 refused new writes after its restart"; }
got=$(kc -C -t "$T" -p 0 -o -3 -e -q -f '%s\n' 2>/dev/null)
[[ $got == $'after-1\nafter-2\nafter-3' ]] || fail "the new writes did not read back: $got"
note "broker 1 serves: $N acknowledged writes and 3 new ones read back"
