#!/usr/bin/env python3
"""gregorctl_ops GREGORCTL: gregorctl's Kafka-protocol operator verbs on a
3-broker cluster: reassign --execute / --verify (until completed) /
--cancel (nothing to cancel: NO_REASSIGNMENT_IN_PROGRESS, exit 1),
leader-election --preferred (the new first replica leads) and --unclean
(ELECTION_NOT_NEEDED, exit 0), log-dirs (every broker; the moved replica
where it now lives), usage errors exit 64."""

import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import create_topic, metadata, wait_for  # noqa: E402
from kafka_wire import Conn, bootstrap, kstr  # noqa: E402
import struct  # noqa: E402

FAILED = []
CTL = sys.argv[1]


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILED.append(what)


def ctl(*args):
    p = subprocess.run([CTL, "--bootstrap", os.environ["BOOTSTRAP"], "--timeout", "20"] + list(args),
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def state(addr, topic):
    with Conn(*addr) as c:
        r = c.call(3, 1, struct.pack(">i", 1) + kstr(topic))
    for _ in range(r.take(">i")):
        r.take(">i"), r.string(), r.take(">i"), r.string()
    r.take(">i")
    for _ in range(r.take(">i")):
        err = r.take(">h")
        r.string(), r.take(">b")
        for _ in range(r.take(">i")):
            r.take(">h")
            r.take(">i")
            leader = r.take(">i")
            reps = [r.take(">i") for _ in range(r.take(">i"))]
            [r.take(">i") for _ in range(r.take(">i"))]
            if err == 0:
                return leader, reps
    return None


def main():
    boot = bootstrap()
    brokers, _ = metadata(boot)
    check(create_topic(boot, b"ops", 1, 2)[0] == 0, "topic ops, rf 2")
    ok, st = wait_for("ops leader", lambda: ((s := state(boot, b"ops")) is not None and s[0] >= 0, s), 20)
    a, b = st[1]
    c = next(x for x in brokers if x not in st[1])
    plan = {"version": 1, "partitions": [{"topic": "ops", "partition": 0, "replicas": [c, a]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(plan, f)
        path = f.name
    try:
        rc, out = ctl("reassign", "--file", path)
        check(rc == 64, "reassign without a mode: usage error 64 (%d)" % rc)
        rc, out = ctl("leader-election")
        check(rc == 64, "leader-election without a type: usage error 64 (%d)" % rc)
        rc, out = ctl("reassign", "--file", path, "--execute")
        check(rc == 0 and "ops-0: reassignment started" in out, "reassign --execute [%d,%d] -> [%d,%d]: %s"
              % (a, b, c, a, out.strip()))
        deadline, rc = time.time() + 30, 1
        while rc != 0 and time.time() < deadline:
            rc, out = ctl("reassign", "--file", path, "--verify")
            if rc != 0:
                time.sleep(0.5)
        check(rc == 0 and "is completed" in out, "reassign --verify: %s" % out.strip())
        check(state(boot, b"ops")[1] == [c, a], "replicas now %s" % (state(boot, b"ops")[1],))
        rc, out = ctl("reassign", "--file", path, "--cancel")
        check(rc == 1 and "NO_REASSIGNMENT_IN_PROGRESS" in out, "reassign --cancel of nothing: %s" % out.strip())
        leader = state(boot, b"ops")[0]
        rc, out = ctl("leader-election", "--preferred", "--topic", "ops")
        want = "ELECTION_NOT_NEEDED" if leader == c else "new leader elected"
        check(rc == 0 and ("ops-0: " + want) in out, "leader-election --preferred (leader was %d): %s"
              % (leader, out.strip()))
        ok, st = wait_for("leader %d" % c, lambda: ((s := state(boot, b"ops")) is not None and s[0] == c, s), 20)
        check(ok, "preferred replica %d leads" % c)
        rc, out = ctl("leader-election", "--unclean", "--topic", "ops", "--partition", "0")
        check(rc == 0 and "ops-0: ELECTION_NOT_NEEDED" in out, "leader-election --unclean: %s" % out.strip())
        rc, out = ctl("log-dirs")
        lines = out.splitlines()
        holders = sorted(int(l.split()[1]) for l in lines if l.startswith("broker "))
        ops_lines = [l for l in lines if l.strip().startswith("ops-0 ")]
        check(rc == 0 and holders == sorted(brokers) and len(ops_lines) == 2,
              "log-dirs: %d brokers, ops-0 on 2 of them" % len(holders))
    finally:
        os.unlink(path)
    print("gregorctl_ops: %s" % ("FAIL: " + "; ".join(FAILED) if FAILED else "all passed"))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
