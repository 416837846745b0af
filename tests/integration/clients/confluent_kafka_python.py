#!/usr/bin/python3
"""confluent-kafka-python 1.7.0 (Debian's python3-confluent-kafka, over
librdkafka 2.0.2) against Gregor: AdminClient (create topics, describe and
alter configs, list groups), an idempotent producer of keyed messages, a
transactional producer (one committed, one aborted transaction), a
read_committed consumer in a group that sees only committed data, commits
its offsets and is resumed by a new group member; then the leader of
partition 0 is stopped (controlled shutdown) and the idempotent producer and
the consumer carry on. Needs BOOTSTRAP, GREGOR_CLUSTER_DIR and
GREGOR_SOURCE_ROOT (with_cluster.sh)."""
import os
import subprocess
import sys
import time

try:
    from confluent_kafka import Consumer, Producer, TopicPartition, KafkaException
    from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
    import confluent_kafka
except ImportError:
    print('FAIL: confluent-kafka-python (Debian package python3-confluent-kafka) is not'
          ' installed; deploy/install-deps.sh installs it', file=sys.stderr)
    sys.exit(1)

BOOTSTRAP = os.environ['BOOTSTRAP']
CLUSTER_SH = os.path.join(os.environ['GREGOR_SOURCE_ROOT'], 'deploy', 'cluster.sh')
CLUSTER_DIR = os.environ['GREGOR_CLUSTER_DIR']
TOPIC, GROUP, PARTS = 'ck-topic', 'ck-group', 3
failures = []


def check(cond, what):
    print(('ok   ' if cond else 'FAIL ') + what, flush=True)
    if not cond:
        failures.append(what)


def cluster(*args):
    subprocess.run([CLUSTER_SH, *args, '--dir', CLUSTER_DIR], check=True,
                   stdout=subprocess.DEVNULL, timeout=60)


def produce(p, prefix, n):
    errs = []
    for i in range(n):
        p.produce(TOPIC, key=f'{prefix}-k{i % 7}', value=f'{prefix}-v{i}',
                  on_delivery=lambda e, m: e and errs.append(e))
        p.poll(0)
    left = p.flush(60)
    return left == 0 and not errs


def consume(c, want, deadline_s=45):
    got = set()
    deadline = time.time() + deadline_s
    while len(got) < want and time.time() < deadline:
        m = c.poll(0.5)
        if m is None or m.error():
            continue
        got.add((m.key().decode(), m.value().decode()))
    return got


def keyed(prefix, n):
    return {(f'{prefix}-k{i % 7}', f'{prefix}-v{i}') for i in range(n)}


def consumer():
    c = Consumer({'bootstrap.servers': BOOTSTRAP, 'group.id': GROUP,
                  'auto.offset.reset': 'earliest', 'enable.auto.commit': False,
                  'isolation.level': 'read_committed', 'session.timeout.ms': 10000,
                  'fetch.wait.max.ms': 200})
    c.subscribe([TOPIC])
    return c


def leader_of(admin, partition):
    md = admin.list_topics(TOPIC, timeout=10)
    return md.topics[TOPIC].partitions[partition].leader


def admin_checks(admin):
    fs = admin.create_topics([NewTopic(TOPIC, PARTS, 3)], operation_timeout=30)
    fs[TOPIC].result(30)
    check(True, 'AdminClient created the topic')
    res = ConfigResource('topic', TOPIC, set_config={'retention.ms': '3600000'})
    admin.alter_configs([res])[res].result(30)
    got = admin.describe_configs([ConfigResource('topic', TOPIC)])
    cfg = list(got.values())[0].result(30)
    check(cfg['retention.ms'].value == '3600000',
          f'describe_configs right after alter_configs reads the new value '
          f'({cfg["retention.ms"].value})')


def transactions():
    tp = Producer({'bootstrap.servers': BOOTSTRAP, 'transactional.id': 'ck-txn'})
    tp.init_transactions(30)
    tp.begin_transaction()
    for i in range(10):
        tp.produce(TOPIC, key=f't-k{i % 7}', value=f't-v{i}')
    tp.commit_transaction(30)
    tp.begin_transaction()
    for i in range(10):
        tp.produce(TOPIC, key='aborted', value=f'x{i}')
    tp.flush(30)
    tp.abort_transaction(30)
    check(True, 'transactional producer: one transaction committed, one aborted')


def main():
    print(f'confluent-kafka {confluent_kafka.version()[0]} over librdkafka '
          f'{confluent_kafka.libversion()[0]}', flush=True)
    admin = AdminClient({'bootstrap.servers': BOOTSTRAP})
    admin_checks(admin)
    idem = Producer({'bootstrap.servers': BOOTSTRAP, 'enable.idempotence': True,
                     'linger.ms': 5})
    check(produce(idem, 'a', 60), 'idempotent producer: 60 keyed messages acknowledged')
    transactions()
    c = consumer()
    got = consume(c, 70)
    check(got == keyed('a', 60) | keyed('t', 10),
          f'read_committed consumer: the 60 + 10 committed messages, nothing aborted ({len(got)})')
    c.commit(asynchronous=False)
    committed = sum(tp.offset for tp in c.committed(
        [TopicPartition(TOPIC, p) for p in range(PARTS)], 10) if tp.offset > 0)
    check(committed >= 70, f'offsets committed past all data ({committed})')
    c.close()
    groups = [g.id for g in admin.list_groups(timeout=10)]
    check(GROUP in groups, f'AdminClient lists the group ({groups})')

    check(produce(idem, 'b', 20), 'idempotent producer: 20 more')
    c = consumer()
    got = consume(c, 20)
    check(got == keyed('b', 20), f'a new group member resumes at the committed offsets ({len(got)})')

    victim = leader_of(admin, 0)
    cluster('stop', str(victim))
    try:
        check(produce(idem, 'c', 30), f'idempotent producer after broker {victim} stopped')
        got = consume(c, 30)
        check(got == keyed('c', 30), f'consumer after the leader change ({len(got)})')
        check(leader_of(admin, 0) != victim, 'partition 0 moved to another broker')
        c.commit(asynchronous=False)
    finally:
        c.close()
        cluster('start', str(victim))
    if failures:
        print(f'{len(failures)} check(s) failed', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KafkaException as e:
        print(f'FAIL {e}', flush=True)
        sys.exit(1)
