#!/usr/bin/env bash
# znode_shapes.sh: the znodes a running cluster writes have the shapes
# docs/zookeeper.md §1 gives (Kafka 2.6's): broker registrations, controller,
# controller epoch, cluster id, the persistent top-level paths, and for an
# auto-created topic its v3 assignment (with topic_id, Kafka 2.8+) and every
# partition state. zkCli.sh (the operator's tool) reads the same data.
source "$(dirname "$0")/lib.sh"

T=autoshape
cluster_up 3 --set num.partitions=4 --set default.replication.factor=3
# Auto-creation through a producer's metadata request.
printf 'a\nb\nc\n' | kc -P -t "$T" -X acks=all 2>/dev/null || true
wait_topic_ready "$T" 4 60
for p in 0 1 2 3; do
	wait_until 30 "state of $T-$p" zk_exists "/brokers/topics/$T/partitions/$p/state"
done

dump=$(mktemp)
on_exit "rm -f '$dump'"
# One JSON document: path -> {data, ephemeralOwner, exists}.
{
	for p in /cluster/id /controller /controller_epoch /brokers/ids/1 /brokers/ids/2 \
		/brokers/ids/3 "/brokers/topics/$T" /consumers /brokers/ids /brokers/topics \
		/brokers/seqid /config/changes /admin/delete_topics /isr_change_notification \
		/log_dir_event_notification /latest_producer_id_block /config/topics \
		/config/clients /config/users /config/brokers \
		"/brokers/topics/$T/partitions/0/state" "/brokers/topics/$T/partitions/1/state" \
		"/brokers/topics/$T/partitions/2/state" "/brokers/topics/$T/partitions/3/state"; do
		if data=$(zk_get "$p"); then
			owner=$(zk_stat "$p" ephemeralOwner)
			printf '%s\t%s\t%s\n' "$p" "$owner" "$data"
		else
			printf '%s\t-\t\n' "$p"
		fi
	done
} >"$dump"

python3 - "$dump" "$T" "$PORT_BASE" <<'PY' || fail "znode shapes differ from docs/zookeeper.md"
import json, re, sys
rows = {}
for line in open(sys.argv[1]):
    path, owner, data = line.rstrip("\n").split("\t", 2)
    rows[path] = (owner, data)
topic, base = sys.argv[2], int(sys.argv[3])
bad = []
def check(cond, msg):
    if not cond:
        bad.append(msg)
def node(path):
    owner, data = rows[path]
    if owner == "-":
        bad.append("%s missing" % path)
        return None, None
    return owner != "0", data
def js(path):
    eph, data = node(path)
    if data is None:
        return None, None
    try:
        return eph, json.loads(data)
    except ValueError:
        bad.append("%s not JSON: %r" % (path, data))
        return eph, None
def digits_str(v):
    return isinstance(v, str) and v.isdigit()

for p in ("/consumers", "/brokers/ids", "/brokers/topics", "/brokers/seqid",
          "/config/changes", "/admin/delete_topics", "/isr_change_notification",
          "/log_dir_event_notification", "/latest_producer_id_block",
          "/config/topics", "/config/clients", "/config/users", "/config/brokers"):
    eph, _ = node(p)
    check(eph is not True, "%s should be persistent" % p)

eph, cid = js("/cluster/id")
if cid is not None:
    check(eph is False, "/cluster/id should be persistent")
    check(cid.get("version") == "1", "/cluster/id version must be the string \"1\": %r" % cid)
    check(isinstance(cid.get("id"), str) and re.fullmatch(r"[A-Za-z0-9_-]{22}", cid["id"]) is not None,
          "/cluster/id id must be 22 url-safe base64 chars: %r" % cid)

eph, ctl = js("/controller")
if ctl is not None:
    check(eph is True, "/controller should be ephemeral")
    check(ctl.get("version") == 1, "/controller version: %r" % ctl)
    check(ctl.get("brokerid") in (1, 2, 3), "/controller brokerid: %r" % ctl)
    check(digits_str(ctl.get("timestamp")), "/controller timestamp must be a digit string: %r" % ctl)

eph, epoch = node("/controller_epoch")
if epoch is not None:
    check(eph is False, "/controller_epoch should be persistent")
    check(re.fullmatch(r"[0-9]+", epoch.strip()) is not None and int(epoch) >= 1,
          "/controller_epoch must be an ASCII integer >= 1: %r" % epoch)
    cepoch = int(epoch) if epoch.strip().isdigit() else 0

for b in (1, 2, 3):
    path = "/brokers/ids/%d" % b
    eph, reg = js(path)
    if reg is None:
        continue
    port = base + b - 1
    check(eph is True, "%s should be ephemeral" % path)
    check(reg.get("version") in (4, 5), "%s version: %r" % (path, reg.get("version")))
    check(reg.get("host") == "127.0.0.1", "%s host: %r" % (path, reg.get("host")))
    check(reg.get("port") == port, "%s port: %r, want %d" % (path, reg.get("port"), port))
    check(reg.get("jmx_port") == -1, "%s jmx_port: %r" % (path, reg.get("jmx_port")))
    check(digits_str(reg.get("timestamp")), "%s timestamp must be a digit string" % path)
    check(reg.get("endpoints") == ["PLAINTEXT://127.0.0.1:%d" % port], "%s endpoints: %r" % (path, reg.get("endpoints")))
    check(reg.get("listener_security_protocol_map") == {"PLAINTEXT": "PLAINTEXT"},
          "%s listener_security_protocol_map: %r" % (path, reg.get("listener_security_protocol_map")))
    check("rack" not in reg, "%s has a rack though none is set" % path)
    if reg.get("version") == 5:
        check(reg.get("features") == {}, "%s features: %r" % (path, reg.get("features")))

eph, asg = js("/brokers/topics/" + topic)
parts = {}
if asg is not None:
    check(eph is False, "topic znode should be persistent")
    check(asg.get("version") == 3, "topic version: %r" % asg.get("version"))
    tid = asg.get("topic_id")
    check(isinstance(tid, str) and len(tid) == 22 and tid[0] != "-" and
          all(ch.isalnum() or ch in "-_" for ch in tid),
          "topic_id must be a 22-char url-safe base64 UUID: %r" % tid)
    check(asg.get("adding_replicas") == {} and asg.get("removing_replicas") == {},
          "topic adding/removing_replicas: %r" % asg)
    parts = asg.get("partitions") or {}
    check(sorted(parts) == ["0", "1", "2", "3"], "topic partitions keys: %r" % sorted(parts))
    for k, reps in parts.items():
        check(isinstance(reps, list) and len(reps) == 3 and sorted(reps) == [1, 2, 3],
              "partition %s replicas %r: want a permutation of [1,2,3]" % (k, reps))
    firsts = sorted(r[0] for r in parts.values() if r)
    check(set(firsts) == {1, 2, 3}, "preferred leaders not spread over brokers: %r" % firsts)

for k in ("0", "1", "2", "3"):
    path = "/brokers/topics/%s/partitions/%s/state" % (topic, k)
    eph, st = js(path)
    if st is None:
        continue
    reps = parts.get(k) or []
    check(eph is False, "%s should be persistent" % path)
    check(st.get("version") == 1, "%s version: %r" % (path, st))
    check(st.get("leader") in reps, "%s leader %r not a replica %r" % (path, st.get("leader"), reps))
    check(reps and st.get("leader") == reps[0], "%s leader %r is not the preferred replica %r" % (path, st.get("leader"), reps))
    check(isinstance(st.get("leader_epoch"), int) and st["leader_epoch"] >= 0, "%s leader_epoch: %r" % (path, st))
    ce = st.get("controller_epoch")
    check(isinstance(ce, int) and 1 <= ce <= cepoch, "%s controller_epoch %r vs /controller_epoch %d" % (path, ce, cepoch))
    isr = st.get("isr")
    check(isinstance(isr, list) and isr and set(isr) <= set(reps) and st.get("leader") in isr,
          "%s isr %r (replicas %r)" % (path, isr, reps))
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY

# The operator's tool sees the same bytes.
ctl=$(zk_get /controller)
cid=$(zk_get /cluster/id)
got=$(zkcli_get_many /controller /cluster/id)
[[ $got == "/controller	$ctl"$'\n'"/cluster/id	$cid" ]] ||
	fail "zkCli.sh reads differ: '$got' vs '$ctl' '$cid'"
note "all znode shapes match"
