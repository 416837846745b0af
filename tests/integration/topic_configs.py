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
Stdlib only; the wire and cluster helpers are tests/lib's.
"""

import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import (create_topic, describe_topic_configs, fetch_all,  # noqa: E402
                         find_leader, metadata, produce, produce_to_leader)
from kafka_wire import TIMEOUT, addr_of, batch, crc32c  # noqa: E402

TOPIC = b"configured"


def produce_size(addr, size):
    with socket.create_connection(addr, timeout=TIMEOUT) as s:
        return produce(s, 7, TOPIC, batch([b"x" * size]))[0]


def main():
    boot = addr_of(os.environ["BOOTSTRAP"].split(",")[0])
    brokers, controller = metadata(boot)
    other = next(a for i, a in brokers.items() if i != controller)
    results = []

    def check(name, ok, detail):
        results.append(ok)
        print("%-4s %-28s %s" % ("ok" if ok else "FAIL", name, detail))

    err, msg = create_topic(brokers[controller], b"badconfig", 1, 3, [(b"max.message.bytes", b"lots")])
    check("invalid_config_refused", err == 40, "error %d %s" % (err, msg))
    err, msg = create_topic(brokers[controller], TOPIC, 1, 3,
                            [(b"max.message.bytes", b"2000"), (b"min.insync.replicas", b"2"),
                             (b"retention.ms", b"3600000")])
    check("create_with_configs", err == 0, "error %d %s" % (err, msg))
    want = {"max.message.bytes": "2000", "min.insync.replicas": "2", "retention.ms": "3600000"}
    got = {}
    deadline = time.time() + 15
    while time.time() < deadline:
        err, cfgs = describe_topic_configs(other, TOPIC)
        got = {k: v for k, (v, src) in cfgs.items() if src == 1}
        if err == 0 and got == want:
            break
        time.sleep(0.3)
    check("describe_shows_overrides", got == want, "topic overrides %s" % got)
    leader = find_leader(boot, TOPIC)
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
    err, msg = create_topic(brokers[controller], b"compacted", 1, 3, [(b"cleanup.policy", b"compact")])
    check("create_compacted", err == 0, "error %d %s" % (err, msg))
    err, _, _ = produce_to_leader(boot, b"compacted", batch([b"keyed"]))
    check("compacted_keyed_accepted", err == 0, "error %d" % err)
    err, _, _ = produce_to_leader(boot, b"compacted", batch([b"v"], keys=[None]))
    check("compacted_null_key_refused", err == 87, "error %d (want 87)" % err)
    err, msg = create_topic(brokers[controller], b"appendtime", 1, 3,
                            [(b"message.timestamp.type", b"LogAppendTime")])
    before = int(time.time() * 1000)
    err, base, append_ms = produce_to_leader(boot, b"appendtime", batch([b"a", b"b"]))
    check("log_append_time_stamped", err == 0 and append_ms >= before - 1000,
          "error %d, log_append_time %d" % (err, append_ms))
    with socket.create_connection(find_leader(boot, b"appendtime"), timeout=TIMEOUT) as s:
        err, data = fetch_all(s, 12, b"appendtime")
    ok = len(data) > 61 and struct.unpack_from(">h", data, 21)[0] & 0x08 and \
        struct.unpack_from(">I", data, 17)[0] == crc32c(data[21:12 + struct.unpack_from(">i", data, 8)[0]]) and \
        struct.unpack_from(">q", data, 35)[0] == append_ms
    check("log_append_time_in_log", bool(ok), "fetched batch carries the broker time, CRC valid")
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
