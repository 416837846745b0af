#!/usr/bin/env bash
# log_dir_eio.sh: a leader's fdatasync starts failing with EIO (failpoint
# storage.fdatasync, armed through GREGOR_FAILPOINT in that broker's
# environment only) while every append must be flushed
# (log.flush.interval.messages=1). As Kafka does, the append that could not
# be flushed is answered KAFKA_STORAGE_ERROR, not acknowledged; the broker
# logs the cause once, takes its log dir offline and stops; leadership moves
# to the ISR; every acknowledged write is readable; restarted without the
# fault, the broker recovers and rejoins the ISR.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/log_dir_lib.sh"

T=eiodisk
cluster_up 3 --set min.insync.replicas=2 --set replica.lag.time.max.ms=10000 \
	--set log.flush.interval.messages=1
work="$CLUSTER_DIR/work"
mkdir -p "$work"

# Broker 1 again, with fdatasync failing after its first 150 calls.
cluster stop 1 >/dev/null
GREGOR_FAILPOINT='storage.fdatasync=150*off->error(EIO)' cluster start 1 >/dev/null
grep -q 'failpoint.*armed: storage.fdatasync' "$CLUSTER_DIR/logs/broker-1.log" ||
	fail "broker 1 did not report the armed failpoint"

ld_topic_led_by_1 "$T"
pid1=$(broker_pid 1)
ld_produce "$T" 3000 500 200 eio "$work"
note "producing (pid $ppid); waiting for broker 1's fdatasync to fail"
ld_expect_stop "$pid1" 'Input/output error'
ld_expect_leader_moved "$T"
ld_check_acked "$T" 3000 "$work" EIO
log1="$CLUSTER_DIR/logs/broker-1.log"

# The fault is gone (no failpoint this time): recovery, then the ISR.
cluster start 1 >/dev/null
grep -q 'recovered after unclean shutdown' "$log1" || fail "broker 1 did not run recovery on its log"
wait_until 90 "broker 1 back in the ISR of $T-0" isr_has "$T" 1
note "broker 1 recovered and rejoined the ISR"
