#!/usr/bin/env python3
"""log_levels: per-module log levels, set at start (log.level.txn=WARN from
the config) and at run time through Kafka's BROKER_LOGGER resource (type 8),
on a 1-broker cluster over the raw protocol:
- DescribeConfigs lists root INFO, txn WARN, controller INFO;
- IncrementalAlterConfigs SET controller=DEBUG: the next topic creation
  logs DEBUG [controller] lines; DELETE puts it back to the root level and
  the next creation logs none;
- refusals: unknown logger and bad level (INVALID_CONFIG, 40), DELETE of
  root, APPEND, another broker's id (INVALID_REQUEST, 42); validate_only
  changes nothing.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from kafka_admin import create_topic, find_leader, incremental_alter_configs, metadata  # noqa: E402
from kafka_wire import Conn, bootstrap, kstr  # noqa: E402

FAILED = []
LOGGER = 8
SET, DELETE, APPEND = 0, 1, 2


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILED.append(what)


def loggers(addr, broker_id):
    """DescribeConfigs v1 of BROKER_LOGGER: (error, {logger: (level, source)})."""
    body = struct.pack(">i", 1) + struct.pack(">b", LOGGER) + kstr(str(broker_id))
    body += struct.pack(">i", -1) + struct.pack(">b", 0)
    with Conn(*addr) as c:
        r = c.call(32, 1, body)
    r.take(">i")
    r.take(">i")
    err = r.take(">h")
    r.string(), r.take(">b"), r.string()
    out = {}
    for _ in range(max(r.take(">i"), 0)):
        key, value = r.str(), r.str()
        r.take(">b")
        source = r.take(">b")
        r.take(">b")
        for _ in range(max(r.take(">i"), 0)):
            r.string(), r.string(), r.take(">b")
        out[key] = (value, source)
    return err, out


def debug_lines(path):
    with open(path, errors="replace") as f:
        return sum(1 for line in f if " DEBUG [controller] " in line)


def main():
    boot = bootstrap()
    brokers, _ = metadata(boot)
    bid = next(iter(brokers))
    log = os.path.join(os.environ["GREGOR_CLUSTER_DIR"], "logs", "broker-%d.log" % bid)
    check(os.path.exists(log), "broker log %s" % log)

    err, levels = loggers(boot, bid)
    check(err == 0 and levels.get("root", (None,))[0] == "INFO" and
          levels.get("txn", (None,))[0] == "WARN" and levels.get("controller", (None,))[0] == "INFO",
          "DescribeConfigs BROKER_LOGGER: root %s, txn %s (log.level.txn at start), controller %s"
          % (levels.get("root"), levels.get("txn"), levels.get("controller")))
    check(all(s == 6 for _, s in levels.values()), "every logger's source is DYNAMIC_BROKER_LOGGER_CONFIG (6)")
    before = debug_lines(log)
    check(before == 0, "no DEBUG [controller] lines at INFO")

    for ops, code, what in (
            ([("nosuchmodule", SET, "DEBUG")], 40, "unknown logger"),
            ([("controller", SET, "LOUD")], 40, "bad level"),
            ([("root", DELETE, None)], 42, "DELETE of root"),
            ([("controller", APPEND, "DEBUG")], 42, "APPEND")):
        err, msg = incremental_alter_configs(boot, LOGGER, str(bid), ops)
        check(err == code, "%s refused with %d (%s, %s)" % (what, code, err, msg))
    err, msg = incremental_alter_configs(boot, LOGGER, str(bid + 100), [("controller", SET, "DEBUG")])
    check(err == 42, "another broker's id refused (%s, %s)" % (err, msg))
    err, _ = incremental_alter_configs(boot, LOGGER, str(bid), [("controller", SET, "DEBUG")], validate_only=True)
    check(err == 0 and loggers(boot, bid)[1]["controller"][0] == "INFO", "validate_only changes nothing")

    err, msg = incremental_alter_configs(boot, LOGGER, str(bid), [("controller", SET, "DEBUG")])
    check(err == 0 and loggers(boot, bid)[1]["controller"][0] == "DEBUG", "controller set to DEBUG (%s)" % err)
    check(create_topic(boot, b"levels-a", 1, 1)[0] == 0, "topic levels-a created")
    find_leader(boot, b"levels-a")
    during = debug_lines(log)
    check(during > before, "DEBUG [controller] lines appeared (%d)" % during)

    err, _ = incremental_alter_configs(boot, LOGGER, str(bid), [("controller", DELETE, None)])
    check(err == 0 and loggers(boot, bid)[1]["controller"][0] == "INFO", "controller back to the root level")
    check(create_topic(boot, b"levels-b", 1, 1)[0] == 0, "topic levels-b created")
    find_leader(boot, b"levels-b")
    after = debug_lines(log)
    check(after == during, "no new DEBUG [controller] lines (%d then %d)" % (during, after))
    print("log_levels: %s" % ("FAIL: " + "; ".join(FAILED) if FAILED else "all passed"))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
