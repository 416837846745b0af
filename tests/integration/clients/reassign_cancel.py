#!/usr/bin/env python3
"""reassign_cancel.py HOST:PORT TOPIC PARTITION: cancels a partition
reassignment with AlterPartitionReassignments v0 and null replicas (no
packaged client here can send a null replica list: kafkajs 2.2.4 maps over
the list) and prints "<top-level error> <partition error>"."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib"))
import kafka_wire as kw  # noqa: E402


def main():
    addr = kw.addr_of(sys.argv[1])
    topic, partition = sys.argv[2], int(sys.argv[3])
    part = struct.pack(">i", partition) + kw.uvarint(0) + b"\x00"  # replicas null
    body = (struct.pack(">i", 10000) + kw.uvarint(2) + kw.cstr(topic) + kw.uvarint(2) +
            part + b"\x00" + b"\x00")
    r = kw.call(addr, 45, 0, body, flexible=True)
    r.i32()
    top = r.i16()
    r.compact_str()
    errs = []

    def partition_():
        r.i32()
        errs.append(r.i16())
        r.compact_str()
        r.tags()

    def topic_():
        r.compact_str()
        r.carray(partition_)
        r.tags()

    r.carray(topic_)
    print(top, errs[0] if errs else "none")


if __name__ == "__main__":
    main()
