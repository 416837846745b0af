#!/usr/bin/env bash
# log_dir_full.sh: a leader's disk fills up for real (its log dir is a small
# tmpfs). Kafka's behaviour is asserted: the broker answers KAFKA_STORAGE_ERROR
# instead of acknowledging, logs the cause once, takes its log dir offline and
# (having no other) stops; the controller moves leadership to the ISR; every
# acknowledged write is readable afterwards; once the disk has room again the
# broker starts, recovers its log and rejoins the ISR. Needs root (mount).
source "$(dirname "$0")/lib.sh"

((EUID == 0)) || fail "needs root: it mounts a tmpfs as a broker's log dir"
source "$(dirname "$0")/log_dir_lib.sh"

T=fulldisk
cluster_up 3 --set min.insync.replicas=2 --set replica.lag.time.max.ms=10000
D1="$CLUSTER_DIR/broker/1/data"
work="$CLUSTER_DIR/work"
mkdir -p "$work"

# Broker 1's log dir moves onto an 8 MiB tmpfs (contents kept).
cluster stop 1 >/dev/null
cp -a "$D1" "$work/d1.before"
mount -t tmpfs -o size=8m gregor-it-full "$D1" || fail "cannot mount a tmpfs on $D1"
on_exit "umount -l '$D1' 2>/dev/null || true"
cp -a "$work/d1.before/." "$D1/"
cluster start 1 >/dev/null

# Broker 1 is the preferred (so first) leader of the one partition.
ld_topic_led_by_1 "$T"

# ~12 MB of acks=all writes at 3000/s: the tmpfs fills after about 2.5 s.
pid1=$(broker_pid 1)
ld_produce "$T" 12000 3000 1000 full "$work"
note "producing (pid $ppid); waiting for broker 1 to fill its disk"
ld_expect_stop "$pid1" 'No space left on device'
ld_expect_leader_moved "$T"
ld_check_acked "$T" 12000 "$work" "the disk filled"
log1="$CLUSTER_DIR/logs/broker-1.log"

# The fault is cleared: room on the disk, the broker recovers and catches up.
mount -o remount,size=64m "$D1" || fail "cannot grow the tmpfs"
cluster start 1 >/dev/null
grep -q 'recovered after unclean shutdown' "$log1" ||
	fail "broker 1 did not run recovery on its log"
wait_until 90 "broker 1 back in the ISR of $T-0" isr_has "$T" 1
note "broker 1 recovered and rejoined the ISR"
