#!/usr/bin/env python3
"""bad_input: throws malformed Kafka frames at a running broker.

Each case expects either the protocol's error response or a closed
connection within a bounded time, and afterwards checks on a fresh connection
that every broker still answers ApiVersions v0 and Metadata.  Stdlib only.
Usage: bad_input.py [--bootstrap H:P[,H:P..]]   (default: $BOOTSTRAP)
"""

import argparse
import os
import random
import socket
import struct
import sys
import time

IO_TIMEOUT = 10.0        # seconds a broker gets to answer or close
MAX_RESPONSE = 64 << 20  # never trust a response size beyond this
CLIENT_ID = b"gregor-bad-input"

API_PRODUCE, API_METADATA, API_APIVERSIONS = 0, 3, 18
ERR_UNSUPPORTED_VERSION = 35


class Outcome:
    """What a connection did after a request: answered, closed, or hung."""

    def __init__(self, kind, payload=b"", detail=""):
        self.kind = kind          # 'response' | 'closed' | 'timeout'
        self.payload = payload    # response body after the size prefix
        self.detail = detail

    def __repr__(self):
        if self.kind == "response":
            return "response(%d bytes)" % len(self.payload)
        return self.kind + (" (" + self.detail + ")" if self.detail else "")


def parse_bootstrap(text):
    addrs = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        host, _, port = item.rpartition(":")
        addrs.append((host or "127.0.0.1", int(port)))
    if not addrs:
        raise ValueError("empty bootstrap list")
    return addrs


def connect(addr):
    s = socket.create_connection(addr, timeout=IO_TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def header_v1(api_key, version, corr, client_id=CLIENT_ID):
    cid = struct.pack(">h", -1) if client_id is None else \
        struct.pack(">h", len(client_id)) + client_id
    return struct.pack(">hhi", api_key, version, corr) + cid


def frame(payload):
    return struct.pack(">i", len(payload)) + payload


def send_all(sock, data):
    """Send; a peer that already closed is reported, not raised."""
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


def recv_exact(sock, n, deadline):
    buf = bytearray()
    while len(buf) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        try:
            chunk = sock.recv(min(n - len(buf), 1 << 16))
        except socket.timeout:
            raise TimeoutError
        if not chunk:
            raise EOFError(len(buf))
        buf += chunk
    return bytes(buf)


def read_outcome(sock, timeout=IO_TIMEOUT):
    """Read one response frame, or observe close/timeout."""
    deadline = time.monotonic() + timeout
    try:
        size = struct.unpack(">i", recv_exact(sock, 4, deadline))[0]
        if size < 4 or size > MAX_RESPONSE:
            return Outcome("response", b"", "bad response size %d" % size)
        return Outcome("response", recv_exact(sock, size, deadline))
    except EOFError as e:
        got = e.args[0] if e.args else 0
        return Outcome("closed", detail="EOF" if not got else "EOF mid-frame")
    except (ConnectionResetError, BrokenPipeError):
        return Outcome("closed", detail="reset")
    except TimeoutError:
        return Outcome("timeout", detail="no answer in %.0fs" % timeout)


def expect_close(sock, timeout=IO_TIMEOUT):
    """The broker must close; extra response bytes before close are an error."""
    out = read_outcome(sock, timeout)
    if out.kind == "closed":
        return True, str(out)
    if out.kind == "response":
        return False, "expected close, got a response of %d bytes" % len(out.payload)
    return False, str(out)


class Reader:
    """Bounds-checked reader over a response body."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, fmt):
        n = struct.calcsize(fmt)
        if self.pos + n > len(self.data):
            raise ValueError("response truncated at %d" % self.pos)
        v = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += n
        return v[0] if len(v) == 1 else v

    def string(self):
        n = self.take(">h")
        if n < 0:
            return None
        if self.pos + n > len(self.data):
            raise ValueError("string past end")
        s = self.data[self.pos:self.pos + n]
        self.pos += n
        return s

    def count(self, elem_min):
        n = self.take(">i")
        if n < -1 or (n > 0 and n * elem_min > len(self.data) - self.pos):
            raise ValueError("array count %d impossible" % n)
        return max(n, 0)


def parse_apiversions_v0(body, corr):
    """Returns (error_code, {api_key: (min, max)}); raises on malformed."""
    r = Reader(body)
    got_corr = r.take(">i")
    if got_corr != corr:
        raise ValueError("correlation id %d, expected %d" % (got_corr, corr))
    err = r.take(">h")
    apis = {}
    for _ in range(r.count(6)):
        key, lo, hi = r.take(">hhh")
        apis[key] = (lo, hi)
    return err, apis


def apiversions_request(corr, version=0):
    return frame(header_v1(API_APIVERSIONS, version, corr))


def metadata_request(corr, version):
    # v1+: null topic array = all topics; v0: empty array = all topics.
    body = struct.pack(">i", -1 if version >= 1 else 0)
    if version >= 4:
        body += b"\x00"  # allow_auto_topic_creation = false
    return frame(header_v1(API_METADATA, version, corr) + body)


def parse_metadata(body, corr, version):
    r = Reader(body)
    if r.take(">i") != corr:
        raise ValueError("metadata correlation id mismatch")
    if version >= 3:
        r.take(">i")  # throttle
    brokers = []
    for _ in range(r.count(10)):
        node = r.take(">i")
        host = r.string()
        port = r.take(">i")
        if version >= 1:
            r.string()  # rack
        brokers.append((node, host, port))
    return brokers


def probe_broker(addr):
    """A fresh connection must answer ApiVersions v0 and Metadata. Returns error or None."""
    try:
        s = connect(addr)
    except OSError as e:
        return "connect %s:%d: %s" % (addr[0], addr[1], e)
    try:
        send_all(s, apiversions_request(1001))
        out = read_outcome(s)
        if out.kind != "response":
            return "ApiVersions v0: %s" % out
        err, apis = parse_apiversions_v0(out.payload, 1001)
        if err != 0:
            return "ApiVersions v0: error %d" % err
        if API_METADATA not in apis or API_APIVERSIONS not in apis:
            return "ApiVersions v0: Metadata/ApiVersions not advertised"
        lo, hi = apis[API_METADATA]
        version = max(lo, min(hi, 4))  # newest non-flexible version we parse
        if version > 8:
            return "Metadata range %d-%d has no non-flexible version" % (lo, hi)
        send_all(s, metadata_request(1002, version))
        out = read_outcome(s)
        if out.kind != "response":
            return "Metadata v%d: %s" % (version, out)
        brokers = parse_metadata(out.payload, 1002, version)
        if not brokers:
            return "Metadata v%d: no brokers listed" % version
        return None
    except (ValueError, OSError) as e:
        return "probe: %s" % e
    finally:
        s.close()


RSS_GROWTH_LIMIT = 256 << 20  # a broker that allocates what a length claims blows past this


def broker_pids():
    """Broker pids from the cluster dir (with_cluster.sh exports it), if any."""
    d = os.environ.get("GREGOR_CLUSTER_DIR")
    pids = {}
    if not d or not os.path.isdir(os.path.join(d, "pids")):
        return pids
    for name in sorted(os.listdir(os.path.join(d, "pids"))):
        if name.startswith("broker-") and name.endswith(".pid"):
            try:
                with open(os.path.join(d, "pids", name)) as f:
                    pids[name[:-4]] = int(f.read().strip())
            except (OSError, ValueError):
                pass
    return pids


def rss_bytes(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class Runner:
    def __init__(self, addrs):
        self.addrs = addrs
        self.target = addrs[0]
        self.passed = 0
        self.failed = 0
        self.dead = False  # set once a broker stopped answering: later cases cannot mean anything
        self.pids = broker_pids()
        self.rss0 = {n: rss_bytes(p) for n, p in self.pids.items()}

    def rss_problem(self):
        for name, pid in self.pids.items():
            now, base = rss_bytes(pid), self.rss0.get(name)
            if now is None:
                return "%s (pid %d) is gone" % (name, pid)
            if base is not None and now - base > RSS_GROWTH_LIMIT:
                return "%s RSS grew %d MiB" % (name, (now - base) >> 20)
        return None

    def case(self, name, fn):
        t0 = time.monotonic()
        try:
            ok, detail = fn()
        except Exception as e:  # a crash in a case is a failed case, not a crashed suite
            ok, detail = False, "exception %s: %s" % (type(e).__name__, e)
        for addr in self.addrs:
            err = probe_broker(addr)
            if err:
                self.dead = True
                ok, detail = False, "%s; broker %s:%d unhealthy after: %s" % (
                    detail, addr[0], addr[1], err)
        err = self.rss_problem()
        if err:
            ok, detail = False, "%s; %s" % (detail, err)
        took = time.monotonic() - t0
        print("%-4s %-34s %6.2fs  %s" % ("ok" if ok else "FAIL", name, took, detail),
              flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1

    def conn(self):
        return connect(self.target)


def case_http_garbage(r):
    s = r.conn()
    with s:
        send_all(s, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        return expect_close(s)


def case_random_stream(r):
    rnd = random.Random(0x6e6e6f72)
    data = bytearray(rnd.getrandbits(8) for _ in range(65536))
    data[0] = 0x40 | (data[0] & 0x3f)  # claimed size >= 1 GiB: over any request limit
    s = r.conn()
    with s:
        send_all(s, bytes(data))
        return expect_close(s)


def case_random_frame(r):
    rnd = random.Random(0x67726567)
    body = bytearray(rnd.getrandbits(8) for _ in range(200))
    body[0:2] = struct.pack(">h", 0x7f3a)  # an api key no one defines
    s = r.conn()
    with s:
        send_all(s, frame(bytes(body)))
        return expect_close(s)


def case_truncated_then_close(r):
    s = r.conn()
    with s:
        payload = header_v1(API_METADATA, 1, 7) + struct.pack(">i", -1)
        send_all(s, struct.pack(">i", 100) + payload)  # claims 100, sends fewer
        s.shutdown(socket.SHUT_WR)
        return expect_close(s)


def case_size_claim(size):
    def run(r):
        s = r.conn()
        with s:
            send_all(s, struct.pack(">I", size) + header_v1(API_APIVERSIONS, 0, 9) + b"\0" * 64)
            return expect_close(s)
    return run


def case_zero_size(r):
    s = r.conn()
    with s:
        send_all(s, struct.pack(">i", 0))
        return expect_close(s)


def case_tiny_header(r):
    s = r.conn()
    with s:
        send_all(s, frame(struct.pack(">h", API_APIVERSIONS)))  # 2-byte header
        return expect_close(s)


def case_expect_close_for(api_key, version, body=b""):
    def run(r):
        s = r.conn()
        with s:
            send_all(s, frame(header_v1(api_key, version, 77) + body))
            return expect_close(s)
    return run


def case_apiversions_v99(r):
    s = r.conn()
    with s:
        send_all(s, frame(header_v1(API_APIVERSIONS, 99, 4242)))
        out = read_outcome(s)
        if out.kind != "response":
            return False, "expected error 35 response, got %s" % out
        err, apis = parse_apiversions_v0(out.payload, 4242)
        if err != ERR_UNSUPPORTED_VERSION:
            return False, "error_code %d, expected 35" % err
        if API_APIVERSIONS not in apis:
            return False, "error response does not list ApiVersions' range"
        lo, hi = apis[API_APIVERSIONS]
        if lo != 0 or hi < 0 or hi >= 99:
            return False, "ApiVersions range %d-%d in error response" % (lo, hi)
        return True, "error 35, ApiVersions 0-%d" % hi


def case_null_client_id(r):
    s = r.conn()
    with s:
        send_all(s, frame(header_v1(API_APIVERSIONS, 0, 55, client_id=None)))
        out = read_outcome(s)
        if out.kind != "response":
            return False, "null client_id: %s" % out
        err, _ = parse_apiversions_v0(out.payload, 55)
        return err == 0, "error_code %d" % err


def case_client_id_overrun(r):
    s = r.conn()
    with s:
        # client_id length 30000 in a 12-byte frame.
        send_all(s, frame(struct.pack(">hhih", API_APIVERSIONS, 0, 56, 30000) + b"ab"))
        return expect_close(s)


def expect_error_or_close(s, corr):
    out = read_outcome(s)
    if out.kind == "closed":
        return True, str(out)
    if out.kind == "timeout":
        return False, str(out)
    if len(out.payload) < 4 or struct.unpack_from(">i", out.payload)[0] != corr:
        return False, "response with wrong correlation id"
    return True, "error response (%d bytes)" % len(out.payload)


def case_metadata_truncated_body(r):
    s = r.conn()
    with s:
        # topics array claims 5 entries; the frame ends after the count.
        send_all(s, frame(header_v1(API_METADATA, 1, 88) + struct.pack(">i", 5)))
        return expect_error_or_close(s, 88)


def case_metadata_huge_array(r):
    s = r.conn()
    with s:
        # 2^31-1 topics claimed: a broker that allocates by count would fall over.
        send_all(s, frame(header_v1(API_METADATA, 1, 89) + struct.pack(">i", 0x7fffffff)))
        return expect_error_or_close(s, 89)


def case_produce_truncated_body(r):
    s = r.conn()
    with s:
        body = struct.pack(">hhii", -1, 1, 1000, 1)  # txn id null, acks 1, timeout, 1 topic
        body += struct.pack(">h", 200) + b"abc"     # name claims 200 bytes, has 3
        send_all(s, frame(header_v1(API_PRODUCE, 3, 90) + body))
        return expect_error_or_close(s, 90)


def case_produce_records_overrun(r):
    s = r.conn()
    with s:
        body = struct.pack(">hhii", -1, 1, 1000, 1) + struct.pack(">h", 5) + b"bad-t"
        body += struct.pack(">ii", 1, 0)                  # 1 partition: index 0
        body += struct.pack(">i", 1 << 30) + b"\0" * 61   # records claim 1 GiB
        send_all(s, frame(header_v1(API_PRODUCE, 3, 91) + body))
        return expect_error_or_close(s, 91)


def case_pipelined_then_garbage(r):
    s = r.conn()
    with s:
        send_all(s, apiversions_request(1) + apiversions_request(2) +
                 frame(header_v1(9999, 0, 3)))
        for corr in (1, 2):
            out = read_outcome(s)
            if out.kind != "response":
                return False, "pipelined request %d: %s" % (corr, out)
            err, _ = parse_apiversions_v0(out.payload, corr)
            if err:
                return False, "pipelined request %d: error %d" % (corr, err)
        ok, detail = expect_close(s)
        return ok, "2 responses in order, then " + detail


def case_byte_by_byte(r):
    s = r.conn()
    with s:
        for b in apiversions_request(31):
            if not send_all(s, bytes([b])):
                return False, "closed while dribbling a valid request"
            time.sleep(0.01)
        out = read_outcome(s)
        if out.kind != "response":
            return False, "dribbled valid request: %s" % out
        err, _ = parse_apiversions_v0(out.payload, 31)
        return err == 0, "answered after %d single-byte writes" % len(apiversions_request(31))


def case_valid_among_garbage(r):
    """Valid requests keep being answered promptly while garbage connections hang around."""
    bad = []
    try:
        for i in range(16):
            g = r.conn()
            bad.append(g)
            if i % 4 == 0:
                send_all(g, struct.pack(">i", 1000) + b"\x00\x03")   # stalled partial frame
            elif i % 4 == 1:
                send_all(g, struct.pack(">i", 1 << 20) + b"\0" * 4096)  # big, half sent
            elif i % 4 == 2:
                send_all(g, b"\x00\x00")                               # half a size prefix
            else:
                send_all(g, b"\xff" * 512)                             # negative size
        s = r.conn()
        with s:
            worst = 0.0
            for i in range(50):
                t0 = time.monotonic()
                send_all(s, apiversions_request(500 + i))
                out = read_outcome(s, 2.0)
                worst = max(worst, time.monotonic() - t0)
                if out.kind != "response":
                    return False, "valid request %d: %s" % (i, out)
                err, _ = parse_apiversions_v0(out.payload, 500 + i)
                if err:
                    return False, "valid request %d: error %d" % (i, err)
                # keep dribbling garbage into the stalled connections
                for g in bad[::4]:
                    send_all(g, b"\x01")
            return True, "50 answers, slowest %.0f ms" % (worst * 1000)
    finally:
        for g in bad:
            g.close()


def case_connection_churn(r):
    for i in range(200):
        s = r.conn()
        if i % 2:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST
            send_all(s, apiversions_request(i))
        s.close()
    return True, "200 connections opened and dropped"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", default=os.environ.get("BOOTSTRAP", ""))
    ap.add_argument("--only", help="run only cases whose name contains this")
    ap.add_argument("--skip", help="skip cases whose name contains this (debugging)")
    args = ap.parse_args()
    if not args.bootstrap:
        print("need --bootstrap or $BOOTSTRAP", file=sys.stderr)
        return 2
    r = Runner(parse_bootstrap(args.bootstrap))
    print("target %s:%d, health checks on %d broker(s), RSS watched for %d pid(s)" % (
        r.target + (len(r.addrs), len(r.pids))))
    for addr in r.addrs:
        err = probe_broker(addr)
        if err:
            print("FAIL broker %s:%d not healthy before any bad input: %s" % (addr + (err,)))
            print("0 passed, 1 failed")
            return 1

    cases = [
        ("http_request_as_frame", lambda: case_http_garbage(r)),
        ("random_byte_stream", lambda: case_random_stream(r)),
        ("random_complete_frame", lambda: case_random_frame(r)),
        ("truncated_frame_then_close", lambda: case_truncated_then_close(r)),
        ("size_2GiB_0x7fffffff", lambda: case_size_claim(0x7fffffff)(r)),
        ("size_negative_-1", lambda: case_size_claim(0xffffffff)(r)),
        ("size_negative_min", lambda: case_size_claim(0x80000000)(r)),
        ("size_zero", lambda: case_zero_size(r)),
        ("header_shorter_than_fixed", lambda: case_tiny_header(r)),
        ("client_id_longer_than_frame", lambda: case_client_id_overrun(r)),
        ("unknown_api_key_9999", lambda: case_expect_close_for(9999, 0)(r)),
        ("negative_api_key", lambda: case_expect_close_for(-5, 0)(r)),
        ("apiversions_v99_error_35", lambda: case_apiversions_v99(r)),
        ("produce_v99_closes", lambda: case_expect_close_for(
            API_PRODUCE, 99, struct.pack(">hhii", -1, 1, 1000, 0))(r)),
        ("metadata_v99_closes", lambda: case_expect_close_for(
            API_METADATA, 99, struct.pack(">i", -1))(r)),
        ("metadata_negative_version", lambda: case_expect_close_for(
            API_METADATA, -1, struct.pack(">i", -1))(r)),
        ("metadata_truncated_body", lambda: case_metadata_truncated_body(r)),
        ("metadata_array_count_2^31", lambda: case_metadata_huge_array(r)),
        ("produce_truncated_body", lambda: case_produce_truncated_body(r)),
        ("produce_records_len_overrun", lambda: case_produce_records_overrun(r)),
        ("apiversions_null_client_id", lambda: case_null_client_id(r)),
        ("pipelined_valid_then_garbage", lambda: case_pipelined_then_garbage(r)),
        ("valid_request_byte_by_byte", lambda: case_byte_by_byte(r)),
        ("valid_among_garbage_conns", lambda: case_valid_among_garbage(r)),
        ("connection_churn_200", lambda: case_connection_churn(r)),
    ]
    cases = [(n, f) for n, f in cases
             if (not args.only or args.only in n) and not (args.skip and args.skip in n)]
    for i, (name, fn) in enumerate(cases):
        if r.dead:
            print("FAIL broker down: %d remaining case(s) not run" % (len(cases) - i))
            r.failed += len(cases) - i
            break
        r.case(name, fn)

    print("%d passed, %d failed" % (r.passed, r.failed))
    return 0 if r.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
