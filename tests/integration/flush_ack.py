#!/usr/bin/env python3
"""flush_ack: with log.flush.interval.messages=1 a produce is answered only
once the flush that covers it completed, and never acknowledged when that
flush fails; the event loop serves other requests while the flush runs.

Run by flush_ack.sh against a 1-broker cluster whose flusher jobs for
append flushes are armed with storage.append_flush=1*delay(D)->1*off->error(EIO):
  held ADDR   1. an acks=1 Produce whose flush is held D ms: a Metadata on
                 another connection is answered while the Produce is not
                 (the loop is not waiting for the sync), then the Produce is
                 answered without error;
              2. an acks=1 Produce (its flush runs normally): no error;
              3. an acks=all Produce whose flush fails (EIO): answered
                 KAFKA_STORAGE_ERROR, or the connection closes as the
                 broker stops; never acknowledged.
  check ADDR  after the restart: both acknowledged records read back.
Prints one line per step and exits non-zero on the first failure.
"""

import os
import select
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kwire as kw  # noqa: E402

TOPIC = b"flush-ack"
KAFKA_STORAGE_ERROR = 56


def step_held(leader):
    with kw.connect(leader) as a, kw.connect(leader) as b:
        api, ver, body = kw.produce(TOPIC, 0, [b"held-record"], acks=1)
        a.sendall(kw.frame(api, ver, 7, body))
        kw.call(b, kw.metadata([TOPIC]))
        ready, _, _ = select.select([a], [], [], 0)
        if ready:
            raise AssertionError("the acks=1 produce was answered before its held flush ended")
        print("held: Metadata answered while the produce's flush was held")
        corr, resp = kw.recv_response(a)
        errs = kw.produce_errors(resp)
        if corr != 7 or errs != [0]:
            raise AssertionError("held produce: correlation %d, errors %r" % (corr, errs))
        print("held: the produce was answered once its flush completed: %r" % errs)


def step_plain(leader):
    with kw.connect(leader) as s:
        errs = kw.produce_errors(kw.call(s, kw.produce(TOPIC, 0, [b"second-record"], acks=1)))
    if errs != [0]:
        raise AssertionError("second produce: errors %r" % errs)
    print("plain: acks=1 produce acknowledged: %r" % errs)


def step_failing(leader):
    with kw.connect(leader) as s:
        try:
            errs = kw.produce_errors(kw.call(s, kw.produce(TOPIC, 0, [b"failed-record"], acks=-1)))
        except (ConnectionError, EOFError, OSError) as e:
            print("failing: no answer, the connection closed (%s)" % type(e).__name__)
            return
    if errs != [KAFKA_STORAGE_ERROR]:
        raise AssertionError("a produce whose flush failed was answered %r" % errs)
    print("failing: answered KAFKA_STORAGE_ERROR: %r" % errs)


def check(leader):
    with kw.connect(leader) as s:
        parts = kw.fetch_records(kw.call(s, kw.fetch(TOPIC, 0, 0)))
    if not parts or parts[0][0] != 0:
        raise AssertionError("fetch after restart: %r" % (parts,))
    recs = parts[0][2] or b""
    for want in (b"held-record", b"second-record"):
        if want not in recs:
            raise AssertionError("acknowledged %r missing after the restart" % want)
    print("check: both acknowledged records read back (high watermark %d)" % parts[0][1])


def main():
    what, addr = sys.argv[1], sys.argv[2]
    host, port = addr.rsplit(":", 1)
    leader = kw.wait_topic((host, int(port)), TOPIC)
    if what == "held":
        step_held(leader)
        step_plain(leader)
        step_failing(leader)
    else:
        check(leader)


if __name__ == "__main__":
    main()
