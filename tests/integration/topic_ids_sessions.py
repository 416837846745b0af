#!/usr/bin/env python3
"""topic_ids_sessions: topic ids (KIP-516) and fetch sessions (KIP-227) on
the wire, as Kafka 3.9 in ZooKeeper mode (stdlib only; tests/lib):

Topic ids
1. CreateTopics v7 answers the new topic's id; /brokers/topics/<t> holds it
   as "topic_id" (Kafka's 22-char url-safe base64) with "version":3.
2. Metadata v10/v12 answer that id; v12 by id alone finds the topic, an
   unknown id answers UNKNOWN_TOPIC_ID (100) with a null name; an id in a
   v10 request makes every topic INVALID_REQUEST (42).
3. A topic znode written without an id (as zkCli or an old tool would) gets
   one from the controller, which Metadata then answers.
4. CreatePartitions keeps the id.
5. Fetch v13 by id reads what Fetch v12 reads by name; an unknown id
   answers UNKNOWN_TOPIC_ID.
6. DeleteTopics v6: an unknown id UNKNOWN_TOPIC_ID, a name and an id
   together INVALID_REQUEST (42), by id deletes the topic.
Fetch sessions
7. A full fetch with epoch 0 opens a session (id != 0, both partitions
   answered); an incremental fetch then carries only the partition that got
   new data, and nothing when nothing changed.
8. Forgotten partitions leave the session: new data there is not answered.
9. A wrong epoch answers INVALID_FETCH_SESSION_EPOCH (71), an unknown
   session FETCH_SESSION_ID_NOT_FOUND (70), Fetch v13 on a session opened
   by name FETCH_SESSION_TOPIC_ID_ERROR (106), epoch -1 closes the session.
10. A v13 session: after the topic is deleted and re-created under the same
   name, its partitions answer INCONSISTENT_TOPIC_ID (103).
11. The cache holds max.incremental.fetch.session.cache.slots (3 here): a
   fourth consumer gets no session (id 0); a follower's (privileged)
   session evicts the smallest consumer session. The broker's metrics page
   counts 3 sessions and 1 eviction (Kafka's FetchSessionCache names).

Needs BOOTSTRAP, ZOOKEEPER (with_cluster.sh, 3 brokers, slots set to 3)."""
import base64
import json
import os
import struct
import sys
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import wait_for, zkq  # noqa: E402
from kafka_wire import Conn, batch, bootstrap, cstr, kstr, uvarint  # noqa: E402

failures = []
ZERO = b"\x00" * 16


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def carr(items):
    return uvarint(len(items) + 1) + b"".join(items)


def kafka_id(raw):
    """Kafka's Uuid.toString."""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# ---- Metadata v12 ----


def metadata12(addr, topics=(), ids=(), version=12):
    """{name or id: (error, name, id, {partition: leader})}, brokers."""
    items = [ZERO + cstr(t) + b"\x00" for t in topics]  # v10+: id, name
    items += [i + cstr(None) + b"\x00" for i in ids]
    body = carr(items) + b"\x01\x00\x00"
    if version == 10:
        body = carr(items) + b"\x01\x00\x00\x00"
    with Conn(*addr) as c:
        r = c.call(3, version, body, flexible=True)
    r.take(">i")
    brokers = {}
    for _ in range(r.uvarint() - 1):
        nid = r.take(">i")
        host = r.compact_str()
        port = r.take(">i")
        r.compact_string()
        r.tags()
        brokers[nid] = (host, port)
    r.compact_string()
    r.take(">i")
    out = {}
    for _ in range(r.uvarint() - 1):
        err = r.take(">h")
        name = r.compact_str()
        tid = r.raw(16)
        r.take(">b")
        parts = {}
        for _ in range(r.uvarint() - 1):
            r.take(">h")
            idx = r.take(">i")
            leader = r.take(">i")
            r.take(">i")
            for _ in range(3):
                for _ in range(r.uvarint() - 1):
                    r.take(">i")
            r.tags()
            parts[idx] = leader
        r.take(">i")
        r.tags()
        out[name if name is not None else tid] = (err, name, tid, parts)
    if version == 10:
        r.take(">i")
    return out, brokers


def topic_info(boot, name, limit=30):
    """(id, {partition: leader address}, brokers) once every partition has
    a leader."""
    def probe():
        md, brokers = metadata12(boot, [name])
        e = md.get(name)
        ok = e and e[0] == 0 and e[3] and all(l in brokers for l in e[3].values())
        return bool(ok), (md, brokers)
    ok, (md, brokers) = wait_for("leaders of " + name, probe, limit)
    if not ok:
        return None, {}, brokers
    e = md[name]
    return e[2], {p: brokers[l] for p, l in e[3].items()}, brokers


# ---- admin ----


def create_topics7(addr, name, partitions, on=None):
    """CreateTopics v7: (error, topic id); on=broker id: one partition with
    that broker as its only replica (an explicit assignment)."""
    if on is None:
        spec = struct.pack(">ih", partitions, 3) + carr([])
    else:
        spec = struct.pack(">ih", -1, -1) + carr([struct.pack(">i", 0) + uvarint(2) +
                                                  struct.pack(">i", on) + b"\x00"])
    body = carr([cstr(name) + spec + carr([]) + b"\x00"]) + struct.pack(">ib", 30000, 0) + b"\x00"
    with Conn(addr[0], addr[1], timeout=60) as c:
        r = c.call(19, 7, body, flexible=True)
    r.take(">i")
    r.uvarint()
    r.compact_str()
    tid = r.raw(16)
    err = r.take(">h")
    return err, tid


def controller_addr(boot):
    md, brokers = metadata12(boot)
    with Conn(*boot) as c:
        r = c.call(3, 1, struct.pack(">i", 0))
    for _ in range(r.take(">i")):
        r.take(">i")
        r.str()
        r.take(">i")
        r.string()
    return brokers[r.take(">i")]


def delete_topics6(addr, entries):
    """entries [(name or None, id bytes)] -> [(error, name, id)]."""
    body = carr([cstr(n) + i + b"\x00" for n, i in entries]) + struct.pack(">i", 30000) + b"\x00"
    with Conn(addr[0], addr[1], timeout=60) as c:
        r = c.call(20, 6, body, flexible=True)
    r.take(">i")
    out = []
    for _ in range(r.uvarint() - 1):
        name = r.compact_str()
        tid = r.raw(16)
        err = r.take(">h")
        r.compact_string()
        r.tags()
        out.append((err, name, tid))
    return out


def create_partitions(addr, name, count):
    body = struct.pack(">i", 1) + kstr(name) + struct.pack(">ii", count, -1)
    body += struct.pack(">ib", 30000, 0)
    with Conn(addr[0], addr[1], timeout=60) as c:
        r = c.call(37, 1, body)
    r.take(">i")
    r.take(">i")
    r.str()
    return r.take(">h")


def produce(addr, topic, partition, values):
    body = struct.pack(">h", -1) + struct.pack(">hi", -1, 10000)
    blob = batch(values)
    body += struct.pack(">i", 1) + kstr(topic) + struct.pack(">i", 1)
    body += struct.pack(">ii", partition, len(blob)) + blob
    with Conn(*addr) as c:
        r = c.call(0, 7, body)
    r.take(">i")
    r.string()
    r.take(">i")
    r.take(">i")
    return r.take(">h")


# ---- Fetch v12/v13 ----


def fetch(conn, version, topics, session=0, epoch=-1, forgotten=(), replica=-1, max_wait=0):
    """topics [(name or id, [(partition, offset)])]; forgotten [(name or
    id, [partitions])]. Returns (error, session, {(topic, partition):
    (error, hw, records length)})."""
    def tkey(t):
        return t if version >= 13 else cstr(t)
    parts = []
    for t, ps in topics:
        items = [struct.pack(">iiqiqi", p, -1, off, -1, -1, 1 << 20) + b"\x00" for p, off in ps]
        parts.append(tkey(t) + carr(items) + b"\x00")
    fg = [tkey(t) + uvarint(len(ps) + 1) + b"".join(struct.pack(">i", p) for p in ps) + b"\x00"
          for t, ps in forgotten]
    body = struct.pack(">iiiibii", replica, max_wait, 0, 1 << 22, 0, session, epoch)
    body += carr(parts) + carr(fg) + cstr("") + b"\x00"
    r = conn.call(1, version, body, flexible=True)
    r.take(">i")
    err = r.take(">h")
    sid = r.take(">i")
    out = {}
    for _ in range(r.uvarint() - 1):
        t = r.raw(16) if version >= 13 else r.compact_str()
        for _ in range(r.uvarint() - 1):
            p = r.take(">i")
            perr = r.take(">h")
            hw = r.take(">q")
            r.take(">q")
            r.take(">q")
            n = r.uvarint() - 1
            for _ in range(max(n, 0)):
                r.take(">qq")
                r.tags()
            r.take(">i")
            rec = r.uvarint() - 1
            if rec > 0:
                r.raw(rec)
            r.tags()
            out[(t, p)] = (perr, hw, max(rec, 0))
        r.tags()
    return err, sid, out


def metrics_of(addr):
    """The metrics page of the broker at addr ($METRICS lists one URL per
    $BOOTSTRAP entry, in the same order): {name: value} of unlabelled
    samples."""
    boots = [b for b in os.environ["BOOTSTRAP"].split(",") if b]
    urls = [u for u in os.environ.get("METRICS", "").split(",") if u]
    key = "%s:%d" % tuple(addr)
    if key not in boots or len(urls) != len(boots):
        return {}
    with urllib.request.urlopen(urls[boots.index(key)], timeout=10) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and not line.startswith("#") and "{" not in parts[0]:
            out[parts[0]] = float(parts[1])
    return out


def zk_topic(name):
    out = zkq("get", "/brokers/topics/" + name)
    try:
        return json.loads(out) if out else None
    except ValueError:
        return None


def main():
    boot = bootstrap()
    ctl = controller_addr(boot)
    uniq = uuid.uuid4().hex[:6]

    # 1-2: ids from CreateTopics, ZooKeeper and Metadata
    t1 = "ids-a-" + uniq
    err, tid = create_topics7(ctl, t1, 4)
    check(err == 0 and tid != ZERO, "CreateTopics v7 answers a non-zero topic id (err %d)" % err)
    zn = zk_topic(t1) or {}
    check(zn.get("version") == 3 and zn.get("topic_id") == kafka_id(tid),
          "/brokers/topics/%s holds topic_id %s, version 3 (got %s)" % (t1, kafka_id(tid), zn))
    mid, leaders, brokers = topic_info(boot, t1)
    check(mid == tid, "Metadata v12 by name answers the same id")
    md10, _ = metadata12(boot, [t1], version=10)
    check(md10.get(t1, (0, 0, None))[2] == tid, "Metadata v10 answers the same id")
    md10, _ = metadata12(boot, [t1], ids=[tid], version=10)
    check(sorted(e[0] for e in md10.values()) == [42, 42],
          "Metadata v10 naming a topic id: INVALID_REQUEST for every topic, as Kafka (%s)"
          % {k: v[0] for k, v in md10.items()})
    md, _ = metadata12(boot, ids=[tid])
    e = md.get(t1)
    check(e is not None and e[0] == 0 and sorted(e[3]) == [0, 1, 2, 3],
          "Metadata v12 by id alone finds %s with its 4 partitions" % t1)
    bogus = uuid.uuid4().bytes
    md, _ = metadata12(boot, ids=[bogus])
    e = md.get(bogus)
    check(e is not None and e[0] == 100 and e[1] is None,
          "Metadata v12 with an unknown id: UNKNOWN_TOPIC_ID and a null name (%s)" % (e,))

    # 3: a znode without an id gets one from the controller
    t2 = "ids-zk-" + uniq
    ok = zkq("create", "/brokers/topics/" + t2, json.dumps(
        {"version": 1, "partitions": {"0": sorted(brokers)[:1]}})) is not None
    check(ok, "wrote /brokers/topics/%s without a topic_id" % t2)
    ok, zn2 = wait_for("topic_id in " + t2, lambda: (
        bool((zk_topic(t2) or {}).get("topic_id")), zk_topic(t2)), 30)
    check(ok and zn2.get("partitions") == {"0": sorted(brokers)[:1]},
          "the controller wrote a topic_id into it, keeping the assignment (%s)" % zn2)
    zid, _, _ = topic_info(boot, t2)
    check(ok and zid is not None and kafka_id(zid) == zn2.get("topic_id"),
          "Metadata answers the controller-assigned id")

    # 4: CreatePartitions keeps the id
    err = create_partitions(ctl, t2, 2)
    zn3 = zk_topic(t2) or {}
    check(err == 0 and zn3.get("topic_id") == zn2.get("topic_id") and
          len(zn3.get("partitions", {})) == 2,
          "CreatePartitions keeps topic_id (err %d, %s)" % (err, zn3))

    # two partitions with one leader (4 partitions on 3 brokers)
    pa, pb = next((a, b) for a in range(4) for b in range(a + 1, 4) if leaders[a] == leaders[b])
    lead = leaders[pa]

    # 5: Fetch v13 by id
    check(produce(lead, t1, pa, [b"a0", b"a1"]) == 0, "produced 2 records to %s-%d" % (t1, pa))
    with Conn(*lead) as c:
        _, _, by_name = fetch(c, 12, [(t1, [(pa, 0)])])
        _, _, by_id = fetch(c, 13, [(tid, [(pa, 0)])])
        _, _, unknown = fetch(c, 13, [(bogus, [(0, 0)])])
    check(by_name.get((t1, pa), (1, 0, 0))[2] > 0 and
          by_id.get((tid, pa)) == by_name.get((t1, pa)),
          "Fetch v13 by id reads what v12 reads by name (%s / %s)" % (by_id, by_name))
    check(unknown.get((bogus, 0), (0,))[0] == 100, "Fetch v13 with an unknown id: "
          "UNKNOWN_TOPIC_ID (%s)" % unknown)

    # 7-9: sessions (by name, v12)
    with Conn(*lead) as c:
        err, sid, full = fetch(c, 12, [(t1, [(pa, 2), (pb, 0)])], session=0, epoch=0)
        check(err == 0 and sid != 0 and len(full) == 2,
              "full fetch with epoch 0 opens session %d, answers both partitions" % sid)
        err, sid2, inc = fetch(c, 12, [], session=sid, epoch=1)
        check(err == 0 and sid2 == sid and inc == {},
              "incremental fetch with no news answers no partition (%s)" % inc)
        produce(lead, t1, pa, [b"a2"])
        err, _, inc = fetch(c, 12, [], session=sid, epoch=2)
        check(err == 0 and list(inc) == [(t1, pa)] and inc[(t1, pa)][2] > 0,
              "after a produce to partition %d the incremental fetch answers only it (%s)"
              % (pa, inc))
        err, _, inc = fetch(c, 12, [(t1, [(pa, 3)])], session=sid, epoch=3)
        check(err == 0 and inc == {},
              "moving the fetch offset past the data: nothing to answer (%s)" % inc)
        produce(lead, t1, pb, [b"b0"])
        err, _, inc = fetch(c, 12, [], session=sid, epoch=4)
        check(err == 0 and list(inc) == [(t1, pb)] and inc[(t1, pb)][2] > 0,
              "then a produce to partition %d: only it is answered (%s)" % (pb, inc))
        err, _, inc = fetch(c, 12, [(t1, [(pb, 1)])], session=sid, epoch=5,
                            forgotten=[(t1, [pa])])
        produce(lead, t1, pa, [b"a3"])
        err, _, inc = fetch(c, 12, [], session=sid, epoch=6)
        check(err == 0 and inc == {},
              "a forgotten partition is not answered after new data (%s)" % inc)
        epoch = 7
        err, _, _ = fetch(c, 12, [], session=sid, epoch=epoch + 5)
        check(err == 71, "a wrong epoch: INVALID_FETCH_SESSION_EPOCH (%d)" % err)
        err, _, _ = fetch(c, 13, [], session=sid, epoch=epoch)
        check(err == 106, "Fetch v13 on a session opened by name: "
              "FETCH_SESSION_TOPIC_ID_ERROR (%d)" % err)
        err, sid3, _ = fetch(c, 12, [(t1, [(0, 0)])], session=sid, epoch=-1)
        check(err == 0 and sid3 == 0, "epoch -1 closes the session (answered without one)")
        err, _, _ = fetch(c, 12, [], session=sid, epoch=epoch)
        check(err == 70, "the closed session: FETCH_SESSION_ID_NOT_FOUND (%d)" % err)

    # 10: a v13 session outlives its topic's re-creation
    t3 = "ids-re-" + uniq
    on = sorted(brokers)[0]  # both incarnations on one broker
    err, tid3 = create_topics7(ctl, t3, 1, on=on)
    _, l3, _ = topic_info(boot, t3)
    with Conn(*l3[0]) as c:
        err, sid, full = fetch(c, 13, [(tid3, [(0, 0)])], session=0, epoch=0)
        check(err == 0 and sid != 0 and (tid3, 0) in full, "v13 session %d on %s" % (sid, t3))
        res = delete_topics6(ctl, [(None, tid3)])
        check(res and res[0][0] == 0 and res[0][1] == t3,
              "DeleteTopics v6 by id deletes %s (%s)" % (t3, res))
        ok, _ = wait_for("a new " + t3, lambda: (create_topics7(ctl, t3, 1, on=on)[0] == 0,
                                                  None), 60)
        new_id, l3b, _ = topic_info(boot, t3)
        err, _, inc = fetch(c, 13, [], session=sid, epoch=1)
        e = inc.get((tid3, 0))
        check(ok and l3b.get(0) == l3[0] and new_id not in (None, tid3),
              "%s re-created on broker %d with a new id" % (t3, on))
        check(err == 0 and e is not None and e[0] == 103,
              "the old id's partition answers INCONSISTENT_TOPIC_ID (%s)" % (inc,))
        fetch(c, 13, [], session=sid, epoch=-1)  # close it: step 11 counts slots

    # 6: DeleteTopics v6 errors
    res = delete_topics6(ctl, [(None, bogus)])
    check(res and res[0][0] == 100, "DeleteTopics v6 unknown id: UNKNOWN_TOPIC_ID (%s)" % res)
    res = delete_topics6(ctl, [(t2, zid or ZERO)])
    check(res and res[0][0] == 42, "DeleteTopics v6 with name and id: INVALID_REQUEST (%s)" % res)

    # 11: the cache's slots (3) and eviction
    with Conn(*lead) as c:
        sids = [fetch(c, 12, [(t1, [(0, 0)])], session=0, epoch=0)[1] for _ in range(3)]
        check(all(sids) and len(set(sids)) == 3, "three consumer sessions fit (%s)" % sids)
        fourth = fetch(c, 12, [(t1, [(0, 0)])], session=0, epoch=0)[1]
        check(fourth == 0, "a fourth consumer gets no session (id %d)" % fourth)
        err, fsid, _ = fetch(c, 12, [(t1, [(0, 0)])], session=0, epoch=0, replica=999)
        check(fsid != 0, "a follower's session evicts a consumer's (id %d)" % fsid)
        errs = [fetch(c, 12, [], session=s, epoch=1)[0] for s in sids]
        check(sorted(errs) == [0, 0, 70], "exactly one consumer session was evicted (%s)" % errs)
    m = metrics_of(lead)
    check(m.get("kafka_server_fetchsessioncache_numincrementalfetchsessions") == 3 and
          m.get("kafka_server_fetchsessioncache_incrementalfetchsessionevictions_total") == 1 and
          m.get("kafka_server_fetchsessioncache_numincrementalfetchpartitionscached") == 3,
          "metrics: 3 sessions of 1 partition, 1 eviction (%s)" %
          {k: v for k, v in m.items() if "fetchsession" in k})

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
