#!/usr/bin/env python3
"""admin_elect_log_dirs: ElectLeaders (43) and DescribeLogDirs (35) over the
raw protocol (no packaged client here has them: kafkajs 2.2.4 and
librdkafka 2.0.2 lack both), on a 3-broker cluster:
- ElectLeaders at a broker that is not the controller: NOT_CONTROLLER (41);
- preferred (v0 and v2) where the preferred replica leads:
  ELECTION_NOT_NEEDED (84); after the replica order is changed with
  AlterPartitionReassignments (same set), preferred election (v1) moves the
  leader to the new first replica; an unknown partition: 3;
- unclean (type 1) on a topic with unclean.leader.election.enable=false:
  with a live leader 84; then the follower is paused until the controller
  drops it from the ISR, the leader is paused until the partition is
  offline, the follower resumes and stays out (clean rules), and an unclean
  ElectLeaders makes it the leader;
- DescribeLogDirs v0 and v4: the broker's log dir with the partition's size
  (> 0 after a produce), offset lag 0, is_future false, v4 disk totals; a
  partition the broker does not hold is left out.
"""

import os
import signal
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import describe_log_dirs as log_dirs  # noqa: E402
from kafka_admin import metadata, produce_to_leader, wait_for  # noqa: E402
from kafka_wire import Conn, batch, bootstrap, cstr, kstr, uvarint  # noqa: E402

FAILED = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILED.append(what)


def pid_of(node):
    with open(os.path.join(os.environ["GREGOR_CLUSTER_DIR"], "pids", "broker-%d.pid" % node)) as f:
        return int(f.read().strip())


def topic_state(addr, topic):
    """Metadata v1, one topic, partition 0: (leader, replicas, isr) or None."""
    with Conn(*addr) as c:
        r = c.call(3, 1, struct.pack(">i", 1) + kstr(topic))
    for _ in range(r.take(">i")):
        r.take(">i"), r.string(), r.take(">i"), r.string()
    r.take(">i")
    state = None
    for _ in range(r.take(">i")):
        err = r.take(">h")
        r.string()
        r.take(">b")
        for _ in range(r.take(">i")):
            r.take(">h")
            idx, leader = r.take(">i"), r.take(">i")
            reps = [r.take(">i") for _ in range(r.take(">i"))]
            isr = [r.take(">i") for _ in range(r.take(">i"))]
            if err == 0 and idx == 0:
                state = (leader, reps, isr)
    return state


def create_topic_on(addr, topic, replicas, configs=()):
    """CreateTopics v4 with an explicit assignment of partition 0."""
    body = struct.pack(">i", 1) + kstr(topic) + struct.pack(">ih", -1, -1)
    body += struct.pack(">i", 1) + struct.pack(">ii", 0, len(replicas))
    body += b"".join(struct.pack(">i", x) for x in replicas)
    body += struct.pack(">i", len(configs)) + b"".join(kstr(k) + kstr(v) for k, v in configs)
    body += struct.pack(">ib", 30000, 0)
    with Conn(addr[0], addr[1], timeout=60) as c:
        r = c.call(19, 4, body)
    r.take(">i"), r.take(">i"), r.string()
    return r.take(">h")


def elect(addr, version, etype, topic, partitions):
    """ElectLeaders: {partition: error} and the top-level error (v1+)."""
    flex = version >= 2
    arr = (lambda n: uvarint(n + 1)) if flex else (lambda n: struct.pack(">i", n))
    s = cstr if flex else kstr
    tag = b"\x00" if flex else b""
    body = struct.pack(">b", etype) if version >= 1 else b""
    body += arr(1) + s(topic) + arr(len(partitions))
    body += b"".join(struct.pack(">i", p) for p in partitions) + tag
    body += struct.pack(">i", 20000) + tag
    with Conn(addr[0], addr[1], timeout=60) as c:
        r = c.call(43, version, body, flexible=flex)
    r.take(">i")
    top = r.take(">h") if version >= 1 else 0
    out = {}
    n = r.uvarint() - 1 if flex else r.take(">i")
    for _ in range(n):
        r.compact_str() if flex else r.str()
        for _ in range(r.uvarint() - 1 if flex else r.take(">i")):
            p, e = r.take(">i"), r.take(">h")
            r.compact_str() if flex else r.str()
            if flex:
                r.tags()
            out[p] = e
        if flex:
            r.tags()
    return out, top


def reorder(addr, topic, replicas):
    """AlterPartitionReassignments v0 of partition 0: the partition error."""
    part = struct.pack(">i", 0) + uvarint(len(replicas) + 1)
    part += b"".join(struct.pack(">i", x) for x in replicas) + b"\x00"
    body = struct.pack(">i", 10000) + uvarint(2) + cstr(topic) + uvarint(2) + part + b"\x00\x00"
    with Conn(*addr) as c:
        r = c.call(45, 0, body, flexible=True)
    r.take(">i"), r.take(">h"), r.compact_str()
    r.uvarint(), r.compact_str(), r.uvarint()
    r.take(">i")
    return r.take(">h")


def main():
    boot = bootstrap()
    brokers, ctl = metadata(boot)
    check(len(brokers) == 3 and ctl in brokers, "3 brokers, controller %s" % ctl)
    ctl_addr = brokers[ctl]
    others = sorted(b for b in brokers if b != ctl)
    x, y = others

    # ---- preferred ----
    check(create_topic_on(ctl_addr, b"elect", [x, ctl, y]) == 0, "topic elect on [%d,%d,%d]" % (x, ctl, y))
    ok, st = wait_for("elect leader %d" % x, lambda: ((s := topic_state(ctl_addr, b"elect")) is not None
                                                     and s[0] == x and len(s[2]) == 3, s), 20)
    check(ok, "elect: leader %d, ISR of 3 (%s)" % (x, st))
    errs, _ = elect(brokers[x], 1, 0, b"elect", [0])
    check(errs == {0: 41}, "ElectLeaders at a non-controller: NOT_CONTROLLER (%s)" % errs)
    for v in (0, 2):
        errs, top = elect(ctl_addr, v, 0, b"elect", [0, 7])
        check(errs == {0: 84, 7: 3} and top == 0,
              "preferred v%d: 84 where the preferred leads, 3 for an unknown partition (%s)" % (v, errs))
    check(reorder(ctl_addr, b"elect", [ctl, x, y]) == 0, "replicas reordered to [%d,%d,%d]" % (ctl, x, y))
    ok, st = wait_for("the new order", lambda: ((s := topic_state(ctl_addr, b"elect")) is not None
                                               and s[1] == [ctl, x, y], s), 20)
    check(ok and st[0] == x, "order changed, leader still %d (%s)" % (x, st))
    errs, top = elect(ctl_addr, 1, 0, b"elect", [0])
    check(errs == {0: 0} and top == 0, "preferred v1: elected (%s)" % errs)
    ok, st = wait_for("leader %d" % ctl, lambda: ((s := topic_state(ctl_addr, b"elect")) is not None
                                                 and s[0] == ctl, s), 20)
    check(ok, "the preferred replica %d leads (%s)" % (ctl, st))

    # ---- log dirs ----
    err, _, _ = produce_to_leader(boot, b"elect", batch([b"v" * 200] * 20))
    check(err == 0, "produced 20 records to elect")
    for v in (0, 4):
        top, res = log_dirs(ctl_addr, v, [(b"elect", [0, 5])])
        ok = top == 0 and len(res) == 1 and res[0][0] == 0 and res[0][1]
        parts = res[0][2] if ok else {}
        size = parts.get(("elect", 0), (0, -1, -1))
        check(ok and list(parts) == [("elect", 0)] and size[0] > 0 and size[1] == 0 and size[2] == 0,
              "DescribeLogDirs v%d: dir %s, elect-0 size %d lag %d future %d, partition 5 left out"
              % (v, res[0][1] if res else None, size[0], size[1], size[2]))
        if v == 4:
            check(res[0][3] > 0 and 0 <= res[0][4] <= res[0][3],
                  "v4 totals: %d bytes, %d usable" % (res[0][3], res[0][4]))
            check(os.path.isdir(res[0][1]) and os.path.isdir(os.path.join(res[0][1], "elect-0")),
                  "the log dir holds elect-0")
    top, res = log_dirs(ctl_addr, 3, None)
    check(top == 0 and ("elect", 0) in res[0][2], "null topics: every replica (%d)" % len(res[0][2]))

    # ---- unclean ----
    check(create_topic_on(ctl_addr, b"unclean", [x, y], [("unclean.leader.election.enable", "false")]) == 0,
          "topic unclean on [%d,%d], unclean.leader.election.enable=false" % (x, y))
    ok, st = wait_for("unclean leader", lambda: ((s := topic_state(ctl_addr, b"unclean")) is not None
                                                and s[0] == x and len(s[2]) == 2, s), 20)
    check(ok, "unclean: leader %d, ISR of 2" % x)
    errs, _ = elect(ctl_addr, 2, 1, b"unclean", [0])
    check(errs == {0: 84}, "unclean with a live leader: ELECTION_NOT_NEEDED (%s)" % errs)
    paused = []
    try:
        os.kill(pid_of(y), signal.SIGSTOP)
        paused.append(y)
        ok, st = wait_for("ISR [%d]" % x, lambda: ((s := topic_state(ctl_addr, b"unclean")) is not None
                                                  and s[2] == [x], s), 30)
        check(ok, "follower %d paused: ISR [%d] (%s)" % (y, x, st))
        os.kill(pid_of(x), signal.SIGSTOP)
        paused.append(x)
        ok, st = wait_for("offline", lambda: ((s := topic_state(ctl_addr, b"unclean")) is not None
                                             and s[0] == -1, s), 30)
        check(ok, "leader %d paused: partition offline (%s)" % (x, st))
        os.kill(pid_of(y), signal.SIGCONT)
        paused.remove(y)
        ok, _ = wait_for("broker %d back" % y, lambda: (y in metadata(ctl_addr)[0], None), 30)
        st = topic_state(ctl_addr, b"unclean")
        check(ok and st is not None and st[0] == -1, "follower %d back, partition still offline (%s)" % (y, st))
        errs, top = elect(ctl_addr, 2, 1, b"unclean", [0])
        check(errs == {0: 0} and top == 0, "unclean ElectLeaders v2: elected (%s)" % errs)
        ok, st = wait_for("leader %d" % y, lambda: ((s := topic_state(ctl_addr, b"unclean")) is not None
                                                   and s[0] == y, s), 20)
        check(ok, "out-of-ISR replica %d leads (%s)" % (y, st))
    finally:
        for b in paused:
            os.kill(pid_of(b), signal.SIGCONT)
    if paused:
        wait_for("broker %d back" % x, lambda: (x in metadata(ctl_addr)[0], None), 30)
    print("admin_elect_log_dirs: %s" % ("FAIL: " + "; ".join(FAILED) if FAILED else "all passed"))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
