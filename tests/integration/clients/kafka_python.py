#!/usr/bin/python3
"""kafka-python 2.0.2 (Debian's python3-kafka) against Gregor, in four
modes: version auto-detection (its probe pipelines ApiVersions v0 and
Metadata v0), api_version pinned to (0, 10) (Produce v2 with magic 1
messages, Fetch v2 down-converted to magic 1, Metadata v1, JoinGroup v0/1)
and (0, 8, 2) (Produce v0 magic 0, Fetch v0 down-converted to magic 0,
Metadata v0, ListOffsets v0, GroupCoordinator + OffsetCommit/Fetch v1 with
manually assigned partitions: that client has no group membership) and
(0, 8, 1) (the same, but offsets through OffsetCommit/OffsetFetch v0, which
Kafka and Gregor keep in ZooKeeper under /consumers).

Each mode produces keyed messages, consumes them all back with their keys,
commits offsets, checks that a new consumer of the group resumes from the
committed offsets, then moves the leadership of every partition away
(controlled shutdown of a leader), produces and consumes again through the
same clients, and restarts the broker. Needs BOOTSTRAP and
GREGOR_CLUSTER_DIR, ZOOKEEPER (with_cluster.sh)."""
import logging
import os
import subprocess
import sys
import time

try:
    import kafka
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import KafkaAdminClient, NewTopic
except ImportError:
    print('FAIL: kafka-python (Debian package python3-kafka) is not installed;'
          ' deploy/install-deps.sh installs it', file=sys.stderr)
    sys.exit(1)

BOOTSTRAP = os.environ['BOOTSTRAP']
CLUSTER_DIR = os.environ['GREGOR_CLUSTER_DIR']
SRC = os.environ.get('GREGOR_SOURCE_ROOT',
                     os.path.join(os.path.dirname(__file__), '..', '..', '..'))
CLUSTER_SH = os.path.join(SRC, 'deploy', 'cluster.sh')
PARTS = 3
N = 60

failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what, flush=True)
    if not cond:
        failures.append(what)


def cluster(*args):
    subprocess.run([CLUSTER_SH, *args, '--dir', CLUSTER_DIR], check=True,
                   stdout=subprocess.DEVNULL, timeout=60)


def leaders(topic):
    """partition -> leader id, from a fresh auto-detecting client."""
    c = KafkaConsumer(bootstrap_servers=BOOTSTRAP, request_timeout_ms=11000)
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            parts = c.partitions_for_topic(topic) or set()
            meta = c._client.cluster
            ls = {p: meta.leader_for_partition(TopicPartition(topic, p)) for p in parts}
            if len(ls) == PARTS and all(v is not None and v >= 0 for v in ls.values()):
                return ls
            c._client.cluster.request_update()
            c.poll(timeout_ms=200)
        return {}
    finally:
        c.close()


def zk_offset(group, topic, partition):
    """/consumers/<group>/offsets/<topic>/<partition>, 0 when absent."""
    r = subprocess.run([sys.executable, os.path.join(SRC, 'deploy', 'zkq.py'), '-s',
                        os.environ['ZOOKEEPER'], '-t', '5', 'get',
                        f'/consumers/{group}/offsets/{topic}/{partition}'],
                       capture_output=True, text=True, timeout=30)
    return int(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip() else 0


def consume(consumer, want, deadline_s=30):
    """Polls until `want` messages came (or the deadline); returns them."""
    got = []
    deadline = time.time() + deadline_s
    while len(got) < want and time.time() < deadline:
        for recs in consumer.poll(timeout_ms=500).values():
            got.extend(recs)
    return got


def produce(producer, topic, prefix, n):
    futs = [producer.send(topic, key=f'{prefix}-k{i % 7}'.encode(),
                          value=f'{prefix}-v{i}'.encode()) for i in range(n)]
    producer.flush(timeout=60)
    return [f.get(timeout=60) for f in futs]


def keyed_ok(recs, prefix, n):
    seen = {(r.key.decode(), r.value.decode()) for r in recs if r.key is not None}
    want = {(f'{prefix}-k{i % 7}', f'{prefix}-v{i}') for i in range(n)}
    return seen == want


def new_consumer(mode, group, topic):
    kw = dict(bootstrap_servers=BOOTSTRAP, group_id=group, enable_auto_commit=False,
              auto_offset_reset='earliest', request_timeout_ms=31000,
              session_timeout_ms=10000, heartbeat_interval_ms=1000,
              fetch_max_wait_ms=200)
    if mode is not None:
        kw['api_version'] = mode
    if mode in ((0, 8, 2), (0, 8, 1)):
        c = KafkaConsumer(**kw)
        c.assign([TopicPartition(topic, p) for p in range(PARTS)])
    else:
        c = KafkaConsumer(topic, **kw)
    return c


def run_mode(mode, label):
    topic = f'kp-{label}'
    group = f'kp-group-{label}'
    admin = KafkaAdminClient(bootstrap_servers=BOOTSTRAP, request_timeout_ms=30000)
    admin.create_topics([NewTopic(topic, PARTS, 3)])
    admin.close()
    pkw = dict(bootstrap_servers=BOOTSTRAP, acks='all', retries=10,
               retry_backoff_ms=300, request_timeout_ms=30000, linger_ms=5)
    if mode is not None:
        pkw['api_version'] = mode
    producer = KafkaProducer(**pkw)
    if mode is None:
        check(producer.config['api_version'] >= (2, 0),
              f'{label}: auto-detection sees a modern broker '
              f'(api_version {producer.config["api_version"]})')
    metas = produce(producer, topic, 'a', N)
    check(len(metas) == N and all(m.offset >= 0 for m in metas),
          f'{label}: {N} keyed messages produced')

    consumer = new_consumer(mode, group, topic)
    got = consume(consumer, N)
    check(keyed_ok(got, 'a', N), f'{label}: consumed all {N} with their keys ({len(got)})')
    consumer.commit()
    committed = sum(consumer.committed(TopicPartition(topic, p)) or 0 for p in range(PARTS))
    check(committed == N, f'{label}: committed offsets sum to {N} ({committed})')
    if mode == (0, 8, 1):  # OffsetCommit v0: Kafka keeps these in ZooKeeper
        in_zk = sum(zk_offset(group, topic, p) for p in range(PARTS))
        check(in_zk == N, f'{label}: the offsets are in ZooKeeper under /consumers ({in_zk})')
    consumer.close()

    produce(producer, topic, 'b', 20)
    consumer = new_consumer(mode, group, topic)
    got = consume(consumer, 20)
    check(keyed_ok(got, 'b', 20),
          f'{label}: a new group member resumes at the committed offsets ({len(got)} new)')

    # leader change: controlled shutdown of the leader of partition 0
    before = leaders(topic)
    victim = before.get(0)
    check(victim is not None, f'{label}: leader of partition 0 known ({victim})')
    if victim is not None:
        cluster('stop', str(victim))
        try:
            produce(producer, topic, 'c', 30)
            got = consume(consumer, 30, deadline_s=45)
            check(keyed_ok(got, 'c', 30),
                  f'{label}: after broker {victim} stopped, produced and consumed 30 more '
                  f'({len(got)})')
            consumer.commit()
            after = leaders(topic)
            check(after and after.get(0) != victim,
                  f'{label}: partition 0 moved off broker {victim} ({after.get(0)})')
        finally:
            cluster('start', str(victim))
    consumer.close()
    producer.close()


def main():
    logging.basicConfig(level=logging.WARNING)
    print(f'kafka-python {kafka.__version__}', flush=True)
    check(kafka.__version__.startswith('2.0.'), 'kafka-python is 2.0.x')
    modes = {'auto': None, 'v0_10': (0, 10), 'v0_8_2': (0, 8, 2), 'v0_8_1': (0, 8, 1)}
    only = sys.argv[1:] or list(modes)
    for label in only:
        t0 = time.time()
        try:
            run_mode(modes[label], label)
        except Exception as e:  # a client exception is a failed check
            check(False, f'{label}: {type(e).__name__}: {e}')
        print(f'{label}: {time.time() - t0:.1f} s', flush=True)
    if failures:
        print(f'{len(failures)} check(s) failed', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
