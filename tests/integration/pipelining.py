#!/usr/bin/env python3
"""pipelining: requests of one connection are processed while earlier ones
wait, and their answers come back in request order.

Against a running 3-broker cluster ($BOOTSTRAP; over SSL when $CLIENT_CONFIG
says so), on the leader of an RF 3 topic, with raw wire requests sent
without waiting for answers:
1. 60 mixed requests (ApiVersions, Metadata, acks=all and acks=1 Produce,
   ListOffsets, Fetch, DescribeConfigs): every answer arrives, in request
   order, and every produce succeeded;
2. a Fetch that waits for data (min_bytes 1, max_wait 8 s) followed by a
   Produce to that partition and a Metadata on the same connection: the Fetch
   answers with the produced record (the Produce ran while the Fetch was
   parked; one request at a time would answer the Fetch empty after 8 s),
   then the Produce, then the Metadata;
3. an acks=all Produce parked behind the replication round with a Metadata
   behind it: the Metadata's answer comes after the Produce's;
4. 3,000 Metadata requests written at once (far past the per-connection
   bound, so the connection is muted and unmuted many times): all answered,
   in order.
Prints one line per case and exits non-zero on the first failure.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kwire as kw  # noqa: E402

TOPIC = b"pipelining"
WAKE_TOPIC = b"pipelining-wake"


def read_in_order(sock, corrs):
    out = []
    for want in corrs:
        got, body = kw.recv_response(sock)
        if got != want:
            raise AssertionError("answer %d arrived where %d was due" % (got, want))
        out.append(body)
    return out


def case_mixed(addr):
    reqs = []
    for i in range(10):
        reqs += [kw.api_versions(), kw.metadata([TOPIC]),
                 kw.produce(TOPIC, 0, [b"all-%d" % i], acks=-1),
                 kw.metadata(None), kw.list_offsets(TOPIC, 0),
                 kw.produce(TOPIC, 0, [b"one-%d" % i], acks=1)]
        if i % 3 == 0:
            reqs += [kw.fetch(TOPIC, 0, 0), kw.describe_configs([(4, b"1")])]
    with kw.connect(addr) as s:
        data = b"".join(kw.frame(a, v, 100 + i, b) for i, (a, v, b) in enumerate(reqs))
        s.sendall(data)
        bodies = read_in_order(s, [100 + i for i in range(len(reqs))])
    for (api, _, _), body in zip(reqs, bodies):
        if api == 0 and kw.produce_errors(body) != [0]:
            raise AssertionError("produce failed: %r" % kw.produce_errors(body))
    print("ok   %d mixed pipelined requests answered in order" % len(reqs))


def case_parked_fetch_woken(addr):
    with kw.connect(addr) as s:
        end = kw.Reader(kw.call(s, kw.list_offsets(WAKE_TOPIC, 0)))
        end.take(">i")
        end.string()
        end.take(">i")
        end.take(">ih")
        end.take(">q")
        leo = end.take(">q")
        t0 = time.time()
        s.sendall(kw.frame(1, 4, 7, kw.fetch(WAKE_TOPIC, 0, leo, 8000, 1)[2]) +
                  kw.frame(0, 3, 8, kw.produce(WAKE_TOPIC, 0, [b"woken"], acks=1)[2]) +
                  kw.frame(3, 1, 9, kw.metadata([WAKE_TOPIC])[2]))
        fetch, prod, _ = read_in_order(s, [7, 8, 9])
        took = time.time() - t0
    parts = kw.fetch_records(fetch)
    if kw.produce_errors(prod) != [0]:
        raise AssertionError("produce behind the fetch failed")
    if not parts or parts[0][0] != 0 or b"woken" not in parts[0][2]:
        raise AssertionError("the parked fetch did not get the record produced behind it "
                             "(answered after %.1f s with %r)" % (took, parts))
    print("ok   parked Fetch woken by the Produce pipelined behind it (%.2f s)" % took)


def case_acks_all_then_metadata(addr):
    with kw.connect(addr) as s:
        s.sendall(kw.frame(0, 3, 21, kw.produce(TOPIC, 0, [b"parked"], acks=-1)[2]) +
                  kw.frame(3, 1, 22, kw.metadata([TOPIC])[2]))
        prod, _ = read_in_order(s, [21, 22])
    if kw.produce_errors(prod) != [0]:
        raise AssertionError("acks=all produce failed")
    print("ok   Metadata behind a parked acks=all Produce answered after it")


def case_many(addr):
    n = 3000
    with kw.connect(addr, timeout=60) as s:
        one = kw.metadata([TOPIC])
        s.sendall(b"".join(kw.frame(one[0], one[1], 1000 + i, one[2]) for i in range(n)))
        read_in_order(s, [1000 + i for i in range(n)])
    print("ok   %d requests written at once, answered in order" % n)


def main():
    boot = kw.bootstrap()
    addr = kw.wait_topic(boot, TOPIC)
    waddr = kw.wait_topic(boot, WAKE_TOPIC)
    case_mixed(addr)
    case_parked_fetch_woken(waddr)
    case_acks_all_then_metadata(addr)
    case_many(addr)
    print("4 passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, RuntimeError, OSError) as e:
        print("FAIL %s" % e)
        sys.exit(1)
