#!/usr/bin/env python3
"""alter_configs: AlterConfigs (33) and IncrementalAlterConfigs (44).

On a 3-broker cluster, raw protocol (stdlib only):
- AlterConfigs v0 on a broker that is not the controller sets retention.ms
  and cleanup.policy of a topic; the znode is Kafka's
  {"version":1,"config":{...}}, a /config/changes/config_change_ node says
  {"version":2,"entity_path":"topics/<t>"}, and DescribeConfigs on all
  three brokers reports both as topic overrides (source 1);
- AlterConfigs replaces the whole set (cleanup.policy back to default);
- IncrementalAlterConfigs v1 (flexible) SET, APPEND, DELETE, SUBTRACT, each
  checked in the znode and on every broker;
- errors: unknown key and bad value INVALID_CONFIG (40) with a message,
  unknown topic UNKNOWN_TOPIC_OR_PARTITION (3), APPEND to a non-list key
  INVALID_REQUEST (42), validate_only writes nothing, a BROKER resource with
  a static (non-dynamic) key INVALID_REQUEST with Kafka's message, an empty
  BROKER set succeeds (dynamic broker configs: broker_configs.py).
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import alter_configs as alter  # noqa: E402
from kafka_admin import incremental_alter_configs as incremental  # noqa: E402
from kafka_admin import (create_topic, describe_topic_configs, kcat_topics,  # noqa: E402
                         metadata, wait_for, zkq)
from kafka_wire import addr_of  # noqa: E402

TOPIC = b"altered"


def znode_config():
    data = zkq("get", "/config/topics/" + TOPIC.decode())
    return json.loads(data) if data else None


def main():
    boot = addr_of(os.environ["BOOTSTRAP"].split(",")[0])
    brokers, controller = metadata(boot)
    other = next(a for i, a in sorted(brokers.items()) if i != controller)
    other_id = next(i for i in sorted(brokers) if i != controller)
    results = []

    def check(name, ok, detail):
        results.append(bool(ok))
        print("%-4s %-30s %s" % ("ok" if ok else "FAIL", name, detail))

    err, msg = create_topic(brokers[controller], TOPIC, 3, 2)
    check("create", err == 0, "error %d %s" % (err, msg))
    ok, _ = wait_for("topic on all brokers", lambda: (all(
        len(kcat_topics(a).get(TOPIC.decode(), [])) == 3 for a in brokers.values()), None), 20)
    check("listed_everywhere", ok, "kcat -L of every broker lists it")

    def overrides_everywhere(want):
        def probe():
            seen = {}
            for i, a in brokers.items():
                err, cfgs = describe_topic_configs(a, TOPIC)
                seen[i] = {k: v for k, (v, src) in cfgs.items() if src == 1} if err == 0 \
                    else "error %d" % err
            return all(v == want for v in seen.values()), seen
        return wait_for("overrides %s" % want, probe, 10)

    def expect(name, got, want_err, want_cfg):
        err, msg = got
        ok = err == want_err
        zn = znode_config()
        if want_cfg is not None:
            ok = ok and zn == {"version": 1, "config": want_cfg}
            ok2, seen = overrides_everywhere(want_cfg)
            ok = ok and ok2
        check(name, ok, "error %d %s, znode %s" % (err, msg, json.dumps(zn)))

    changes_before = set((zkq("ls", "/config/changes") or "").split())
    expect("alter_sets_two", alter(other, 2, TOPIC, [(b"retention.ms", b"123456"),
                                                    (b"cleanup.policy", b"compact")]),
           0, {"retention.ms": "123456", "cleanup.policy": "compact"})
    new = sorted(set((zkq("ls", "/config/changes") or "").split()) - changes_before)
    notes = [zkq("get", "/config/changes/" + c) for c in new]
    ok = len(new) == 1 and new[0].startswith("config_change_") and \
        json.loads(notes[0]) == {"version": 2, "entity_path": "topics/altered"}
    check("change_notification", ok, "new %s: %s" % (new, notes))

    expect("alter_replaces_all", alter(other, 2, TOPIC, [(b"retention.ms", b"1000")]),
           0, {"retention.ms": "1000"})
    expect("incr_set", incremental(other, 2, TOPIC, [(b"cleanup.policy", 0, b"compact")]),
           0, {"retention.ms": "1000", "cleanup.policy": "compact"})
    expect("incr_append", incremental(brokers[controller], 2, TOPIC,
                                      [(b"cleanup.policy", 2, b"delete")]),
           0, {"retention.ms": "1000", "cleanup.policy": "compact,delete"})
    expect("incr_delete", incremental(other, 2, TOPIC, [(b"retention.ms", 1, None)]),
           0, {"cleanup.policy": "compact,delete"})
    expect("incr_subtract", incremental(other, 2, TOPIC, [(b"cleanup.policy", 3, b"compact")]),
           0, {"cleanup.policy": "delete"})

    unchanged = {"cleanup.policy": "delete"}
    err, msg = alter(other, 2, TOPIC, [(b"no.such.config", b"1")])
    check("unknown_key", err == 40 and msg, "error %d %s" % (err, msg))
    err, msg = alter(other, 2, TOPIC, [(b"retention.ms", b"abc")])
    check("bad_value", err == 40 and msg and "retention.ms" in msg, "error %d %s" % (err, msg))
    err, msg = incremental(other, 2, TOPIC, [(b"cleanup.policy", 0, b"shred")])
    check("incr_bad_value", err == 40 and msg, "error %d %s" % (err, msg))
    err, msg = incremental(other, 2, TOPIC, [(b"no.such.config", 0, b"1")])
    check("incr_unknown_key", err == 40 and msg, "error %d %s" % (err, msg))
    err, msg = incremental(other, 2, TOPIC, [(b"retention.ms", 2, b"5")])
    check("append_non_list", err == 42 and msg, "error %d %s" % (err, msg))
    err, msg = alter(other, 2, b"no-such-topic", [(b"retention.ms", b"5")])
    check("unknown_topic", err == 3, "error %d %s" % (err, msg))
    err, msg = incremental(other, 2, b"no-such-topic", [(b"retention.ms", 0, b"5")])
    check("incr_unknown_topic", err == 3, "error %d %s" % (err, msg))
    expect("validate_only", alter(other, 2, TOPIC, [(b"retention.ms", b"77")], True), 0, None)
    check("validate_only_no_write", znode_config() == {"version": 1, "config": unchanged},
          "znode %s" % json.dumps(znode_config()))
    err, msg = incremental(other, 2, TOPIC, [(b"retention.ms", 0, b"zz")], True)
    check("validate_only_checks", err == 40, "error %d %s" % (err, msg))
    err, msg = alter(other, 4, str(other_id).encode(), [(b"log.retention.hours", b"5")])
    check("broker_key_refused", err == 42 and msg and
          "Cannot update these configs dynamically: Set(log.retention.hours)" in msg,
          "error %d %s" % (err, msg))
    err, msg = incremental(other, 4, b"", [(b"num.partitions", 0, b"5")])
    check("incr_broker_key_refused", err == 42 and msg, "error %d %s" % (err, msg))
    err, msg = alter(other, 4, str(other_id).encode(), [])
    check("broker_empty_set", err == 0, "error %d %s" % (err, msg))
    ok, seen = overrides_everywhere(unchanged)
    check("errors_changed_nothing", ok, "overrides %s" % seen)

    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
