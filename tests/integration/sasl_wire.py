#!/usr/bin/env python3
"""sasl_wire.py: SASL on the wire, against one broker of a SASL_PLAINTEXT
cluster (deploy/cluster.sh up --sasl). Its SCRAM client is its own
(hashlib/hmac), independent of the broker's code. Usage:

  sasl_wire.py HOST:PORT CHECK ARGS...

checks:
  refusals USER PASSWORD      wrong password (PLAIN, SCRAM) -> 58 and the
                              connection closes; unknown user looks the
                              same; request before authentication closes;
                              GSSAPI -> 33 with the enabled list; token
                              before handshake -> 34
  raw-plain USER PASSWORD     SaslHandshake v0 + raw PLAIN token frame, then
                              Metadata works on that connection
  raw-scram MECH USER PASSWORD  the same with SCRAM's two raw token frames
  scram MECH USER PASSWORD    SCRAM over SaslAuthenticate v1 and v2, then
                              Metadata works
  reauth USER PASSWORD MS     PLAIN session lifetime MS (KIP-368): answered
                              in SaslAuthenticate v1, re-authentication
                              works, after expiry a request closes the
                              connection
  scram-admin USER PASSWORD   as USER (PLAIN): AlterUserScramCredentials
                              upserts/deletes and its refusals,
                              DescribeUserScramCredentials, and a user made
                              this way authenticates
  scram-denied USER PASSWORD  as USER (PLAIN) without DESCRIBE/ALTER on the
                              cluster: both APIs refused with
                              CLUSTER_AUTHORIZATION_FAILED (waits up to
                              20 s for the ACL to arrive)
Exit 0 when every assertion holds, else 1 with the reason.
"""
import base64
import hashlib
import hmac
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_wire import Reader, uvarint  # noqa: E402  (bounded reads, LEB128)
from kafka_wire import kstr as s16  # noqa: E402  (i16-length string)

TIMEOUT = 10


def fail(msg):
    print("sasl_wire: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


class Conn:
    def __init__(self, addr):
        self.s = socket.create_connection(addr, timeout=TIMEOUT)
        self.corr = 0

    def close(self):
        self.s.close()

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError("connection closed")
            buf += chunk
        return buf

    def frame(self):
        n = struct.unpack(">i", self.recv_exact(4))[0]
        if n < 0 or n > 1 << 24:
            fail("bad frame size %d" % n)
        return self.recv_exact(n)

    def send_raw(self, payload):
        self.s.sendall(struct.pack(">i", len(payload)) + payload)

    def request(self, api, ver, body, flexible=False):
        self.corr += 1
        hdr = struct.pack(">hhi", api, ver, self.corr) + struct.pack(">h", 9) + b"sasl-wire"
        if flexible:
            hdr += b"\x00"
        self.send_raw(hdr + body)
        r = Reader(self.frame())
        if r.i32() != self.corr:
            fail("correlation id mismatch")
        if flexible and api != 18:
            r.tags()
        return r

    def closed_within(self, seconds):
        """True when the peer closes without sending anything."""
        self.s.settimeout(seconds)
        try:
            return self.s.recv(1) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


def handshake(c, ver, mech):
    r = c.request(17, ver, s16(mech))
    err = r.i16()
    mechs = [r.str() for _ in range(r.i32())]
    return err, mechs


def authenticate(c, token, ver=1):
    """Returns (error, message, token, session_lifetime_ms); ver -1: a bare
    token frame (after SaslHandshake v0), where a refusal closes the
    connection (reported as error 58)."""
    if ver < 0:
        c.send_raw(token)
        try:
            return 0, None, c.frame(), 0
        except (EOFError, ConnectionResetError):
            return 58, "connection closed", None, 0
    if ver >= 2:
        r = c.request(36, ver, uvarint(len(token) + 1) + token + b"\x00", flexible=True)
        err, msg, tok = r.i16(), r.compact_str(), r.compact_string()
    else:
        r = c.request(36, ver, struct.pack(">i", len(token)) + token)
        err, msg, tok = r.i16(), r.str(), r.bytes_()
    life = r.i64() if ver >= 1 else 0
    return err, msg, tok, life


def metadata_ok(c):
    r = c.request(3, 1, struct.pack(">i", -1))  # v1: null topics = all
    n = r.i32()
    if n < 1:
        fail("Metadata lists no broker")
    return True


def plain_token(user, pw):
    return b"\x00" + user.encode() + b"\x00" + pw.encode()


def scram_exchange(c, mech, user, pw, ver=1):
    """Our own SCRAM client. Returns (error, message) of the step that
    ended the exchange; (0, None) when the server signature verified."""
    h = "sha256" if mech == "SCRAM-SHA-256" else "sha512"
    cnonce = base64.b64encode(os.urandom(18)).decode()
    bare = "n=%s,r=%s" % (user.replace("=", "=3D").replace(",", "=2C"), cnonce)
    err, msg, sf, _ = authenticate(c, ("n,," + bare).encode(), ver)
    if err:
        return err, msg
    sf = sf.decode()
    attrs = dict(kv.split("=", 1) for kv in sf.split(","))
    if not attrs["r"].startswith(cnonce) or len(attrs["r"]) <= len(cnonce):
        fail("server nonce does not extend the client nonce: " + sf)
    salt, iters = base64.b64decode(attrs["s"]), int(attrs["i"])
    if iters < 4096:
        fail("iterations %d below 4096" % iters)
    salted = hashlib.pbkdf2_hmac(h, pw.encode(), salt, iters)
    ck = hmac.new(salted, b"Client Key", h).digest()
    stored = hashlib.new(h, ck).digest()
    wp = "c=biws,r=" + attrs["r"]
    am = (bare + "," + sf + "," + wp).encode()
    proof = bytes(a ^ b for a, b in zip(ck, hmac.new(stored, am, h).digest()))
    final = wp + ",p=" + base64.b64encode(proof).decode()
    err, msg, sfin, _ = authenticate(c, final.encode(), ver)
    if err:
        return err, msg
    sk = hmac.new(salted, b"Server Key", h).digest()
    want = "v=" + base64.b64encode(hmac.new(sk, am, h).digest()).decode()
    if sfin.decode() != want:
        fail("server signature does not verify: %r" % sfin)
    return 0, None


def expect_closed(c, what):
    if not c.closed_within(5):
        fail(what + ": connection still open")


def check_refusals(addr, user, pw):
    # wrong PLAIN password: 58, Kafka's message, then the connection closes
    c = Conn(addr)
    err, mechs = handshake(c, 1, "PLAIN")
    if err or "PLAIN" not in mechs:
        fail("PLAIN handshake: error %d, mechanisms %r" % (err, mechs))
    err, msg, _, _ = authenticate(c, plain_token(user, pw + "-wrong"))
    if err != 58 or msg != "Authentication failed: Invalid username or password":
        fail("wrong PLAIN password: error %d %r" % (err, msg))
    expect_closed(c, "after a failed PLAIN exchange")
    # unknown user: same answer
    c = Conn(addr)
    handshake(c, 1, "PLAIN")
    err2, msg2, _, _ = authenticate(c, plain_token("nobody-" + user, pw))
    if (err2, msg2) != (err, msg):
        fail("unknown PLAIN user answered differently: %d %r" % (err2, msg2))
    # SCRAM: wrong password and unknown user fail alike, at the final step
    answers = []
    for u, p in ((user, pw + "-wrong"), ("nobody-" + user, pw)):
        c = Conn(addr)
        handshake(c, 1, "SCRAM-SHA-256")
        answers.append(scram_exchange(c, "SCRAM-SHA-256", u, p))
        expect_closed(c, "after a failed SCRAM exchange")
    want = (58, "Authentication failed during authentication due to invalid "
                "credentials with SASL mechanism SCRAM-SHA-256")
    if answers != [want, want]:
        fail("SCRAM refusals: %r" % answers)
    # a request before authentication closes the connection unanswered
    c = Conn(addr)
    c.corr += 1
    c.send_raw(struct.pack(">hhi", 3, 1, c.corr) + s16("x") + struct.pack(">i", -1))
    expect_closed(c, "Metadata before authentication")
    # ApiVersions is allowed before authentication; GSSAPI is not enabled
    c = Conn(addr)
    r = c.request(18, 0, b"")
    if r.i16() != 0:
        fail("ApiVersions before authentication refused")
    err, mechs = handshake(c, 1, "GSSAPI")
    if err != 33 or sorted(mechs) != ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]:
        fail("GSSAPI handshake: error %d, mechanisms %r" % (err, mechs))
    expect_closed(c, "after UNSUPPORTED_SASL_MECHANISM")
    # a token before any handshake: ILLEGAL_SASL_STATE, then closed
    c = Conn(addr)
    err, _, _, _ = authenticate(c, plain_token(user, pw))
    if err != 34:
        fail("SaslAuthenticate before SaslHandshake: error %d, want 34" % err)
    expect_closed(c, "after ILLEGAL_SASL_STATE")


def check_raw_scram(addr, mech, user, pw):
    c = Conn(addr)
    err, _ = handshake(c, 0, mech)
    if err:
        fail("SaslHandshake v0 %s: error %d" % (mech, err))
    err, msg = scram_exchange(c, mech, user, pw, -1)
    if err:
        fail("raw %s tokens as %s: %d %s" % (mech, user, err, msg))
    metadata_ok(c)
    c = Conn(addr)
    handshake(c, 0, mech)
    if scram_exchange(c, mech, user, pw + "-wrong", -1)[0] != 58:
        fail("raw %s tokens with a wrong password were accepted" % mech)


def check_raw_plain(addr, user, pw):
    c = Conn(addr)
    err, _ = handshake(c, 0, "PLAIN")
    if err:
        fail("SaslHandshake v0: error %d" % err)
    c.send_raw(plain_token(user, pw))  # no request header: a bare token
    if c.frame() != b"":
        fail("raw PLAIN token: the answer is not an empty token")
    metadata_ok(c)
    # a wrong raw token closes the connection without an answer
    c = Conn(addr)
    handshake(c, 0, "PLAIN")
    c.send_raw(plain_token(user, pw + "-wrong"))
    expect_closed(c, "after a wrong raw token")


def check_scram(addr, mech, user, pw):
    for ver in (1, 2):
        c = Conn(addr)
        err, _ = handshake(c, 1, mech)
        if err:
            fail("%s handshake: error %d" % (mech, err))
        err, msg = scram_exchange(c, mech, user, pw, ver)
        if err:
            fail("%s as %s (SaslAuthenticate v%d): %d %s" % (mech, user, ver, err, msg))
        metadata_ok(c)


def check_reauth(addr, user, pw, ms):
    c = Conn(addr)
    handshake(c, 1, "PLAIN")
    err, msg, _, life = authenticate(c, plain_token(user, pw))
    if err or life != ms:
        fail("PLAIN with a session lifetime: error %d %r, lifetime %d, want %d"
             % (err, msg, life, ms))
    t0 = time.monotonic()
    metadata_ok(c)
    # re-authentication on the same connection, before expiry
    err, _ = handshake(c, 1, "PLAIN")
    if err:
        fail("re-authentication handshake: error %d" % err)
    err, msg, _, life = authenticate(c, plain_token(user, pw))
    if err or life != ms:
        fail("re-authentication: error %d %r, lifetime %d" % (err, msg, life))
    t0 = time.monotonic()
    metadata_ok(c)
    # past the lifetime only re-authentication would be served
    time.sleep(max(0.0, ms / 1000.0 - (time.monotonic() - t0)) + 0.5)
    c.corr += 1
    c.send_raw(struct.pack(">hhi", 3, 1, c.corr) + s16("x") + struct.pack(">i", -1))
    expect_closed(c, "request after the session expired")


def cstr(s):
    b = s.encode()
    return uvarint(len(b) + 1) + b


def cbytes(b):
    return uvarint(len(b) + 1) + b


def login_plain(addr, user, pw):
    c = Conn(addr)
    handshake(c, 1, "PLAIN")
    err, msg, _, _ = authenticate(c, plain_token(user, pw))
    if err:
        fail("PLAIN login as %s: %d %s" % (user, err, msg))
    return c


def alter(c, deletions, upsertions):
    """deletions: [(name, mech)]; upsertions: [(name, mech, iters, salt,
    salted)]. Returns {user: (error, message)}."""
    body = uvarint(len(deletions) + 1)
    for name, mech in deletions:
        body += cstr(name) + struct.pack(">b", mech) + b"\x00"
    body += uvarint(len(upsertions) + 1)
    for name, mech, iters, salt, salted in upsertions:
        body += cstr(name) + struct.pack(">bi", mech, iters) + cbytes(salt) + cbytes(salted) + b"\x00"
    r = c.request(51, 0, body + b"\x00", flexible=True)
    r.i32()
    out = {}
    for _ in range(r.uvarint() - 1):
        user, err, msg = r.compact_str(), r.i16(), r.compact_str()
        r.tags()
        out[user] = (err, msg)
    return out


def describe(c, users):
    """users None: all. Returns (error, {user: (error, {mech: iterations})})."""
    if users is None:
        body = uvarint(0)
    else:
        body = uvarint(len(users) + 1) + b"".join(cstr(u) + b"\x00" for u in users)
    r = c.request(50, 0, body + b"\x00", flexible=True)
    r.i32()
    top = r.i16()
    r.compact_str()
    out = {}
    for _ in range(r.uvarint() - 1):
        user, err = r.compact_str(), r.i16()
        r.compact_str()
        infos = {}
        for _ in range(r.uvarint() - 1):
            mech, iters = struct.unpack(">bi", r.raw(5))
            r.tags()
            infos[mech] = iters
        r.tags()
        out[user] = (err, infos)
    return top, out


def salted(mech, pw, salt, iters):
    h = "sha256" if mech == 1 else "sha512"
    return hashlib.pbkdf2_hmac(h, pw.encode(), salt, iters)


def wait_describe(c, user, want, what):
    deadline = time.monotonic() + 20
    while True:
        _, res = describe(c, [user])
        if res.get(user) == want:
            return
        if time.monotonic() > deadline:
            fail("%s: describe %s = %r, want %r" % (what, user, res.get(user), want))
        time.sleep(0.2)


def check_scram_admin(addr, user, pw):
    c = login_plain(addr, user, pw)
    s1, s2 = os.urandom(20), os.urandom(28)
    res = alter(c, [("nobody-x", 1), ("hank", 1)], [
        ("erin", 1, 4096, s1, salted(1, "erin-secret", s1, 4096)),
        ("erin", 2, 8192, s2, salted(2, "erin-secret", s2, 8192)),
        ("frank", 1, 100, s1, salted(1, "frank-secret", s1, 100)),
        ("gina", 0, 4096, s1, salted(1, "gina-secret", s1, 4096)),
        ("hank", 1, 4096, s1, salted(1, "hank-secret", s1, 4096)),
        ("", 1, 4096, s1, salted(1, "x", s1, 4096)),
    ])
    want = {
        "erin": (0, None),
        "nobody-x": (91, "Attempt to delete a user credential that does not exist"),
        "hank": (92, "A user credential cannot be altered twice in the same request"),
        "frank": (93, "Too few iterations"),
        "gina": (33, "Unknown SCRAM mechanism"),
        "": (93, "Username must not be empty"),
    }
    if res != want:
        fail("AlterUserScramCredentials results %r, want %r" % (res, want))
    wait_describe(c, "erin", (0, {1: 4096, 2: 8192}), "after the upserts")
    top, res = describe(c, ["erin", "nobody-x"])
    if top or res.get("nobody-x", (0,))[0] != 91:
        fail("describe of a user without credentials: %r" % (res,))
    top, res = describe(c, None)
    if "erin" not in res or "frank" in res or "gina" in res:
        fail("describe of every user: %r" % (res,))
    # the new credential works, for either mechanism
    for mech, name in ((2, "SCRAM-SHA-512"), (1, "SCRAM-SHA-256")):
        a = Conn(addr)
        handshake(a, 1, name)
        err, msg = scram_exchange(a, name, "erin", "erin-secret")
        if err:
            fail("erin with %s after AlterUserScramCredentials: %d %s" % (name, err, msg))
    res = alter(c, [("erin", 1)], [])
    if res != {"erin": (0, None)}:
        fail("deletion of erin's SCRAM-SHA-256: %r" % (res,))
    wait_describe(c, "erin", (0, {2: 8192}), "after the deletion")
    a = Conn(addr)
    handshake(a, 1, "SCRAM-SHA-256")
    err, _ = scram_exchange(a, "SCRAM-SHA-256", "erin", "erin-secret")
    if err != 58:
        fail("erin's deleted SCRAM-SHA-256 credential still works")


def check_scram_denied(addr, user, pw):
    deadline = time.monotonic() + 20
    while True:
        c = login_plain(addr, user, pw)
        top, _ = describe(c, None)
        if top == 31:
            break
        if time.monotonic() > deadline:
            fail("DescribeUserScramCredentials without DESCRIBE on the cluster: error %d" % top)
        c.close()
        time.sleep(0.2)
    s1 = os.urandom(16)
    res = alter(c, [("carol", 2)], [("zed", 1, 4096, s1, salted(1, "zed", s1, 4096))])
    if res != {"carol": (31, None), "zed": (31, None)}:
        fail("AlterUserScramCredentials without ALTER on the cluster: %r" % (res,))


def main():
    if len(sys.argv) < 3:
        fail(__doc__)
    host, port = sys.argv[1].rsplit(":", 1)
    addr = (host, int(port))
    check, args = sys.argv[2], sys.argv[3:]
    if check == "refusals":
        check_refusals(addr, *args)
    elif check == "raw-plain":
        check_raw_plain(addr, *args)
    elif check == "raw-scram":
        check_raw_scram(addr, *args)
    elif check == "scram":
        check_scram(addr, *args)
    elif check == "scram-denied":
        check_scram_denied(addr, *args)
    elif check == "scram-admin":
        check_scram_admin(addr, *args)
    elif check == "reauth":
        check_reauth(addr, args[0], args[1], int(args[2]))
    else:
        fail("unknown check " + check)
    print("sasl_wire: %s passed" % check)


if __name__ == "__main__":
    main()
