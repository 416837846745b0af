#!/usr/bin/env python3
"""create_partitions: CreatePartitions (37) v1 with explicit assignments.

On a 3-broker cluster, raw protocol (stdlib only):
- a broker that is not the controller answers NOT_CONTROLLER (41);
- 2 -> 4 partitions with explicit lists: the topic znode lists exactly them
  for partitions 2 and 3, and Metadata on every broker reports those
  replicas with a leader among them;
- Kafka's refusals, each leaving the znode at 4 partitions: unknown broker,
  fewer lists than new partitions, an empty list of lists, duplicates, a
  list of the wrong size, an empty list (INVALID_REPLICA_ASSIGNMENT, 39,
  with Kafka 2.8's messages); no increase (INVALID_PARTITIONS, 37); an
  unknown topic (3); validate_only writes nothing.
"""

import json
import os
import socket
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import create_topic, metadata, wait_for  # noqa: E402
from kafka_wire import Reader, addr_of, kstr, request  # noqa: E402

TOPIC = b"grown"


def create_partitions(addr, name, count, assignments, validate_only=False):
    """CreatePartitions v1, one topic; assignments None = automatic."""
    body = struct.pack(">i", 1) + kstr(name) + struct.pack(">i", count)
    if assignments is None:
        body += struct.pack(">i", -1)
    else:
        body += struct.pack(">i", len(assignments))
        for ids in assignments:
            body += struct.pack(">i%di" % len(ids), len(ids), *ids)
    body += struct.pack(">ib", 30000, 1 if validate_only else 0)
    with socket.create_connection(addr, timeout=60) as s:
        r = Reader(request(s, 37, 1, 7, body))
    r.take(">i")  # throttle
    if r.take(">i") != 1:
        raise RuntimeError("expected one result")
    r.string()
    err = r.take(">h")
    msg = r.string()
    return err, msg.decode() if msg else None


def topic_metadata(addr, name):
    """Metadata v1 for one topic: {partition: (leader, replicas)} or error."""
    with socket.create_connection(addr, timeout=30) as s:
        r = Reader(request(s, 3, 1, 8, struct.pack(">i", 1) + kstr(name)))
    for _ in range(r.take(">i")):
        r.take(">i")
        r.string()
        r.take(">i")
        r.string()
    r.take(">i")  # controller
    out = {}
    for _ in range(r.take(">i")):
        terr = r.take(">h")
        r.string()
        r.take(">b")
        for _ in range(r.take(">i")):
            r.take(">h")
            idx = r.take(">i")
            leader = r.take(">i")
            reps = [r.take(">i") for _ in range(r.take(">i"))]
            for _ in range(r.take(">i")):
                r.take(">i")
            out[idx] = (leader, reps)
        if terr:
            return "error %d" % terr
    return out


def znode_partitions():
    path = os.path.join(os.environ["GREGOR_SOURCE_ROOT"], "deploy", "zkq.py")
    p = subprocess.run([sys.executable, path, "-s", os.environ["ZOOKEEPER"], "-t", "3",
                        "get", "/brokers/topics/" + TOPIC.decode()],
                       capture_output=True, timeout=30)
    if p.returncode:
        return None
    return {int(k): v for k, v in json.loads(p.stdout)["partitions"].items()}


def main():
    boot = addr_of(os.environ["BOOTSTRAP"].split(",")[0])
    brokers, controller = metadata(boot)
    ids = sorted(brokers)
    other = next(brokers[i] for i in ids if i != controller)
    ctl = brokers[controller]
    b1, b2, b3 = ids[:3]
    results = []

    def check(name, ok, detail):
        results.append(bool(ok))
        print("%-4s %-22s %s" % ("ok" if ok else "FAIL", name, detail))

    err, msg = create_topic(ctl, TOPIC, 2, 2)
    check("create", err == 0, "error %d %s" % (err, msg))
    ok, last = wait_for("2 partitions everywhere", lambda: (all(
        isinstance(m, dict) and len(m) == 2 and all(ld >= 0 for ld, _ in m.values())
        for m in [topic_metadata(a, TOPIC) for a in brokers.values()]), None), 30)
    check("created_everywhere", ok, "")

    want = {2: [b3, b1], 3: [b2, b3]}
    err, msg = create_partitions(other, TOPIC, 4, [want[2], want[3]])
    check("not_controller", err == 41, "error %d %s" % (err, msg))

    err, msg = create_partitions(ctl, TOPIC, 4, [want[2], want[3]])
    zn = znode_partitions()
    check("explicit", err == 0 and zn and len(zn) == 4 and zn[2] == want[2] and
          zn[3] == want[3], "error %d %s, znode %s" % (err, msg, zn))

    def everywhere():
        seen = {i: topic_metadata(a, TOPIC) for i, a in brokers.items()}
        good = all(isinstance(m, dict) and len(m) == 4 and
                   all(m[p][1] == want[p] and m[p][0] in want[p] for p in want)
                   for m in seen.values())
        return good, seen
    ok, seen = wait_for("new partitions on every broker", everywhere, 30)
    check("metadata_everywhere", ok, "" if ok else str(seen))

    def refused(name, count, assignments, want_err, want_msg, validate_only=False):
        err, msg = create_partitions(ctl, TOPIC, count, assignments, validate_only)
        zn = znode_partitions()
        check(name, err == want_err and msg == want_msg and zn and len(zn) == 4,
              "error %d %r, znode has %s partitions" % (err, msg, len(zn) if zn else zn))

    refused("unknown_broker", 5, [[99, b1]], 39,
            "Unknown broker(s) in replica assignment: 99.")
    refused("too_few_lists", 6, [[b1, b2]], 39,
            "Increasing the number of partitions by 2 but 1 assignments provided.")
    refused("no_lists", 5, [], 39,
            "Increasing the number of partitions by 1 but 0 assignments provided.")
    refused("duplicates", 5, [[b1, b1]], 39,
            "Duplicate brokers not allowed in replica assignment: %d, %d for "
            "partition id 4." % (b1, b1))
    refused("wrong_rf", 6, [[b1, b2], [b3]], 39,
            "Inconsistent replication factor between partitions, partition 0 has 2 "
            "while partitions [5] have replication factors [1], respectively.")
    refused("empty_list", 5, [[]], 39,
            "Cannot have replication factor of 0 for partition id 4.")
    refused("no_increase", 4, [[b1, b2]], 37, "Topic already has 4 partitions.")
    refused("decrease", 3, None, 37,
            "Topic currently has 4 partitions, which is higher than the requested 3.")
    refused("validate_only", 5, [[b1, b2]], 0, None, validate_only=True)

    err, msg = create_partitions(ctl, b"no-such-topic", 5, [[b1, b2]])
    check("unknown_topic", err == 3, "error %d %s" % (err, msg))

    print("%d/%d checks passed" % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
