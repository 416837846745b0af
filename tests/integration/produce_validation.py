#!/usr/bin/env python3
"""produce_validation: invalid record batches are refused with Kafka's error
codes and never reach the log.

Against a running cluster ($BOOTSTRAP): finds the leader of a one-partition
topic, sends Produce v7 (acks=all) with one valid batch and with batches that
are corrupt (CRC, length), of an old format (magic 1), two batches in one
partition, a record count that disagrees with lastOffsetDelta, a control
batch, and one over message.max.bytes; checks each error code, then that the
log holds exactly the valid batches: ListOffsets latest and a Fetch of the
whole partition. Stdlib only. Prints one line per case and `N passed, M failed`.
"""

import os
import socket
import struct
import sys
import time

TIMEOUT = 10.0
TOPIC = b"produce-validation"

CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    CRC_TABLE.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def varint(v):
    v = (v << 1) ^ (v >> 63)  # zigzag
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def record(offset_delta, key, value):
    body = b"\x00" + varint(0) + varint(offset_delta)
    body += varint(len(key)) + key + varint(len(value)) + value + varint(0)
    return varint(len(body)) + body


def batch(values, magic=2, attributes=0, count=None, last_delta=None, bad_crc=False,
          length_extra=0):
    recs = b"".join(record(i, b"k%d" % i, v) for i, v in enumerate(values))
    n = len(values) if count is None else count
    lod = len(values) - 1 if last_delta is None else last_delta
    now = int(time.time() * 1000)
    after_crc = struct.pack(">hiqqqhii", attributes, lod, now, now, -1, -1, -1, n) + recs
    crc = crc32c(after_crc) ^ (1 if bad_crc else 0)
    rest = struct.pack(">ibI", -1, magic, crc) + after_crc
    return struct.pack(">qi", 0, len(rest) + length_extra) + rest


def kstr(s):
    return struct.pack(">h", len(s)) + s


def request(sock, api, version, corr, body):
    hdr = struct.pack(">hhi", api, version, corr) + kstr(b"produce-validation")
    msg = hdr + body
    sock.sendall(struct.pack(">i", len(msg)) + msg)
    size = struct.unpack(">i", recv_exact(sock, 4))[0]
    resp = recv_exact(sock, size)
    if struct.unpack(">i", resp[:4])[0] != corr:
        raise RuntimeError("correlation id mismatch")
    return resp[4:]


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
        s = self.d[self.o:self.o + max(n, 0)]
        self.o += max(n, 0)
        return s

    def bytes_(self):
        n = self.take(">i")
        s = self.d[self.o:self.o + max(n, 0)]
        self.o += max(n, 0)
        return s


def find_leader(addr):
    """Metadata v1 (auto-creates the topic); returns the leader's address."""
    deadline = time.time() + 30
    while time.time() < deadline:
        with socket.create_connection(addr, timeout=TIMEOUT) as s:
            r = Reader(request(s, 3, 1, 1, struct.pack(">i", 1) + kstr(TOPIC)))
        brokers = {}
        for _ in range(r.take(">i")):
            nid = r.take(">i")
            host = r.string()
            port = r.take(">i")
            r.string()  # rack
            brokers[nid] = (host.decode(), port)
        r.take(">i")  # controller
        r.take(">i")  # topics
        terr = r.take(">h")
        r.string()
        r.take(">b")
        nparts = r.take(">i")
        if terr == 0 and nparts >= 1:
            perr = r.take(">h")
            r.take(">i")
            leader = r.take(">i")
            if perr == 0 and leader in brokers:
                return brokers[leader]
        time.sleep(0.3)
    raise RuntimeError("no leader for the topic within 30 s")


def produce(sock, corr, records_blob):
    body = struct.pack(">h", -1) + struct.pack(">hi", -1, 10000)  # acks=all
    body += struct.pack(">i", 1) + kstr(TOPIC) + struct.pack(">i", 1)
    body += struct.pack(">ii", 0, len(records_blob)) + records_blob
    r = Reader(request(sock, 0, 7, corr, body))
    r.take(">i")
    r.string()
    r.take(">i")
    r.take(">i")  # partition
    return r.take(">h"), r.take(">q")


def latest_offset(sock, corr):
    body = struct.pack(">ib", -1, 0) + struct.pack(">i", 1) + kstr(TOPIC)
    body += struct.pack(">i", 1) + struct.pack(">iq", 0, -1)
    r = Reader(request(sock, 2, 2, corr, body))
    r.take(">i")  # throttle
    r.take(">i")
    r.string()
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    r.take(">q")
    return err, r.take(">q")


def fetch_all(sock, corr):
    body = struct.pack(">iiiib", -1, 0, 1, 8 << 20, 0) + struct.pack(">i", 1) + kstr(TOPIC)
    body += struct.pack(">i", 1) + struct.pack(">iqqi", 0, 0, -1, 8 << 20)
    r = Reader(request(sock, 1, 5, corr, body))
    r.take(">i")
    r.take(">i")
    r.string()
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    r.take(">q")
    r.take(">q")
    r.take(">q")
    naborted = r.take(">i")
    for _ in range(max(naborted, 0)):
        r.take(">qq")
    return err, r.bytes_()


def main():
    boot = os.environ.get("BOOTSTRAP", "127.0.0.1:9092").split(",")[0]
    host, _, port = boot.rpartition(":")
    leader = find_leader((host, int(port)))
    passed = failed = 0
    big = [b"x" * (1100 * 1024)]
    two = batch([b"a"]) + batch([b"b"])
    cases = [
        ("valid_batch", batch([b"v0", b"v1", b"v2"]), 0),
        ("bad_crc", batch([b"v"], bad_crc=True), 2),
        ("length_claims_more", batch([b"v"], length_extra=40), 2),
        ("magic_1", batch([b"v"], magic=1), 87),
        ("two_batches", two, 87),
        ("count_mismatch", batch([b"v0", b"v1"], count=3), 87),
        ("control_batch", batch([b"v"], attributes=0x30), 87),
        ("over_message_max_bytes", batch(big), 10),
        ("valid_again", batch([b"v3"]), 0),
    ]
    with socket.create_connection(leader, timeout=TIMEOUT) as s:
        corr = 10
        for name, blob, want in cases:
            corr += 1
            try:
                err, base = produce(s, corr, blob)
                ok = err == want
                detail = "error %d (want %d), base offset %d" % (err, want, base)
            except Exception as e:  # a closed connection is a failure here
                ok, detail = False, "exception: %s" % e
                s.close()
                s = socket.create_connection(leader, timeout=TIMEOUT)
            passed, failed = passed + ok, failed + (not ok)
            print("%-4s %-24s %s" % ("ok" if ok else "FAIL", name, detail))
        err, end = latest_offset(s, 100)
        ok = err == 0 and end == 4
        passed, failed = passed + ok, failed + (not ok)
        print("%-4s %-24s error %d, log end %d (want 4: only the valid batches)" %
              ("ok" if ok else "FAIL", "log_end_offset", err, end))
        err, data = fetch_all(s, 101)
        batches = []
        off = 0
        while off + 12 <= len(data):
            base, length = struct.unpack_from(">qi", data, off)
            if off + 12 + length > len(data):
                break
            batches.append((base, struct.unpack_from(">i", data, off + 57)[0]))
            off += 12 + length
        ok = err == 0 and batches == [(0, 3), (3, 1)]
        passed, failed = passed + ok, failed + (not ok)
        print("%-4s %-24s batches (base, count) %s" % ("ok" if ok else "FAIL",
                                                       "log_contents", batches))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
