#!/usr/bin/env python3
"""authz_tls: per-principal ACLs with TLS client certificates.

On cluster.sh up --tls (3 brokers, mTLS everywhere, AclAuthorizer with
the brokers and the admin certificate "client" as super users, ZooKeeper
locked), two more certificates are signed with the cluster CA: alice and
bob (principals User:CN=alice,O=Gregor and User:CN=bob,O=Gregor). The admin
creates topic "orders" and gives alice WRITE and READ on it and READ on group
"g-alice"; bob gets nothing. Then, with kcat and raw requests:
- alice produces and consumes "orders" (kcat, her certificate); she cannot
  describe ACLs (CLUSTER_AUTHORIZATION_FAILED);
- bob's produce is refused with "Topic authorization failed", his kcat -L
  does not list "orders", his JoinGroup of g-alice answers
  GROUP_AUTHORIZATION_FAILED and his StopReplica (a client posing as the
  controller) CLUSTER_AUTHORIZATION_FAILED, after which every broker still
  serves "orders";
- DENY beats ALLOW per principal: a DENY WRITE for alice added by the admin
  stops her next produce on every broker; once DeleteAcls removes it she
  produces again.
Stdlib + kcat + openssl.
"""

import json
import os
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import authz  # noqa: E402

TLS_DIR = os.path.join(os.environ["GREGOR_CLUSTER_DIR"], "tls")
CA = os.path.join(TLS_DIR, "ca.pem")


def issue(name):
    """A key and certificate for CN=name signed by the cluster CA."""
    key, csr, crt = (os.path.join(TLS_DIR, name + ext) for ext in (".key", ".csr", ".crt"))
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr,
                    "-subj", "/O=Gregor/CN=" + name], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", CA, "-CAkey",
                    os.path.join(TLS_DIR, "ca.key"), "-CAcreateserial", "-days", "2",
                    "-out", crt], check=True, capture_output=True)
    return crt, key


def context(name):
    crt, key = (os.path.join(TLS_DIR, name + ext) for ext in (".crt", ".key"))
    ctx = ssl.create_default_context(cafile=CA)
    ctx.load_cert_chain(crt, key)
    return ctx


def kcat(name, *args, data=None):
    crt, key = (os.path.join(TLS_DIR, name + ext) for ext in (".crt", ".key"))
    return subprocess.run(["kcat", "-b", os.environ["BOOTSTRAP"], "-X", "security.protocol=ssl",
                           "-X", "ssl.ca.location=" + CA, "-X", "ssl.certificate.location=" + crt,
                           "-X", "ssl.key.location=" + key, "-X", "socket.timeout.ms=10000",
                           "-m", "15"] + list(args),
                          input=data, capture_output=True, timeout=60)


def main():
    results = []

    def check(name, ok, detail=""):
        results.append(bool(ok))
        print("%-4s %-34s %s" % ("ok" if ok else "FAIL", name, detail), flush=True)

    issue("alice")
    issue("bob")
    authz.TLS = context("client")  # the admin (super user)
    boot = authz.kw.addr_of(os.environ["BOOTSTRAP"].split(",")[0])
    # authz's requests go through TLS (authz.TLS)
    meta = authz.metadata_topics(boot, [])
    check("admin_metadata", meta == {}, "%s" % meta)
    r = kcat("client", "-P", "-t", "orders", data=b"from-admin\n")
    check("admin_creates_orders", r.returncode == 0, r.stderr.decode()[-200:])
    alice, bob = b"User:CN=alice,O=Gregor", b"User:CN=bob,O=Gregor"
    errs = authz.create_acls(boot, [
        (authz.T_TOPIC, b"orders", authz.P_LITERAL, authz.O_WRITE, authz.ALLOW),
        (authz.T_TOPIC, b"orders", authz.P_LITERAL, authz.O_READ, authz.ALLOW),
        (authz.T_GROUP, b"g-alice", authz.P_LITERAL, authz.O_READ, authz.ALLOW),
    ], principal=alice)
    check("admin_creates_acls", errs == [0, 0, 0], "%s" % errs)

    def alice_produces():
        r = kcat("alice", "-P", "-t", "orders", data=b"from-alice\n")
        return r.returncode == 0 and b"authorization" not in r.stderr.lower(), r.stderr[-200:]
    ok, why = authz.ka.wait_for("alice may produce", alice_produces, 15)
    check("alice_produces", ok, why)
    r = kcat("alice", "-C", "-t", "orders", "-o", "beginning", "-e", "-q")
    check("alice_consumes", b"from-alice" in r.stdout and b"from-admin" in r.stdout,
          r.stdout[-200:])
    authz.TLS = context("alice")
    check("alice_no_describe_acls", authz.describe_acls(boot) == authz.CLUSTER_AUTH)

    r = kcat("bob", "-P", "-t", "orders", data=b"from-bob\n")
    check("bob_produce_refused", b"topic authorization failed" in r.stderr.lower(),
          r.stderr.decode()[-200:])
    r = kcat("bob", "-L", "-J")
    topics = [t["topic"] for t in json.loads(r.stdout or b"{}").get("topics", [])]
    check("bob_does_not_see_orders", r.returncode == 0 and "orders" not in topics, "%s" % topics)
    authz.TLS = context("bob")
    check("bob_join_group_30", authz.join_group(boot, b"g-alice") == authz.GROUP_AUTH)
    check("bob_stop_replica_31",
          authz.stop_replica(boot, None, 1 << 30, -1, b"orders") == authz.CLUSTER_AUTH)
    authz.TLS = context("client")
    every = [authz.kw.addr_of(b) for b in os.environ["BOOTSTRAP"].split(",")]
    served = {"%s:%d" % a: authz.metadata_topics(a, [b"orders"]).get("orders") for a in every}
    check("orders_still_served", all(v and v[0] == 0 and v[1] and v[1][0] >= 0
                                     for v in served.values()), "%s" % served)

    errs = authz.create_acls(boot, [(authz.T_TOPIC, b"orders", authz.P_LITERAL, authz.O_WRITE,
                                     authz.DENY)], principal=alice)
    check("admin_denies_alice", errs == [0], "%s" % errs)
    t0 = time.time()

    def alice_refused():
        r = kcat("alice", "-P", "-t", "orders", data=b"late\n")
        return b"topic authorization failed" in r.stderr.lower(), r.stderr[-200:]
    ok, why = authz.ka.wait_for("alice refused", alice_refused, 15)
    check("deny_beats_allow", ok, "%.1f s; %s" % (time.time() - t0, why))
    r = kcat("alice", "-C", "-t", "orders", "-o", "beginning", "-e", "-q")
    check("alice_still_reads", b"from-alice" in r.stdout, r.stderr[-200:])

    # the DENY deleted: alice writes again, on every broker's cache
    err, n = authz.delete_acls(boot, authz.T_TOPIC, b"orders", authz.P_LITERAL, alice,
                               authz.O_WRITE, authz.DENY)
    check("admin_deletes_deny", err == 0 and n == 1, "error %d, %d deleted" % (err, n))
    ok, why = authz.ka.wait_for("alice may produce again", alice_produces, 15)
    check("alice_produces_again", ok, why)

    print("%d/%d checks passed" % (sum(results), len(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
