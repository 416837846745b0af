#!/usr/bin/env bash
# roll_flush_eio.sh: the background flush of a rolled segment fails with
# EIO (failpoint storage.fdatasync in the leader's environment only; no
# flush policy, so the roll flushes are the only fdatasync calls once the
# topic exists). As for any storage fault, the failure takes the log dir
# offline through the usual path: the broker logs the cause once and stops,
# leadership moves to the ISR, every acknowledged write reads back, and
# restarted without the fault the broker recovers and rejoins the ISR.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/log_dir_lib.sh"

T=rolleio
cluster_up 3 --set min.insync.replicas=2 --set replica.lag.time.max.ms=10000 \
	--set log.segment.bytes=16384
work="$CLUSTER_DIR/work"
mkdir -p "$work"

# Broker 1 again, fdatasync failing after its first 8 calls: two roll
# flushes (4 fds each: .log, .index, .timeindex, directory) succeed.
cluster stop 1 >/dev/null
GREGOR_FAILPOINT='storage.fdatasync=8*off->error(EIO)' cluster start 1 >/dev/null
log1="$CLUSTER_DIR/logs/broker-1.log"
grep -q 'failpoint.*armed: storage.fdatasync' "$log1" ||
	fail "broker 1 did not report the armed failpoint"

ld_topic_led_by_1 "$T"
pid1=$(broker_pid 1)
ld_produce "$T" 3000 500 200 rolleio "$work"
note "producing (pid $ppid); waiting for a roll flush of broker 1 to fail"
ld_expect_stop "$pid1" 'Input/output error'
grep -q "$T-0: background flush below offset [0-9]*: Input/output error" "$log1" ||
	fail "broker 1 did not report the failed background flush"
ld_expect_leader_moved "$T"
ld_check_acked "$T" 3000 "$work" "a failed roll flush"

cluster start 1 >/dev/null
grep -q "$T-0: recovered after unclean shutdown" "$log1" ||
	fail "broker 1 did not run recovery on its log"
wait_until 90 "broker 1 back in the ISR of $T-0" isr_has "$T" 1
note "broker 1 recovered and rejoined the ISR"
