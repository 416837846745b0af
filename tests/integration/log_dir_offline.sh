#!/usr/bin/env bash
# log_dir_offline.sh: one of two log dirs fails. Broker 1 runs with
# log.dirs=<a>,<b> and its 151st fdatasync failing with EIO
# (failpoint storage.fdatasync, armed in its environment only). Topic ldo_a
# (flush.messages=1, so every append is flushed) has its broker-1 replica in
# dir a, topic ldo_b (no forced flush) in dir b; broker 1 leads both. Under
# acks=all load on ldo_a the fdatasync fails, and as Kafka does: dir a goes
# offline on broker 1 while the broker keeps running; the cause is logged
# once; broker 1 writes /log_dir_event_notification/log_dir_event_<n> and
# the controller, told by broker 1's KAFKA_STORAGE_ERROR answers, moves
# ldo_a's leadership to the ISR and drops broker 1 from it; DescribeLogDirs
# at broker 1 answers KAFKA_STORAGE_ERROR for dir a and lists ldo_b in dir
# b (Produce and Fetch for ldo_a there answer KAFKA_STORAGE_ERROR too),
# which keeps serving acks=all produces led by broker 1; its metrics
# count the offline dir; no acknowledged write is lost; a replica that a
# reassignment adds to broker 1 is created in dir b. A notification
# written by hand in Kafka's format is acted on the same way. Restarted
# without the fault (and with a third, unreadable dir, offline from the
# start), broker 1 recovers dir a and rejoins the ISR.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/log_dir_lib.sh"

A=ldo_a
B=ldo_b
cluster_up 3 --set min.insync.replicas=2 --set replica.lag.time.max.ms=10000
work="$CLUSTER_DIR/work"
mkdir -p "$work"
log1="$CLUSTER_DIR/logs/broker-1.log"
conf1="$CLUSTER_DIR/broker/1/server.properties"

# Broker 1 again, with two log dirs and its 151st fdatasync failing (once).
cluster stop 1 >/dev/null
base=$(sed -n 's/^log\.dirs=//p' "$conf1")
[[ -n $base ]] || fail "no log.dirs in $conf1"
dir_a="$base/a" dir_b="$base/b"
sed -i "s#^log\.dirs=.*#log.dirs=$dir_a,$dir_b#" "$conf1"
GREGOR_FAILPOINT='storage.fdatasync=150*off->1*error(EIO)' cluster start 1 >/dev/null
grep -q 'failpoint.*armed: storage.fdatasync' "$log1" ||
	fail "broker 1 did not report the armed failpoint"
pid1=$(broker_pid 1)

# A first: with no partition in either dir, it is placed in the first
zk create "/config/topics/$A" '{"version":1,"config":{"flush.messages":"1"}}' >/dev/null ||
	fail "cannot create the config of $A"
for t in "$A" "$B"; do
	zk create "/brokers/topics/$t" '{"version":1,"partitions":{"0":[1,2,3]}}' >/dev/null ||
		fail "cannot create the topic znode of $t"
	wait_until 30 "broker 1 leads $t-0" leader_is "$t" 0 1
	wait_until 60 "$t-0 with brokers 2 and 3 in the ISR" eval "isr_has $t 2 && isr_has $t 3"
done
[[ -d $dir_a/$A-0 && -d $dir_b/$B-0 ]] ||
	fail "partitions not spread over the dirs: $(find "$dir_a" "$dir_b" -maxdepth 1 -name 'ldo_*' | tr '\n' ' ')"

"$ACKED_BIN_DIR/acked_producer" -b "$BOOTSTRAP" -t "$A" -o "$work/a.acks" -a all \
	-p 200 -n 2000 -r 500 -s 60 -m 60000 -k ldo >"$work/a.out" 2>"$work/a.err" &
ppid=$!
on_exit "kill -TERM $ppid 2>/dev/null || true"
note "producing to $A (pid $ppid); waiting for broker 1's fdatasync to fail"

failed_a() { grep -q "log dir $dir_a failed (" "$log1"; }
wait_until 90 "dir a of broker 1 to fail" failed_a
pid_alive "$pid1" || fail "broker 1 stopped; only one of its two log dirs failed"
n=$(grep -c 'log dir .* failed (' "$log1" || true)
((n == 1)) || fail "the cause should be logged once, found $n lines"
grep 'log dir .* failed (' "$log1" | sed 's/^/[broker-1] /' >&2
grep "log dir $dir_a failed (" "$log1" | grep -q 'Input/output error' ||
	fail "the logged cause is not EIO"

told() { grep -q "log dir failure told to the controller: /log_dir_event_notification/log_dir_event_" "$log1"; }
wait_until 30 "broker 1 to write its log dir event notification" told
acted() { grep -q 'log dir event log_dir_event_[0-9]*: broker 1; asking' "$CLUSTER_DIR"/logs/broker-*.log; }
wait_until 30 "the controller to read the notification" acted
no_events() { [[ -z $(zk_ls /log_dir_event_notification) ]]; }
wait_until 30 "the controller to delete the notification" no_events

new_leader() { local l; l=$(zk_leader "$A" 0) && [[ $l == 2 || $l == 3 ]]; }
wait_until 30 "leadership of $A-0 to move to broker 2 or 3" new_leader
wait_until 30 "broker 1 out of the ISR of $A-0" eval "! isr_has $A 1"
note "$A-0: leader $(zk_leader "$A" 0); broker 1 out of its ISR"
leader_is "$B" 0 1 || fail "$B-0 lost broker 1 as leader ($(zk_leader "$B" 0))"
# Metadata v5 lists broker 1 among the offline replicas of ldo_a-0 (not of ldo_b-0)
offline_in_metadata() {
	python3 - "$GREGOR_SOURCE_ROOT/tests/lib" "$BOOTSTRAP" "$A" "$B" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from kafka_admin import partition_states
host, port = sys.argv[2].split(",")[1].rsplit(":", 1)
a = partition_states((host, int(port)), sys.argv[3].encode()).get(0)
b = partition_states((host, int(port)), sys.argv[4].encode()).get(0)
print("[metadata] %s-0 %s, %s-0 %s" % (sys.argv[3], a, sys.argv[4], b), file=sys.stderr)
sys.exit(0 if a and a[3] == [1] and b and b[3] == [] else 1)
PY
}
wait_until 30 "Metadata to list broker 1 as an offline replica of $A-0" offline_in_metadata
isr_has "$B" 1 || fail "broker 1 left the ISR of $B-0"

# broker 1's metrics: one failed log dir, one offline replica
metrics1=${METRICS%%,*}
page=$(curl -fsS --max-time 10 "$metrics1") || fail "cannot read $metrics1"
offline_lines=$(grep -E '^kafka_(log_logmanager_offlinelogdirectorycount|server_replicamanager_offlinereplicacount) ' <<<"$page" || true)
[[ $offline_lines == *$'kafka_server_replicamanager_offlinereplicacount 1'* &&
   $offline_lines == *$'kafka_log_logmanager_offlinelogdirectorycount 1'* ]] ||
	fail "broker 1's metrics ($metrics1) do not count one offline dir and replica: $offline_lines"

# DescribeLogDirs at broker 1: dir a KAFKA_STORAGE_ERROR (56), dir b serving
addr1=$(python3 -c 'import sys; print(sys.argv[1].split(",")[0])' "$BOOTSTRAP")
python3 - "$GREGOR_SOURCE_ROOT/tests/lib" "$addr1" "$dir_a" "$dir_b" "$A" "$B" <<'PY' ||
import sys
sys.path.insert(0, sys.argv[1])
from kafka_admin import describe_log_dirs
host, port = sys.argv[2].rsplit(":", 1)
dir_a, dir_b, ta, tb = sys.argv[3:7]
for version in (1, 4):
    top, res = describe_log_dirs((host, int(port)), version, None)
    got = {d: (err, sorted(parts)) for err, d, parts, _, _ in res}
    want = {dir_a: (56, []), dir_b: (0, [(tb, 0)])}
    print("[describe-log-dirs v%d] %s" % (version, got), file=sys.stderr)
    if top != 0 or got != want:
        sys.exit("DescribeLogDirs v%d: %s, want %s" % (version, got, want))
PY
	fail "DescribeLogDirs does not show dir a offline and dir b serving"

# Produce and Fetch for ldo_a-0 at broker 1, whose replica is in the failed
# dir: KAFKA_STORAGE_ERROR (56), as Kafka answers for an offline replica
python3 - "$GREGOR_SOURCE_ROOT/tests/lib" "$addr1" "$A" <<'PY' ||
import sys
sys.path.insert(0, sys.argv[1])
import kwire
host, port = sys.argv[2].rsplit(":", 1)
topic = sys.argv[3].encode()
s = kwire.connect((host, int(port)))
perr = kwire.produce_errors(kwire.call(s, kwire.produce(topic, 0, [b"x"], acks=1), 1))
ferr = [e for e, _, _ in kwire.fetch_records(kwire.call(s, kwire.fetch(topic, 0, 0), 2))]
print("[offline replica] produce %s, fetch %s" % (perr, ferr), file=sys.stderr)
if perr != [56] or ferr != [56]:
    sys.exit("produce %s, fetch %s: want [56] for both" % (perr, ferr))
PY
	fail "Produce/Fetch to the replica in the failed dir do not answer KAFKA_STORAGE_ERROR"

# the other dir keeps serving: acks=all produces to ldo_b, led by broker 1
for i in 1 2 3 4 5; do
	printf 'b%d\n' "$i" | kc -P -t "$B" -p 0 -X acks=all -X message.timeout.ms=20000 ||
		fail "produce $i to $B (dir b) failed"
done
got=$(kc -C -t "$B" -p 0 -o beginning -e -q | grep -c '^b[1-5]$' || true)
((got == 5)) || fail "read back $got of 5 records from $B"

rc=0
wait "$ppid" || rc=$?
sed 's/^/[producer] /' "$work/a.out" >&2
((rc == 0)) || { tail -n 20 "$work/a.err" >&2; fail "producer exited $rc"; }
acked=$(sed -n 's/.*acknowledged=\([0-9]*\).*/\1/p' "$work/a.out")
((acked == 2000)) || fail "only $acked of 2000 writes acknowledged"
out=$("$ACKED_BIN_DIR/acked_verify" -b "$BOOTSTRAP" -t "$A" -T 120 "$work/a.acks") || rc=$?
printf '%s\n' "$out" | sed 's/^/[verify] /' >&2
((rc == 0)) || fail "acknowledged writes missing or wrong (acked_verify exit $rc)"

# A reassignment adds broker 1 (dir a still offline) to ldo_c, on brokers 2
# and 3: the controller's LeaderAndIsr says IsNew for the added replica, so
# broker 1 creates it in dir b (as Kafka puts new replicas in an online dir)
# and it joins the ISR.
C=ldo_c
zk create "/brokers/topics/$C" '{"version":1,"partitions":{"0":[2,3]}}' >/dev/null ||
	fail "cannot create the topic znode of $C"
wait_until 60 "$C-0 with brokers 2 and 3 in the ISR" eval "isr_has $C 2 && isr_has $C 3"
zk create /admin/reassign_partitions \
	"{\"version\":1,\"partitions\":[{\"topic\":\"$C\",\"partition\":0,\"replicas\":[2,3,1]}]}" \
	>/dev/null || fail "cannot write the reassignment of $C"
wait_until 60 "broker 1 in the ISR of $C-0 (a replica added while dir a is offline)" isr_has "$C" 1
[[ -d $dir_b/$C-0 && ! -e $dir_a/$C-0 ]] || fail "the added replica of $C-0 is not in dir b"
wait_until 60 "the reassignment of $C to finish" eval "! zk_exists /admin/reassign_partitions"
note "$C-0: replica added on broker 1 in dir b, in the ISR"

# Kafka's format, written by hand for broker 2 (whose dirs are fine): read,
# deleted, and no replica of broker 2 is taken offline
zk create /log_dir_event_notification/log_dir_event_9000000000 \
	'{"version":1,"broker":2,"event":1}' >/dev/null || fail "cannot write a notification"
acted2() { grep -q 'log dir event log_dir_event_9000000000: broker 2; asking' "$CLUSTER_DIR"/logs/broker-*.log; }
wait_until 30 "the controller to act on the hand-written notification" acted2
wait_until 30 "the hand-written notification deleted" no_events
if grep -q 'replica on broker 2 is in an offline log dir' "$CLUSTER_DIR"/logs/broker-*.log; then
	fail "a replica of broker 2 was taken offline"
fi

# The fault gone: broker 1 restarts with both dirs, recovers the log left in
# dir a (dir b was closed cleanly) and rejoins ldo_a's ISR. A third dir that
# cannot be read (a regular file) is offline from the start; the broker
# serves from the other two.
cluster stop 1 >/dev/null
dir_c="$base/c"
: >"$dir_c"
sed -i "s#^log\.dirs=.*#log.dirs=$dir_a,$dir_b,$dir_c#" "$conf1"
cluster start 1 >/dev/null
grep -q "log dir $dir_c failed (loading: " "$log1" || fail "the unreadable dir c was not reported"
python3 - "$GREGOR_SOURCE_ROOT/tests/lib" "$addr1" "$dir_c" <<'PY' ||
import sys
sys.path.insert(0, sys.argv[1])
from kafka_admin import describe_log_dirs
host, port = sys.argv[2].rsplit(":", 1)
top, res = describe_log_dirs((host, int(port)), 4, None)
got = {d: err for err, d, _, _, _ in res}
print("[describe-log-dirs after restart] %s" % got, file=sys.stderr)
sys.exit(0 if len(got) == 3 and got[sys.argv[3]] == 56 and list(got.values()).count(0) == 2 else 1)
PY
	fail "DescribeLogDirs after the restart does not show dir c offline and a, b online"
grep -q "$dir_a/$A-0: recovered after unclean shutdown" "$log1" ||
	fail "the log of $A-0 in the failed dir was not left for recovery"
if grep -q "$dir_b/$B-0: recovered after unclean shutdown" "$log1"; then
	fail "the log of $B-0 in the healthy dir was not closed cleanly"
fi
wait_until 90 "broker 1 back in the ISR of $A-0" isr_has "$A" 1
note "broker 1 recovered dir a and rejoined the ISR of $A-0"
