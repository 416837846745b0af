#!/usr/bin/env python3
"""zkq: a tiny ZooKeeper client (jute wire protocol, stdlib only) for scripts.

cluster.sh and the integration tests poll ZooKeeper often; zkCli.sh starts a
JVM per call and its output mixes data with banners, so this prints exactly
the requested data. Exit codes: 0 ok, 2 no such node, 3 other ZooKeeper
error, 4 cannot connect to any server (after retries), 64 usage.
Connection failures (a dropped or refused connection, a timeout) are
retried up to 5 times with a fresh session; output is printed only once a
command has fully succeeded.

  zkq.py [-s HOST:PORT,...] [-t SECONDS] [-a USER:PASSWORD] CMD ARGS
  -a: addauth digest first (a cluster with zookeeper.set.acl); nodes it
      creates are then creator-all + world-read, as the brokers make them.
  CMD: ls PATH | get PATH | stat PATH | exists PATH | create PATH [DATA]
       set PATH DATA | delete PATH | rmr PATH | tree [PATH] | ping
"""
import io
import socket
import struct
import sys
import time

OP_CREATE, OP_DELETE, OP_EXISTS, OP_GETDATA, OP_SETDATA = 1, 2, 3, 4, 5
OP_GETCHILDREN, OP_CLOSE, OP_AUTH = 8, -11, 100
XID_AUTH = -4
ERR_NONODE = -101
ERR_NODEEXISTS = -110
ATTEMPTS = 5
MAX_FRAME = 16 * 1024 * 1024
STAT_FIELDS = ("czxid", "mzxid", "ctime", "mtime", "version", "cversion",
               "aversion", "ephemeralOwner", "dataLength", "numChildren",
               "pzxid")
STAT_FMT = ">qqqqiiiqiiq"


class ZkError(Exception):
    def __init__(self, code):
        super().__init__("zookeeper error %d" % code)
        self.code = code


class Reader:
    """Bounds-checked cursor over one response frame."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise ValueError("truncated zookeeper response")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))

    def buffer(self):
        (n,) = self.unpack(">i")
        return None if n == -1 else self.take(n)

    def string(self):
        b = self.buffer()
        return None if b is None else b.decode("utf-8", "replace")


def enc_buf(b):
    return struct.pack(">i", -1) if b is None else struct.pack(">i", len(b)) + b


def enc_str(s):
    return enc_buf(s.encode())


class Zk:
    def __init__(self, connect, timeout):
        self.sock, self.xid, self.authed = None, 0, False
        hosts = connect.split("/", 1)[0].split(",")
        self.chroot = "/" + connect.split("/", 1)[1] if "/" in connect else ""
        last = None
        for hp in hosts:
            host, _, port = hp.rpartition(":")
            try:
                self._connect(host or "127.0.0.1", int(port), timeout)
                return
            except (OSError, ValueError) as e:
                last = e
                self._drop()
        raise ConnectionError("cannot connect to %s: %s" % (connect, last))

    def _drop(self):
        if self.sock:
            self.sock.close()
        self.sock = None

    def _connect(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(timeout)
        req = struct.pack(">iqiq", 0, 0, 10000, 0) + enc_buf(b"\0" * 16) + b"\0"
        self._send(req)
        r = Reader(self._recv())
        (_, negotiated, _sid) = r.unpack(">iiq")
        if negotiated <= 0:
            raise ConnectionError("session refused by %s:%d" % (host, port))

    def _send(self, payload):
        self.sock.sendall(struct.pack(">i", len(payload)) + payload)

    def _recv_exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise ConnectionError("connection closed by server")
            out += chunk
        return out

    def _recv(self):
        (n,) = struct.unpack(">i", self._recv_exact(4))
        if n < 0 or n > MAX_FRAME:
            raise ValueError("bad frame length %d" % n)
        return self._recv_exact(n)

    def add_digest(self, cred):
        """addauth digest USER:PASSWORD (answered with xid -4)."""
        self._send(struct.pack(">ii", XID_AUTH, OP_AUTH) + struct.pack(">i", 0)
                   + enc_str("digest") + enc_buf(cred.encode()))
        while True:
            r = Reader(self._recv())
            (xid, _zxid, err) = r.unpack(">iqi")
            if xid == XID_AUTH:
                if err != 0:
                    raise ZkError(err)
                self.authed = True
                return

    def call(self, op, body):
        self.xid += 1
        self._send(struct.pack(">ii", self.xid, op) + body)
        while True:
            r = Reader(self._recv())
            (xid, _zxid, err) = r.unpack(">iqi")
            if xid == -1:  # watch notification: none are set, skip
                continue
            if xid != self.xid:
                raise ValueError("unexpected xid %d" % xid)
            if err != 0:
                raise ZkError(err)
            return r

    def path(self, p):
        if not self.chroot:
            return p
        return (self.chroot + p).rstrip("/") or "/"

    def get(self, p):
        r = self.call(OP_GETDATA, enc_str(self.path(p)) + b"\0")
        data = r.buffer()
        return data or b"", dict(zip(STAT_FIELDS, r.unpack(STAT_FMT)))

    def children(self, p):
        r = self.call(OP_GETCHILDREN, enc_str(self.path(p)) + b"\0")
        (n,) = r.unpack(">i")
        if n < 0 or n > MAX_FRAME:
            return []
        return sorted(r.string() for _ in range(n))

    def stat(self, p):
        r = self.call(OP_EXISTS, enc_str(self.path(p)) + b"\0")
        return dict(zip(STAT_FIELDS, r.unpack(STAT_FMT)))

    def create(self, p, data):
        if self.authed:
            acl = (struct.pack(">ii", 2, 31) + enc_str("auth") + enc_str("")
                   + struct.pack(">i", 1) + enc_str("world") + enc_str("anyone"))
        else:
            acl = struct.pack(">ii", 1, 31) + enc_str("world") + enc_str("anyone")
        body = enc_str(self.path(p)) + enc_buf(data) + acl + struct.pack(">i", 0)
        self.call(OP_CREATE, body)

    def set(self, p, data):
        self.call(OP_SETDATA, enc_str(self.path(p)) + enc_buf(data)
                  + struct.pack(">i", -1))

    def delete(self, p):
        self.call(OP_DELETE, enc_str(self.path(p)) + struct.pack(">i", -1))

    def rmr(self, p):
        for c in self.children(p):
            self.rmr(p.rstrip("/") + "/" + c)
        self.delete(p)

    def tree(self, p, out, depth=0):
        if depth > 64:
            return
        data, st = self.get(p)
        kind = "E" if st["ephemeralOwner"] else "P"
        out.write("%s [%s] %s\n" % (p, kind, data.decode("utf-8", "replace")))
        for c in self.children(p):
            self.tree(p.rstrip("/") + "/" + c, out, depth + 1)

    def close(self):
        if not self.sock:
            return
        try:
            self.xid += 1
            self._send(struct.pack(">ii", self.xid, OP_CLOSE))
            self._recv()
        except (OSError, ValueError):
            pass
        self._drop()


def run(zk, cmd, args):
    """Runs one command; returns its output (bytes), printed only once the
    whole command succeeded, so a retried attempt never prints twice."""
    out = io.StringIO()
    if cmd == "ping":
        zk.children("/")
    elif cmd == "ls":
        for c in zk.children(args[0]):
            out.write(c + "\n")
    elif cmd == "get":
        return zk.get(args[0])[0] + b"\n"
    elif cmd == "stat":
        for k, v in zk.stat(args[0]).items():
            out.write("%s=%s\n" % (k, v))
    elif cmd == "exists":
        zk.stat(args[0])
    elif cmd == "create":
        zk.create(args[0], args[1].encode() if len(args) > 1 else None)
    elif cmd == "set":
        zk.set(args[0], args[1].encode())
    elif cmd == "delete":
        zk.delete(args[0])
    elif cmd == "rmr":
        zk.rmr(args[0])
    elif cmd == "tree":
        zk.tree(args[0] if args else "/", out)
    else:
        raise SystemExit(__doc__)
    return out.getvalue().encode()


def done_before(zk, cmd, args, err):
    """After a connection failure the previous attempt's write may have been
    applied with its answer lost: creating the same node again finds it
    with our data, deleting it again finds it gone. Both count as done."""
    if cmd == "create" and err.code == ERR_NODEEXISTS:
        want = args[1].encode() if len(args) > 1 else b""
        return zk.get(args[0])[0] == want
    return cmd in ("delete", "rmr") and err.code == ERR_NONODE


def attempt(connect, timeout, argv, retried, cred):
    zk = Zk(connect, timeout)
    try:
        if cred:
            zk.add_digest(cred)
        try:
            return run(zk, argv[0], argv[1:])
        except ZkError as e:
            if retried and done_before(zk, argv[0], argv[1:], e):
                return b""
            raise
    finally:
        zk.close()


def main(argv):
    connect, timeout, cred = "127.0.0.1:2181", 3.0, None
    while argv and argv[0] in ("-s", "-t", "-a"):
        if len(argv) < 2:
            raise SystemExit(__doc__)
        if argv[0] == "-s":
            connect = argv[1]
        elif argv[0] == "-a":
            cred = argv[1]
        else:
            timeout = float(argv[1])
        argv = argv[2:]
    if not argv:
        sys.stderr.write(__doc__)
        return 64
    needs = {"ls": 1, "get": 1, "stat": 1, "exists": 1, "create": 1,
             "set": 2, "delete": 1, "rmr": 1}
    if len(argv) - 1 < needs.get(argv[0], 0):
        sys.stderr.write(__doc__)
        return 64
    # A busy or restarting server may drop a connection (EPIPE, reset,
    # timeout): reconnect and try again, a bounded number of times.
    deadline = time.monotonic() + max(4 * timeout, 10.0)
    last = None
    for n in range(ATTEMPTS):
        try:
            data = attempt(connect, timeout, argv, n > 0, cred)
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            return 0
        except ZkError as e:
            if e.code == ERR_NONODE:
                return 2
            sys.stderr.write("zkq: %s: %s\n" % (" ".join(argv), e))
            return 3
        except (OSError, ValueError) as e:
            last = e
        if n + 1 < ATTEMPTS and time.monotonic() < deadline:
            time.sleep(0.25 * (n + 1))
        else:
            break
    sys.stderr.write("zkq: %s (after %d attempts)\n" % (last, n + 1))
    return 4


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
