#!/usr/bin/env python3
"""groups_wire: raw Kafka group requests for the groups integration tests
(stdlib only, non-flexible request versions, one request per connection
turn). As a command, against $BOOTSTRAP:

  groups_wire.py list                      every group of every broker
  groups_wire.py offsets GROUP TOPIC NPART "P:OFFSET ..." from the coordinator
                                           (-1: none committed)
"""

import os
import socket
import struct
import sys
import time

TIMEOUT = 10.0
CLIENT_ID = b"groups-wire"


def kstr(s):
    if s is None:
        return struct.pack(">h", -1)
    if isinstance(s, str):
        s = s.encode()
    return struct.pack(">h", len(s)) + s


def kbytes(b):
    return struct.pack(">i", len(b)) + b


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise RuntimeError("connection closed")
        buf += chunk
    return buf


class Reader:
    def __init__(self, data):
        self.d, self.o = data, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.d, self.o)
        self.o += struct.calcsize(fmt)
        return v[0] if len(v) == 1 else v

    def string(self):
        n = self.take(">h")
        if n < 0:
            return None
        s = self.d[self.o:self.o + n]
        self.o += n
        return s.decode()

    def bytes_(self):
        n = self.take(">i")
        if n < 0:
            return None
        s = self.d[self.o:self.o + n]
        self.o += n
        return s


class Conn:
    """One connection; call() sends a request and returns a Reader on the
    response body (after the correlation id)."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        self.corr = 0

    def close(self):
        self.sock.close()

    def call(self, api, version, body):
        self.corr += 1
        msg = struct.pack(">hhi", api, version, self.corr) + kstr(CLIENT_ID) + body
        self.sock.sendall(struct.pack(">i", len(msg)) + msg)
        size = struct.unpack(">i", recv_exact(self.sock, 4))[0]
        resp = recv_exact(self.sock, size)
        if struct.unpack(">i", resp[:4])[0] != self.corr:
            raise RuntimeError("correlation id mismatch")
        return Reader(resp[4:])


def bootstrap():
    """The first $BOOTSTRAP entry that accepts a connection."""
    for entry in os.environ["BOOTSTRAP"].split(","):
        host, port = entry.rsplit(":", 1)
        try:
            socket.create_connection((host, int(port)), timeout=2).close()
            return host, int(port)
        except OSError:
            continue
    raise RuntimeError("no bootstrap broker reachable")


def brokers(addr):
    """Metadata v1 with no topics: [(node, host, port)]."""
    c = Conn(*addr)
    try:
        r = c.call(3, 1, struct.pack(">i", 0))
        out = []
        for _ in range(r.take(">i")):
            node = r.take(">i")
            host = r.string()
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
        host = r.string()
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
            g = r.string()
            groups[g] = r.string()
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
