#!/usr/bin/env python3
"""topic_configs: per-topic configs reach every broker's data plane.

CreateTopics v4 with configs (max.message.bytes=2000, min.insync.replicas=2,
retention.ms) on the controller; a bad value is refused with INVALID_CONFIG;
DescribeConfigs on another broker reports the overrides as topic configs;
the leader refuses a 3000-byte batch (MESSAGE_TOO_LARGE) but takes a small
one; after the override is rewritten in ZooKeeper (as an operator would with
zkCli.sh, through deploy/cluster.sh zk) the 3000-byte batch is accepted. A
compacted topic refuses records without a key (INVALID_RECORD); a
LogAppendTime topic stamps the broker's time into the stored batch.
Stdlib only; reuses produce_validation's wire helpers.
"""

import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import produce_validation as pv  # noqa: E402

TOPIC = b"configured"
BOOT = None
pv.TOPIC = TOPIC


def metadata(addr):
    with socket.create_connection(addr, timeout=pv.TIMEOUT) as s:
        r = pv.Reader(pv.request(s, 3, 1, 1, struct.pack(">i", 0)))
    brokers = {}
    for _ in range(r.take(">i")):
        nid = r.take(">i")
        host = r.string().decode()
        port = r.take(">i")
        r.string()
        brokers[nid] = (host, port)
    return brokers, r.take(">i")


def create_topic(addr, name, configs):
    body = struct.pack(">i", 1) + pv.kstr(name) + struct.pack(">ihi", 1, 3, 0)
    body += struct.pack(">i", len(configs))
    for k, v in configs:
        body += pv.kstr(k) + pv.kstr(v)
    body += struct.pack(">ib", 30000, 0)
    with socket.create_connection(addr, timeout=40) as s:
        r = pv.Reader(pv.request(s, 19, 4, 2, body))
    r.take(">i")  # throttle
    r.take(">i")
    r.string()
    return r.take(">h"), r.string()


def describe(addr, name):
    body = struct.pack(">i", 1) + struct.pack(">b", 2) + pv.kstr(name) + struct.pack(">i", -1)
    body += struct.pack(">b", 0)
    with socket.create_connection(addr, timeout=pv.TIMEOUT) as s:
        r = pv.Reader(pv.request(s, 32, 1, 3, body))
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    r.string()
    r.take(">b")
    r.string()
    out = {}
    for _ in range(max(r.take(">i"), 0)):
        key = r.string().decode()
        value = r.string()
        r.take(">b")  # read only
        source = r.take(">b")
        r.take(">b")  # sensitive
        for _ in range(max(r.take(">i"), 0)):
            r.string()
            r.string()
            r.take(">b")
        out[key] = (value.decode() if value is not None else None, source)
    return err, out


def null_key_batch():
    body = b"\x00" + pv.varint(0) + pv.varint(0) + pv.varint(-1) + pv.varint(1) + b"v" + pv.varint(0)
    rec = pv.varint(len(body)) + body
    now = int(time.time() * 1000)
    after_crc = struct.pack(">hiqqqhii", 0, 0, now, now, -1, -1, -1, 1) + rec
    rest = struct.pack(">ibI", -1, 2, pv.crc32c(after_crc)) + after_crc
    return struct.pack(">qi", 0, len(rest)) + rest


def produce_raw(topic, blob):
    """Produce v7 to partition 0 of topic: (error, base offset, append time)."""
    pv.TOPIC = topic
    leader = pv.find_leader(BOOT)
    body = struct.pack(">h", -1) + struct.pack(">hi", -1, 10000)
    body += struct.pack(">i", 1) + pv.kstr(topic) + struct.pack(">i", 1)
    body += struct.pack(">ii", 0, len(blob)) + blob
    with socket.create_connection(leader, timeout=pv.TIMEOUT) as s:
        r = pv.Reader(pv.request(s, 0, 7, 9, body))
    r.take(">i")
    r.string()
    r.take(">i")
    r.take(">i")
    out = r.take(">h"), r.take(">q"), r.take(">q")
    pv.TOPIC = TOPIC
    return out


def produce_size(addr, size):
    with socket.create_connection(addr, timeout=pv.TIMEOUT) as s:
        return pv.produce(s, 7, pv.batch([b"x" * size]))[0]


def main():
    boot = os.environ["BOOTSTRAP"].split(",")[0]
    host, _, port = boot.rpartition(":")
    global BOOT
    BOOT = (host, int(port))
    brokers, controller = metadata((host, int(port)))
    other = next(a for i, a in brokers.items() if i != controller)
    results = []

    def check(name, ok, detail):
        results.append(ok)
        print("%-4s %-28s %s" % ("ok" if ok else "FAIL", name, detail))

    err, msg = create_topic(brokers[controller], b"badconfig", [(b"max.message.bytes", b"lots")])
    check("invalid_config_refused", err == 40, "error %d %s" % (err, msg))
    err, msg = create_topic(brokers[controller], TOPIC,
                            [(b"max.message.bytes", b"2000"), (b"min.insync.replicas", b"2"),
                             (b"retention.ms", b"3600000")])
    check("create_with_configs", err == 0, "error %d %s" % (err, msg))
    want = {"max.message.bytes": "2000", "min.insync.replicas": "2", "retention.ms": "3600000"}
    got = {}
    deadline = time.time() + 15
    while time.time() < deadline:
        err, cfgs = describe(other, TOPIC)
        got = {k: v for k, (v, src) in cfgs.items() if src == 1}
        if err == 0 and got == want:
            break
        time.sleep(0.3)
    check("describe_shows_overrides", got == want, "topic overrides %s" % got)
    leader = pv.find_leader((host, int(port)))
    err = produce_size(leader, 3000)
    check("override_limits_batch", err == 10, "3000-byte batch: error %d (want 10)" % err)
    err = produce_size(leader, 100)
    check("small_batch_accepted", err == 0, "100-byte batch: error %d" % err)
    cluster = [os.path.join(os.environ["GREGOR_SOURCE_ROOT"], "deploy", "cluster.sh"),
               "zk", "--dir", os.environ["GREGOR_CLUSTER_DIR"]]
    new = '{"version":1,"config":{"max.message.bytes":"100000","min.insync.replicas":"2"}}'
    subprocess.run(cluster + ["set", "/config/topics/configured", new], check=True,
                   stdout=subprocess.DEVNULL, timeout=60)
    err = -1
    deadline = time.time() + 15
    while time.time() < deadline and err != 0:
        err = produce_size(leader, 3000)
        time.sleep(0.3)
    check("rewritten_override_applies", err == 0, "3000-byte batch after rewrite: error %d" % err)
    err, msg = create_topic(brokers[controller], b"compacted", [(b"cleanup.policy", b"compact")])
    check("create_compacted", err == 0, "error %d %s" % (err, msg))
    err, _, _ = produce_raw(b"compacted", pv.batch([b"keyed"]))
    check("compacted_keyed_accepted", err == 0, "error %d" % err)
    err, _, _ = produce_raw(b"compacted", null_key_batch())
    check("compacted_null_key_refused", err == 87, "error %d (want 87)" % err)
    err, msg = create_topic(brokers[controller], b"appendtime",
                            [(b"message.timestamp.type", b"LogAppendTime")])
    before = int(time.time() * 1000)
    err, base, append_ms = produce_raw(b"appendtime", pv.batch([b"a", b"b"]))
    check("log_append_time_stamped", err == 0 and append_ms >= before - 1000,
          "error %d, log_append_time %d" % (err, append_ms))
    pv.TOPIC = b"appendtime"
    with socket.create_connection(pv.find_leader(BOOT), timeout=pv.TIMEOUT) as s:
        err, data = pv.fetch_all(s, 12)
    pv.TOPIC = TOPIC
    ok = len(data) > 61 and struct.unpack_from(">h", data, 21)[0] & 0x08 and \
        struct.unpack_from(">I", data, 17)[0] == pv.crc32c(data[21:12 + struct.unpack_from(">i", data, 8)[0]]) and \
        struct.unpack_from(">q", data, 35)[0] == append_ms
    check("log_append_time_in_log", bool(ok), "fetched batch carries the broker time, CRC valid")
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
