#!/usr/bin/env python3
"""client_quotas_api: DescribeClientQuotas (48) and AlterClientQuotas (49).

On a 2-broker cluster, raw protocol (stdlib only):
- AlterClientQuotas v1 (flexible) on one broker sets quotas of a user, a
  client-id, the default user + default client-id; the znodes are Kafka's
  {"version":1,"config":{...}} (byte rates as longs, percentages as
  doubles) under /config/users, /config/clients,
  /config/users/<u>/clients/<c>, each with a /config/changes notification;
- a user node holding SCRAM credentials keeps them when its quotas change
  and when they are removed;
- DescribeClientQuotas v0 on the other broker: everything, an exact user
  (strict), the default user, any named client-id (strict);
- validation as Kafka: empty entity, unknown entity type, empty name,
  unknown key, a fraction for a LONG key, ip entities, a repeated, empty or
  custom filter type; validate_only writes nothing;
- removing every key deletes the entity's znode;
- the quota set through one broker is enforced by the other (it followed
  the change notification): a Produce over it answers throttle_time_ms > 0;
  a request_percentage no request can meet answers 1000 ms (one window).
"""

import json
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import create_topic, find_leader, metadata, wait_for, zkq  # noqa: E402
from kafka_wire import (Reader, addr_of, batch, cstr, kstr, request,  # noqa: E402
                        uvarint)

INVALID_REQUEST, UNSUPPORTED_VERSION, UNKNOWN_SERVER_ERROR = 42, 35, -1


def entity_v1(parts):
    out = uvarint(len(parts) + 1)
    for t, n in parts:
        out += cstr(t) + cstr(n) + b"\x00"
    return out


def alter(addr, entries, validate_only=False):
    """AlterClientQuotas v1: entries [(parts, [(key, value|None)])] ->
    [(error, message)] in order."""
    body = uvarint(len(entries) + 1)
    for parts, ops in entries:
        body += entity_v1(parts) + uvarint(len(ops) + 1)
        for k, v in ops:
            body += cstr(k) + struct.pack(">d?", 0.0 if v is None else v, v is None) + b"\x00"
        body += b"\x00"
    body += struct.pack(">?", validate_only) + b"\x00"
    with socket.create_connection(addr, timeout=20) as s:
        r = Reader(request(s, 49, 1, 1, body, flexible=True))
    r.tags()
    r.i32()
    out = []
    for _ in range(r.uvarint() - 1):
        err, msg = r.i16(), r.compact_str()
        for _ in range(r.uvarint() - 1):
            r.compact_str(), r.compact_str(), r.tags()
        r.tags()
        out.append((err, msg))
    return out


def describe(addr, components, strict=False):
    """DescribeClientQuotas v0: (error, message, {((type, name), ...): {key: value}})."""
    body = struct.pack(">i", len(components))
    for t, mt, m in components:
        body += kstr(t) + struct.pack(">b", mt) + kstr(m)
    body += struct.pack(">?", strict)
    with socket.create_connection(addr, timeout=20) as s:
        r = Reader(request(s, 48, 0, 1, body))
    r.i32()
    err, msg = r.i16(), r.str()
    n = r.i32()
    found = {}
    for _ in range(max(n, 0)):
        ent = tuple((r.str(), r.str()) for _ in range(r.i32()))
        found[ent] = {r.str(): r.take(">d") for _ in range(r.i32())}
    return err, msg, found


def znode(path):
    data = zkq("get", path)
    return json.loads(data) if data else None


def produce_throttle(addr, topic, client_id, blob):
    """Produce v7 with client_id: the response's throttle_time_ms."""
    body = struct.pack(">h", -1) + struct.pack(">hi", 1, 10000)
    body += struct.pack(">i", 1) + kstr(topic) + struct.pack(">i", 1)
    body += struct.pack(">ii", 0, len(blob)) + blob
    with socket.create_connection(addr, timeout=30) as s:
        resp = request(s, 0, 7, 1, body, client_id=client_id)
    return struct.unpack(">i", resp[-4:])[0]


def main():
    boot = addr_of(os.environ["BOOTSTRAP"].split(",")[0])
    brokers, _ = metadata(boot)
    a, b = brokers[1], brokers[2]
    results = []

    def check(name, ok, detail):
        results.append(bool(ok))
        print("%-4s %-34s %s" % ("ok" if ok else "FAIL", name, detail))

    # a SCRAM credential already in carol's node (as AlterUserScramCredentials writes it)
    scram = "salt=c2FsdA==,stored_key=a2V5,server_key=c2tleQ==,iterations=4096"
    zkq("create", "/config/users/carol", json.dumps(
        {"version": 1, "config": {"SCRAM-SHA-256": scram}}))

    res = alter(a, [
        ([("user", "alice")], [("producer_byte_rate", 1048576.0), ("request_percentage", 25.5)]),
        ([("client-id", "app")], [("consumer_byte_rate", 2048.0)]),
        ([("user", None), ("client-id", None)], [("producer_byte_rate", 4096.0)]),
        ([("user", "carol")], [("consumer_byte_rate", 5000.0)]),
    ])
    check("alter", res == [(0, None)] * 4, res)
    check("znode user", znode("/config/users/alice") == {"version": 1, "config": {
        "producer_byte_rate": "1048576", "request_percentage": "25.5"}},
        znode("/config/users/alice"))
    check("znode client", znode("/config/clients/app") == {"version": 1, "config": {
        "consumer_byte_rate": "2048"}}, znode("/config/clients/app"))
    check("znode default/default", znode("/config/users/<default>/clients/<default>") == {
        "version": 1, "config": {"producer_byte_rate": "4096"}},
        znode("/config/users/<default>/clients/<default>"))
    carol = znode("/config/users/carol")
    check("scram kept", carol and carol["config"] == {
        "SCRAM-SHA-256": scram, "consumer_byte_rate": "5000"}, carol)
    notes = [json.loads(zkq("get", "/config/changes/" + c) or "{}") for c in
             (zkq("ls", "/config/changes") or "").split()]
    paths = {n.get("entity_path") for n in notes}
    want = {"users/alice", "clients/app", "users/<default>/clients/<default>", "users/carol"}
    check("notifications", want <= paths, sorted(p for p in paths if p))

    err, _, found = describe(b, [])
    check("describe all", err == 0 and found == {
        (("user", "alice"),): {"producer_byte_rate": 1048576.0, "request_percentage": 25.5},
        (("client-id", "app"),): {"consumer_byte_rate": 2048.0},
        (("user", None), ("client-id", None)): {"producer_byte_rate": 4096.0},
        (("user", "carol"),): {"consumer_byte_rate": 5000.0}}, found)
    err, _, found = describe(b, [("user", 0, "alice")], strict=True)
    check("describe exact user", err == 0 and list(found) == [(("user", "alice"),)], found)
    err, _, found = describe(b, [("user", 1, None)])
    check("describe default user", err == 0 and list(found) == [
        (("user", None), ("client-id", None))], found)
    err, _, found = describe(b, [("client-id", 2, None)], strict=True)
    check("describe any client, strict", err == 0 and list(found) == [(("client-id", "app"),)],
          found)

    res = alter(a, [
        ([], [("producer_byte_rate", 1.0)]),
        ([("group", "g")], [("producer_byte_rate", 1.0)]),
        ([("user", "")], [("producer_byte_rate", 1.0)]),
        ([("user", "bob")], [("foo", 1.0)]),
        ([("user", "bob")], [("producer_byte_rate", 1.5)]),
        ([("ip", "127.0.0.1")], [("connection_creation_rate", 5.0)]),
        ([("user", "bob")], [("SCRAM-SHA-256", 1.0)]),
    ])
    want = [(INVALID_REQUEST, "Invalid empty client quota entity"),
            (INVALID_REQUEST, "Unhandled client quota entity type: group"),
            (INVALID_REQUEST, "Empty user not supported"),
            (INVALID_REQUEST, "Invalid configuration key foo"),
            (INVALID_REQUEST, "Configuration producer_byte_rate must be a LONG value"),
            (INVALID_REQUEST, None), (UNKNOWN_SERVER_ERROR, None)]
    check("alter errors", len(res) == len(want) and all(
        r[0] == w[0] and (w[1] is None or r[1] == w[1]) for r, w in zip(res, want)), res)
    res = alter(a, [([("user", "bob")], [("producer_byte_rate", 10.0)])], validate_only=True)
    check("validate_only", res == [(0, None)] and zkq("exists", "/config/users/bob") is None, res)
    for comps, code in (([("user", 2, None), ("user", 0, "x")], INVALID_REQUEST),
                        ([("", 2, None)], INVALID_REQUEST),
                        ([("topic", 2, None)], UNSUPPORTED_VERSION),
                        ([("user", 2, None), ("ip", 2, None)], INVALID_REQUEST)):
        err, msg, _ = describe(b, comps)
        check("describe error %s" % (comps[-1][0] or "empty"), err == code,
              "%d %s" % (err, msg))

    res = alter(a, [([("user", "alice")], [("producer_byte_rate", None),
                                           ("request_percentage", None)]),
                    ([("user", "carol")], [("consumer_byte_rate", None)]),
                    ([("user", None), ("client-id", None)], [("producer_byte_rate", None)])])
    check("remove", res == [(0, None)] * 3, res)
    check("emptied node deleted", zkq("exists", "/config/users/alice") is None,
          zkq("get", "/config/users/alice"))
    check("emptied default nodes deleted", zkq("exists", "/config/users/<default>") is None,
          zkq("ls", "/config/users"))
    carol = znode("/config/users/carol")
    check("scram survives removal", carol and carol["config"] == {"SCRAM-SHA-256": scram}, carol)
    err, _, found = describe(b, [("user", 0, "alice")], strict=True)
    check("describe after remove", err == 0 and not found, found)

    # enforcement on the other broker, which followed the notification
    create_topic(a, b"quota-api", 1, 2)
    leader = find_leader(boot, b"quota-api")
    other = a if leader == b else b
    res = alter(other, [([("client-id", "tiny")], [("producer_byte_rate", 1000.0)])])
    check("alter tiny", res == [(0, None)], res)
    blob = batch([b"x" * 50000])
    ok, got = wait_for("throttle on the leader", lambda: (lambda t: (t > 0, t))(
        produce_throttle(leader, b"quota-api", b"tiny", blob)), 30)
    check("throttled elsewhere", ok, "throttle_time_ms %s" % got)
    t = produce_throttle(leader, b"quota-api", b"free", blob)
    check("others not throttled", t == 0, "throttle_time_ms %d" % t)
    # request_percentage: a bound no request can stay under; the throttle is
    # capped at one quota window (1 s), as Kafka's request quota
    res = alter(other, [([("client-id", "busy")], [("request_percentage", 0.0000001)])])
    check("alter busy", res == [(0, None)], res)
    small = batch([b"y"])
    ok, got = wait_for("request-time throttle", lambda: (lambda t: (t == 1000, t))(
        produce_throttle(leader, b"quota-api", b"busy", small)), 30)
    check("request time throttled", ok, "throttle_time_ms %s" % got)

    print("%d/%d checks passed" % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
