#!/usr/bin/env python3
"""compression: librdkafka's codecs reach the log, and old producers' message
sets (magic 0/1, Produce v0-2) are converted and readable.

Against a running 3-broker cluster ($BOOTSTRAP, $GREGOR_CLUSTER_DIR): for
each of gzip, snappy, lz4 and zstd, a three-replica topic gets 2,000 text
messages from `kcat -P -z <codec>` (librdkafka 2.0.2 turns gzip/snappy/lz4
off unless Produce v0 is served); every replica's segment files must hold
only batches compressed with that codec, 2,000 records in all, and
`kcat -C` must read the 2,000 back byte-identical. Then raw Produce v0, v1
and v2 requests carry magic 0 and magic 1 message sets, plain and as gzip
wrappers (relative inner offsets), and a magic 2 batch: each answered with
error 0 and the expected base offset; a bad CRC (2) and magic 1 in v3 (87)
are refused and append nothing; kcat reads every message back with its key,
value and timestamp (-1 for magic 0). Stdlib + kcat; runs under
clients/with_cluster.sh. Prints one line per check and `N passed, M failed`.
"""

import glob
import gzip
import json
import os
import socket
import struct
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import create_topic, metadata  # noqa: E402
from kafka_wire import TIMEOUT, Reader, batch, kstr, request  # noqa: E402

CODECS = {"gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
MESSAGES = 2000
WORDS = b"kafka gregor broker replica segment offset batch record leader follower".split()


def kcat(args, data=None, timeout=120):
    cmd = ["kcat", "-b", os.environ["BOOTSTRAP"], "-X", "socket.timeout.ms=10000"] + args
    return subprocess.run(cmd, input=data, capture_output=True, timeout=timeout,
                          check=True).stdout


def leader_of(topic):
    """(broker id, (host, port)) of partition 0's leader, waiting for one."""
    deadline = time.time() + 30
    while time.time() < deadline:
        meta = json.loads(kcat(["-L", "-J", "-t", topic]))
        brokers = {b["id"]: b["name"] for b in meta["brokers"]}
        parts = meta["topics"][0].get("partitions") or []
        if parts and parts[0]["leader"] in brokers:
            host, _, port = brokers[parts[0]["leader"]].rpartition(":")
            return parts[0]["leader"], (host, int(port))
        time.sleep(0.5)
    raise RuntimeError("no leader for %s" % topic)


def segment_batches(topic):
    """{broker id: [(attributes, records_count, magic)]} from every replica's
    segment files, read as DumpLogSegments would (baseOffset i64, length i32,
    leaderEpoch i32, magic i8, crc u32, attributes i16, ..., count at 57)."""
    out = {}
    pattern = os.path.join(os.environ["GREGOR_CLUSTER_DIR"], "broker", "*", "data",
                           topic + "-0")
    for d in glob.glob(pattern):
        broker = int(d.split(os.sep)[-3])
        batches = []
        for seg in sorted(glob.glob(os.path.join(d, "*.log"))):
            with open(seg, "rb") as f:
                data = f.read()
            pos = 0
            while pos + 61 <= len(data):
                length = struct.unpack_from(">i", data, pos + 8)[0]
                if length < 49 or pos + 12 + length > len(data):
                    break  # preallocated tail or a batch being written
                magic = data[pos + 16]
                attrs = struct.unpack_from(">h", data, pos + 21)[0]
                count = struct.unpack_from(">i", data, pos + 57)[0]
                batches.append((attrs, count, magic))
                pos += 12 + length
        out[broker] = batches
    return out


def text_lines(codec):
    lines = []
    for i in range(MESSAGES):
        words = b" ".join(WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(12))
        lines.append(b"k%05d:%s message %d via %s" % (i, words, i, codec.encode()))
    return lines


def check_codec(codec, check):
    topic = "compressed-" + codec
    boot = os.environ["BOOTSTRAP"].split(",")[0]
    host, _, port = boot.rpartition(":")
    brokers, controller = metadata((host, int(port)))
    err, msg = create_topic(brokers[controller], topic.encode(), 1, 3)
    check("%s_create" % codec, err == 0, "error %d %s" % (err, msg))
    leader_of(topic)
    lines = text_lines(codec)
    kcat(["-P", "-t", topic, "-p", "0", "-K", ":", "-z", codec, "-X", "acks=all",
          "-X", "linger.ms=50"], data=b"\n".join(lines) + b"\n")
    deadline = time.time() + 30
    while True:  # followers fetch asynchronously after acks=all; bounded
        batches = segment_batches(topic)
        full = all(sum(c for _, c, _ in b) == MESSAGES for b in batches.values())
        if (full and len(batches) == 3) or time.time() > deadline:
            break
        time.sleep(0.5)
    for broker, b in sorted(batches.items()):
        codecs = sorted({a & 7 for a, _, _ in b})
        records = sum(c for _, c, _ in b)
        check("%s_on_disk_broker%d" % (codec, broker),
              codecs == [CODECS[codec]] and records == MESSAGES
              and all(m == 2 for _, _, m in b),
              "%d batches, codecs %s, %d records" % (len(b), codecs, records))
    check("%s_replicas" % codec, len(batches) == 3, "%d replica dirs" % len(batches))
    out = kcat(["-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q",
                "-f", "%k:%s\\n"])
    back = out.split(b"\n")[:-1]
    same = back == lines
    first_diff = next((i for i, (a, b) in enumerate(zip(back, lines)) if a != b), None)
    check("%s_read_back" % codec, same,
          "%d of %d read, first difference at %s" % (len(back), MESSAGES, first_diff))


def kbytes(b):
    return struct.pack(">i", -1) if b is None else struct.pack(">i", len(b)) + b


def legacy_msg(offset, magic, attrs, ts, key, value, bad_crc=False):
    body = struct.pack(">bb", magic, attrs)
    if magic == 1:
        body += struct.pack(">q", ts)
    body += kbytes(key) + kbytes(value)
    crc = zlib.crc32(body) ^ (1 if bad_crc else 0)
    m = struct.pack(">I", crc) + body
    return struct.pack(">qi", offset, len(m)) + m


def gzip_wrapper(magic, msgs, ts):
    """msgs: [(key, value, ts)]; magic 1 inner offsets relative 0..n-1 and
    the wrapper's the last one's, as Kafka's 0.10 producer writes them."""
    inner = b"".join(legacy_msg(i, magic, 0, t, k, v) for i, (k, v, t) in enumerate(msgs))
    return legacy_msg(len(msgs) - 1, magic, 1, ts, None, gzip.compress(inner))


def produce(addr, version, topic, records):
    """One partition, acks=-1: (error, base offset, log append time or None)."""
    body = b"" if version < 3 else struct.pack(">h", -1)
    body += struct.pack(">hii", -1, 10000, 1) + kstr(topic)
    body += struct.pack(">ii", 1, 0) + struct.pack(">i", len(records)) + records
    with socket.create_connection(addr, timeout=TIMEOUT) as s:
        r = Reader(request(s, 0, version, 7, body))
    r.take(">i")
    r.string()
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    base = r.take(">q")
    lat = r.take(">q") if version >= 2 else None
    if version >= 5:
        r.take(">q")
    if version >= 1:
        r.take(">i")  # throttle time, last
    if r.o != len(r.d):
        raise RuntimeError("v%d response has %d extra bytes" % (version, len(r.d) - r.o))
    return err, base, lat


def check_legacy(check):
    topic = "legacy-formats"
    boot = os.environ["BOOTSTRAP"].split(",")[0]
    host, _, port = boot.rpartition(":")
    brokers, controller = metadata((host, int(port)))
    err, msg = create_topic(brokers[controller], topic.encode(), 1, 3)
    check("legacy_create", err == 0, "error %d %s" % (err, msg))
    _, addr = leader_of(topic)
    t0 = int(time.time() * 1000) - 60000
    expect = []  # (key, value, timestamp) in log order
    cases = []

    m0 = [(b"m0-k0", b"magic 0 plain zero"), (None, b"magic 0 null key"), (b"m0-k2", b"")]
    cases.append(("v0_magic0_plain", 0,
                  b"".join(legacy_msg(i, 0, 0, 0, k, v) for i, (k, v) in enumerate(m0)), 3))
    expect += [(k, v, -1) for k, v in m0]

    g0 = [(b"g0-k%d" % i, b"magic 0 gzip %d " % i * 5, 0) for i in range(4)]
    cases.append(("v0_magic0_gzip", 0, gzip_wrapper(0, g0, 0), 4))
    expect += [(k, v, -1) for k, v, _ in g0]

    m1 = [(b"m1-k%d" % i, b"magic 1 plain %d" % i, t0 + 10 * i) for i in range(3)]
    cases.append(("v1_magic1_plain", 1,
                  b"".join(legacy_msg(i, 1, 0, t, k, v) for i, (k, v, t) in enumerate(m1)), 3))
    expect += m1

    g1 = [(b"g1-k%d" % i, b"magic 1 gzip %d " % i * 5, t0 + 1000 + i) for i in range(5)]
    cases.append(("v1_magic1_gzip", 1, gzip_wrapper(1, g1, t0 + 1004), 5))
    expect += g1

    p2 = [(b"v2-k0", b"magic 1 in produce v2", t0 + 2000)]
    cases.append(("v2_magic1_plain", 2, legacy_msg(0, 1, 0, t0 + 2000, *p2[0][:2]), 1))
    expect += p2

    # a magic 2 batch in Produce v2 (kafka_wire.batch: keys k<i>, timestamp now)
    b2 = batch([b"magic 2 in v2 a", b"magic 2 in v2 b"])
    ts2 = struct.unpack_from(">q", b2, 27)[0]
    cases.append(("v2_magic2_batch", 2, b2, 2))
    expect += [(b"k0", b"magic 2 in v2 a", ts2), (b"k1", b"magic 2 in v2 b", ts2)]

    offset = 0
    for name, version, records, n in cases:
        err, base, lat = produce(addr, version, topic.encode(), records)
        ok = err == 0 and base == offset and (version < 2 or lat == -1)
        check(name, ok, "error %d, base offset %d (want %d), log append time %s"
              % (err, base, offset, lat))
        offset += n

    bad = legacy_msg(0, 1, 0, t0, b"bad", b"crc", bad_crc=True)
    err, _, _ = produce(addr, 1, topic.encode(), bad)
    check("v1_bad_crc", err == 2, "error %d (want CORRUPT_MESSAGE 2)" % err)
    err, _, _ = produce(addr, 3, topic.encode(), legacy_msg(0, 1, 0, t0, b"a", b"b"))
    check("v3_magic1_refused", err == 87, "error %d (want INVALID_RECORD 87)" % err)

    out = kcat(["-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q",
                "-f", "%o|%k|%K|%T|%s\\n"])
    got = []
    for line in out.split(b"\n")[:-1]:
        off, key, klen, ts, val = line.split(b"|", 4)
        got.append((int(off), None if klen == b"-1" and key == b"" else key, val, int(ts)))
    want = [(i, k, v, t) for i, (k, v, t) in enumerate(expect)]
    diff = [(g, w) for g, w in zip(got, want) if g != w]
    check("legacy_read_back", len(got) == len(want) and not diff,
          "%d of %d read; first mismatch %s" % (len(got), len(want), diff[:1]))
    codecs = [a & 7 for a, _, _ in segment_batches(topic).get(leader_of(topic)[0], [])]
    check("legacy_on_disk_codecs", codecs == [0, 1, 0, 1, 0, 0],
          "batch codecs %s (want plain, gzip, plain, gzip, plain, plain)" % codecs)


def main():
    results = []

    def check(name, ok, detail):
        results.append(ok)
        print("%-4s %-28s %s" % ("ok" if ok else "FAIL", name, detail), flush=True)

    for codec in CODECS:
        check_codec(codec, check)
    check_legacy(check)
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
