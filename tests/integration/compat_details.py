#!/usr/bin/env python3
"""compat_details: Kafka 3.9 behaviours found with kafkajs and librdkafka,
checked on the wire (stdlib only; tests/lib/kafka_wire.py):

1. AlterConfigs of a topic, then DescribeConfigs on the same broker at once,
   reads the new value (Kafka's DescribeConfigs reads ZooKeeper).
2. DescribeConfigs with include_synonyms: a topic config at its default
   lists the broker default it comes from (compression.type=producer,
   DEFAULT_CONFIG 5); an override lists itself first (TOPIC_CONFIG 1).
3. DeleteRecords (and ListOffsets, Fetch) on a broker that holds no replica
   of an existing partition, or only a follower, answer
   NOT_LEADER_OR_FOLLOWER (6), never UNKNOWN_TOPIC_OR_PARTITION.
4. JoinGroup with rebalance_timeout_ms 0 then SyncGroup at once: Kafka 3.9
   schedules the pending-sync expiry with the rebalance timeout, so a zero
   timeout drops the member before its SyncGroup arrives (UNKNOWN_MEMBER_ID,
   25); with a real timeout the same exchange succeeds.
5. ListOffsets right after a topic is auto-created answers only retriable
   errors (3, 5, 6, 78) until it answers offset 0.
6. OffsetCommit/OffsetFetch v0 keep offsets in ZooKeeper, as Kafka 3.9:
   /consumers/<group>/offsets/<topic>/<partition> holds the offset as text.
7. Beyond Kafka: a request version Gregor does not serve closes the
   connection (Kafka's answer) and logs one line naming the client id, API
   and version, once however often that client retries.

Needs BOOTSTRAP, ZOOKEEPER and GREGOR_CLUSTER_DIR (with_cluster.sh, 3
brokers)."""
import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_wire import Conn, bootstrap, kbytes, kstr, request  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def arr(items):
    return struct.pack(">i", len(items)) + b"".join(items)


def metadata(addr, topics):
    """Metadata v1: (brokers {id: (host, port)}, controller, {topic: (err,
    {partition: (leader, replicas)})})."""
    c = Conn(*addr)
    try:
        r = c.call(3, 1, arr([kstr(t) for t in topics]))
    finally:
        c.close()
    brokers = {}
    for _ in range(r.take(">i")):
        node = r.take(">i")
        host = r.str()
        port = r.take(">i")
        r.str()
        brokers[node] = (host, port)
    controller = r.take(">i")
    out = {}
    for _ in range(r.take(">i")):
        err = r.take(">h")
        name = r.str()
        r.take(">b")
        parts = {}
        for _ in range(r.take(">i")):
            r.take(">h")
            p = r.take(">i")
            leader = r.take(">i")
            reps = [r.take(">i") for _ in range(r.take(">i"))]
            [r.take(">i") for _ in range(r.take(">i"))]
            parts[p] = (leader, reps)
        out[name] = (err, parts)
    return brokers, controller, out


def wait_leaders(addr, topic, nparts, deadline=30):
    end = time.time() + deadline
    while time.time() < end:
        brokers, _, t = metadata(addr, [topic])
        err, parts = t.get(topic, (-1, {}))
        if err == 0 and len(parts) == nparts and all(l >= 0 for l, _ in parts.values()):
            return brokers, parts
        time.sleep(0.3)
    raise RuntimeError("topic %s has no leaders" % topic)


def create_topic(addr, topic, nparts, rf):
    brokers, controller, _ = metadata(addr, [])
    c = Conn(*brokers[controller])
    try:
        body = arr([kstr(topic) + struct.pack(">ih", nparts, rf) + arr([]) + arr([])])
        r = c.call(19, 0, body + struct.pack(">i", 30000))
    finally:
        c.close()
    r.take(">i")
    r.str()
    err = r.take(">h")
    if err:
        raise RuntimeError("CreateTopics %s: error %d" % (topic, err))
    for hp in brokers.values():  # every broker's metadata has it
        wait_leaders(hp, topic, nparts)
    return wait_leaders(addr, topic, nparts)


def alter_topic(conn, topic, configs):
    """AlterConfigs v0 of a topic: the resource's error."""
    entries = [kstr(k) + kstr(v) for k, v in configs.items()]
    body = arr([struct.pack(">b", 2) + kstr(topic) + arr(entries)]) + b"\x00"
    r = conn.call(33, 0, body)
    r.take(">i")
    r.take(">i")
    return r.take(">h")


def describe_topic(conn, topic, keys, synonyms):
    """DescribeConfigs v1: {name: (value, source, [(syn name, value, source)])}."""
    body = arr([struct.pack(">b", 2) + kstr(topic) + arr([kstr(k) for k in keys])])
    r = conn.call(32, 1, body + (b"\x01" if synonyms else b"\x00"))
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    r.str()
    r.take(">b")
    r.str()
    out = {}
    for _ in range(r.take(">i")):
        name = r.str()
        value = r.str()
        r.take(">b")
        source = r.take(">b")
        r.take(">b")
        syns = []
        for _ in range(r.take(">i")):
            syns.append((r.str(), r.str(), r.take(">b")))
        out[name] = (value, source, syns)
    if err:
        raise RuntimeError("DescribeConfigs %s: error %d" % (topic, err))
    return out


def configs_checks(addr):
    topic = "compat-configs"
    brokers, _ = create_topic(addr, topic, 1, 3)
    for node, hp in sorted(brokers.items()):
        c = Conn(*hp)
        try:
            stale = []
            for i in range(5):
                value = str(3600000 + node * 1000 + i)
                err = alter_topic(c, topic, {"retention.ms": value})
                got = describe_topic(c, topic, ["retention.ms"], False)["retention.ms"][0]
                if err or got != value:
                    stale.append((err, value, got))
            check(not stale, "broker %d: DescribeConfigs right after AlterConfigs on the "
                  "same connection reads the new value, 5 of 5 (%s)" % (node, stale))
        finally:
            c.close()
    c = Conn(*brokers[min(brokers)])
    try:
        d = describe_topic(c, topic, ["compression.type", "retention.ms"], True)
        value, source, syns = d["compression.type"]
        check(value == "producer" and source == 5 and
              syns == [("compression.type", "producer", 5)],
              "compression.type at its default lists the broker default synonym "
              "(%r, source %d, %r)" % (value, source, syns))
        value, source, syns = d["retention.ms"]
        check(source == 1 and syns and syns[0][0] == "retention.ms" and syns[0][2] == 1,
              "an overridden retention.ms lists itself first (TOPIC_CONFIG): %r" % (syns,))
        alter_topic(c, topic, {"compression.type": "gzip"})
        value, source, syns = describe_topic(c, topic, ["compression.type"], True)[
            "compression.type"]
        check(value == "gzip" and source == 1 and
              syns == [("compression.type", "gzip", 1), ("compression.type", "producer", 5)],
              "compression.type=gzip: the override, then the broker default (%r)" % (syns,))
    finally:
        c.close()


def delete_records(conn, topic, partition):
    body = arr([kstr(topic) + arr([struct.pack(">iq", partition, 0)])])
    r = conn.call(21, 0, body + struct.pack(">i", 10000))
    r.take(">i")
    r.take(">i")
    r.str()
    r.take(">i")
    r.take(">i")
    r.take(">q")
    return r.take(">h")


def list_offsets(conn, topic, partition, version=5, ts=-1):
    body = struct.pack(">ib", -1, 0) + arr([kstr(topic) + arr([
        struct.pack(">iiq", partition, -1, ts) if version >= 4 else struct.pack(">iq", partition, ts)])])
    if version < 2:
        body = struct.pack(">i", -1) + body[5:]
    r = conn.call(2, version, body)
    if version >= 2:
        r.take(">i")
    r.take(">i")
    r.str()
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    r.take(">q")
    off = r.take(">q")
    return err, off


def not_leader_checks(addr):
    topic = "compat-rf1"
    brokers, parts = create_topic(addr, topic, 1, 1)
    leader, _ = parts[0]
    other = min(n for n in brokers if n != leader)
    c = Conn(*brokers[other])
    try:
        check(delete_records(c, topic, 0) == 6,
              "DeleteRecords on broker %d, no replica of %s-0: NOT_LEADER_OR_FOLLOWER" %
              (other, topic))
        check(list_offsets(c, topic, 0)[0] == 6,
              "ListOffsets on a broker without a replica: NOT_LEADER_OR_FOLLOWER")
        check(delete_records(c, topic, 7) == 3,
              "DeleteRecords of a partition that does not exist: UNKNOWN_TOPIC_OR_PARTITION")
    finally:
        c.close()
    topic = "compat-rf3"
    brokers, parts = create_topic(addr, topic, 1, 3)
    leader, reps = parts[0]
    follower = [r for r in reps if r != leader][0]
    c = Conn(*brokers[follower])
    try:
        check(delete_records(c, topic, 0) == 6,
              "DeleteRecords on follower %d: NOT_LEADER_OR_FOLLOWER" % follower)
    finally:
        c.close()


def join(conn, group, rebalance_timeout, member=""):
    proto = arr([kstr("range") + kbytes(b"\x00\x00\x00\x00\x00\x00\x00\x00")])
    body = kstr(group) + struct.pack(">ii", 10000, rebalance_timeout) + kstr(member) + \
        kstr("consumer") + proto
    r = conn.call(11, 1, body)
    err = r.take(">h")
    gen = r.take(">i")
    r.str()
    r.str()
    member = r.str()
    return err, gen, member


def sync(conn, group, gen, member):
    body = kstr(group) + struct.pack(">i", gen) + kstr(member) + \
        arr([kstr(member) + kbytes(b"")])
    r = conn.call(14, 0, body)
    return r.take(">h")


def coordinator(addr, group):
    end = time.time() + 30
    while True:
        c = Conn(*addr)
        try:
            r = c.call(10, 0, kstr(group))
        finally:
            c.close()
        err = r.take(">h")
        r.take(">i")
        host = r.str()
        port = r.take(">i")
        if err == 0:
            return host, port
        if time.time() > end:
            raise RuntimeError("no coordinator for %s: %d" % (group, err))
        time.sleep(0.5)


def join_checks(addr):
    for timeout, want, what in ((0, 25, "UNKNOWN_MEMBER_ID, as Kafka 3.9"),
                                (30000, 0, "success")):
        group = "compat-join-%d" % timeout
        c = Conn(*coordinator(addr, group))
        c.sock.settimeout(40)
        try:
            err, gen, member = join(c, group, timeout)
            while err in (14, 15, 16):  # coordinator still loading
                time.sleep(0.5)
                err, gen, member = join(c, group, timeout)
            check(err == 0, "JoinGroup v1 rebalance_timeout_ms %d: joined (error %d)" %
                  (timeout, err))
            serr = sync(c, group, gen, member)
            check(serr == want, "then SyncGroup at once: %s (error %d)" % (what, serr))
        finally:
            c.close()


def list_offsets_checks(addr):
    topic = "compat-auto-%d" % int(time.time())
    brokers, _, _ = metadata(addr, [topic])  # auto-creates it
    seen, retriable = set(), {3, 5, 6, 78}
    end = time.time() + 30
    result = None
    while time.time() < end and result is None:
        _, _, t = metadata(addr, [topic])
        err, parts = t.get(topic, (0, {}))
        leader = parts.get(0, (-1, []))[0]
        if leader < 0:
            seen.add(err or 5)
            time.sleep(0.05)
            continue
        c = Conn(*brokers[leader])
        try:
            lerr, off = list_offsets(c, topic, 0)
        finally:
            c.close()
        if lerr:
            seen.add(lerr)
            time.sleep(0.05)
        else:
            result = off
    check(result == 0, "ListOffsets on a just auto-created topic reaches offset 0 (%s)" % result)
    check(seen <= retriable, "and meanwhile answers only retriable errors (%s)" % sorted(seen))


def zk_get(path):
    zkq = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "zkq.py")
    r = subprocess.run([sys.executable, zkq, "-s", os.environ["ZOOKEEPER"], "-t", "5", "get", path],
                       capture_output=True, text=True, timeout=30)
    return r.stdout.strip() if r.returncode == 0 else None


def v0_offsets_checks(addr):
    topic, group = "compat-v0-offsets", "compat-v0-group"
    brokers, _ = create_topic(addr, topic, 2, 3)
    c = Conn(*brokers[max(brokers)])  # any broker: v0 needs no coordinator
    try:
        body = kstr(group) + arr([kstr(topic) + arr([struct.pack(">iq", 0, 42) + kstr("m")])])
        r = c.call(8, 0, body)
        r.take(">i")
        r.str()
        r.take(">i")
        r.take(">i")
        err = r.take(">h")
        check(err == 0, "OffsetCommit v0: committed (error %d)" % err)
        znode = zk_get("/consumers/%s/offsets/%s/0" % (group, topic))
        check(znode == "42", "the offset is in ZooKeeper as Kafka keeps it (%r)" % znode)
        body = kstr(group) + arr([kstr(topic) + arr([struct.pack(">i", p) for p in (0, 1, 9)])])
        r = c.call(9, 0, body)
        r.take(">i")
        r.str()
        got = {}
        for _ in range(r.take(">i")):
            p = r.take(">i")
            off = r.take(">q")
            r.str()
            got[p] = (off, r.take(">h"))
        check(got == {0: (42, 0), 1: (-1, 3), 9: (-1, 3)},
              "OffsetFetch v0 reads it back; none committed or no such partition: -1, "
              "UNKNOWN_TOPIC_OR_PARTITION (%s)" % got)
    finally:
        c.close()


def unsupported_log_checks(addr):
    import glob
    import socket
    client = "old-app-%d" % os.getpid()
    closed = 0
    for _ in range(3):
        s = socket.create_connection(addr, timeout=10)
        try:
            request(s, 1, 99, 1, b"", client_id=client)  # Fetch v99
        except (ConnectionError, OSError):
            closed += 1
        finally:
            s.close()
    check(closed == 3, "Fetch v99: the connection is closed each time, as Kafka (%d of 3)" % closed)
    logs = glob.glob(os.path.join(os.environ["GREGOR_CLUSTER_DIR"], "logs", "broker-*.log"))
    lines = []
    end = time.time() + 10
    while time.time() < end and not lines:
        lines = [ln for f in logs for ln in open(f, errors="replace")
                 if 'client "%s"' % client in ln]
        time.sleep(0.2)
    check(len(lines) == 1 and "Fetch (key 1) v99" in lines[0],
          "one log line names the client, API and version: %r" % (lines,))


def main():
    addr = bootstrap()
    for f in (configs_checks, not_leader_checks, join_checks, list_offsets_checks,
              v0_offsets_checks, unsupported_log_checks):
        try:
            f(addr)
        except Exception as e:  # a broken exchange is a failed check
            check(False, "%s: %s: %s" % (f.__name__, type(e).__name__, e))
    if failures:
        print("%d check(s) failed" % len(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
