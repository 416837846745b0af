#!/usr/bin/env python3
"""acl-propagation: how fast an ACL change reaches every broker.

A 3-broker cluster with authorizer.class.name=...AclAuthorizer and
allow.everyone.if.no.acl.found=true. Each round sends CreateAcls (DENY ALL
for User:* on topic "prop", literal, or on prefix "pro", prefixed) to one
broker, then DeleteAcls of it to another; the answering broker is a
different one each round. Kafka's AclAuthorizer applies a change to the
answering broker's own cache before it answers and the others learn it from
the /kafka-acl-changes (or -extended-changes) notification; so here:

- the answering broker refuses (Metadata of "prop" answers
  TOPIC_AUTHORIZATION_FAILED, 29) on the very next request after the
  CreateAcls answer, and allows again right after the DeleteAcls answer;
- every other broker follows within PROPAGATION_BOUND_S (1 s); polled every
  few ms on connections opened beforehand, the worst time is printed.
Stdlib only.
"""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kafka_admin as ka  # noqa: E402
import kafka_wire as kw  # noqa: E402

PROPAGATION_BOUND_S = 1.0
GIVE_UP_S = 15.0           # how long a late broker is still watched, to report it
TOPIC = b"prop"
T_TOPIC, P_LITERAL, P_PREFIXED, O_ALL, DENY = 2, 3, 4, 2, 2
TOPIC_AUTH = 29
ROUNDS = [(P_LITERAL, TOPIC), (P_PREFIXED, b"pro"), (P_LITERAL, TOPIC),
          (P_PREFIXED, b"pro"), (P_LITERAL, TOPIC), (P_LITERAL, TOPIC)]


def arr(items):
    return struct.pack(">i", len(items)) + b"".join(items)


def topic_error(conn):
    """Metadata v1 for TOPIC on an open connection: the topic's error."""
    r = conn.call(3, 1, arr([kw.kstr(TOPIC)]))
    for _ in range(r.take(">i")):
        r.take(">i"), r.string(), r.take(">i"), r.string()
    r.take(">i")  # controller
    r.take(">i")  # one topic
    return r.take(">h")


def acl_entry(pt, name):
    return (struct.pack(">b", T_TOPIC) + kw.kstr(name) + struct.pack(">b", pt) +
            kw.kstr(b"User:*") + kw.kstr(b"*") + struct.pack(">bb", O_ALL, DENY))


def create_acl(conn, pt, name):
    """CreateAcls v1 with one creation: its error."""
    r = conn.call(30, 1, arr([acl_entry(pt, name)]))
    r.take(">i"), r.take(">i")
    return r.take(">h")


def delete_acl(conn, pt, name):
    """DeleteAcls v1 with one exact filter: (filter error, ACLs deleted)."""
    r = conn.call(31, 1, arr([acl_entry(pt, name)]))
    r.take(">i"), r.take(">i")
    err = r.take(">h")
    r.string()
    return err, r.take(">i")


def follow(conns, want):
    """Polls every broker until each answers want: {id: seconds or None}."""
    t0 = time.monotonic()
    seen = {}
    while len(seen) < len(conns) and time.monotonic() - t0 < GIVE_UP_S:
        for i, c in conns.items():
            if i not in seen and topic_error(c) == want:
                seen[i] = time.monotonic() - t0
        time.sleep(0.002)
    return {i: seen.get(i) for i in conns}


def main():
    boot = kw.addr_of(os.environ["BOOTSTRAP"].split(",")[0])
    brokers, controller = ka.metadata(boot)
    results, worst = [], 0.0

    def check(name, ok, detail=""):
        results.append(bool(ok))
        print("%-4s %-36s %s" % ("ok" if ok else "FAIL", name, detail), flush=True)

    ids = sorted(brokers)
    check("three_brokers", len(ids) == 3, "brokers %s" % ids)
    err, msg = ka.create_topic(brokers[controller], TOPIC, 3, 3)
    check("create_topic", err == 0, "error %d %s" % (err, msg))
    conns = {i: kw.Conn(*brokers[i]) for i in ids}
    ok, got = ka.wait_for("prop described everywhere", lambda: (
        all(topic_error(c) == 0 for c in conns.values()), None), 30)
    check("topic_everywhere", ok)

    for k, (pt, name) in enumerate(ROUNDS):
        kind = "literal" if pt == P_LITERAL else "prefixed"
        a, d = ids[k % 3], ids[(k + 1) % 3]
        err = create_acl(conns[a], pt, name)
        first = topic_error(conns[a])
        check("r%d_create_%s_on_%d" % (k, kind, a), err == 0, "error %d" % err)
        check("r%d_answering_broker_denies" % k, first == TOPIC_AUTH,
              "broker %d's next Metadata: error %d" % (a, first))
        t = follow({i: conns[i] for i in ids if i != a}, TOPIC_AUTH)
        late = {i: s for i, s in t.items() if s is None or s > PROPAGATION_BOUND_S}
        worst = max([worst] + [s for s in t.values() if s is not None])
        check("r%d_others_deny_within_bound" % k, not late,
              " ".join("broker %d %s" % (i, "never" if s is None else "%.3f s" % s)
                       for i, s in sorted(t.items())))

        err, n = delete_acl(conns[d], pt, name)
        first = topic_error(conns[d])
        check("r%d_delete_%s_on_%d" % (k, kind, d), err == 0 and n == 1,
              "error %d, %d deleted" % (err, n))
        check("r%d_answering_broker_allows" % k, first == 0,
              "broker %d's next Metadata: error %d" % (d, first))
        t = follow({i: conns[i] for i in ids if i != d}, 0)
        late = {i: s for i, s in t.items() if s is None or s > PROPAGATION_BOUND_S}
        worst = max([worst] + [s for s in t.values() if s is not None])
        check("r%d_others_allow_within_bound" % k, not late,
              " ".join("broker %d %s" % (i, "never" if s is None else "%.3f s" % s)
                       for i, s in sorted(t.items())))

    for c in conns.values():
        c.close()
    print("worst propagation to another broker: %.3f s (bound %.1f s)" %
          (worst, PROPAGATION_BOUND_S))
    print("%d/%d checks passed" % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
