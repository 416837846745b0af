#!/usr/bin/python3
"""zkq: a small ZooKeeper client for scripts, built on kazoo (python3-kazoo).

cluster.sh and the integration tests poll ZooKeeper often; zkCli.sh starts a
JVM per call and its output mixes data with banners, so this prints exactly
the requested data. Exit codes: 0 ok, 2 no such node, 3 other ZooKeeper
error, 4 cannot connect to any server (after retries), 64 usage.
A dropped or refused connection, a timeout or a ZooKeeper restart is
retried (kazoo's connection and command retries, bounded in count and in
time); output is printed only once a command has fully succeeded.

  zkq.py [-s HOST:PORT,...[/CHROOT]] [-t SECONDS] [-a USER:PASSWORD] CMD ARGS
  -t: how long one server may take to answer (default 3); the whole
      command, retries included, gives up after max(4 * SECONDS, 10) s.
  -a: addauth digest first (a cluster with zookeeper.set.acl); nodes it
      creates are then creator-all + world-read, as the brokers make them.
  CMD: ls PATH | get PATH | stat PATH | exists PATH | create [-s] PATH [DATA]
       set PATH DATA | delete PATH | rmr PATH | tree [PATH] | ping
  create -s makes a sequential node and prints its full path.
"""
import io
import logging
import os
import signal
import sys
import time
import warnings

warnings.simplefilter("ignore")  # e.g. kazoo's "chroot path missing"
# Debian's python3-kazoo lives in the system interpreter's dist-packages; a
# python3 earlier on PATH (pyenv, a venv) cannot import it, so hand over.
DEBIAN_PYTHON = "/usr/bin/python3"
try:
    from kazoo.client import KazooClient
    from kazoo.exceptions import (BadArgumentsError, ConnectionDropped,
                                  ConnectionLoss,
                                  KazooException, NodeExistsError,
                                  NoNodeError, SessionExpiredError,
                                  WriterNotClosedException, ZookeeperError)
    from kazoo.handlers.threading import KazooTimeoutError
    from kazoo.retry import KazooRetry, RetryFailedError
    from kazoo.security import CREATOR_ALL_ACL, READ_ACL_UNSAFE
except ImportError as e:
    if (os.path.exists(DEBIAN_PYTHON) and os.path.realpath(sys.executable)
            != os.path.realpath(DEBIAN_PYTHON)):
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON, os.path.abspath(__file__)]
                 + sys.argv[1:])
    sys.stderr.write("zkq: %s (install python3-kazoo: deploy/install-deps.sh)\n" % e)
    sys.exit(3)

STAT_FIELDS = ("czxid", "mzxid", "ctime", "mtime", "version", "cversion",
               "aversion", "ephemeralOwner", "dataLength", "numChildren",
               "pzxid")
# args each command needs at least (create's -s flag not counted)
NEEDS = {"ls": 1, "get": 1, "stat": 1, "exists": 1, "create": 1, "set": 2,
         "delete": 1, "rmr": 1, "tree": 0, "ping": 0}
ATTEMPTS = 5        # command attempts (kazoo command_retry: 1 + 4 retries)
CONNECT_ROUNDS = 20  # connection rounds over all hosts per outage
TREE_DEPTH = 64


class Usage(Exception):
    pass


class GaveUp(Exception):
    """The whole command ran past its deadline (a last-resort bound)."""


# exit 4: no server answered in time (SessionExpiredError includes
# ConnectionClosedError: kazoo's connection retry gave up)
UNREACHABLE = (KazooTimeoutError, RetryFailedError, ConnectionLoss,
               SessionExpiredError, ConnectionDropped,
               WriterNotClosedException, GaveUp)


def quiet_logger():
    """kazoo logs connection trouble as warnings; Python's last-resort
    handler would print them on stderr, which carries only our one-line
    error. Nothing is lost: the error that ends the command is reported.
    The client's logger and kazoo's module loggers (kazoo.*) go nowhere."""
    for name in ("zkq.kazoo", "kazoo"):
        log = logging.getLogger(name)
        log.addHandler(logging.NullHandler())
        log.propagate = False
        log.setLevel(logging.CRITICAL + 1)
    return logging.getLogger("zkq.kazoo")


def parse_args(argv):
    """-> (connect, timeout, cred, cmd, args); raises Usage."""
    connect, timeout, cred = "127.0.0.1:2181", 3.0, None
    while argv and argv[0] in ("-s", "-t", "-a"):
        if len(argv) < 2:
            raise Usage("%s needs a value" % argv[0])
        opt, val, argv = argv[0], argv[1], argv[2:]
        if opt == "-s":
            connect = val
        elif opt == "-a":
            if ":" not in val:
                raise Usage("-a needs USER:PASSWORD")
            cred = val
        else:
            try:
                timeout = float(val)
            except ValueError:
                raise Usage("-t needs seconds, got %r" % val) from None
            if not 0 < timeout <= 3600:
                raise Usage("-t out of range: %r" % val)
    if not argv or argv[0] not in NEEDS:
        raise Usage("unknown command %r" % argv[0] if argv else "no command")
    cmd, args = argv[0], argv[1:]
    counted = args[1:] if cmd == "create" and args[:1] == ["-s"] else args
    if len(counted) < NEEDS[cmd]:
        raise Usage("%s needs %d argument(s)" % (cmd, NEEDS[cmd]))
    return connect, timeout, cred, cmd, args


def hosts_of(connect):
    """Leaves kazoo the HOST:PORT,.../CHROOT string; an empty host means
    127.0.0.1, as before."""
    hosts, slash, chroot = connect.partition("/")
    fixed = []
    for hp in hosts.split(","):
        host, colon, port = hp.rpartition(":")
        if not colon or not port.isdigit():
            raise Usage("-s needs HOST:PORT,..., got %r" % connect)
        fixed.append("%s:%s" % (host or "127.0.0.1", port))
    return ",".join(fixed) + slash + chroot


def bad_path(path, seq):
    """True unless PATH is absolute with no empty, "." or ".." component
    (a sequential create may end in "/": the server appends the number)."""
    if not path.startswith("/") or "\0" in path:
        return True
    if path == "/":
        return False
    body = path[1:-1] if seq and path.endswith("/") else path[1:]
    return any(c in ("", ".", "..") for c in body.split("/"))


class Command:
    """One command; run() is what kazoo's command retry calls again after a
    lost connection, so each call starts afresh and returns the whole
    output (bytes)."""

    def __init__(self, zk, cmd, args, authed):
        self.zk, self.cmd, self.args = zk, cmd, args
        self.acl = CREATOR_ALL_ACL + READ_ACL_UNSAFE if authed else None
        self.calls = 0

    def run(self):
        self.calls += 1
        try:
            return self.dispatch()
        except (NodeExistsError, NoNodeError) as e:
            if self.calls > 1 and self.done_before(e):
                return b""
            raise

    def done_before(self, err):
        """After a lost connection the previous attempt's write may have
        been applied with its answer lost: creating the same node again
        finds it with our data, deleting it again finds it gone. Both
        count as done. (A sequential create cannot tell: it may leave an
        extra node.)"""
        if self.cmd == "create" and isinstance(err, NodeExistsError):
            path, data = self.create_args()[1:]
            return (self.zk.get(path)[0] or b"") == data
        return self.cmd in ("delete", "rmr") and isinstance(err, NoNodeError)

    def create_args(self):
        seq = self.args[:1] == ["-s"]
        rest = self.args[1:] if seq else self.args
        data = rest[1].encode() if len(rest) > 1 else b""
        return seq, rest[0], data

    def check_path(self):
        """kazoo quietly normalises paths ("a" and "/a/" become "/a"); the
        server does not, and scripts should see their typo: a bad path is
        not found (as the server answers a read or a delete) and bad
        arguments (-8) to a create or set."""
        if self.cmd == "ping" or (self.cmd == "tree" and not self.args):
            return
        if self.cmd == "create":
            seq, path = self.create_args()[:2]
        else:
            seq, path = False, self.args[0]
        if bad_path(path, seq):
            if self.cmd in ("create", "set"):
                raise BadArgumentsError()
            raise NoNodeError()

    def dispatch(self):
        self.check_path()
        zk, a, out = self.zk, self.args, io.StringIO()
        if self.cmd == "ping":
            zk.get_children("/")
        elif self.cmd == "ls":
            for c in sorted(zk.get_children(a[0])):
                out.write(c + "\n")
        elif self.cmd == "get":
            return (zk.get(a[0])[0] or b"") + b"\n"
        elif self.cmd == "stat":
            st = self.stat(a[0])
            for k in STAT_FIELDS:
                out.write("%s=%s\n" % (k, getattr(st, k)))
        elif self.cmd == "exists":
            self.stat(a[0])
        elif self.cmd == "create":
            seq, path, data = self.create_args()
            made = zk.create(path, data, acl=self.acl, sequence=seq)
            if seq:
                out.write(made + "\n")
        elif self.cmd == "set":
            zk.set(a[0], a[1].encode())
        elif self.cmd == "delete":
            zk.delete(a[0])
        elif self.cmd == "rmr":
            self.rmr(a[0])
        elif self.cmd == "tree":
            self.tree(a[0] if a else "/", out, 0)
        return out.getvalue().encode()

    def stat(self, path):
        st = self.zk.exists(path)
        if st is None:
            raise NoNodeError()
        return st

    def rmr(self, path):
        # not kazoo's delete(recursive=True): that one succeeds on a
        # missing node, and a missing node is exit 2 here
        for c in self.zk.get_children(path):
            self.rmr(path.rstrip("/") + "/" + c)
        self.zk.delete(path)

    def tree(self, path, out, depth):
        if depth > TREE_DEPTH:
            return
        data, st = self.zk.get(path)
        kind = "E" if st.ephemeralOwner else "P"
        out.write("%s [%s] %s\n" % (path, kind,
                                    (data or b"").decode("utf-8", "replace")))
        for c in sorted(self.zk.get_children(path)):
            self.tree(path.rstrip("/") + "/" + c, out, depth + 1)


def client(hosts, timeout, cred, deadline):
    """Both retries are bounded in count and in time: connection_retry per
    outage (rounds over all hosts), command_retry per command. kazoo
    derives its socket timeouts from the session timeout it asks for: the
    handshake with one server gets session / number of hosts, a request or
    ping 2/3 of the negotiated session; 1.5 * SECONDS * hosts gives each
    at least SECONDS, as a busy machine needs."""
    conn = KazooRetry(max_tries=CONNECT_ROUNDS, delay=0.1, backoff=2,
                      max_delay=1.0, deadline=deadline)
    cmd = KazooRetry(max_tries=ATTEMPTS - 1, delay=0.25, backoff=2,
                     max_delay=2.0, deadline=deadline, ignore_expire=True)
    session = 1.5 * timeout * len(hosts.partition("/")[0].split(","))
    return KazooClient(hosts=hosts, timeout=session, connection_retry=conn,
                       command_retry=cmd, logger=quiet_logger(),
                       auth_data=[("digest", cred)] if cred else None)


def execute(hosts, timeout, cred, cmd, args, deadline):
    """-> output bytes; raises kazoo's exceptions. Connecting and the
    command's attempts share one deadline."""
    end = time.monotonic() + deadline
    zk = client(hosts, timeout, cred, deadline)
    try:
        zk.start(timeout=deadline)
        zk.retry.deadline = max(end - time.monotonic(), 1.0)
        return zk.retry(Command(zk, cmd, args, bool(cred)).run)
    finally:
        try:
            zk.stop()
            zk.close()
        except (KazooException, OSError, GaveUp):
            pass  # the session ends with the process anyway


def describe(e):
    code = getattr(e, "code", None)
    text = str(e) or type(e).__name__
    if isinstance(e, ZookeeperError) and isinstance(code, int):
        return "zookeeper error %d" % code
    return text


def on_alarm(_sig, _frame):
    raise GaveUp("no answer in time")


def main(argv):
    try:
        connect, timeout, cred, cmd, args = parse_args(argv)
        hosts = hosts_of(connect)
    except Usage as e:
        sys.stderr.write("zkq: %s\nusage:\n%s" % (e, __doc__[__doc__.index("  zkq.py"):]))
        return 64
    deadline = max(4 * timeout, 10.0)
    # kazoo's own timeouts bound every wait; this is the backstop.
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(deadline) + 10)
    t0 = time.monotonic()
    try:
        data = execute(hosts, timeout, cred, cmd, args, deadline)
    except NoNodeError:
        return 2
    except UNREACHABLE as e:
        sys.stderr.write("zkq: cannot reach ZooKeeper at %s: %s (gave up after %.1fs)\n"
                         % (connect, describe(e), time.monotonic() - t0))
        return 4
    except (KazooException, ValueError, TypeError) as e:
        sys.stderr.write("zkq: %s: %s\n" % (" ".join([cmd] + args), describe(e)))
        return 3
    finally:
        signal.alarm(0)
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
