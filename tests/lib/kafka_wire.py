"""kafka_wire: the one Kafka wire encoder/decoder of the Python tests (stdlib
only). Primitive encoders (classic and flexible/compact), a bounded Reader,
request framing (header v1, or v2 for flexible versions), a connection
class, RecordBatch v2 building with CRC-32C, and the $BOOTSTRAP address
helpers. The facts are in docs/protocol.md §2-3.

Strings: encoders take str, bytes or None (null). Reader.string() gives the
raw bytes (or None), Reader.str() the decoded text (or None).
"""

import os
import socket
import struct
import time

TIMEOUT = 10.0
CLIENT_ID = b"gregor-tests"

# ---- primitives ----


def _b(s):
    return s.encode() if isinstance(s, str) else s


def kstr(s):
    """Nullable string, i16 length."""
    if s is None:
        return struct.pack(">h", -1)
    s = _b(s)
    return struct.pack(">h", len(s)) + s


nstr = kstr


def kbytes(b):
    """Nullable bytes, i32 length."""
    if b is None:
        return struct.pack(">i", -1)
    return struct.pack(">i", len(b)) + b


def uvarint(n):
    """Unsigned LEB128 (flexible lengths and tags)."""
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def cstr(s):
    """Compact nullable string (flexible versions): length+1, 0 = null."""
    if s is None:
        return uvarint(0)
    s = _b(s)
    return uvarint(len(s) + 1) + s


def varint(v):
    """Zigzag varint (record fields)."""
    v = (v << 1) ^ (v >> 63)
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


# ---- record batches (magic 2) ----


def record(offset_delta, key, value, timestamp_delta=0):
    """One record; key None = null key."""
    body = b"\x00" + varint(timestamp_delta) + varint(offset_delta)
    body += varint(-1) if key is None else varint(len(key)) + key
    body += varint(len(value)) + value + varint(0)
    return varint(len(body)) + body


def batch(values, magic=2, attributes=0, count=None, last_delta=None, bad_crc=False,
          length_extra=0, keys=None, producer=(-1, -1, -1)):
    """A RecordBatch of the values (keys k0, k1, ... unless given; a key of
    None is a null key), with knobs to break it: count, lastOffsetDelta,
    CRC, length; producer is (id, epoch, base sequence)."""
    if keys is None:
        keys = [b"k%d" % i for i in range(len(values))]
    recs = b"".join(record(i, keys[i], v) for i, v in enumerate(values))
    n = len(values) if count is None else count
    lod = len(values) - 1 if last_delta is None else last_delta
    now = int(time.time() * 1000)
    pid, epoch, seq = producer
    after_crc = struct.pack(">hiqqqhii", attributes, lod, now, now, pid, epoch, seq, n) + recs
    crc = crc32c(after_crc) ^ (1 if bad_crc else 0)
    rest = struct.pack(">ibI", -1, magic, crc) + after_crc
    return struct.pack(">qi", 0, len(rest) + length_extra) + rest


# ---- reading ----


class Reader:
    """Bounded reads over one response body; a short body raises."""

    def __init__(self, data):
        self.d, self.o = data, 0

    def _need(self, n):
        if n < 0 or self.o + n > len(self.d):
            raise RuntimeError("short response")

    def take(self, fmt):
        n = struct.calcsize(fmt)
        self._need(n)
        v = struct.unpack_from(fmt, self.d, self.o)
        self.o += n
        return v[0] if len(v) == 1 else v

    def raw(self, n):
        self._need(n)
        v = self.d[self.o:self.o + n]
        self.o += n
        return v

    def i8(self):
        return self.take(">b")

    def i16(self):
        return self.take(">h")

    def i32(self):
        return self.take(">i")

    def i64(self):
        return self.take(">q")

    def uvarint(self):
        v, shift = 0, 0
        while shift < 35:
            b = self.take(">B")
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
            shift += 7
        raise RuntimeError("varint too long")

    def string(self):
        n = self.take(">h")
        return None if n < 0 else self.raw(n)

    def str(self):
        s = self.string()
        return None if s is None else s.decode()

    def bytes_(self):
        n = self.take(">i")
        return None if n < 0 else self.raw(n)

    def compact_string(self):
        n = self.uvarint() - 1
        return None if n < 0 else self.raw(n)

    def compact_str(self):
        s = self.compact_string()
        return None if s is None else s.decode()

    def carray(self, fn):
        n = self.uvarint() - 1
        return [] if n < 0 else [fn() for _ in range(n)]

    def tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.raw(self.uvarint())


# ---- requests ----


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed by the broker")
        buf += chunk
    return buf


def request(sock, api, version, corr, body, flexible=False, client_id=CLIENT_ID):
    """Sends one request on sock and returns the response body after the
    correlation id (a flexible response's header tags included: the caller
    reads them, or uses call())."""
    hdr = struct.pack(">hhi", api, version, corr) + kstr(client_id)
    if flexible:
        hdr += b"\x00"
    msg = hdr + body
    sock.sendall(struct.pack(">i", len(msg)) + msg)
    size = struct.unpack(">i", recv_exact(sock, 4))[0]
    if size < 4 or size > 1 << 26:
        raise RuntimeError("bad response size %d" % size)
    resp = recv_exact(sock, size)
    if struct.unpack(">i", resp[:4])[0] != corr:
        raise RuntimeError("correlation id mismatch")
    return resp[4:]


class Conn:
    """One connection; call() sends a request and returns a Reader on the
    response body (a flexible response's header tags already read)."""

    def __init__(self, host, port, timeout=TIMEOUT):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.corr = 0

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, api, version, body, flexible=False):
        self.corr += 1
        r = Reader(request(self.sock, api, version, self.corr, body, flexible))
        if flexible:
            r.tags()
        return r


def call(addr, api, version, body, flexible=False, timeout=TIMEOUT):
    """One request on a fresh connection to addr: a Reader on the body."""
    with Conn(addr[0], addr[1], timeout) as c:
        return c.call(api, version, body, flexible)


# ---- addresses ----


def addr_of(s):
    host, _, port = s.rpartition(":")
    return (host, int(port))


def bootstrap_addrs():
    """Every $BOOTSTRAP entry as (host, port)."""
    return [addr_of(e) for e in os.environ["BOOTSTRAP"].split(",") if e]


def bootstrap():
    """The first $BOOTSTRAP entry that accepts a connection."""
    for addr in bootstrap_addrs():
        try:
            socket.create_connection(addr, timeout=2).close()
            return addr
        except OSError:
            continue
    raise RuntimeError("no bootstrap broker reachable")
