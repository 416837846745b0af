#!/usr/bin/env python3
"""txn_wire: raw transaction-coordinator requests for the transaction tests
(stdlib only, over tests/lib/kafka_wire.py), against $BOOTSTRAP (first reachable broker):

  txn_wire.py coordinator TXNID     FindCoordinator v1 key_type 1: node id
  txn_wire.py pick BROKER PREFIX    first PREFIX-K (K < 1000) whose
                                    coordinator is BROKER
  txn_wire.py describe TXNID        DescribeTransactions v0 at the
                                    coordinator: "ERROR STATE PID EPOCH NPARTS"
  txn_wire.py list                  ListTransactions v0 on every broker
                                    that is up: "ID STATE PID" lines

Retries COORDINATOR_NOT_AVAILABLE / LOAD_IN_PROGRESS / NOT_COORDINATOR for
up to 30 s. Exit 1 on anything else unexpected.
"""

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_wire import TIMEOUT, bootstrap_addrs, call, cstr, uvarint  # noqa: E402

RETRIABLE = (14, 15, 16)  # load in progress, not available, not coordinator


def brokers():
    return bootstrap_addrs()


def with_retry(fn):
    deadline = time.time() + 30
    while True:
        try:
            res = fn()
        except (OSError, RuntimeError) as e:
            res = ("exc", str(e))
        if res[0] != "retry" and res[0] != "exc":
            return res[1]
        if time.time() > deadline:
            sys.exit("txn_wire: gave up: %s" % (res,))
        time.sleep(0.5)


def find_coordinator(txn_id):
    def once():
        last = None
        for addr in brokers():
            try:
                body = struct.pack(">h", len(txn_id)) + txn_id.encode() + b"\x01"
                r = call(addr, 10, 1, body)
            except (OSError, RuntimeError) as e:
                last = ("exc", str(e))
                continue
            r.i32()
            err = r.i16()
            r.str()
            node, host, port = r.i32(), r.str(), r.i32()
            if err in RETRIABLE:
                return ("retry", err)
            if err:
                sys.exit("txn_wire: FindCoordinator error %d" % err)
            return ("ok", (node, host, port))
        return last or ("retry", None)
    return with_retry(once)


def describe(txn_id):
    def once():
        node, host, port = find_coordinator(txn_id)
        body = uvarint(2) + cstr(txn_id) + b"\x00"
        r = call((host, port), 65, 0, body, True)
        r.i32()

        def state():
            err = r.i16()
            tid, st = r.compact_str(), r.compact_str()
            r.i32()
            r.i64()
            pid, epoch = r.i64(), r.i16()
            tps = r.carray(lambda: (r.compact_str(), r.carray(r.i32), r.tags()))
            r.tags()
            return err, tid, st, pid, epoch, sum(len(t[1]) for t in tps)
        states = r.carray(state)
        if len(states) != 1:
            raise RuntimeError("expected one state, got %d" % len(states))
        if states[0][0] in RETRIABLE:
            return ("retry", states[0][0])
        return ("ok", states[0])
    err, _tid, st, pid, epoch, nparts = with_retry(once)
    print(err, st, pid, epoch, nparts)


def list_all():
    """A broker that refuses connections (down) is skipped; none answering
    is an error, so that an empty listing means "no transactions"."""
    answered = 0
    for addr in brokers():
        try:
            socket.create_connection(addr, timeout=TIMEOUT).close()
        except OSError as e:
            print("txn_wire: %s:%d skipped: %s" % (addr[0], addr[1], e), file=sys.stderr)
            continue

        def once():
            r = call(addr, 66, 0, uvarint(1) + uvarint(1) + b"\x00", True)
            r.i32()
            err = r.i16()
            r.carray(r.compact_str)
            sts = r.carray(lambda: (r.compact_str(), r.i64(), r.compact_str(), r.tags()))
            if err in RETRIABLE:
                return ("retry", err)
            return ("ok", sts)
        for tid, pid, st, _ in with_retry(once):
            print(tid, st, pid)
        answered += 1
    if not answered:
        sys.exit("txn_wire: no broker answered ListTransactions")


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "coordinator":
        print(find_coordinator(a[1])[0])
    elif len(a) == 3 and a[0] == "pick":
        for k in range(1000):
            tid = "%s-%d" % (a[2], k)
            if find_coordinator(tid)[0] == int(a[1]):
                print(tid)
                return
        sys.exit("txn_wire: no id coordinated by broker %s" % a[1])
    elif len(a) == 2 and a[0] == "describe":
        describe(a[1])
    elif len(a) == 1 and a[0] == "list":
        list_all()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
