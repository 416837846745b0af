#!/usr/bin/env bash
# idempotence_dedup.sh: the broker's idempotence rules over raw Produce v7
# requests to a one-replica partition: a resend of a recent batch gets its
# original offset and is not appended; a sequence gap gets 45; a new epoch
# must start at 0 (45), an older epoch gets 47. The state survives a SIGKILL
# (rebuilt from the log) and a clean restart (from the snapshot written at
# shutdown).
source "$(dirname "$0")/lib.sh"

T=idem-dedup
cluster_up 3 --set log.flush.interval.messages=1
zk create "/brokers/topics/$T" '{"version":1,"partitions":{"0":[2]}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 1 60
PORT=$((PORT_BASE + 1)) # broker 2
work=$(mktemp -d)
on_exit "rm -rf '$work'"

# steps PHASE: runs the checks of PHASE (first, after-crash, after-restart)
steps() {
	PYTHONPATH="$(dirname "$0")/../lib" python3 - "$1" "$PORT" "$work/pid" <<'PY'
import socket, struct, sys
import kafka_admin as ka
import kafka_wire as kw
phase, port, pidfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
TOPIC = b"idem-dedup"
s = socket.create_connection(("127.0.0.1", port), timeout=15)
corr = [100]
def nxt():
    corr[0] += 1
    return corr[0]
def batch(pid, epoch, seq, n):
    recs = b"".join(kw.record(i, b"k%d-%d" % (seq, i), b"v") for i in range(n))
    ts = 1700000000000 + seq
    after = struct.pack(">hiqqqhii", 0, n - 1, ts, ts, pid, epoch, seq, n) + recs
    rest = struct.pack(">ibI", -1, 2, kw.crc32c(after)) + after
    return struct.pack(">qi", 0, len(rest)) + rest
def expect(what, got, want):
    ok = got == want
    print(("ok   " if ok else "FAIL ") + what + ": got %r want %r" % (got, want))
    if not ok:
        sys.exit(1)
def latest():
    err, off = ka.latest_offset(s, nxt(), TOPIC)
    return off
def produce(blob):  # (error, base offset)
    return ka.produce(s, nxt(), TOPIC, blob)[:2]
if phase == "first":
    body = struct.pack(">hi", -1, 60000)
    r = kw.Reader(kw.request(s, 22, 0, nxt(), body))
    _, err, pid, epoch = r.take(">ihqh")
    expect("InitProducerId", (err, epoch), (0, 0))
    open(pidfile, "w").write(str(pid))
    b0 = batch(pid, 0, 0, 3)
    expect("first batch", produce(b0), (0, 0))
    expect("resend of it", produce(b0), (0, 0))
    expect("log end after resend", latest(), 3)
    expect("next batch", produce(batch(pid, 0, 3, 2)), (0, 3))
    expect("older resend in window", produce(b0), (0, 0))
    expect("gap", produce(batch(pid, 0, 10, 1))[0], 45)
    expect("new epoch not at 0", produce(batch(pid, 1, 5, 1))[0], 45)
    expect("new epoch at 0", produce(batch(pid, 1, 0, 2)), (0, 5))
    expect("old epoch fenced", produce(batch(pid, 0, 5, 1))[0], 47)
    expect("log end", latest(), 7)
else:
    pid = int(open(pidfile).read())
    expect(phase + ": resend of last batch", produce(batch(pid, 1, 0, 2)), (0, 5))
    expect(phase + ": old epoch fenced", produce(batch(pid, 0, 5, 1))[0], 47)
    expect(phase + ": gap", produce(batch(pid, 1, 7, 1))[0], 45)
    expect(phase + ": log end", latest(), 7)
PY
}

steps first || fail "idempotence rules"
cluster kill 2 || fail "cluster.sh kill 2"
cluster start 2 || fail "cluster.sh start 2"
wait_topic_ready "$T" 1 60
steps after-crash || fail "producer state lost by SIGKILL"
cluster stop 2 || fail "cluster.sh stop 2"
snaps=$(find "$CLUSTER_DIR/broker/2" -path "*$T-0/*.snapshot" | wc -l)
((snaps >= 1)) || fail "no producer snapshot after a clean shutdown"
note "$snaps producer snapshot(s) after the clean shutdown"
cluster start 2 || fail "cluster.sh start 2"
wait_topic_ready "$T" 1 60
steps after-restart || fail "producer state lost by a clean restart"
grep -q "producer(s) from snapshot at 7" "$CLUSTER_DIR"/logs/broker-2.log ||
	fail "the restart did not load the snapshot at offset 7"
