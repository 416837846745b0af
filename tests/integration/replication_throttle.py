#!/usr/bin/env python3
"""replication_throttle: a throttled reassignment moves at about the set rate.

On a 2-broker cluster (stdlib only): a topic on broker 1 alone gets 24 MiB;
then, the way kafka-reassign-partitions --throttle does it in ZooKeeper,
leader.replication.throttled.rate on broker 1 and
follower.replication.throttled.rate on broker 2 (/config/brokers/<id>), the
topic's leader.replication.throttled.replicas "0:1" and
follower.replication.throttled.replicas "0:2" (/config/topics/<t>), each with
a change notification, and /admin/reassign_partitions adds broker 2. The new
replica's log size on broker 2 (its metrics page) is sampled while it grows:
the copy rate between 4 MiB and 20 MiB must be within 20 % of the 2 MiB/s
throttle, and the reassignment must finish.
"""

import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import produce_to_leader, wait_for, zkq  # noqa: E402
from kafka_wire import addr_of, batch  # noqa: E402

T = "rthrottle"
RATE = 2 * 1048576
MIB = 1048576


def notify(path):
    zkq("create", "-s", "/config/changes/config_change_",
        json.dumps({"version": 2, "entity_path": path}))


def log_size(url):
    try:
        page = urllib.request.urlopen(url, timeout=5).read().decode()
    except OSError:
        return None
    for line in page.splitlines():
        if line.startswith('kafka_log_log_size{topic="%s",partition="0"}' % T):
            return int(float(line.split()[-1]))
    return None


def main():
    boot = addr_of(os.environ["BOOTSTRAP"].split(",")[0])
    metrics2 = os.environ["METRICS"].split(",")[1]
    results = []

    def check(name, ok, detail):
        results.append(bool(ok))
        print("%-4s %-28s %s" % ("ok" if ok else "FAIL", name, detail))

    zkq("create", "/brokers/topics/" + T, json.dumps({"version": 1, "partitions": {"0": [1]}}))
    blob = batch([b"r" * 1000000])
    errs = [produce_to_leader(boot, T.encode(), blob)[0] for _ in range(24)]
    check("produced 24 MB", errs == [0] * 24, errs)

    for broker, key in ((1, "leader"), (2, "follower")):
        zkq("create", "/config/brokers/%d" % broker, json.dumps(
            {"version": 1, "config": {"%s.replication.throttled.rate" % key: str(RATE)}}))
        notify("brokers/%d" % broker)
    zkq("create", "/config/topics/" + T, json.dumps({"version": 1, "config": {
        "leader.replication.throttled.replicas": "0:1",
        "follower.replication.throttled.replicas": "0:2"}}))
    notify("topics/" + T)
    zkq("create", "/admin/reassign_partitions", json.dumps(
        {"version": 1, "partitions": [{"topic": T, "partition": 0, "replicas": [1, 2]}]}))

    marks = {}
    deadline = time.time() + 90
    while time.time() < deadline and 20 * MIB not in marks:
        size = log_size(metrics2)
        now = time.time()
        for m in (4 * MIB, 20 * MIB):
            if size is not None and size >= m and m not in marks:
                marks[m] = (now, size)
        time.sleep(0.1)
    check("copy reached 20 MiB", 20 * MIB in marks, "size marks %s" % marks)
    if 4 * MIB in marks and 20 * MIB in marks:
        (t1, s1), (t2, s2) = marks[4 * MIB], marks[20 * MIB]
        rate = (s2 - s1) / (t2 - t1)
        check("throttled copy rate", abs(rate - RATE) <= 0.2 * RATE,
              "%.0f B/s (throttle %d B/s)" % (rate, RATE))
    ok, _ = wait_for("reassignment done", lambda: (
        zkq("exists", "/admin/reassign_partitions") is None, None), 60)
    check("reassignment finished", ok, zkq("get", "/brokers/topics/" + T))
    print("%d/%d checks passed" % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
