#!/usr/bin/env python3
"""rack_fetch: fetching from the closest replica (KIP-392) and leader
discovery in Fetch (KIP-951), on the wire (stdlib only; tests/lib). The
cluster runs broker.rack=rack-<id> and
replica.selector.class=org.apache.kafka.common.replica.RackAwareReplicaSelector.

1. Metadata lists each broker's rack.
2. A v11 consumer fetch from the leader with a follower's rack_id answers
   preferred_read_replica = that follower and no records (once the follower
   is in sync and holds the offset); with the leader's rack, or a rack no
   broker has, the leader answers the records itself (-1).
3. A v11 consumer fetch at that follower reads the same records, up to the
   follower's high watermark; nothing past it.
4. Below v11 a follower still answers NOT_LEADER_OR_FOLLOWER (6), as Kafka
   (no client metadata, so only the leader serves).
5. v16: a replica fetch (ReplicaState) at a broker that is not the leader
   answers NOT_LEADER_OR_FOLLOWER with current_leader and the leader's
   endpoint in node_endpoints.

Needs BOOTSTRAP (with_cluster.sh, 3 brokers, the two settings above)."""
import os
import struct
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import wait_for  # noqa: E402
from kafka_wire import Conn, batch, bootstrap, cstr, kstr, uvarint  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def carr(items):
    return uvarint(len(items) + 1) + b"".join(items)


def metadata(addr, topic):
    """Metadata v1: ({id: (host, port, rack)}, {partition: (leader, replicas, isr)})."""
    body = struct.pack(">i", 1) + kstr(topic)
    with Conn(*addr) as c:
        r = c.call(3, 1, body)
    brokers = {}
    for _ in range(r.take(">i")):
        nid = r.take(">i")
        host = r.str()
        port = r.take(">i")
        brokers[nid] = (host, port, r.str())
    r.take(">i")
    parts = {}
    for _ in range(r.take(">i")):
        r.take(">h")
        r.str()
        r.take(">b")
        for _ in range(r.take(">i")):
            r.take(">h")
            idx = r.take(">i")
            leader = r.take(">i")
            reps = [r.take(">i") for _ in range(r.take(">i"))]
            isr = [r.take(">i") for _ in range(r.take(">i"))]
            parts[idx] = (leader, reps, isr)
    return brokers, parts


def produce(addr, topic, values):
    blob = batch(values)
    body = struct.pack(">h", -1) + struct.pack(">hi", -1, 10000)
    body += struct.pack(">i", 1) + kstr(topic) + struct.pack(">i", 1)
    body += struct.pack(">ii", 0, len(blob)) + blob
    with Conn(*addr) as c:
        r = c.call(0, 7, body)
    r.take(">i")
    r.string()
    r.take(">i")
    r.take(">i")
    return r.take(">h")


def fetch11(addr, topic, offset, rack, version=11):
    """Consumer fetch of partition 0, v10 or v11 (classic encoding):
    (error, hw, preferred read replica, record bytes)."""
    body = struct.pack(">iiiibii", -1, 0, 0, 1 << 20, 0, 0, -1)
    body += struct.pack(">i", 1) + kstr(topic) + struct.pack(">i", 1)
    body += struct.pack(">iiqqi", 0, -1, offset, -1, 1 << 20)
    body += struct.pack(">i", 0)
    if version >= 11:
        body += kstr(rack)
    with Conn(*addr) as c:
        r = c.call(1, version, body)
    r.take(">i")
    r.take(">h")
    r.take(">i")
    r.take(">i")
    r.str()
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    hw = r.take(">q")
    r.take(">q")
    r.take(">q")
    for _ in range(max(r.take(">i"), 0)):
        r.take(">qq")
    pref = r.take(">i") if version >= 11 else -1
    n = r.take(">i")
    return err, hw, pref, r.raw(n) if n > 0 else b""


def fetch16_replica(addr, topic_id, replica_id):
    """v16 replica fetch of partition 0 (ReplicaState tag): (error,
    current leader (id, epoch), {node: (host, port)})."""
    rs = struct.pack(">iq", replica_id, -1) + b"\x00"
    part = struct.pack(">iiqiqi", 0, -1, 0, -1, -1, 1 << 20) + b"\x00"
    body = struct.pack(">iiibii", 0, 0, 1 << 20, 0, 0, -1)
    body += carr([topic_id + carr([part]) + b"\x00"]) + carr([]) + cstr("")
    body += uvarint(1) + uvarint(1) + uvarint(len(rs)) + rs
    with Conn(*addr) as c:
        r = c.call(1, 16, body, flexible=True)
    r.take(">i")
    r.take(">h")
    r.take(">i")
    err, leader = None, (-1, -1)
    for _ in range(r.uvarint() - 1):
        r.raw(16)
        for _ in range(r.uvarint() - 1):
            r.take(">i")
            err = r.take(">h")
            r.take(">qqq")
            for _ in range(max(r.uvarint() - 1, 0)):
                r.take(">qq")
                r.tags()
            r.take(">i")
            n = r.uvarint() - 1
            if n > 0:
                r.raw(n)
            for _ in range(r.uvarint()):
                tag = r.uvarint()
                size = r.uvarint()
                if tag == 1:
                    leader = (r.take(">i"), r.take(">i"))
                    r.tags()
                else:
                    r.raw(size)
        r.tags()
    nodes = {}
    for _ in range(r.uvarint()):
        tag = r.uvarint()
        size = r.uvarint()
        if tag != 0:
            r.raw(size)
            continue
        for _ in range(r.uvarint() - 1):
            nid = r.take(">i")
            host = r.compact_str()
            port = r.take(">i")
            r.compact_string()
            r.tags()
            nodes[nid] = (host, port)
    return err, leader, nodes


def topic_id_of(addr, topic):
    body = carr([b"\x00" * 16 + cstr(topic) + b"\x00"]) + b"\x00\x00\x00"
    with Conn(*addr) as c:
        r = c.call(3, 12, body, flexible=True)
    r.take(">i")
    for _ in range(r.uvarint() - 1):
        r.take(">i")
        r.compact_string()
        r.take(">i")
        r.compact_string()
        r.tags()
    r.compact_string()
    r.take(">i")
    r.uvarint()
    r.take(">h")
    r.compact_string()
    return r.raw(16)


def main():
    boot = bootstrap()
    topic = "rack-" + uuid.uuid4().hex[:6]
    brokers, _ = metadata(boot, topic)  # auto-creates it
    check(all(b[2] == "rack-%d" % i for i, b in brokers.items()) and len(brokers) == 3,
          "Metadata lists broker.rack of each broker (%s)" % brokers)
    ok, (brokers, parts) = wait_for("3 in-sync replicas", lambda: (
        (lambda m: (0 in m[1] and len(m[1][0][2]) == 3 and m[1][0][0] in m[0], m))(
            metadata(boot, topic))), 60)
    check(ok, "partition 0 has a leader and 3 in-sync replicas")
    if not ok:
        return 1
    leader, replicas, _ = parts[0]
    lead = brokers[leader][:2]
    follower = next(r for r in replicas if r != leader)
    foll = brokers[follower][:2]
    check(produce(lead, topic, [b"v%d" % i for i in range(5)]) == 0, "produced 5 records")

    ok, got = wait_for("the leader to name broker %d" % follower, lambda: (
        (lambda f: (f[0] == 0 and f[2] == follower, f))(
            fetch11(lead, topic, 0, "rack-%d" % follower))), 30)
    check(ok and got[3] == b"", "v11 fetch at the leader from rack-%d: preferred_read_replica %d, "
          "no records (%s)" % (follower, follower, got[:3]))
    err, hw, pref, recs = fetch11(lead, topic, 0, "rack-%d" % leader)
    check(err == 0 and pref == -1 and len(recs) > 0 and hw == 5,
          "from the leader's own rack the leader answers the records (%d, %d, %d)" % (err, pref, hw))
    err, _, pref, recs2 = fetch11(lead, topic, 0, "nowhere")
    check(err == 0 and pref == -1 and recs2 == recs, "from an unknown rack the leader answers")

    ok, got = wait_for("the follower's high watermark", lambda: (
        (lambda f: (f[0] == 0 and f[1] == 5, f))(fetch11(foll, topic, 0, "rack-%d" % follower))),
        30)
    check(ok and got[3] == recs and got[2] == -1,
          "v11 fetch at follower %d reads the same records (%s)" % (follower, got[:3]))
    err, _, _, rest = fetch11(foll, topic, 5, "rack-%d" % follower)
    check(err == 0 and rest == b"", "nothing past the follower's high watermark")
    err, _, _, _ = fetch11(foll, topic, 0, None, version=10)
    check(err == 6, "v10 at the follower: NOT_LEADER_OR_FOLLOWER (%d)" % err)

    tid = topic_id_of(boot, topic)
    other = next(r for r in replicas if r not in (leader, follower))
    err, cur, nodes = fetch16_replica(foll, tid, other)
    check(err == 6 and cur[0] == leader and nodes.get(leader) == tuple(lead),
          "v16 replica fetch at a follower: NOT_LEADER_OR_FOLLOWER, current_leader %s, "
          "node_endpoints %s" % (cur, nodes))

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
