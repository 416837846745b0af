#!/usr/bin/env python3
"""groups_wire: raw Kafka group requests for the groups integration tests
(stdlib only, over tests/lib/kafka_wire.py; non-flexible request
versions, one request per connection turn). As a command, against $BOOTSTRAP:

  groups_wire.py list                      every group of every broker
  groups_wire.py offsets GROUP TOPIC NPART "P:OFFSET ..." from the coordinator
                                           (-1: none committed)
"""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_wire import Conn, bootstrap, kstr  # noqa: E402


def brokers(addr):
    """Metadata v1 with no topics: [(node, host, port)]."""
    c = Conn(*addr)
    try:
        r = c.call(3, 1, struct.pack(">i", 0))
        out = []
        for _ in range(r.take(">i")):
            node = r.take(">i")
            host = r.str()
            port = r.take(">i")
            r.string()  # rack
            out.append((node, host, port))
        return out
    finally:
        c.close()


def find_coordinator(addr, group, deadline=30.0):
    """FindCoordinator v1 (retried while not available): (host, port)."""
    end = time.time() + deadline
    while True:
        c = Conn(*addr)
        try:
            r = c.call(10, 1, kstr(group) + b"\x00")
        finally:
            c.close()
        r.take(">i")
        err = r.take(">h")
        r.string()
        r.take(">i")
        host = r.str()
        port = r.take(">i")
        if err == 0:
            return host, port
        if time.time() > end:
            raise RuntimeError("FindCoordinator(%s): error %d" % (group, err))
        time.sleep(0.5)


def ready_coordinator(addr, group, deadline=60.0):
    """The group's coordinator once it answers OffsetFetch without error
    (a new __consumer_offsets partition may still be electing or loading)."""
    end = time.time() + deadline
    while True:
        coord = find_coordinator(addr, group, deadline)
        c = Conn(*coord)
        try:
            err, _ = offset_fetch(c, group, "-", 0)
        finally:
            c.close()
        if err == 0:
            return coord
        if time.time() > end:
            raise RuntimeError("coordinator of %s not ready: error %d" % (group, err))
        time.sleep(0.5)


def list_groups(addr):
    """ListGroups v1 on every broker: ({group: protocol_type}, [errors])."""
    groups, errors = {}, []
    for _, host, port in brokers(addr):
        c = Conn(host, port)
        try:
            r = c.call(16, 1, b"")
        finally:
            c.close()
        r.take(">i")
        err = r.take(">h")
        if err:
            errors.append(err)
        for _ in range(r.take(">i")):
            g = r.str()
            groups[g] = r.str()
    return groups, errors


def offset_fetch(conn, group, topic, npart):
    """OffsetFetch v3: (error, {partition: offset})."""
    body = kstr(group) + struct.pack(">i", 1) + kstr(topic) + struct.pack(">i", npart)
    body += b"".join(struct.pack(">i", p) for p in range(npart))
    r = conn.call(9, 3, body)
    r.take(">i")
    offs = {}
    for _ in range(r.take(">i")):
        r.string()
        for _ in range(r.take(">i")):
            p = r.take(">i")
            off = r.take(">q")
            r.string()
            perr = r.take(">h")
            offs[p] = off if perr == 0 else -1000 - perr
    return r.take(">h"), offs


def main(argv):
    addr = bootstrap()
    if argv[1:2] == ["list"]:
        groups, errors = list_groups(addr)
        if errors:
            print("errors %s" % " ".join(map(str, errors)), file=sys.stderr)
            return 1
        for g in sorted(groups):
            print(g, groups[g] or "-")
        return 0
    if argv[1:2] == ["offsets"] and len(argv) == 5:
        group, topic, npart = argv[2], argv[3], int(argv[4])
        c = Conn(*find_coordinator(addr, group))
        try:
            err, offs = offset_fetch(c, group, topic, npart)
        finally:
            c.close()
        if err:
            print("OffsetFetch error %d" % err, file=sys.stderr)
            return 1
        print(" ".join("%d:%d" % (p, offs.get(p, -1)) for p in range(npart)))
        return 0
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
