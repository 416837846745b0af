#!/usr/bin/env bash
# gregorctl.sh: the operator's tool against a real 3-broker cluster. Every
# gregorctl answer is checked against the znodes it claims to show: broker
# registrations and epochs, the controller, topic create/alter writes, leader,
# replicas, ISR and leader epoch per partition; then a broker is killed and
# the --under-replicated-partitions / --unavailable-partitions listings must
# follow. Admin request znodes, malformed data and bad input are checked in a
# private chroot no broker watches. Usage: gregorctl.sh PATH-TO-GREGORCTL
source "$(dirname "$0")/lib.sh"

GREGORCTL=${1:-${GREGORCTL:-}}
[[ -n $GREGORCTL && -x $GREGORCTL ]] || fail "usage: gregorctl.sh PATH-TO-GREGORCTL (got '${GREGORCTL}')"
work=$(mktemp -d "${TMPDIR:-/tmp}/gregorctl-it.XXXXXX")
on_exit "rm -rf '$work'"

gc() { "$GREGORCTL" --zookeeper "$ZOOKEEPER" --timeout 10 "$@"; }
# expect_fail WHAT PATTERN CMD...: exit status 1 and a one-line error
# matching PATTERN on stderr.
expect_fail() {
	local what=$1 pat=$2 rc=0
	shift 2
	"$@" >"$work/out" 2>"$work/err" || rc=$?
	((rc == 1)) || fail "$what: exit $rc, expected 1 (stderr: $(<"$work/err"))"
	[[ $(wc -l <"$work/err") == 1 ]] || fail "$what: expected one error line, got: $(<"$work/err")"
	grep -qE "$pat" "$work/err" || fail "$what: error '$(<"$work/err")' lacks /$pat/"
}

# ---- unreachable ZooKeeper: bounded wait, one line, exit 1 (no cluster yet)
t0=$SECONDS
expect_fail "unreachable ZooKeeper" "cannot connect to ZooKeeper at 127.0.0.1:1 within 2 s" \
	"$GREGORCTL" --zookeeper 127.0.0.1:1 --timeout 2 topics list
((SECONDS - t0 <= 6)) || fail "unreachable ZooKeeper took $((SECONDS - t0)) s with --timeout 2"
rc=0
"$GREGORCTL" topics list 2>/dev/null || rc=$?
((rc == 64)) || fail "missing --zookeeper: exit $rc, expected 64 (usage)"

cluster_up 3 --set zookeeper.session.timeout.ms=6000 --set replica.lag.time.max.ms=2000

# ---- cluster brokers / controller against /brokers/ids and /controller
brokers_expected() {
	local b
	for b in "$@"; do
		printf 'Broker: %s\tEndpoints: PLAINTEXT://127.0.0.1:%s\tRack: none\tEpoch: %s\n' \
			"$b" "$((PORT_BASE + b - 1))" "$(zk_stat "/brokers/ids/$b" czxid)"
	done
}
out=$(gc cluster brokers) || fail "cluster brokers failed"
[[ $out == "$(brokers_expected 1 2 3)" ]] || fail "cluster brokers: got
$out
expected
$(brokers_expected 1 2 3)"
ctl=$(zk_get /controller | python3 -c 'import json,sys; print(json.load(sys.stdin)["brokerid"])')
[[ $(gc cluster controller) == "$(printf 'Controller: %s\tEpoch: %s' "$ctl" "$(zk_get /controller_epoch)")" ]] ||
	fail "cluster controller: $(gc cluster controller) vs /controller $ctl"
gc --json cluster brokers | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [b["id"] for b in d["brokers"]] == [1, 2, 3], d
assert all(b["rack"] is None and len(b["endpoints"]) == 1 for b in d["brokers"]), d
' || fail "cluster brokers --json"
note "cluster brokers/controller match the znodes"

# ---- topics create: /config/topics/<t> and /brokers/topics/<t>
out=$(gc topics create --topic t3 --partitions 6 --replication-factor 3 \
	--config retention.ms=3600000 --config cleanup.policy=delete) || fail "create t3 failed"
[[ $out == "Created topic t3." ]] || fail "create t3 said: $out"
zk_get /config/topics/t3 | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["version"] == 1 and d["config"] == {"retention.ms": "3600000", "cleanup.policy": "delete"}, d
' || fail "/config/topics/t3 content"
zk_get /brokers/topics/t3 | python3 -c '
import json, sys
d = json.load(sys.stdin)
ps = d["partitions"]
assert sorted(ps) == [str(p) for p in range(6)], ps
assert all(sorted(r) == [1, 2, 3] for r in ps.values()), ps
firsts = [ps[str(p)][0] for p in range(6)]
assert sorted(firsts) == [1, 1, 2, 2, 3, 3], "preferred leaders not spread: %s" % firsts
' || fail "/brokers/topics/t3 assignment: $(zk_get /brokers/topics/t3)"

expect_fail "create of an existing topic" "already exists" \
	gc topics create --topic t3 --partitions 1 --replication-factor 1
expect_fail "replication factor above broker count" "larger than the 3 available" \
	gc topics create --topic big --partitions 1 --replication-factor 4
expect_fail "illegal topic name" "illegal" gc topics create --topic 'a/b' --partitions 1 --replication-factor 1
expect_fail "config without =" "not key=value" \
	gc topics create --topic cfg --partitions 1 --replication-factor 1 --config nokv
zk_exists /brokers/topics/big && fail "a refused create wrote /brokers/topics/big"
zk_exists /brokers/topics/cfg && fail "a refused create wrote /brokers/topics/cfg"
expect_fail "describe of an unknown topic" "topic 'nosuch' does not exist" gc topics describe --topic nosuch
expect_fail "a path for a topic name" "illegal" gc topics describe --topic t3/partitions

# all_led TOPIC N: describe shows N partitions, each with a live leader.
all_led() {
	gc --json topics describe --topic "$1" | python3 -c '
import json, sys
t = json.load(sys.stdin)["topics"][0]
ps = t["partitions"]
sys.exit(0 if len(ps) == int(sys.argv[1]) and all(p["leader"] >= 0 and not p["unavailable"] for p in ps) else 1)
' "$2"
}
wait_until 60 "t3's 6 partitions led (per gregorctl)" all_led t3 6

# ---- topics alter: extend the assignment
expect_fail "alter to fewer partitions" "would not be an increase" gc topics alter --topic t3 --partitions 5
expect_fail "alter of an unknown topic" "does not exist" gc topics alter --topic nosuch --partitions 9
topic_id() { zk_get "/brokers/topics/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("topic_id", ""))'; }
t3_id=$(topic_id t3)
[[ -n $t3_id ]] || fail "t3 has no topic_id once its partitions are led: $(zk_get /brokers/topics/t3)"
out=$(gc topics alter --topic t3 --partitions 8) || fail "alter t3 failed"
zk_get /brokers/topics/t3 | python3 -c '
import json, sys
ps = json.load(sys.stdin)["partitions"]
assert sorted(ps, key=int) == [str(p) for p in range(8)], ps
assert all(sorted(r) == [1, 2, 3] for r in ps.values()), ps
' || fail "/brokers/topics/t3 after alter: $(zk_get /brokers/topics/t3)"
wait_until 60 "t3's 8 partitions led" all_led t3 8
# the id survives the rewrite (a new one would refuse clients that fetch by id)
[[ $(topic_id t3) == "$t3_id" ]] || fail "t3's topic_id changed on alter: $t3_id -> $(topic_id t3)"

out=$(gc topics create --topic solo --partitions 3 --replication-factor 1) || fail "create solo failed"
wait_until 60 "solo's 3 partitions led" all_led solo 3
[[ $(gc topics list) == "$(printf 'solo\nt3')" ]] || fail "topics list: $(gc topics list)"

# check_describe TOPIC LIVE-IDS: the text and --json describe agree field by
# field with /brokers/topics/<t>, its state znodes and /config/topics/<t>.
check_describe() {
	gc topics describe --topic "$1" >"$work/desc.txt" || return 1
	gc --json topics describe --topic "$1" >"$work/desc.json" || return 1
	python3 - "$ZKQ" "$ZOOKEEPER" "$1" "$2" "$work/desc.txt" "$work/desc.json" <<'EOF'
import json, subprocess, sys
zkq, zk, topic, live = sys.argv[1], sys.argv[2], sys.argv[3], [int(x) for x in sys.argv[4].split(",")]
def get(path):
    return subprocess.run(["python3", zkq, "-s", zk, "-t", "3", "get", path], check=True,
                          capture_output=True, text=True).stdout
assign = json.loads(get("/brokers/topics/" + topic))["partitions"]
cfg = json.loads(get("/config/topics/" + topic))["config"]
n = len(assign)
want = ["Topic: %s\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s" % (
    topic, n, len(assign["0"]), ",".join("%s=%s" % kv for kv in cfg.items()))]
wantj = []
for p in range(n):
    st = json.loads(get("/brokers/topics/%s/partitions/%d/state" % (topic, p)))
    reps = assign[str(p)]
    want.append("\tTopic: %s\tPartition: %d\tLeader: %s\tReplicas: %s\tIsr: %s\tLeaderEpoch: %d" % (
        topic, p, st["leader"] if st["leader"] >= 0 else "none", ",".join(map(str, reps)),
        ",".join(map(str, st["isr"])), st["leader_epoch"]))
    wantj.append({"partition": p, "leader": st["leader"], "leader_epoch": st["leader_epoch"],
                  "replicas": reps, "isr": st["isr"], "has_state": True,
                  "under_replicated": len(st["isr"]) < len(reps),
                  "unavailable": st["leader"] < 0 or st["leader"] not in live})
got = open(sys.argv[5]).read().splitlines()
if got != want:
    sys.exit("text describe:\n%s\nznodes say:\n%s" % ("\n".join(got), "\n".join(want)))
gj = json.load(open(sys.argv[6]))["topics"]
assert len(gj) == 1 and gj[0]["name"] == topic and gj[0]["configs"] == cfg, gj
if gj[0]["partitions"] != wantj:
    sys.exit("json describe:\n%s\nznodes say:\n%s" % (gj[0]["partitions"], wantj))
EOF
}
# The state znodes may change between gregorctl's read and ours (ISR
# updates); a mismatch is retried a few times before it counts.
describe_ok() {
	local i
	for ((i = 0; i < 20; i++)); do
		check_describe "$1" "$2" 2>"$work/cmp.err" && return 0
		sleep 0.5
	done
	fail "describe $1 differs from the znodes: $(<"$work/cmp.err")"
}
describe_ok t3 1,2,3
describe_ok solo 1,2,3
[[ -z $(gc topics describe --under-replicated-partitions) ]] ||
	fail "under-replicated on a healthy cluster: $(gc topics describe --under-replicated-partitions)"
[[ -z $(gc topics describe --unavailable-partitions) ]] ||
	fail "unavailable on a healthy cluster: $(gc topics describe --unavailable-partitions)"
note "create/alter/describe match the znodes"

# ---- kill broker 3: its replicas leave the ISRs, its RF-1 partition goes
solo_on3=$(zk_get /brokers/topics/solo | python3 -c '
import json, sys
ps = json.load(sys.stdin)["partitions"]
print(" ".join(p for p, r in sorted(ps.items()) if r == [3]))')
[[ $solo_on3 =~ ^[0-2]$ ]] || fail "expected exactly one solo partition on broker 3, got '$solo_on3'"
cluster kill 3 >/dev/null 2>&1 || fail "cluster.sh kill 3"

# under_all: every t3 partition (each has a replica on 3) is listed as
# under-replicated, with 3 gone from its ISR; no other partition is.
under_all() {
	local out
	out=$(gc topics describe --under-replicated-partitions) || return 1
	[[ $(grep -c $'^\tTopic: t3\t' <<<"$out") == 8 ]] || return 1
	! grep -qE $'Isr: ([0-9,]*,)?3(,|\t)' <<<"$out" || return 1
	[[ $(wc -l <<<"$out") == 8 ]]
}
wait_until 60 "all 8 t3 partitions listed as under-replicated" under_all
# unavailable_only_solo: exactly solo's partition on broker 3 is listed.
unavailable_only_solo() {
	[[ $(gc topics describe --unavailable-partitions) == \
		$'\tTopic: solo\tPartition: '"$solo_on3"$'\tLeader: '* ]]
}
wait_until 60 "only solo-$solo_on3 listed as unavailable" unavailable_only_solo
[[ $(gc topics describe --unavailable-partitions | wc -l) == 1 ]] || fail "unavailable list has extra lines"
both=$(gc topics describe --under-replicated-partitions --unavailable-partitions | wc -l)
((both == 9)) || fail "both filters together list $both partitions, expected 9"
gc --json topics describe --under-replicated-partitions | python3 -c '
import json, sys
ts = {t["name"]: t["partitions"] for t in json.load(sys.stdin)["topics"]}
assert len(ts.get("t3", [])) == 8 and all(p["under_replicated"] for p in ts["t3"]), ts
assert "solo" not in ts or ts["solo"] == [], ts
' || fail "--json --under-replicated-partitions"
describe_ok t3 1,2
describe_ok solo 1,2
[[ $(gc cluster brokers) == "$(brokers_expected 1 2)" ]] || fail "cluster brokers after kill: $(gc cluster brokers)"
note "kill of broker 3 shows in the under-replicated/unavailable listings"

# ---- admin znodes, malformed data, chroot: in /gctl-side, which no broker
# watches, so the znodes stay as gregorctl wrote them.
side() { "$GREGORCTL" --zookeeper "$ZOOKEEPER/gctl-side" --timeout 10 "$@"; }
for p in /gctl-side /gctl-side/brokers /gctl-side/brokers/ids /gctl-side/brokers/topics /gctl-side/admin; do
	zk create "$p" >/dev/null
done
for b in 1 2; do zk create "/gctl-side/brokers/ids/$b" "$(zk_get "/brokers/ids/$b")" >/dev/null; done
zk create /gctl-side/brokers/topics/s '{"version":2,"partitions":{"0":[1,2],"1":[2,1]},"adding_replicas":{},"removing_replicas":{}}' >/dev/null
out=$(side partitions elect-preferred) || fail "elect-preferred failed"
[[ $(zk_get /gctl-side/admin/preferred_replica_election) == \
	'{"version":1,"partitions":[{"topic":"s","partition":0},{"topic":"s","partition":1}]}' ]] ||
	fail "preferred_replica_election: $(zk_get /gctl-side/admin/preferred_replica_election)"
expect_fail "a second election" "in progress" side partitions elect-preferred --topic s
expect_fail "election of an unknown topic" "does not exist" side partitions elect-preferred --topic nosuch

printf '%s\n' '{"version":1,"partitions":[{"topic":"s","partition":1,"replicas":[1,2],"log_dirs":["any","any"]}]}' >"$work/ok.json"
printf '%s\n' '{"version":1,"partitions":[{"topic":"s","partition":0,"replicas":[1,9]}]}' >"$work/dead.json"
printf '%s\n' '{"version":1,"partitions":[{"topic":"s","partition":7,"replicas":[1]}]}' >"$work/nopart.json"
printf '%s\n' '{"version":1,"partitions":[{"topic":"s","partition":0,"replicas":[2,2]}]}' >"$work/dup.json"
printf '%s\n' '{"version":1,"partitions":[{"topic":"s","partit' >"$work/trunc.json"
expect_fail "reassign to an unregistered broker" "broker 9 is not registered" side partitions reassign --file "$work/dead.json"
expect_fail "reassign of a missing partition" "has no partition 7" side partitions reassign --file "$work/nopart.json"
expect_fail "reassign with a repeated replica" "distinct" side partitions reassign --file "$work/dup.json"
expect_fail "reassign of truncated JSON" "not valid JSON" side partitions reassign --file "$work/trunc.json"
expect_fail "reassign of a missing file" "cannot open" side partitions reassign --file "$work/none.json"
zk_exists /gctl-side/admin/reassign_partitions && fail "a refused reassignment wrote its znode"
side partitions reassign --file "$work/ok.json" >/dev/null || fail "reassign failed"
[[ $(zk_get /gctl-side/admin/reassign_partitions) == \
	'{"version":1,"partitions":[{"topic":"s","partition":1,"replicas":[1,2]}]}' ]] ||
	fail "reassign_partitions: $(zk_get /gctl-side/admin/reassign_partitions)"
expect_fail "a second reassignment" "in progress" side partitions reassign --file "$work/ok.json"

zk create /gctl-side/brokers/topics/bad '{"version":1,"partitions":{"0":[1],"5":[2]}}' >/dev/null
expect_fail "malformed assignment" "malformed data in /brokers/topics/bad" side topics describe --topic bad
zk create /gctl-side/brokers/topics/s/partitions >/dev/null
zk create /gctl-side/brokers/topics/s/partitions/0 >/dev/null
zk create /gctl-side/brokers/topics/s/partitions/0/state '{"version":1,"leader":"x"' >/dev/null
expect_fail "malformed state" "malformed data in /brokers/topics/s/partitions/0/state" side topics describe --topic s
zk create /gctl-side/brokers/ids/7 'garbage' >/dev/null
rc=0
side cluster brokers >"$work/out" 2>"$work/err" || rc=$?
if ((rc != 1)) || ! grep -q "malformed data in /brokers/ids/7" "$work/err" ||
	[[ $(wc -l <"$work/out") != 2 ]]; then
	fail "cluster brokers with a malformed registration: exit $rc, $(<"$work/err")"
fi
zk create /gctl-side/controller '{"version":1,"brokerid":[1]}' >/dev/null
expect_fail "malformed controller" "malformed data in /controller" side cluster controller
expect_fail "missing chroot" "wrong chroot" \
	"$GREGORCTL" --zookeeper "$ZOOKEEPER/gctl-none" --timeout 10 topics list
note "admin znodes, malformed data and bad input handled"

# ---- delete: /admin/delete_topics/<t>; the controller finishes it once
# every replica's broker is back.
cluster start 3 >/dev/null 2>&1 || fail "cluster.sh start 3"
expect_fail "delete of an unknown topic" "does not exist" gc topics delete --topic nosuch
for t in t3 solo; do
	[[ $(gc topics delete --topic "$t") == "Topic $t is marked for deletion." ]] || fail "delete $t"
done
list=$(gc topics list)
for t in t3 solo; do
	grep -qxE "$t( - marked for deletion)?" <<<"$list" || zk_exists "/admin/delete_topics/$t" ||
		! zk_exists "/brokers/topics/$t" || fail "delete of $t left no trace: $list"
done
topics_gone() { [[ -z $(gc topics list) ]]; }
wait_until 90 "t3 and solo deleted by the controller" topics_gone
expect_fail "describe of a deleted topic" "does not exist" gc topics describe --topic t3
note "topics deleted"
