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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import fetch_all, find_leader, latest_offset, produce  # noqa: E402
from kafka_wire import TIMEOUT, addr_of, batch  # noqa: E402

TOPIC = b"produce-validation"


def main():
    leader = find_leader(addr_of(os.environ.get("BOOTSTRAP", "127.0.0.1:9092").split(",")[0]),
                         TOPIC)
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
                err, base, _ = produce(s, corr, TOPIC, blob)
                ok = err == want
                detail = "error %d (want %d), base offset %d" % (err, want, base)
            except Exception as e:  # a closed connection is a failure here
                ok, detail = False, "exception: %s" % e
                s.close()
                s = socket.create_connection(leader, timeout=TIMEOUT)
            passed, failed = passed + ok, failed + (not ok)
            print("%-4s %-24s %s" % ("ok" if ok else "FAIL", name, detail))
        err, end = latest_offset(s, 100, TOPIC)
        ok = err == 0 and end == 4
        passed, failed = passed + ok, failed + (not ok)
        print("%-4s %-24s error %d, log end %d (want 4: only the valid batches)" %
              ("ok" if ok else "FAIL", "log_end_offset", err, end))
        err, data = fetch_all(s, 101, TOPIC)
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
