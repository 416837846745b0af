#!/usr/bin/env python3
"""broker_configs: dynamic broker configs (AlterConfigs/IncrementalAlterConfigs
of BROKER resources, DescribeConfigs of brokers), as kafka-configs.sh
--entity-type brokers --alter does them on Kafka 2.8 in ZooKeeper mode.

3-broker cluster started with message.max.bytes=1000000 in server.properties
(see meson.build), raw protocol (stdlib only):
- a topic with one partition led by each broker takes a 5000-byte record on
  every broker before any change;
- cluster default (empty resource name) message.max.bytes=2000 through
  IncrementalAlterConfigs: /config/brokers/<default> holds Kafka's JSON, a
  config_change_ node names "brokers/<default>", and every broker then
  refuses the record with MESSAGE_TOO_LARGE (10) and describes the key with
  source DYNAMIC_DEFAULT_BROKER_CONFIG (3) and synonyms default > static >
  Kafka default;
- per-broker (resource name = the broker's id, sent to that broker)
  message.max.bytes=100000 plus sasl.kerberos.min.time.before.relogin: that
  broker takes the record again (per-broker > default), the others still
  refuse it; DYNAMIC_BROKER_CONFIG (2) there, 3 on the others; a topic's
  max.message.bytes shows the broker layer as its source;
- describing the empty name lists the default layer only;
- refused with INVALID_REQUEST (42) and Kafka's messages: static keys, SSL
  store keys without a listener prefix, per-broker keys at default level,
  bad types, another broker's id, password keys (no password encoder);
  validate_only writes nothing;
- deleting the default layer's key restores the record on every broker;
- DescribeConfigs v3 (documentation asked) gives each key its type and line
  of documentation from the config table, hides secrets (null value,
  sensitive, PASSWORD), marks static keys read-only, and lists topic
  synonyms as Kafka (segment.ms at its default lists none, as Kafka).
"""

import json
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kafka_admin as ka  # noqa: E402
from kafka_wire import Conn, addr_of, batch, kstr  # noqa: E402

TOPIC = b"brokercfg"
RECORD = 5000


def describe(addr, rtype, name, keys=None):
    """DescribeConfigs v1 with synonyms: (error, message, {key: entry})."""
    body = struct.pack(">ib", 1, rtype) + kstr(name)
    if keys is None:
        body += struct.pack(">i", -1)
    else:
        body += struct.pack(">i", len(keys)) + b"".join(kstr(k) for k in keys)
    body += struct.pack(">b", 1)
    with Conn(addr[0], addr[1], timeout=30) as c:
        r = c.call(32, 1, body)
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    msg = r.string()
    r.take(">b")
    r.string()
    out = {}
    for _ in range(max(r.take(">i"), 0)):
        key = r.string().decode()
        value = r.string()
        read_only = r.take(">b")
        source = r.take(">b")
        sensitive = r.take(">b")
        syn = []
        for _ in range(max(r.take(">i"), 0)):
            sn = r.string().decode()
            sv = r.string()
            syn.append((sn, sv.decode() if sv is not None else None, r.take(">b")))
        out[key] = {"value": value.decode() if value is not None else None,
                    "read_only": read_only, "source": source, "sensitive": sensitive,
                    "synonyms": syn}
    return err, msg.decode() if msg else None, out


def describe_v3(addr, rtype, name, keys):
    """DescribeConfigs v3 with synonyms and documentation: (error,
    {key: (value, read_only, source, sensitive, synonyms, type, doc)})."""
    body = struct.pack(">ib", 1, rtype) + kstr(name)
    body += struct.pack(">i", len(keys)) + b"".join(kstr(k) for k in keys)
    body += struct.pack(">bb", 1, 1)
    with Conn(addr[0], addr[1], timeout=30) as c:
        r = c.call(32, 3, body)
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    r.string()
    r.take(">b")
    r.string()
    out = {}
    dec = (lambda b: b.decode() if b is not None else None)
    for _ in range(max(r.take(">i"), 0)):
        key = r.string().decode()
        value, read_only, source, sensitive = dec(r.string()), r.take(">b"), r.take(">b"), r.take(">b")
        syn = []
        for _ in range(max(r.take(">i"), 0)):
            sn, sv = r.string().decode(), dec(r.string())
            syn.append((sn, sv, r.take(">b")))
        ctype, doc = r.take(">b"), dec(r.string())
        out[key] = (value, read_only, source, sensitive, syn, ctype, doc)
    return err, out


def partition_leaders(addr, topic):
    """Metadata v1: {partition: leader address} once every partition has one."""
    with Conn(addr[0], addr[1], timeout=30) as c:
        r = c.call(3, 1, struct.pack(">i", 1) + kstr(topic))
    brokers = {}
    for _ in range(r.take(">i")):
        nid = r.take(">i")
        host = r.string().decode()
        port = r.take(">i")
        r.string()
        brokers[nid] = (host, port)
    r.take(">i")
    r.take(">i")
    if r.take(">h") != 0:
        return {}
    r.string()
    r.take(">b")
    out = {}
    for _ in range(r.take(">i")):
        perr = r.take(">h")
        part = r.take(">i")
        leader = r.take(">i")
        for _ in range(r.take(">i")):
            r.take(">i")
        for _ in range(r.take(">i")):
            r.take(">i")
        if perr == 0 and leader in brokers:
            out[part] = (leader, brokers[leader])
    return out


def produce_to(addr, partition, size):
    """Produce v7 (acks=all) of one record of size bytes: the error code."""
    with socket.create_connection(addr, timeout=30) as s:
        return ka.produce(s, 9, TOPIC, batch([b"x" * size]), partition)[0]


def zk_json(path):
    data = ka.zkq("get", path)
    return json.loads(data) if data else None


def changes():
    return set((ka.zkq("ls", "/config/changes") or "").split())


def main():
    boot = addr_of(os.environ["BOOTSTRAP"].split(",")[0])
    brokers, controller = ka.metadata(boot)
    ids = sorted(brokers)
    results = []

    def check(name, ok, detail):
        results.append(bool(ok))
        print("%-4s %-32s %s" % ("ok" if ok else "FAIL", name, detail))

    # one partition led by each broker (explicit replica assignment)
    err, msg = ka.create_topic(brokers[controller], TOPIC, 3, 1)
    check("create", err == 0, "error %d %s" % (err, msg))
    ok, leaders = ka.wait_for("leaders", lambda: (
        len(partition_leaders(boot, TOPIC)) == 3, partition_leaders(boot, TOPIC)), 20)
    led = {lid: (p, a) for p, (lid, a) in (leaders or {}).items()}
    check("leaders_known", ok, "leaders %s" % leaders)

    def produce_all():
        return {lid: produce_to(a, p, RECORD) for lid, (p, a) in sorted(led.items())}

    def wait_produce(want, what):
        return ka.wait_for(what, lambda: (produce_all() == want, produce_all()), 10)

    got = produce_all()
    check("before_accepts", all(e == 0 for e in got.values()), "errors %s" % got)
    spread = len(led) == 3
    check("one_leader_per_broker", spread, "leaders by broker %s" % sorted(led))

    # ---- cluster default ----
    before = changes()
    err, msg = ka.incremental_alter_configs(brokers[ids[0]], 4, b"", [(b"message.max.bytes", 0, b"2000")])
    check("default_set", err == 0, "error %d %s" % (err, msg))
    zn = zk_json("/config/brokers/<default>")
    check("default_znode", zn == {"version": 1, "config": {"message.max.bytes": "2000"}},
          "znode %s" % json.dumps(zn))
    new = sorted(changes() - before)
    notes = [zk_json("/config/changes/" + c) for c in new]
    check("default_notification", notes == [{"version": 2, "entity_path": "brokers/<default>"}],
          "new %s: %s" % (new, notes))
    ok, got = wait_produce({i: 10 for i in led}, "MESSAGE_TOO_LARGE everywhere")
    check("default_refuses_everywhere", ok, "errors %s" % got)
    small = {lid: produce_to(a, p, 100) for lid, (p, a) in led.items()}
    check("default_small_ok", all(e == 0 for e in small.values()), "errors %s" % small)

    def mmb(i):
        return describe(brokers[i], 4, str(i).encode(), [b"message.max.bytes"])[2].get(
            "message.max.bytes", {})

    ent = mmb(ids[1])
    want_syn = [("message.max.bytes", "2000", 3), ("message.max.bytes", "1000000", 4),
                ("message.max.bytes", "1048588", 5)]
    check("describe_default_source", ent.get("value") == "2000" and ent.get("source") == 3 and
          ent.get("synonyms") == want_syn and ent.get("read_only") == 0, "entry %s" % ent)

    # ---- per-broker, on the broker itself ----
    target = ids[2]
    before = changes()
    err, msg = ka.alter_configs(brokers[target], 4, str(target).encode(),
                        [(b"message.max.bytes", b"100000"),
                         (b"sasl.kerberos.min.time.before.relogin", b"58000")])
    check("per_broker_set", err == 0, "error %d %s" % (err, msg))
    zn = zk_json("/config/brokers/%d" % target)
    check("per_broker_znode", zn == {"version": 1, "config": {
        "message.max.bytes": "100000", "sasl.kerberos.min.time.before.relogin": "58000"}},
        "znode %s" % json.dumps(zn))
    new = sorted(changes() - before)
    notes = [zk_json("/config/changes/" + c) for c in new]
    check("per_broker_notification",
          notes == [{"version": 2, "entity_path": "brokers/%d" % target}],
          "new %s: %s" % (new, notes))
    want = {i: (0 if i == target else 10) for i in led}
    ok, got = wait_produce(want, "per-broker beats default")
    check("per_broker_precedence", ok, "errors %s (want %s)" % (got, want))
    ent = mmb(target)
    check("describe_per_broker", ent.get("value") == "100000" and ent.get("source") == 2 and
          ent.get("synonyms") == [("message.max.bytes", "100000", 2)] + want_syn,
          "entry %s" % ent)
    ent = mmb(ids[0])
    check("describe_other_still_default", ent.get("value") == "2000" and
          ent.get("source") == 3, "entry %s" % ent)
    err, _, cfgs = describe(brokers[target], 4, str(target).encode(),
                            [b"sasl.kerberos.min.time.before.relogin"])
    ent = cfgs.get("sasl.kerberos.min.time.before.relogin", {})
    check("describe_sasl_stored", err == 0 and ent.get("value") == "58000" and
          ent.get("source") == 2 and ent.get("read_only") == 0, "entry %s" % ent)
    err, _, cfgs = describe(brokers[target], 2, TOPIC, [b"max.message.bytes"])
    ent = cfgs.get("max.message.bytes", {})
    check("topic_sees_broker_layer", ent.get("value") == "100000" and ent.get("source") == 2,
          "entry %s" % ent)
    err, _, cfgs = describe(brokers[ids[0]], 4, b"")
    check("describe_default_entity", err == 0 and set(cfgs) == {"message.max.bytes"} and
          cfgs["message.max.bytes"]["source"] == 3 and
          cfgs["message.max.bytes"]["value"] == "2000", "configs %s" % cfgs)
    err, msg, _ = describe(brokers[ids[0]], 4, str(target).encode())
    check("describe_other_id_refused", err == 42 and msg, "error %d %s" % (err, msg))
    err, _, cfgs = describe(brokers[ids[0]], 4, str(ids[0]).encode(), [b"broker.id"])
    ent = cfgs.get("broker.id", {})
    check("static_key_read_only", ent.get("read_only") == 1 and ent.get("source") == 4,
          "entry %s" % ent)

    # ---- refusals ----
    snapshot = (zk_json("/config/brokers/<default>"), zk_json("/config/brokers/%d" % target))
    refusals = [
        ("static_key", ka.alter_configs(brokers[target], 4, str(target).encode(),
                                [(b"log.dirs", b"/tmp/x"), (b"broker.id", b"7")]),
         "Cannot update these configs dynamically: Set(log.dirs, broker.id)"),
        ("ssl_without_listener", ka.incremental_alter_configs(brokers[target], 4, str(target).encode(),
                                                [(b"ssl.keystore.location", 0, b"/k")]),
         "only per-listener using the listener prefix"),
        ("per_broker_key_at_default", ka.incremental_alter_configs(brokers[target], 4, b"", [
            (b"sasl.kerberos.min.time.before.relogin", 0, b"1")]),
         "broker id must be specified: Set(sasl.kerberos.min.time.before.relogin)"),
        ("bad_type", ka.incremental_alter_configs(brokers[target], 4, b"", [
            (b"message.max.bytes", 0, b"lots")]), "message.max.bytes"),
        ("bad_type_unknown_to_gregor", ka.incremental_alter_configs(brokers[target], 4, str(target).encode(), [
            (b"sasl.kerberos.min.time.before.relogin", 0, b"soon")]), "type LONG"),
        ("other_broker_id", ka.alter_configs(brokers[ids[0]], 4, str(target).encode(),
                                     [(b"message.max.bytes", b"5000")]),
         "Unexpected broker id, expected %d, but received %d" % (ids[0], target)),
        ("password_key", ka.alter_configs(brokers[target], 4, str(target).encode(),
                                  [(b"sasl.jaas.config", b"x required;")]),
         "Password encoder secret not configured"),
        ("append_non_list", ka.incremental_alter_configs(brokers[target], 4, b"", [
            (b"message.max.bytes", 2, b"5")]), "append"),
    ]
    for name, (err, msg), text in refusals:
        check("refuse_" + name, err == 42 and msg and text in msg, "error %d %s" % (err, msg))
    err, msg = ka.incremental_alter_configs(brokers[target], 4, b"", [(b"message.max.bytes", 0, b"3")], True)
    check("validate_only_ok", err == 0, "error %d %s" % (err, msg))
    after = (zk_json("/config/brokers/<default>"), zk_json("/config/brokers/%d" % target))
    check("refusals_wrote_nothing", after == snapshot, "znodes %s" % (after,))

    # ---- deleting the default restores the static limit ----
    err, msg = ka.incremental_alter_configs(brokers[ids[1]], 4, b"", [(b"message.max.bytes", 1, None)])
    zn = zk_json("/config/brokers/<default>")
    check("default_delete", err == 0 and zn == {"version": 1, "config": {}},
          "error %d %s, znode %s" % (err, msg, zn))
    ok, got = wait_produce({i: 0 for i in led}, "accepted again")
    check("delete_restores", ok, "errors %s" % got)
    ent = mmb(ids[0])
    check("describe_back_to_static", ent.get("value") == "1000000" and
          ent.get("source") == 4, "entry %s" % ent)

    # ---- types, documentation, secrets and synonyms from the config table ----
    b0 = ids[0]
    err, cfgs = describe_v3(brokers[b0], 4, str(b0).encode(),
                            [b"log.retention.hours", b"ssl.keystore.password", b"broker.id",
                             b"message.max.bytes"])
    hours = cfgs.get("log.retention.hours")
    check("v3_broker_types", err == 0 and hours and hours[5] == 3 and hours[1] == 1 and
          hours[4] == [("log.retention.hours", "168", 5)] and hours[6] == "Retention in hours.",
          "error %d, entry %s" % (err, hours))
    pw = cfgs.get("ssl.keystore.password")
    check("v3_secret_hidden", pw and pw[0] is None and pw[3] == 1 and pw[5] == 9 and pw[1] == 0,
          "entry %s" % (pw,))
    check("v3_static_key_read_only", cfgs.get("broker.id", (None, 0))[1] == 1 and
          cfgs["broker.id"][0] == str(b0), "entry %s" % (cfgs.get("broker.id"),))
    mm = cfgs.get("message.max.bytes")
    check("v3_dynamic_key", mm and mm[1] == 0 and mm[2] == 4 and mm[5] == 3 and
          mm[6] == "Largest record batch a produce may append.", "entry %s" % (mm,))
    err, tcfgs = describe_v3(brokers[b0], 2, TOPIC, [b"retention.ms", b"segment.ms",
                                                     b"min.cleanable.dirty.ratio"])
    rt = tcfgs.get("retention.ms")
    check("v3_topic_retention", err == 0 and rt and rt[0] == "604800000" and rt[2] == 5 and
          rt[5] == 5 and rt[4] == [] and rt[6] == "How long segments are kept; -1: forever.",
          "error %d, entry %s" % (err, rt))
    sm = tcfgs.get("segment.ms")
    # as Kafka: the walk starts at log.roll.ms, which has no value, so the
    # default that comes from log.roll.hours lists no synonym
    check("v3_topic_segment_ms", sm and sm[0] == "604800000" and sm[4] == [] and sm[2] == 5,
          "entry %s" % (sm,))
    ratio = tcfgs.get("min.cleanable.dirty.ratio")
    check("v3_topic_double", ratio and ratio[0] == "0.5" and ratio[5] == 6 and
          ratio[4] == [("log.cleaner.min.cleanable.ratio", "0.5", 5)], "entry %s" % (ratio,))

    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
