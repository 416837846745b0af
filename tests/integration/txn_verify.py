#!/usr/bin/env python3
"""txn_verify: produce-time transaction verification (Kafka 3.6's KIP-890
part 1) over the raw wire, against $BOOTSTRAP. Stdlib only.

  txn_verify.py basic   a transactional batch for a partition never added to
                        the transaction, one after EndTxn (same epoch, next
                        sequence), one with a fenced epoch and one without a
                        transactional id are refused with Kafka's errors
                        (INVALID_TXN_STATE 48, INVALID_PRODUCER_EPOCH 47,
                        TRANSACTIONAL_ID_AUTHORIZATION_FAILED 53); nothing
                        is appended, the last stable offset is not held and
                        no transaction is left open in the partition; batches
                        of a verified transaction are appended and committed.
  txn_verify.py late [--expect-hang]
                        needs brokers started with GREGOR_FAILPOINT=
                        produce.delay_txn=delay(MS): a transactional batch is held
                        MS by the leader while the transaction is aborted;
                        when it is finally handled it must be refused and
                        leave no hanging transaction. --expect-hang (with
                        transaction.partition.verification.enable=false) is
                        the control: the same late batch is then appended
                        and holds the LSO, proving the check can fail.

Prints one line per check and `N passed, M failed`; exit 1 on any failure.
"""

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kafka_wire as kw  # noqa: E402  (the encoders)
import txn_wire as tw  # noqa: E402  (coordinator lookup, bootstrap list)

TIMEOUT = 15.0
TOPIC = "txn-verify"
TXN_ATTR = 0x10
DELAY_MARGIN_S = 1.0

def batch(pid, epoch, seq, values, transactional=True):
    """A batch of null-key records from producer (pid, epoch) at seq."""
    return kw.batch(values, attributes=TXN_ATTR if transactional else 0,
                    keys=[None] * len(values), producer=(pid, epoch, seq))


s16, recv_exact, uvarint, cstr = kw.kstr, kw.recv_exact, kw.uvarint, kw.cstr


class Conn:
    """One connection; requests may be sent and their answers read later."""

    def __init__(self, addr):
        self.s = socket.create_connection(addr, timeout=TIMEOUT)
        self.corr = 0

    def send(self, api, ver, body, flexible=False):
        self.corr += 1
        hdr = struct.pack(">hhi", api, ver, self.corr) + s16("txn-verify")
        if flexible:
            hdr += b"\x00"
        self.s.sendall(struct.pack(">i", len(hdr) + len(body)) + hdr + body)
        return self.corr

    def recv(self, corr, timeout=TIMEOUT, flexible=False):
        self.s.settimeout(timeout)
        n = struct.unpack(">i", recv_exact(self.s, 4))[0]
        r = kw.Reader(recv_exact(self.s, n))
        if r.i32() != corr:
            raise RuntimeError("correlation id mismatch")
        if flexible:
            r.tags()
        return r

    def call(self, api, ver, body, flexible=False):
        return self.recv(self.send(api, ver, body, flexible), flexible=flexible)

    def close(self):
        self.s.close()


def boot():
    return tw.brokers()[0]


def metadata():
    """Metadata v1: ({node: addr}, {partition: leader}) of TOPIC."""
    c = Conn(boot())
    r = c.call(3, 1, struct.pack(">i", 1) + s16(TOPIC))
    c.close()
    nodes = {}
    for _ in range(r.i32()):
        nid, host, port = r.i32(), r.str(), r.i32()
        r.str()
        nodes[nid] = (host, port)
    r.i32()
    leaders = {}
    for _ in range(r.i32()):
        terr = r.i16()
        r.str()
        r.i8()
        for _ in range(r.i32()):
            perr, part, leader = r.i16(), r.i32(), r.i32()
            r.raw(4 * r.i32())
            r.raw(4 * r.i32())
            if terr == 0 and perr == 0 and leader in nodes:
                leaders[part] = leader
    return nodes, leaders


def create_topic():
    c = Conn(boot())
    body = struct.pack(">i", 1) + s16(TOPIC) + struct.pack(">ihii", 2, 3, 0, 0)
    body += struct.pack(">i", 30000)
    r = c.call(19, 0, body)
    c.close()
    r.i32()
    r.str()
    err = r.i16()
    if err not in (0, 36):
        sys.exit("txn_verify: CreateTopics error %d" % err)
    deadline = time.time() + 60
    while time.time() < deadline:
        nodes, leaders = metadata()
        if len(leaders) == 2:
            return nodes, leaders
        time.sleep(0.3)
    sys.exit("txn_verify: %s has no leaders after 60 s" % TOPIC)


def coordinator(txn_id):
    _node, host, port = tw.find_coordinator(txn_id)
    return (host, port)


def coord_call(txn_id, api, ver, body, parse, what):
    """Calls the coordinator, retrying its retriable errors for 30 s."""
    deadline = time.time() + 30
    while True:
        c = Conn(coordinator(txn_id))
        r = c.call(api, ver, body)
        c.close()
        err, res = parse(r)
        if err not in (14, 15, 16, 51) or time.time() > deadline:
            if err:
                raise RuntimeError("%s: error %d" % (what, err))
            return res
        time.sleep(0.3)


def init_pid(txn_id):
    def parse(r):
        r.i32()
        err = r.i16()
        return err, (r.i64(), r.i16())
    return coord_call(txn_id, 22, 1, s16(txn_id) + struct.pack(">i", 60000), parse,
                      "InitProducerId")


def add_partitions(txn_id, pid, epoch, parts):
    body = s16(txn_id) + struct.pack(">qh", pid, epoch) + struct.pack(">i", 1) + s16(TOPIC)
    body += struct.pack(">i", len(parts)) + b"".join(struct.pack(">i", p) for p in parts)

    def parse(r):
        r.i32()
        errs = []
        for _ in range(r.i32()):
            r.str()
            for _ in range(r.i32()):
                r.i32()
                errs.append(r.i16())
        return max(errs, key=abs), None
    coord_call(txn_id, 24, 1, body, parse, "AddPartitionsToTxn")


def end_txn(txn_id, pid, epoch, commit):
    def parse(r):
        r.i32()
        return r.i16(), None
    coord_call(txn_id, 26, 1, s16(txn_id) + struct.pack(">qhb", pid, epoch, 1 if commit else 0),
               parse, "EndTxn")


def txn_state(txn_id):
    c = Conn(coordinator(txn_id))
    r = c.call(65, 0, uvarint(2) + cstr(txn_id) + b"\x00", flexible=True)
    c.close()
    r.i32()
    r.uvarint()
    err = r.i16()
    r.compact_str()
    return err, r.compact_str()


def wait_state(txn_id, want, limit_s):
    deadline = time.time() + limit_s
    while time.time() < deadline:
        if txn_state(txn_id) == (0, want):
            return True
        time.sleep(0.1)
    return False


def produce_body(txn_id, part, blob):
    body = s16(txn_id) + struct.pack(">hi", -1, 10000) + struct.pack(">i", 1) + s16(TOPIC)
    return body + struct.pack(">iii", 1, part, len(blob)) + blob


def produce_answer(r):
    r.i32()
    r.str()
    r.i32()
    r.i32()
    return r.i16(), r.i64()


def produce(leader_addr, txn_id, part, blob):
    c = Conn(leader_addr)
    res = produce_answer(c.call(0, 3, produce_body(txn_id, part, blob)))
    c.close()
    return res


def offsets(leader_addr, part):
    """(LSO, HW): ListOffsets v2 latest, read_committed and read_uncommitted."""
    out = []
    for iso in (1, 0):
        c = Conn(leader_addr)
        body = struct.pack(">ib", -1, iso) + struct.pack(">i", 1) + s16(TOPIC)
        body += struct.pack(">iiq", 1, part, -1)
        r = c.call(2, 2, body)
        c.close()
        r.i32()
        r.i32()
        r.str()
        r.i32()
        r.i32()
        err = r.i16()
        r.i64()
        off = r.i64()
        if err:
            raise RuntimeError("ListOffsets error %d" % err)
        out.append(off)
    return tuple(out)


def open_txn_start(leader_addr, part, pid):
    """DescribeProducers v0: the producer's current transaction start offset
    in the partition (-1: none; None: producer unknown there)."""
    c = Conn(leader_addr)
    body = uvarint(2) + cstr(TOPIC) + uvarint(2) + struct.pack(">i", part) + b"\x00"
    r = c.call(61, 0, body + b"\x00", flexible=True)
    c.close()
    r.i32()
    found = None
    for _ in range(r.uvarint() - 1):
        r.compact_str()
        for _ in range(r.uvarint() - 1):
            r.i32()
            err = r.i16()
            r.compact_str()
            if err:
                raise RuntimeError("DescribeProducers error %d" % err)
            for _ in range(r.uvarint() - 1):
                p = r.i64()
                r.i32()
                r.i32()
                r.i64()
                r.i32()
                start = r.i64()
                r.tags()
                if p == pid:
                    found = start
            r.tags()
        r.tags()
    return found


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail else ""))
        if ok:
            self.passed += 1
        else:
            self.failed += 1

    def done(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def lso_settles(addr, part, limit_s=10):
    """The LSO reaches the HW once markers are in (bounded wait)."""
    deadline = time.time() + limit_s
    while True:
        lso, hw = offsets(addr, part)
        if lso == hw or time.time() > deadline:
            return lso, hw
        time.sleep(0.2)


def basic():
    t = Checks()
    nodes, leaders = create_topic()
    a0, a1 = nodes[leaders[0]], nodes[leaders[1]]
    tid = "txn-verify-basic"
    pid, epoch = init_pid(tid)
    add_partitions(tid, pid, epoch, [0])
    before1 = offsets(a1, 1)
    err, _ = produce(a1, tid, 1, batch(pid, epoch, 0, [b"never-added"]))
    t.check("partition never added: INVALID_TXN_STATE", err == 48, "error %d" % err)
    t.check("partition never added: nothing appended", offsets(a1, 1) == before1,
            "%s -> %s" % (before1, offsets(a1, 1)))
    err, base = produce(a0, tid, 0, batch(pid, epoch, 0, [b"a0", b"a1"]))
    t.check("added partition: appended", err == 0 and base >= 0, "error %d" % err)
    err, _ = produce(a0, tid, 0, batch(pid, epoch, 2, [b"a2"]))
    t.check("second batch of the transaction: appended", err == 0, "error %d" % err)
    end_txn(tid, pid, epoch, True)
    t.check("commit completes", wait_state(tid, "CompleteCommit", 20))
    lso, hw = lso_settles(a0, 0)
    t.check("after commit: LSO == HW", lso == hw, "LSO %d HW %d" % (lso, hw))

    err, _ = produce(a0, tid, 0, batch(pid, epoch, 3, [b"after-end"]))
    t.check("after EndTxn (same epoch, next sequence): INVALID_TXN_STATE", err == 48,
            "error %d" % err)
    t.check("after EndTxn: nothing appended", offsets(a0, 0) == (lso, hw),
            "%s -> %s" % ((lso, hw), offsets(a0, 0)))
    start = open_txn_start(a0, 0, pid)
    t.check("after EndTxn: no open transaction in the partition", start == -1,
            "currentTxnStartOffset %s" % start)

    pid2, epoch2 = init_pid(tid)  # a new epoch fences the old one
    t.check("InitProducerId again: same id, next epoch", pid2 == pid and epoch2 == epoch + 1,
            "%d/%d" % (pid2, epoch2))
    before = offsets(a1, 1)
    err, _ = produce(a1, tid, 1, batch(pid, epoch, 1, [b"stale-epoch"]))
    t.check("stale epoch: refused", err in (47, 48, 90), "error %d" % err)
    t.check("stale epoch: nothing appended", offsets(a1, 1) == before)

    err, _ = produce(a1, None, 1, batch(pid2, epoch2, 0, [b"no-id"]))
    t.check("transactional batch without transactional id: 53", err == 53, "error %d" % err)

    add_partitions(tid, pid2, epoch2, [0, 1])
    e0, _ = produce(a0, tid, 0, batch(pid2, epoch2, 0, [b"b0"]))
    e1, _ = produce(a1, tid, 1, batch(pid2, epoch2, 0, [b"b1"]))
    t.check("verified transaction on two partitions: appended", (e0, e1) == (0, 0),
            "errors %d %d" % (e0, e1))
    end_txn(tid, pid2, epoch2, True)
    t.check("second commit completes", wait_state(tid, "CompleteCommit", 20))
    for part, addr in ((0, a0), (1, a1)):
        lso, hw = lso_settles(addr, part)
        t.check("partition %d: LSO == HW at the end" % part, lso == hw,
                "LSO %d HW %d" % (lso, hw))
    t.done()


def late(expect_hang):
    t = Checks()
    delay_ms = int(os.environ.get("DELAY_MS", "6000"))
    nodes, leaders = create_topic()
    a0 = nodes[leaders[0]]
    tid = "txn-verify-late"
    pid, epoch = init_pid(tid)
    add_partitions(tid, pid, epoch, [0])
    lso0, hw0 = offsets(a0, 0)
    c = Conn(a0)
    sent = time.time()
    corr = c.send(0, 3, produce_body(tid, 0, batch(pid, epoch, 0, [b"late"])))
    end_txn(tid, pid, epoch, False)
    aborted = wait_state(tid, "CompleteAbort", delay_ms / 1000.0 - DELAY_MARGIN_S)
    took = time.time() - sent
    t.check("abort completes while the batch is held (%.1f s < %d ms)" % (took, delay_ms),
            aborted and took < delay_ms / 1000.0 - DELAY_MARGIN_S)
    err, _ = produce_answer(c.recv(corr, timeout=delay_ms / 1000.0 + TIMEOUT))
    c.close()
    if expect_hang:
        t.check("control (verification off): late batch appended", err == 0, "error %d" % err)
        time.sleep(2)  # the control must show a hang that outlives markers
        lso, hw = offsets(a0, 0)
        t.check("control: the LSO is held below the HW (hanging)", lso < hw,
                "LSO %d HW %d" % (lso, hw))
        start = open_txn_start(a0, 0, pid)
        t.check("control: a transaction is open in the partition", start is not None and start >= 0,
                "currentTxnStartOffset %s" % start)
        t.done()
    t.check("late batch after abort: INVALID_TXN_STATE", err == 48, "error %d" % err)
    lso, hw = lso_settles(a0, 0)
    t.check("late batch: only the abort marker was appended", hw == hw0 + 1,
            "HW %d -> %d" % (hw0, hw))
    t.check("late batch: LSO == HW (no hanging transaction)", lso == hw,
            "LSO %d HW %d" % (lso, hw))
    start = open_txn_start(a0, 0, pid)
    t.check("late batch: no open transaction in the partition", start in (-1, None),
            "currentTxnStartOffset %s" % start)
    # the producer goes on: its next transaction works
    pid2, epoch2 = init_pid(tid)
    add_partitions(tid, pid2, epoch2, [0])
    c = Conn(a0)
    corr = c.send(0, 3, produce_body(tid, 0, batch(pid2, epoch2, 0, [b"next"])))
    err, _ = produce_answer(c.recv(corr, timeout=delay_ms / 1000.0 + TIMEOUT))
    c.close()
    t.check("next transaction: appended", err == 0, "error %d" % err)
    end_txn(tid, pid2, epoch2, True)
    t.check("next transaction: committed", wait_state(tid, "CompleteCommit", 20))
    lso, hw = lso_settles(a0, 0)
    t.check("end: LSO == HW", lso == hw, "LSO %d HW %d" % (lso, hw))
    t.done()


def main():
    a = sys.argv[1:]
    if a == ["basic"]:
        basic()
    elif a and a[0] == "late" and a[1:] in ([], ["--expect-hang"]):
        late(a[1:] == ["--expect-hang"])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
