#!/usr/bin/env python3
"""topic_delete: a deleted topic leaves every broker's metadata at once.

On a 3-broker cluster: CreateTopics "doomed" (3 partitions, rf 2) and wait
until kcat -L against each broker lists it; DeleteTopics v1 (timeout 30 s)
answers 0 within a few seconds and then kcat -L against each of the three
brokers no longer lists the topic, and its znodes go away; CreateTopics of
the same name (2 partitions) works and every broker lists the new topic
with 2 led partitions. CreateTopics with timeout_ms=1 answers
REQUEST_TIMED_OUT (the leaders cannot be in the metadata 1 ms later) yet
the topic is created. Group offsets (Kafka's cleanupGroupMetadata on
deletion): offsets committed for "doomed" (OffsetCommit v2, simple
consumer) read back, are gone (OffsetFetch -1) a few seconds after the
deletion, and the re-created "doomed" starts with none. Stdlib + kcat only.
"""

import os
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from groups_wire import offset_fetch, ready_coordinator  # noqa: E402
from kafka_admin import (create_topic, delete_topic, kcat_topics, metadata,  # noqa: E402
                         wait_for, zk_exists)
from kafka_wire import Conn, addr_of, bootstrap, kstr  # noqa: E402

GROUP = "td-group"


def commit_offsets(coord, topic, offsets):
    """OffsetCommit v2 as a simple consumer: [partition error codes]."""
    body = kstr(GROUP) + struct.pack(">i", -1) + kstr("") + struct.pack(">q", -1)
    body += struct.pack(">i", 1) + kstr(topic) + struct.pack(">i", len(offsets))
    for p, off in offsets.items():
        body += struct.pack(">iq", p, off) + kstr("")
    with Conn(*coord) as c:
        r = c.call(8, 2, body)
    errs = []
    for _ in range(r.take(">i")):
        r.string()
        for _ in range(r.take(">i")):
            r.take(">i")
            errs.append(r.take(">h"))
    return errs


def fetch_offsets(coord, topic, npart):
    with Conn(*coord) as c:
        return offset_fetch(c, GROUP, topic, npart)


def main():
    boot = addr_of(os.environ["BOOTSTRAP"].split(",")[0])
    brokers, controller = metadata(boot)
    ctl = brokers[controller]
    results = []

    def check(name, ok, detail):
        results.append(bool(ok))
        print("%-4s %-30s %s" % ("ok" if ok else "FAIL", name, detail))

    check("three_brokers", len(brokers) == 3, "brokers %s" % sorted(brokers))

    def on_all(pred):
        seen = {i: kcat_topics(a) for i, a in brokers.items()}
        return all(pred(v) for v in seen.values()), seen

    def led(n):
        return lambda ts: len(ts.get("doomed", [])) == n and min(ts["doomed"]) >= 0

    err, msg = create_topic(ctl, b"doomed", 3, 2)
    check("create", err == 0, "error %d %s" % (err, msg))
    ok, _ = wait_for("doomed on all brokers", lambda: on_all(led(3)), 20)
    check("listed_everywhere", ok, "3 led partitions in kcat -L of every broker")
    subprocess.run(["kcat", "-P", "-b", os.environ["BOOTSTRAP"], "-t", "doomed"],
                   input=b"a\nb\nc\n", timeout=60, check=True)
    coord = ready_coordinator(bootstrap(), GROUP)
    errs = commit_offsets(coord, "doomed", {0: 1, 1: 1, 2: 1})
    err, offs = fetch_offsets(coord, "doomed", 3)
    check("offsets_committed", errs == [0, 0, 0] and err == 0 and offs == {0: 1, 1: 1, 2: 1},
          "commit errors %s, fetch error %d %s" % (errs, err, offs))

    t0 = time.time()
    err = delete_topic(ctl, b"doomed")
    took = time.time() - t0
    check("delete", err == 0 and took < 5, "error %d after %.2f s" % (err, took))
    ok, seen = wait_for("doomed gone from all brokers",
                        lambda: on_all(lambda ts: "doomed" not in ts), 5)
    check("gone_everywhere", ok, "gone from kcat -L of every broker %.2f s after "
          "DeleteTopics began" % (time.time() - t0))
    ok, _ = wait_for("znodes gone", lambda: (not zk_exists("/brokers/topics/doomed") and
                                             not zk_exists("/admin/delete_topics/doomed"), None), 20)
    check("znodes_removed", ok, "/brokers/topics/doomed and /admin/delete_topics/doomed")
    ok, got = wait_for("deleted topic's offsets gone",
                       lambda: (lambda r: (r == (0, {0: -1, 1: -1, 2: -1}), r))(
                           fetch_offsets(coord, "doomed", 3)), 10)
    check("offsets_removed", ok, "OffsetFetch after the deletion: %s" % (got,))

    err, msg = create_topic(ctl, b"doomed", 2, 2)
    check("recreate", err == 0, "error %d %s" % (err, msg))
    ok, seen = wait_for("new doomed on all brokers", lambda: on_all(led(2)), 20)
    check("recreated_everywhere", ok, "2 led partitions in kcat -L of every broker")
    out = subprocess.run(["kcat", "-C", "-b", os.environ["BOOTSTRAP"], "-t", "doomed", "-e",
                          "-q", "-X", "socket.timeout.ms=5000"],
                         capture_output=True, timeout=60).stdout
    check("recreated_empty", out == b"", "old records gone: %r" % out[:40])
    err, offs = fetch_offsets(coord, "doomed", 2)
    check("recreated_no_offsets", err == 0 and offs == {0: -1, 1: -1},
          "re-created topic's committed offsets: error %d %s" % (err, offs))

    err, msg = create_topic(ctl, b"hurried", 4, 3, timeout_ms=1)
    check("create_times_out", err == 7, "timeout_ms=1: error %d (want 7)" % err)
    ok, _ = wait_for("hurried on all brokers",
                     lambda: on_all(lambda ts: len(ts.get("hurried", [])) == 4), 20)
    check("timed_out_topic_created", ok, "created anyway, as Kafka")
    err = delete_topic(ctl, b"hurried", timeout_ms=0)
    check("delete_timeout_0", err == 0, "timeout_ms=0: error %d (want 0, answered at once)" % err)
    ok, _ = wait_for("hurried gone", lambda: on_all(lambda ts: "hurried" not in ts), 5)
    check("hurried_gone", ok, "gone from every broker")

    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
