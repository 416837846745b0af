#!/usr/bin/env python3
"""compaction: the log cleaner compacts a cleanup.policy=compact topic.

Creates a one-partition, three-replica topic with cleanup.policy=compact,
segment.bytes=10000, min.cleanable.dirty.ratio=0.01 (CreateTopics v4); kcat
produces 10,000 messages over 100 keys (key k<i%100>, value v<i>, small
batches); then reads the partition with kcat until the cleaner has run and
checks: offsets strictly increase; below the leader's active segment no key
appears twice and every record there is the latest of its key below that
point; the last record of every key carries the value produced last for it;
at most 100 records plus the active segment's are left. Also checks that
every replica's log (each cleans its own) shrank below a quarter of the
key and value bytes produced and no .cleaned file is left. Stdlib +
kcat; runs under clients/with_cluster.sh.
"""

import glob
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import create_topic, metadata  # noqa: E402

TOPIC = b"compacted"
KEYS = 100
MESSAGES = 10000


def kcat(args, data=None, timeout=120):
    cmd = ["kcat", "-b", os.environ["BOOTSTRAP"], "-X", "socket.timeout.ms=10000"] + args
    return subprocess.run(cmd, input=data, capture_output=True, timeout=timeout, check=True).stdout


def leader_dir():
    meta = json.loads(kcat(["-L", "-J", "-t", TOPIC.decode()]))
    leader = meta["topics"][0]["partitions"][0]["leader"]
    return os.path.join(os.environ["GREGOR_CLUSTER_DIR"], "broker", str(leader), "data",
                        TOPIC.decode() + "-0")


def active_base(d):
    bases = [int(os.path.basename(p)[:20]) for p in glob.glob(os.path.join(d, "*.log"))]
    return max(bases) if bases else 0


def read_all():
    out = kcat(["-C", "-t", TOPIC.decode(), "-p", "0", "-o", "beginning", "-e", "-q",
                "-f", "%o %k %s\n"])
    recs = []
    for line in out.decode().splitlines():
        off, key, val = line.split(" ")
        recs.append((int(off), key, val))
    return recs


def problems(recs, last_value, active):
    """What is wrong with a read (empty when it is compacted right)."""
    bad = []
    offs = [o for o, _, _ in recs]
    if any(b <= a for a, b in zip(offs, offs[1:])):
        bad.append("offsets not strictly increasing")
    below = [(o, k, v) for o, k, v in recs if o < active]
    keys_below = [k for _, k, _ in below]
    if len(keys_below) != len(set(keys_below)):
        bad.append("%d duplicate keys below the active segment (%d)"
                   % (len(keys_below) - len(set(keys_below)), active))
    last = {}
    for _, k, v in recs:
        last[k] = v
    if last != last_value:
        wrong = [k for k in last_value if last.get(k) != last_value[k]]
        bad.append("%d keys whose last value is not the last produced (e.g. %s)"
                   % (len(wrong), wrong[:3]))
    in_active = sum(1 for o, _, _ in recs if o >= active)
    if len(recs) > KEYS + in_active:
        bad.append("%d records, more than %d keys + %d in the active segment"
                   % (len(recs), KEYS, in_active))
    return bad


def main():
    boot = os.environ["BOOTSTRAP"].split(",")[0]
    host, _, port = boot.rpartition(":")
    brokers, controller = metadata((host, int(port)))
    results = []

    def check(name, ok, detail):
        results.append(ok)
        print("%-4s %-28s %s" % ("ok" if ok else "FAIL", name, detail), flush=True)

    err, msg = create_topic(brokers[controller], TOPIC, 1, 3,
                               [(b"cleanup.policy", b"compact"), (b"segment.bytes", b"10000"),
                                (b"min.cleanable.dirty.ratio", b"0.01")])
    check("create_compacted_topic", err == 0, "error %d %s" % (err, msg))
    if err:
        return 1
    time.sleep(2)  # leadership and the topic config reach the brokers
    last_value = {}
    lines = []
    for i in range(MESSAGES):
        key = "k%d" % (i % KEYS)
        last_value[key] = "v%d" % i
        lines.append("%s:%s" % (key, last_value[key]))
    kcat(["-P", "-t", TOPIC.decode(), "-p", "0", "-K", ":", "-z", "none",
          "-X", "batch.num.messages=50", "-X", "acks=all"],
         data=("\n".join(lines) + "\n").encode())
    d = leader_dir()
    segments = len(glob.glob(os.path.join(d, "*.log")))
    check("produced_many_segments", segments > 10, "%d segments in %s" % (segments, d))
    deadline = time.time() + 60
    recs, bad, active = [], ["not read yet"], 0
    while time.time() < deadline:
        active = active_base(d)
        recs = read_all()
        bad = problems(recs, last_value, active)
        if not bad:
            break
        time.sleep(1)
    check("compacted_read", not bad and len(recs) > 0,
          "%d records read, active segment from %d; %s"
          % (len(recs), active, "; ".join(bad) or "each key's latest value once"))
    payload = sum(len(x) - 1 for x in lines)  # key + value bytes produced

    def sizes():
        dirs = glob.glob(os.path.join(os.environ["GREGOR_CLUSTER_DIR"], "broker", "*", "data",
                                      TOPIC.decode() + "-0"))
        return {p: sum(os.path.getsize(f) for f in glob.glob(os.path.join(p, "*.log")))
                for p in dirs}
    deadline = time.time() + 30
    while time.time() < deadline and not all(v < payload / 4 for v in sizes().values()):
        time.sleep(1)
    got = sizes()
    check("every_replica_compacted", len(got) == 3 and all(v < payload / 4 for v in got.values()),
          "%d bytes of keys and values produced; replica logs %s"
          % (payload, sorted(got.values())))
    leftovers = glob.glob(os.path.join(os.environ["GREGOR_CLUSTER_DIR"], "broker", "*", "data",
                                       TOPIC.decode() + "-0", "*.cleaned"))
    check("no_leftover_cleaned_files", not leftovers, "%s" % leftovers)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
