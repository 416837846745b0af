#!/usr/bin/env python3
"""authz: Kafka's AclAuthorizer enforced on a 3-broker cluster.

The brokers run authorizer.class.name=kafka.security.authorizer.AclAuthorizer
with allow.everyone.if.no.acl.found=true and no super users. Until SASL
lands every client is User:ANONYMOUS, so the test tells principals apart by
host, which Kafka's ACLs match too: brokers and "trusted" clients connect
from 127.0.0.1, the "outsider" from 127.0.0.2 (both loopback).

- CreateAcls (from 127.0.0.1, allowed while the cluster has no ACL):
  DENY ALL + ALLOW READ on topic "secret" (DENY beats ALLOW), a prefixed
  "pre-" pair (ALLOW READ, DENY WRITE), DENY ALL on group "g-denied" and on
  transactional id "t-denied";
- the cluster ACL (ALLOW ALL for User:ANONYMOUS from 127.0.0.1) is written
  with zkCli.sh as an operator would, ACL znode plus change notification:
  every broker enforces it within a deadline (DescribeAcls from 127.0.0.2
  turns CLUSTER_AUTHORIZATION_FAILED), and the time is printed;
- refusals: Metadata (all topics) hides "secret" and a named "secret"
  answers TOPIC_AUTHORIZATION_FAILED (29); Produce to "secret" and
  "pre-x" 29, to "open" 0; Fetch and ListOffsets of "secret" 29 while Fetch
  of "pre-x" works; JoinGroup, OffsetCommit, FindCoordinator of "g-denied"
  GROUP_AUTHORIZATION_FAILED (30); FindCoordinator and InitProducerId of
  "t-denied" TRANSACTIONAL_ID_AUTHORIZATION_FAILED (53); from 127.0.0.2
  InitProducerId without an id (IDEMPOTENT_WRITE) and DescribeConfigs of a
  broker CLUSTER_AUTHORIZATION_FAILED (31); DeleteTopics "secret" 29; kcat
  -L does not list "secret";
- inter-broker APIs: StopReplica (delete), LeaderAndIsr and UpdateMetadata
  from 127.0.0.2 answer 31 and change nothing (the follower's log directory
  stays, every broker still lists the topic with its leaders); the same
  from 127.0.0.1 with a forged controller epoch and a made-up broker epoch
  answer STALE_BROKER_EPOCH (77) and change nothing: the real controller's
  next topic still gets leaders on every broker.
Stdlib + kcat + zkCli.sh.
"""

import glob
import json
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import kafka_admin as ka  # noqa: E402
import kafka_wire as kw  # noqa: E402

OUTSIDER = "127.0.0.2"
ZKCLI = os.environ.get("ZKCLI", "/usr/share/zookeeper/bin/zkCli.sh")
ANON = b"User:ANONYMOUS"
# Kafka's enum codes
T_TOPIC, T_GROUP, T_CLUSTER, T_TXN = 2, 3, 4, 5
P_LITERAL, P_PREFIXED = 3, 4
O_ALL, O_READ, O_WRITE = 2, 3, 4
DENY, ALLOW = 2, 3
TOPIC_AUTH, GROUP_AUTH, CLUSTER_AUTH, TXN_AUTH, STALE_BROKER_EPOCH = 29, 30, 31, 53, 77


# An ssl.SSLContext with a client certificate: call() then speaks TLS
# (authz_tls.py sets it per principal).
TLS = None


def call(addr, api, ver, body, src=None):
    """One request on a fresh connection (from src if given): a Reader."""
    s = socket.create_connection(addr, timeout=kw.TIMEOUT,
                                 source_address=(src, 0) if src else None)
    if TLS is not None:
        s = TLS.wrap_socket(s, server_hostname=addr[0])
    with s:
        return kw.Reader(kw.request(s, api, ver, 7, body))


def arr(items):
    return struct.pack(">i", len(items)) + b"".join(items)


def nstr(s):
    return struct.pack(">h", -1) if s is None else kw.kstr(s)


# ---- requests (non-flexible versions; first error code of the answer) ----

def metadata_topics(addr, names=None):
    """Metadata v1: {topic: (error, [leader per partition])}."""
    body = struct.pack(">i", -1) if names is None else arr([kw.kstr(n) for n in names])
    r = call(addr, 3, 1, body)
    for _ in range(r.take(">i")):
        r.take(">i"), r.string(), r.take(">i"), r.string()
    r.take(">i")  # controller
    out = {}
    for _ in range(r.take(">i")):
        err, name, _internal = r.take(">h"), r.string().decode(), r.take(">b")
        leaders = []
        for _ in range(r.take(">i")):
            r.take(">h"), r.take(">i")
            leaders.append(r.take(">i"))
            for _ in range(2):
                for _ in range(r.take(">i")):
                    r.take(">i")
        out[name] = (err, leaders)
    return out


def metadata_ops(addr, name, src=None):
    """Metadata v8 for one topic asking for KIP-430 authorized operations:
    (topic's bit field, cluster's bit field)."""
    body = arr([kw.kstr(name)]) + struct.pack(">bbb", 0, 1, 1)
    r = call(addr, 3, 8, body, src)
    r.take(">i")  # throttle
    for _ in range(r.take(">i")):
        r.take(">i"), r.string(), r.take(">i"), r.string()
    r.string(), r.take(">i")  # cluster id, controller
    topic_ops = None
    for _ in range(r.take(">i")):
        r.take(">h"), r.string(), r.take(">b")
        for _ in range(r.take(">i")):
            r.take(">h"), r.take(">i"), r.take(">i"), r.take(">i")
            for _ in range(3):
                for _ in range(r.take(">i")):
                    r.take(">i")
        topic_ops = r.take(">i")
    return topic_ops, r.take(">i")


def led_everywhere(brokers, names):
    """Every broker's Metadata names a leader for partition 0 of each topic."""
    for a in brokers.values():
        m = metadata_topics(a, names)
        if any(m.get(n.decode(), (1, []))[1][:1] in ([], [-1]) for n in names):
            return False, m
    return True, None


def produce(addr, topic, src=None, value=b"v"):
    """Produce v3, acks=1, one batch to partition 0: the partition's error."""
    part = struct.pack(">i", 0) + struct.pack(">i", len(kw.batch([value]))) + kw.batch([value])
    body = nstr(None) + struct.pack(">hi", 1, 10000) + arr([kw.kstr(topic) + arr([part])])
    r = call(addr, 0, 3, body, src)
    r.take(">i"), r.string(), r.take(">i"), r.take(">i")
    return r.take(">h")


def fetch(addr, topic):
    """Fetch v4 from offset 0 of partition 0 as a consumer: its error."""
    part = struct.pack(">iqi", 0, 0, 65536)
    body = struct.pack(">iiiib", -1, 0, 0, 65536, 0) + arr([kw.kstr(topic) + arr([part])])
    r = call(addr, 1, 4, body)
    r.take(">i"), r.take(">i"), r.string(), r.take(">i"), r.take(">i")
    return r.take(">h")


def list_offsets(addr, topic):
    body = struct.pack(">i", -1) + arr([kw.kstr(topic) + arr([struct.pack(">iq", 0, -1)])])
    r = call(addr, 2, 1, body)
    r.take(">i"), r.string(), r.take(">i"), r.take(">i")
    return r.take(">h")


def join_group(addr, group):
    proto = kw.kstr(b"range") + struct.pack(">i", 0)
    body = kw.kstr(group) + struct.pack(">i", 10000) + kw.kstr(b"") + kw.kstr(b"consumer")
    return call(addr, 11, 0, body + arr([proto])).take(">h")


def offset_commit(addr, group, topic):
    part = struct.pack(">iq", 0, 1) + kw.kstr(b"")
    body = kw.kstr(group) + struct.pack(">i", -1) + kw.kstr(b"") + struct.pack(">q", -1)
    r = call(addr, 8, 2, body + arr([kw.kstr(topic) + arr([part])]))
    r.take(">i"), r.string(), r.take(">i"), r.take(">i")
    return r.take(">h")


def find_coordinator(addr, key, key_type):
    r = call(addr, 10, 1, kw.kstr(key) + struct.pack(">b", key_type))
    r.take(">i")
    return r.take(">h")


def init_producer_id(addr, txn_id, src=None):
    r = call(addr, 22, 0, nstr(txn_id) + struct.pack(">i", 60000), src)
    r.take(">i")
    return r.take(">h")


def describe_broker_configs(addr, broker_id, src):
    body = arr([struct.pack(">b", 4) + kw.kstr(b"%d" % broker_id) + struct.pack(">i", -1)])
    r = call(addr, 32, 0, body, src)
    r.take(">i"), r.take(">i")
    return r.take(">h")


def delete_topic(addr, topic):
    r = call(addr, 20, 1, arr([kw.kstr(topic)]) + struct.pack(">i", 10000))
    r.take(">i"), r.take(">i"), r.string()
    return r.take(">h")


def describe_acls(addr, src=None):
    body = struct.pack(">b", 1) + nstr(None) + nstr(None) + nstr(None) + struct.pack(">bb", 1, 1)
    r = call(addr, 29, 0, body, src)
    r.take(">i")
    return r.take(">h")


def create_acls(addr, acls, principal=ANON):
    """CreateAcls v1: the error of each creation."""
    items = [struct.pack(">b", rt) + kw.kstr(name) + struct.pack(">b", pt) + kw.kstr(principal) +
             kw.kstr(b"*") + struct.pack(">bb", op, perm) for rt, name, pt, op, perm in acls]
    r = call(addr, 30, 1, arr(items))
    r.take(">i")
    out = []
    for _ in range(r.take(">i")):
        out.append(r.take(">h"))
        r.string()
    return out


def delete_acls(addr, rt, name, pt, principal, op, perm):
    """DeleteAcls v1 with one filter: (filter error, number of ACLs deleted)."""
    body = arr([struct.pack(">b", rt) + nstr(name) + struct.pack(">b", pt) + nstr(principal) +
                nstr(None) + struct.pack(">bb", op, perm)])
    r = call(addr, 31, 1, body)
    r.take(">i"), r.take(">i")
    err = r.take(">h")
    r.string()
    return err, r.take(">i")


def stop_replica(addr, src, controller_epoch, broker_epoch, topic):
    body = struct.pack(">iiqb", 0, controller_epoch, broker_epoch, 1)
    body += arr([kw.kstr(topic) + arr([struct.pack(">i", 0)])])
    return call(addr, 5, 1, body, src).take(">h")


def leader_and_isr(addr, src, controller_epoch, broker_epoch):
    body = struct.pack(">iiq", 0, controller_epoch, broker_epoch) + arr([]) + arr([])
    return call(addr, 4, 2, body, src).take(">h")


def update_metadata(addr, src, controller_epoch, broker_epoch):
    body = struct.pack(">iiq", 0, controller_epoch, broker_epoch) + arr([]) + arr([])
    return call(addr, 6, 5, body, src).take(">h")


def zkcli(*lines):
    """Runs command lines in one zkCli.sh session (the operator's tool)."""
    server = os.environ["ZOOKEEPER"].split(",")[0]
    env = dict(os.environ, CLIENT_JVMFLAGS="-Xmx128m -XX:+UseSerialGC")
    p = subprocess.run([ZKCLI, "-server", server], input="\n".join(lines + ("quit",)) + "\n",
                       capture_output=True, text=True, timeout=60, env=env)
    return p.stdout + p.stderr


def main():
    boot = kw.addr_of(os.environ["BOOTSTRAP"].split(",")[0])
    brokers, controller = ka.metadata(boot)
    ctl = brokers[controller]
    results = []

    def check(name, ok, detail=""):
        results.append(bool(ok))
        print("%-4s %-34s %s" % ("ok" if ok else "FAIL", name, detail), flush=True)

    check("three_brokers", len(brokers) == 3, "brokers %s" % sorted(brokers))
    for t in (b"open", b"secret", b"pre-x"):
        err, msg = ka.create_topic(ctl, t, 1, 3)
        check("create_" + t.decode(), err == 0, "error %d %s" % (err, msg))
    ok, _ = ka.wait_for("topics led on every broker",
                        lambda: led_everywhere(brokers, [b"open", b"secret", b"pre-x"]), 30)
    check("topics_ready", ok)
    led = {t: brokers[metadata_topics(ctl, [t])[t.decode()][1][0]] for t in (b"secret", b"pre-x")}
    check("produce_before_acls", produce(led[b"secret"], b"secret") == 0 and
          produce(led[b"pre-x"], b"pre-x") == 0)

    errs = create_acls(boot, [
        (T_TOPIC, b"secret", P_LITERAL, O_ALL, DENY),
        (T_TOPIC, b"secret", P_LITERAL, O_READ, ALLOW),
        (T_TOPIC, b"pre-", P_PREFIXED, O_READ, ALLOW),
        (T_TOPIC, b"pre-", P_PREFIXED, O_WRITE, DENY),
        (T_GROUP, b"g-denied", P_LITERAL, O_ALL, DENY),
        (T_TXN, b"t-denied", P_LITERAL, O_ALL, DENY),
    ])
    check("create_acls", errs == [0] * 6, "errors %s" % errs)

    # the cluster ACL, the way an operator adds one with zkCli
    cluster_acl = json.dumps({"version": 1, "acls": [
        {"principal": "User:ANONYMOUS", "permissionType": "Allow", "operation": "All",
         "host": "127.0.0.1"}]}, separators=(",", ":"))
    out = zkcli("create /kafka-acl/Cluster", "create /kafka-acl/Cluster/kafka-cluster " + cluster_acl,
                "create -s /kafka-acl-changes/acl_changes_ CLUSTER:kafka-cluster")
    t0 = time.time()
    check("zkcli_cluster_acl", "Created /kafka-acl/Cluster/kafka-cluster" in out, out.strip()[-200:])

    def all_refuse():
        got = {i: describe_acls(a, OUTSIDER) for i, a in brokers.items()}
        return all(e == CLUSTER_AUTH for e in got.values()), got
    ok, got = ka.wait_for("zkCli ACL on every broker", all_refuse, 20)
    check("zkcli_acl_everywhere", ok, "%.2f s after zkCli returned; %s" % (time.time() - t0, got))
    check("trusted_host_allowed", all(describe_acls(a) == 0 for a in brokers.values()))

    # topics: DENY beats ALLOW; invisible in Metadata. Data requests go to
    # each partition's leader (from a trusted Metadata that names them).
    leaders = {t: brokers[metadata_topics(ctl, [t.encode()])[t][1][0]]
               for t in ("open", "pre-x")}
    leaders["secret"] = leaders["open"]  # refused before any leader check
    ok, listed = ka.wait_for("secret hidden", lambda: (
        all("secret" not in metadata_topics(a) for a in brokers.values()), None), 10)
    listed = metadata_topics(boot)
    check("metadata_hides_secret", ok and "secret" not in listed and "open" in listed,
          "listed %s" % sorted(listed))
    check("metadata_hides_denied_prefix_no", "pre-x" in listed, "pre-x has READ (implies DESCRIBE)")
    named = metadata_topics(boot, [b"secret"]).get("secret", (None,))[0]
    check("metadata_named_secret_29", named == TOPIC_AUTH, "error %s" % named)
    check("produce_secret_29", produce(leaders["secret"], b"secret") == TOPIC_AUTH)
    check("produce_prefixed_29", produce(leaders["pre-x"], b"pre-x") == TOPIC_AUTH)
    check("produce_open_0", produce(leaders["open"], b"open") == 0)
    # KIP-430: READ on pre-x implies DESCRIBE; the outsider has nothing on
    # the cluster, a trusted host everything (ALLOW ALL)
    ops = metadata_ops(boot, b"pre-x", OUTSIDER)
    check("authorized_operations_outsider", ops == ((1 << 3) | (1 << 8), 0), "%s" % (ops,))
    all_cluster = sum(1 << o for o in (5, 7, 8, 9, 10, 11, 12))
    ops = metadata_ops(boot, b"pre-x")
    check("authorized_operations_trusted", ops[1] == all_cluster, "%s" % (ops,))
    check("fetch_secret_deny_beats_allow", fetch(leaders["secret"], b"secret") == TOPIC_AUTH)
    check("fetch_prefixed_read_ok", fetch(leaders["pre-x"], b"pre-x") == 0)
    check("list_offsets_secret_29", list_offsets(leaders["secret"], b"secret") == TOPIC_AUTH)
    check("delete_topic_secret_29", delete_topic(ctl, b"secret") == TOPIC_AUTH)
    kc = subprocess.run(["kcat", "-L", "-J", "-b", os.environ["BOOTSTRAP"]],
                        capture_output=True, timeout=60).stdout
    kt = [t["topic"] for t in json.loads(kc).get("topics", [])]
    check("kcat_hides_secret", "secret" not in kt and "open" in kt, "kcat -L: %s" % sorted(kt))

    # groups and transactional ids
    check("join_group_30", join_group(boot, b"g-denied") == GROUP_AUTH)
    check("offset_commit_30", offset_commit(boot, b"g-denied", b"open") == GROUP_AUTH)
    check("find_coordinator_group_30", find_coordinator(boot, b"g-denied", 0) == GROUP_AUTH)
    check("find_coordinator_txn_53", find_coordinator(boot, b"t-denied", 1) == TXN_AUTH)
    check("init_producer_id_txn_53", init_producer_id(boot, b"t-denied") == TXN_AUTH)
    check("idempotent_outsider_31", init_producer_id(boot, None, OUTSIDER) == CLUSTER_AUTH)
    check("describe_broker_configs_31",
          describe_broker_configs(ctl, controller, OUTSIDER) == CLUSTER_AUTH)

    # inter-broker APIs from a client, then with forged epochs
    follower = next(i for i in brokers if i != controller)
    faddr = brokers[follower]
    logdir = glob.glob(os.path.join(os.environ["GREGOR_CLUSTER_DIR"], "broker", str(follower),
                                    "data", "open-0"))
    check("follower_has_log", len(logdir) == 1, "%s" % logdir)
    check("stop_replica_client_31", stop_replica(faddr, OUTSIDER, 1, -1, b"open") == CLUSTER_AUTH)
    check("leader_and_isr_client_31", leader_and_isr(faddr, OUTSIDER, 1, -1) == CLUSTER_AUTH)
    check("update_metadata_client_31", update_metadata(faddr, OUTSIDER, 1, -1) == CLUSTER_AUTH)
    forged = 1 << 30
    check("stop_replica_forged_77",
          stop_replica(faddr, None, forged, -1, b"open") == STALE_BROKER_EPOCH)
    check("update_metadata_forged_77",
          update_metadata(faddr, None, forged, -1) == STALE_BROKER_EPOCH)
    check("leader_and_isr_forged_77",
          leader_and_isr(faddr, None, forged, 1 << 62) == STALE_BROKER_EPOCH)
    check("follower_log_kept", all(os.path.isdir(d) for d in logdir))
    meta = metadata_topics(faddr, [b"open"]).get("open", (None, []))
    check("follower_metadata_kept", meta[0] == 0 and meta[1] and meta[1][0] >= 0, "%s" % (meta,))
    # the real controller is not fenced by the forged epoch: its next
    # topic reaches every broker with a leader
    err, msg = ka.create_topic(ctl, b"after-forgery", 1, 3)
    ok, _ = ka.wait_for("after-forgery led on every broker",
                        lambda: led_everywhere(brokers, [b"after-forgery"]), 30)
    check("controller_not_fenced", err == 0 and ok, "create error %d" % err)
    check("follower_still_fetches_open", produce(leaders["open"], b"open") == 0)

    logs = "".join(open(f).read() for f in glob.glob(
        os.path.join(os.environ["GREGOR_CLUSTER_DIR"], "logs", "broker-*.log")))
    check("changes_applied_one_by_one", "not applied one by one" not in logs,
          "every broker followed the notifications without re-reading the whole store")
    print("%d/%d checks passed" % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
