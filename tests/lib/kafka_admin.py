"""kafka_admin: cluster helpers of the Python tests, over kafka_wire: who
leads what (Metadata), topic admin (CreateTopics, DeleteTopics,
DescribeConfigs, AlterConfigs, IncrementalAlterConfigs), Produce / Fetch /
ListOffsets of one partition, ZooKeeper reads through deploy/zkq.py, kcat's
view of the topics, and bounded waiting. Stdlib only.
"""

import json
import os
import socket
import struct
import subprocess
import time

from kafka_wire import (TIMEOUT, Conn, Reader, cstr, kstr, nstr, request, uvarint)


def metadata(addr):
    """Metadata v1 for no topics: ({id: (host, port)}, controller id)."""
    with Conn(*addr) as c:
        r = c.call(3, 1, struct.pack(">i", 0))
    brokers = {}
    for _ in range(r.take(">i")):
        nid = r.take(">i")
        host = r.str()
        port = r.take(">i")
        r.string()  # rack
        brokers[nid] = (host, port)
    return brokers, r.take(">i")


def partition_states(addr, topic):
    """Metadata v5 for topic: {partition: (leader, replicas, isr, offline
    replicas)}; {} when the topic has an error."""
    with Conn(*addr) as c:
        r = c.call(3, 5, struct.pack(">i", 1) + kstr(topic) + b"\x00")
    r.take(">i")  # throttle
    for _ in range(r.take(">i")):
        r.take(">i"), r.str(), r.take(">i"), r.string()
    r.string()  # cluster id
    r.take(">i")  # controller
    out = {}
    for _ in range(r.take(">i")):
        err = r.take(">h")
        r.string()
        r.take(">b")
        for _ in range(r.take(">i")):
            r.take(">h")
            idx, leader = r.take(">i"), r.take(">i")
            lists = [[r.take(">i") for _ in range(r.take(">i"))] for _ in range(3)]
            if err == 0:
                out[idx] = (leader, *lists)
    return out


def find_leader(addr, topic, limit=30.0):
    """Metadata v1 for topic (auto-creates it): partition 0's leader's
    address, waiting up to limit seconds for one."""
    deadline = time.time() + limit
    while time.time() < deadline:
        with Conn(*addr) as c:
            r = c.call(3, 1, struct.pack(">i", 1) + kstr(topic))
        brokers = {}
        for _ in range(r.take(">i")):
            nid = r.take(">i")
            host = r.str()
            port = r.take(">i")
            r.string()  # rack
            brokers[nid] = (host, port)
        r.take(">i")  # controller
        r.take(">i")  # topics
        terr = r.take(">h")
        r.string()
        r.take(">b")
        nparts = r.take(">i")
        if terr == 0 and nparts >= 1:
            perr = r.take(">h")
            r.take(">i")
            leader = r.take(">i")
            if perr == 0 and leader in brokers:
                return brokers[leader]
        time.sleep(0.3)
    raise RuntimeError("no leader for %r within %d s" % (topic, limit))


def create_topic(addr, name, partitions=1, rf=3, configs=(), timeout_ms=30000):
    """CreateTopics v4 for one topic: (error, message bytes or None)."""
    body = struct.pack(">i", 1) + kstr(name) + struct.pack(">ihi", partitions, rf, 0)
    body += struct.pack(">i", len(configs))
    for k, v in configs:
        body += kstr(k) + kstr(v)
    body += struct.pack(">ib", timeout_ms, 0)
    with Conn(addr[0], addr[1], timeout=60) as c:
        r = c.call(19, 4, body)
    r.take(">i")  # throttle
    r.take(">i")
    r.string()
    return r.take(">h"), r.string()


def delete_topic(addr, name, timeout_ms=30000):
    """DeleteTopics v1: error code of the one topic."""
    body = struct.pack(">i", 1) + kstr(name) + struct.pack(">i", timeout_ms)
    with Conn(addr[0], addr[1], timeout=60) as c:
        r = c.call(20, 1, body)
    r.take(">i")  # throttle
    r.take(">i")
    r.string()
    return r.take(">h")


def describe_topic_configs(addr, name):
    """DescribeConfigs v1 of a topic: (error, {key: (value, source)})."""
    body = struct.pack(">i", 1) + struct.pack(">b", 2) + kstr(name) + struct.pack(">i", -1)
    body += struct.pack(">b", 0)
    with Conn(*addr) as c:
        r = c.call(32, 1, body)
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    r.string()
    r.take(">b")
    r.string()
    out = {}
    for _ in range(max(r.take(">i"), 0)):
        key = r.str()
        value = r.str()
        r.take(">b")  # read only
        source = r.take(">b")
        r.take(">b")  # sensitive
        for _ in range(max(r.take(">i"), 0)):
            r.string()
            r.string()
            r.take(">b")
        out[key] = (value, source)
    return err, out


def _alter_results(r, flexible):
    r.take(">i")  # throttle
    out = []
    n = r.uvarint() - 1 if flexible else r.take(">i")
    for _ in range(n):
        err = r.take(">h")
        msg = r.compact_str() if flexible else r.str()
        r.take(">b")
        r.compact_string() if flexible else r.string()
        if flexible:
            r.tags()
        out.append((err, msg or None))
    return out


def alter_configs(addr, rtype, name, configs, validate_only=False):
    """AlterConfigs v0, one resource: (error, message)."""
    body = struct.pack(">ib", 1, rtype) + kstr(name) + struct.pack(">i", len(configs))
    for k, v in configs:
        body += kstr(k) + nstr(v)
    body += struct.pack(">b", 1 if validate_only else 0)
    with Conn(addr[0], addr[1], timeout=30) as c:
        return _alter_results(c.call(33, 0, body), False)[0]


def incremental_alter_configs(addr, rtype, name, ops, validate_only=False):
    """IncrementalAlterConfigs v1 (flexible), one resource, ops
    [(key, op, value)]: (error, message)."""
    body = uvarint(2) + struct.pack(">b", rtype) + cstr(name) + uvarint(len(ops) + 1)
    for k, op, v in ops:
        body += cstr(k) + struct.pack(">b", op) + cstr(v) + b"\x00"
    body += b"\x00" + struct.pack(">b", 1 if validate_only else 0) + b"\x00"
    with Conn(addr[0], addr[1], timeout=30) as c:
        return _alter_results(c.call(44, 1, body, flexible=True), True)[0]


# ---- one partition: produce, end offset, fetch ----


def produce(sock, corr, topic, blob, partition=0, version=7):
    """Produce (acks=all) of one batch: (error, base offset, append time)."""
    body = struct.pack(">h", -1) + struct.pack(">hi", -1, 10000)
    body += struct.pack(">i", 1) + kstr(topic) + struct.pack(">i", 1)
    body += struct.pack(">ii", partition, len(blob)) + blob
    r = Reader(request(sock, 0, version, corr, body))
    r.take(">i")
    r.string()
    r.take(">i")
    r.take(">i")  # partition
    return r.take(">h"), r.take(">q"), r.take(">q")


def produce_to_leader(boot, topic, blob):
    """Produce v7 to partition 0 of topic at its leader."""
    leader = find_leader(boot, topic)
    with socket.create_connection(leader, timeout=TIMEOUT) as s:
        return produce(s, 9, topic, blob)


def latest_offset(sock, corr, topic, partition=0):
    """ListOffsets v2 latest: (error, offset)."""
    body = struct.pack(">ib", -1, 0) + struct.pack(">i", 1) + kstr(topic)
    body += struct.pack(">i", 1) + struct.pack(">iq", partition, -1)
    r = Reader(request(sock, 2, 2, corr, body))
    r.take(">i")  # throttle
    r.take(">i")
    r.string()
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    r.take(">q")
    return err, r.take(">q")


def fetch_all(sock, corr, topic, partition=0, max_bytes=8 << 20):
    """Fetch v5 from offset 0: (error, record bytes)."""
    body = struct.pack(">iiiib", -1, 0, 1, max_bytes, 0) + struct.pack(">i", 1) + kstr(topic)
    body += struct.pack(">i", 1) + struct.pack(">iqqi", partition, 0, -1, max_bytes)
    r = Reader(request(sock, 1, 5, corr, body))
    r.take(">i")
    r.take(">i")
    r.string()
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    r.take(">q")
    r.take(">q")
    r.take(">q")
    for _ in range(max(r.take(">i"), 0)):
        r.take(">qq")
    return err, r.bytes_()


# ---- log dirs ----


def describe_log_dirs(addr, version, topics):
    """DescribeLogDirs (topics None: all): (top error, [(error, dir,
    {(t, p): (size, lag, fut)}, total, usable)]) per log dir."""
    flex = version >= 2
    arr = (lambda n: uvarint(n + 1)) if flex else (lambda n: struct.pack(">i", n))
    s = cstr if flex else kstr
    tag = b"\x00" if flex else b""
    if topics is None:
        body = uvarint(0) if flex else struct.pack(">i", -1)
    else:
        body = arr(len(topics))
        for t, parts in topics:
            body += s(t) + arr(len(parts)) + b"".join(struct.pack(">i", p) for p in parts) + tag
    body += tag
    with Conn(*addr) as c:
        r = c.call(35, version, body, flexible=flex)
    r.take(">i")
    top = r.take(">h") if version >= 3 else 0
    n_arr = (lambda: r.uvarint() - 1) if flex else (lambda: r.take(">i"))
    rstr = r.compact_str if flex else r.str
    results = []
    for _ in range(n_arr()):
        err, d, parts = r.take(">h"), rstr(), {}
        for _ in range(n_arr()):
            t = rstr()
            for _ in range(n_arr()):
                p, size, lag, fut = r.take(">i"), r.take(">q"), r.take(">q"), r.take(">b")
                parts[(t, p)] = (size, lag, fut)
                if flex:
                    r.tags()
            if flex:
                r.tags()
        total = r.take(">q") if version >= 4 else None
        usable = r.take(">q") if version >= 4 else None
        if flex:
            r.tags()
        results.append((err, d, parts, total, usable))
    return top, results


# ---- the cluster from outside ----


def zkq(*args):
    """deploy/zkq.py against $ZOOKEEPER: stdout, or None on failure. Run as a
    program: its #! is Debian's python3, which has python3-kazoo."""
    path = os.path.join(os.environ["GREGOR_SOURCE_ROOT"], "deploy", "zkq.py")
    p = subprocess.run([path, "-s", os.environ["ZOOKEEPER"], "-t", "3"] +
                       list(args), capture_output=True, timeout=60)
    return p.stdout.decode() if p.returncode == 0 else None


def zk_exists(path):
    return zkq("exists", path) is not None


def kcat_topics(addr):
    """kcat -L -J against one broker only: {topic: [leader per partition]}.
    All topics are listed (no -t), so nothing is auto-created."""
    out = subprocess.run(["kcat", "-L", "-J", "-b", "%s:%d" % addr,
                          "-X", "socket.timeout.ms=5000", "-m", "8"],
                         capture_output=True, timeout=30, check=True).stdout
    m = json.loads(out)
    return {t["topic"]: [p.get("leader", -1) for p in t.get("partitions", [])]
            for t in m.get("topics", []) if not t.get("err")}


def wait_for(what, fn, limit):
    """Polls fn() -> (ok, detail) every 0.25 s for up to limit seconds:
    (ok, last detail); says what it gave up on."""
    deadline = time.time() + limit
    last = None
    while time.time() < deadline:
        ok, last = fn()
        if ok:
            return True, last
        time.sleep(0.25)
    print("  (gave up waiting for %s: %s)" % (what, last))
    return False, last
