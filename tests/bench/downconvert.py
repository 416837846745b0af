#!/usr/bin/python3
"""downconvert.py: what Fetch v0-3 down-conversion costs the broker.

Produces COUNT keyed records (SIZE-byte values, in librdkafka batches,
uncompressed and gzip) with confluent-kafka, then reads the topic with
kafka-python 2.0.2 twice: as a modern client (Fetch v10: the broker sends
file slices, no conversion) and pinned to api_version 0.10 (Fetch v3: every
batch rewritten as magic 1 messages). Prints the client-side rate of each
and the broker's own cost from its metrics
(kafka_network_requestmetrics_messageconversionstimems, Kafka's
MessageConversionsTimeMs, and fetchmessageconversions_total): milliseconds
per partition read and microseconds per converted record. A figure, never
an assertion. Run under with_cluster.sh (BOOTSTRAP, METRICS); env COUNT
(200000), SIZE (100)."""
import os
import re
import sys
import time
import urllib.request

from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaConsumer

BS = os.environ["BOOTSTRAP"]
COUNT = int(os.environ.get("COUNT", "200000"))
SIZE = int(os.environ.get("SIZE", "100"))


def scrape():
    """(conversion ms, partition reads, records converted) over all brokers."""
    ms = reads = recs = 0.0
    for url in os.environ["METRICS"].split(","):
        with urllib.request.urlopen(url, timeout=5) as r:
            text = r.read().decode()
        for name, val in re.findall(r'^(\S+) ([0-9.e+-]+)$', text, re.M):
            if name == 'kafka_network_requestmetrics_messageconversionstimems_sum{request="Fetch"}':
                ms += float(val)
            elif name == 'kafka_network_requestmetrics_messageconversionstimems_count{request="Fetch"}':
                reads += float(val)
            elif name == "kafka_server_brokertopicmetrics_fetchmessageconversions_total":
                recs += float(val)
    return ms, reads, recs


def produce(topic, codec):
    admin = AdminClient({"bootstrap.servers": BS})
    admin.create_topics([NewTopic(topic, 3, 1)])[topic].result(30)
    p = Producer({"bootstrap.servers": BS, "compression.codec": codec, "linger.ms": 20,
                  "batch.num.messages": 1000, "queue.buffering.max.messages": 200000})
    value = b"x" * SIZE
    for i in range(COUNT):
        while True:
            try:
                p.produce(topic, key=b"k%d" % (i % 1000), value=value)
                break
            except BufferError:
                p.poll(0.05)
    assert p.flush(120) == 0


def consume(topic, api_version):
    kw = dict(bootstrap_servers=BS, auto_offset_reset="earliest", enable_auto_commit=False,
              consumer_timeout_ms=15000, fetch_max_bytes=8 << 20,
              max_partition_fetch_bytes=1 << 20)
    if api_version:
        kw["api_version"] = api_version
    c = KafkaConsumer(topic, **kw)
    n, t0 = 0, time.time()
    for _ in c:
        n += 1
        if n == COUNT:
            break
    dt = time.time() - t0
    c.close()
    return n, dt


def main():
    print(f"down-conversion benchmark: {COUNT} records of {SIZE} bytes, 3 partitions")
    for codec in ("none", "gzip"):
        topic = f"dc-{codec}"
        produce(topic, codec)
        n, dt = consume(topic, None)
        print(f"  {codec:5} Fetch v10 (no conversion): {n} records in {dt:.1f} s, "
              f"{n / dt:,.0f} records/s (client-bound: kafka-python)")
        ms0, reads0, recs0 = scrape()
        n, dt = consume(topic, (0, 10))
        ms1, reads1, recs1 = scrape()
        ms, reads, recs = ms1 - ms0, reads1 - reads0, recs1 - recs0
        print(f"  {codec:5} Fetch v3 (down-converted): {n} records in {dt:.1f} s, "
              f"{n / dt:,.0f} records/s")
        if recs:
            print(f"  {codec:5} broker cost: {recs:.0f} records converted in {reads:.0f} partition "
                  f"reads, {ms:.1f} ms total, {ms / reads:.3f} ms per read, "
                  f"{ms * 1000 / recs:.2f} us per record, {ms / (dt * 1000) * 100:.1f}% of the "
                  f"consume time on one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
