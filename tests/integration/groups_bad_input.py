#!/usr/bin/env python3
"""groups_bad_input: wrong group requests get Kafka's error codes and leave
the group working. Usage: groups_bad_input.py GROUP TOPIC NPART ($BOOTSTRAP).

Member A joins and syncs (generation 1). Then: a JoinGroup with another
protocol type (INCONSISTENT_GROUP_PROTOCOL), a SyncGroup with a stale
generation (ILLEGAL_GENERATION), an OffsetCommit and a Heartbeat from an
unknown member (UNKNOWN_MEMBER_ID), a Heartbeat with a stale generation
(ILLEGAL_GENERATION); member B's join starts a rebalance, during which A's
Heartbeat gets REBALANCE_IN_PROGRESS (its commit is still accepted, as in
Kafka). A rejoins: both get generation
2, sync, A commits offset 0 of every partition, both leave. Prints one line
per check and `N passed, M failed`; exit 1 on any failure.
"""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from groups_wire import ready_coordinator  # noqa: E402
from kafka_wire import Conn, Reader, bootstrap, kbytes, kstr, recv_exact  # noqa: E402

NONE = 0
ILLEGAL_GENERATION = 22
INCONSISTENT_GROUP_PROTOCOL = 23
UNKNOWN_MEMBER_ID = 25
REBALANCE_IN_PROGRESS = 27
MEMBER_ID_REQUIRED = 79

results = []


def check(what, got, want):
    ok = got == want
    results.append(ok)
    print("%s %s: got %r, want %r" % ("ok  " if ok else "FAIL", what, got, want), flush=True)
    return ok


def subscription(topic):
    return struct.pack(">hi", 0, 1) + kstr(topic) + struct.pack(">i", -1)


def assignment(topic, parts):
    body = struct.pack(">hi", 0, 1) + kstr(topic) + struct.pack(">i", len(parts))
    return body + b"".join(struct.pack(">i", p) for p in parts) + struct.pack(">i", -1)


def join_send(c, group, member, ptype, meta):
    """JoinGroup v5; returns the request's correlation id."""
    body = kstr(group) + struct.pack(">ii", 10000, 20000) + kstr(member) + kstr(None)
    body += kstr(ptype) + struct.pack(">i", 1) + kstr("range") + kbytes(meta)
    c.corr += 1
    msg = struct.pack(">hhi", 11, 5, c.corr) + kstr(b"groups-bad-input") + body
    c.sock.sendall(struct.pack(">i", len(msg)) + msg)
    return c.corr


def join_recv(c):
    size = struct.unpack(">i", recv_exact(c.sock, 4))[0]
    r = Reader(recv_exact(c.sock, size)[4:])
    r.take(">i")
    err, gen = r.take(">h"), r.take(">i")
    r.string()
    leader, member = r.str(), r.str()
    members = []
    for _ in range(r.take(">i")):
        members.append(r.str())
        r.string()
        r.bytes_()
    return err, gen, leader, member, members


def join(c, group, member, ptype, meta):
    join_send(c, group, member, ptype, meta)
    return join_recv(c)


def join_new(c, group, topic):
    """A new member: MEMBER_ID_REQUIRED, then the join with that id."""
    err, _, _, member, _ = join(c, group, "", "consumer", subscription(topic))
    check("first JoinGroup of a new member", err, MEMBER_ID_REQUIRED)
    return member


def sync(c, group, gen, member, assigns):
    body = kstr(group) + struct.pack(">i", gen) + kstr(member) + kstr(None)
    body += struct.pack(">i", len(assigns))
    body += b"".join(kstr(m) + kbytes(a) for m, a in assigns)
    r = c.call(14, 3, body)
    r.take(">i")
    return r.take(">h")


def heartbeat(c, group, gen, member):
    r = c.call(12, 3, kstr(group) + struct.pack(">i", gen) + kstr(member) + kstr(None))
    r.take(">i")
    return r.take(">h")


def commit(c, group, gen, member, topic, parts):
    body = kstr(group) + struct.pack(">i", gen) + kstr(member) + kstr(None)
    body += struct.pack(">i", 1) + kstr(topic) + struct.pack(">i", len(parts))
    body += b"".join(struct.pack(">iqi", p, 0, -1) + kstr("") for p in parts)
    r = c.call(8, 7, body)
    r.take(">i")
    errs = []
    for _ in range(r.take(">i")):
        r.string()
        for _ in range(r.take(">i")):
            r.take(">i")
            errs.append(r.take(">h"))
    return sorted(set(errs))


def leave(c, group, member):
    r = c.call(13, 2, kstr(group) + kstr(member))
    r.take(">i")
    return r.take(">h")


def main(argv):
    group, topic, npart = argv[1], argv[2], int(argv[3])
    parts = list(range(npart))
    coord = ready_coordinator(bootstrap(), group)
    a, b, x = Conn(*coord), Conn(*coord), Conn(*coord)

    ma = join_new(a, group, topic)
    err, gen, leader, member, members = join(a, group, ma, "consumer", subscription(topic))
    check("A joins", (err, gen, leader == ma, members == [ma]), (NONE, 1, True, True))
    check("A syncs", sync(a, group, 1, ma, [(ma, assignment(topic, parts))]), NONE)
    check("A heartbeats", heartbeat(a, group, 1, ma), NONE)

    err = join(x, group, "", "connect", b"\x00\x01")[0]
    check("JoinGroup with another protocol type", err, INCONSISTENT_GROUP_PROTOCOL)
    err = join(x, group, "", "", subscription(topic))[0]
    check("JoinGroup with an empty protocol type", err, INCONSISTENT_GROUP_PROTOCOL)
    check("SyncGroup with a stale generation", sync(a, group, 0, ma, []), ILLEGAL_GENERATION)
    check("SyncGroup of an unknown member", sync(x, group, 1, "nobody", []), UNKNOWN_MEMBER_ID)
    check("OffsetCommit of an unknown member", commit(x, group, 1, "nobody", topic, parts),
          [UNKNOWN_MEMBER_ID])
    check("Heartbeat of an unknown member", heartbeat(x, group, 1, "nobody"), UNKNOWN_MEMBER_ID)
    check("Heartbeat with a stale generation", heartbeat(a, group, 0, ma), ILLEGAL_GENERATION)
    check("A still Stable: heartbeat", heartbeat(a, group, 1, ma), NONE)

    mb = join_new(b, group, topic)
    join_send(b, group, mb, "consumer", subscription(topic))  # waits for A to rejoin
    deadline, err = time.time() + 5, None
    while time.time() < deadline:
        err = heartbeat(a, group, 1, ma)
        if err != NONE:
            break
        time.sleep(0.1)
    check("Heartbeat during the rebalance", err, REBALANCE_IN_PROGRESS)
    # Kafka accepts a current-generation commit while PreparingRebalance
    # (consumers commit before they rejoin)
    check("OffsetCommit of a member while PreparingRebalance",
          commit(a, group, 1, ma, topic, parts), [NONE])

    err, gen, leader, _, members = join(a, group, ma, "consumer", subscription(topic))
    check("A rejoins: generation 2, leader, both members",
          (err, gen, leader == ma, sorted(members) == sorted([ma, mb])), (NONE, 2, True, True))
    err, gen_b, _, _, _ = join_recv(b)
    check("B's join completes in generation 2", (err, gen_b), (NONE, 2))
    half = npart // 2
    check("A syncs generation 2",
          sync(a, group, 2, ma, [(ma, assignment(topic, parts[:half])),
                                 (mb, assignment(topic, parts[half:]))]), NONE)
    check("B syncs generation 2", sync(b, group, 2, mb, []), NONE)
    check("A heartbeats in generation 2", heartbeat(a, group, 2, ma), NONE)
    check("OffsetCommit of generation 1 now", commit(a, group, 1, ma, topic, parts),
          [ILLEGAL_GENERATION])
    check("A commits offset 0 everywhere", commit(a, group, 2, ma, topic, parts), [NONE])
    check("B leaves", leave(b, group, mb), NONE)
    check("A leaves", leave(a, group, ma), NONE)
    for c in (a, b, x):
        c.close()
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
