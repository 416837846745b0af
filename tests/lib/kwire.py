"""kwire: request builders for the server tests (stdlib only), over
kafka_wire's encoder.

Encodes the few requests the connection-engine tests need (ApiVersions v0,
Metadata v1, Produce v3, Fetch v4, ListOffsets v1, DescribeConfigs v0), sends
them without waiting when asked to (pipelining), and reads framed responses.
Also: a broker's fd count, RSS and CPU time from /proc.
"""

import os
import socket
import ssl
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kafka_wire import TIMEOUT, Reader, kstr, recv_exact  # noqa: E402,F401
from kafka_wire import batch as _batch  # noqa: E402


def batch(values):
    """One RecordBatch v2 holding values with null keys (no producer id)."""
    return _batch(values, keys=[None] * len(values))


def frame(api, version, corr, body, client=b"kwire"):
    msg = struct.pack(">hhi", api, version, corr) + kstr(client) + body
    return struct.pack(">i", len(msg)) + msg


def api_versions():
    return 18, 0, b""


def metadata(topics):
    if topics is None:
        return 3, 1, struct.pack(">i", -1)
    return 3, 1, struct.pack(">i", len(topics)) + b"".join(kstr(t) for t in topics)


def produce(topic, partition, values, acks=-1, timeout_ms=10000):
    recs = batch(values)
    body = kstr(None) + struct.pack(">hi", acks, timeout_ms) + struct.pack(">i", 1)
    body += kstr(topic) + struct.pack(">ii", 1, partition) + struct.pack(">i", len(recs)) + recs
    return 0, 3, body


def fetch(topic, partition, offset, max_wait_ms=0, min_bytes=0, max_bytes=1 << 20):
    body = struct.pack(">iiiib", -1, max_wait_ms, min_bytes, max_bytes, 0)
    body += struct.pack(">i", 1) + kstr(topic) + struct.pack(">i", 1)
    body += struct.pack(">iqi", partition, offset, max_bytes)
    return 1, 4, body


def list_offsets(topic, partition, ts=-1):
    body = struct.pack(">i", -1) + struct.pack(">i", 1) + kstr(topic)
    body += struct.pack(">i", 1) + struct.pack(">iq", partition, ts)
    return 2, 1, body


def describe_configs(resources):
    """resources: [(type, name)]"""
    parts = [struct.pack(">i", len(resources))]
    for t, n in resources:
        parts.append(struct.pack(">b", t) + kstr(n) + struct.pack(">i", -1))
    return 32, 0, b"".join(parts)


def recv_response(sock):
    """(correlation id, body) of the next response."""
    size = struct.unpack(">i", recv_exact(sock, 4))[0]
    resp = recv_exact(sock, size)
    return struct.unpack(">i", resp[:4])[0], resp[4:]


def call(sock, req, corr=1):
    api, ver, body = req
    sock.sendall(frame(api, ver, corr, body))
    got, resp = recv_response(sock)
    if got != corr:
        raise RuntimeError("correlation id %d, expected %d" % (got, corr))
    return resp


def _client_tls():
    """An SSL context from $CLIENT_CONFIG (a cluster.sh up --secure
    cluster's librdkafka properties), or None for plaintext."""
    path = os.environ.get("CLIENT_CONFIG")
    if not path:
        return None
    props = {}
    with open(path) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.strip().split("=", 1)
                props[k] = v
    if props.get("security.protocol", "").lower() != "ssl":
        return None
    ctx = ssl.create_default_context(cafile=props["ssl.ca.location"])
    ctx.check_hostname = props.get("ssl.endpoint.identification.algorithm") == "https"
    if "ssl.certificate.location" in props:
        ctx.load_cert_chain(props["ssl.certificate.location"], props["ssl.key.location"])
    return ctx


def connect(addr, source_ip=None, timeout=TIMEOUT):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    if source_ip:
        s.bind((source_ip, 0))
    s.connect(addr)
    ctx = _client_tls()
    return ctx.wrap_socket(s, server_hostname=addr[0]) if ctx else s


def produce_errors(resp):
    r = Reader(resp)
    errs = []
    for _ in range(r.take(">i")):
        r.string()
        for _ in range(r.take(">i")):
            r.take(">i")
            errs.append(r.take(">h"))
            r.take(">q")
            r.take(">q")
    return errs


def fetch_records(resp):
    """[(error, high watermark, records bytes)] of a Fetch v4 response."""
    r = Reader(resp)
    r.take(">i")
    out = []
    for _ in range(r.take(">i")):
        r.string()
        for _ in range(r.take(">i")):
            r.take(">i")
            err = r.take(">h")
            hw = r.take(">q")
            r.take(">q")
            na = r.take(">i")
            for _ in range(max(na, 0)):
                r.take(">qq")
            out.append((err, hw, r.bytes_()))
    return out


def wait_topic(addr, topic, deadline_s=60):
    """Metadata v1 until partition 0 of topic has a leader; the brokers map
    and the leader's address."""
    deadline = time.time() + deadline_s
    while time.time() < deadline:
        with connect(addr) as s:
            r = Reader(call(s, metadata([topic])))
        brokers = {}
        for _ in range(r.take(">i")):
            nid = r.take(">i")
            host = r.string()
            port = r.take(">i")
            r.string()
            brokers[nid] = (host.decode(), port)
        r.take(">i")
        r.take(">i")
        terr = r.take(">h")
        r.string()
        r.take(">b")
        if terr == 0 and r.take(">i") >= 1:
            perr = r.take(">h")
            r.take(">i")
            leader = r.take(">i")
            if perr == 0 and leader in brokers:
                return brokers[leader]
        time.sleep(0.2)
    raise RuntimeError("topic %r has no leader" % topic)


def bootstrap():
    host, port = os.environ["BOOTSTRAP"].split(",")[0].rsplit(":", 1)
    return host, int(port)


def _broker_id_for_port(port):
    d = os.environ["GREGOR_CLUSTER_DIR"]
    for name in sorted(os.listdir(os.path.join(d, "broker"))):
        with open(os.path.join(d, "broker", name, "server.properties")) as f:
            for line in f:
                line = line.strip()
                if line.startswith("listeners=") and line.endswith(":%d" % port):
                    return name
    raise RuntimeError("no broker listens on port %d" % port)


def broker_pid(port):
    d = os.environ["GREGOR_CLUSTER_DIR"]
    with open(os.path.join(d, "pids", "broker-%s.pid" % _broker_id_for_port(port))) as p:
        return int(p.read().strip())


def broker_log(port):
    d = os.environ["GREGOR_CLUSTER_DIR"]
    return os.path.join(d, "logs", "broker-%s.log" % _broker_id_for_port(port))


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
