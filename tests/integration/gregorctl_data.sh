#!/usr/bin/env bash
# gregorctl's kafka-consumer-groups, kafka-delete-records, kafka-dump-log,
# kafka-broker-api-versions and kafka-reassign-partitions counterparts on a
# live 3-broker cluster. Offsets reset by gregorctl are read back with an
# independent OffsetFetch (tests/lib/groups_wire.py), deleted records with
# kcat, the dump of a real segment is compared with what kcat produced, and
# a throttled reassignment is followed to its end and its throttle configs
# checked in ZooKeeper (after delete-records: the new follower must start
# inside the leader's first batch). Usage: gregorctl_data.sh GREGORCTL
source "$(dirname "$0")/lib.sh"

GCTL=${1:?usage: gregorctl_data.sh GREGORCTL}
[[ -x $GCTL ]] || fail "gregorctl missing: $GCTL"
GW="$GREGOR_SOURCE_ROOT/tests/lib/groups_wire.py"
T=dat
G=dat-group
cluster_up 3
work=$(mktemp -d)
on_exit "rm -rf '$work'"
b() { timeout 90 "$GCTL" --bootstrap-server "$BOOTSTRAP" --timeout 15 "$@"; }
cg() { b consumer-groups "$@"; }
offsets() { timeout 60 python3 "$GW" offsets "$G" "$T" 2; }
expect_offsets() {
	local got
	got=$(offsets) || fail "OffsetFetch failed after $1"
	[[ $got == "$2" ]] || fail "after $1: committed $got, expected $2"
}

b topics --create --topic "$T" --replica-assignment 1:2,2:3 >/dev/null || fail "create $T"
wait_topic_ready "$T" 2 60
for i in $(seq 0 19); do printf 'k%d:v%d\n' "$i" "$i"; done | kc -P -t "$T" -p 0 -K: || fail "produce p0"
for i in $(seq 0 9); do printf 'q%d:w%d\n' "$i" "$i"; done | kc -P -t "$T" -p 1 -K: || fail "produce p1"

note "reset-offsets, read back with OffsetFetch"
cg --reset-offsets --group "$G" --topic "$T" --to-offset 5 --execute >"$work/out" ||
	fail "--to-offset 5: $(cat "$work/out")"
grep -Eq "^$G +$T +0 +5$" "$work/out" || fail "--to-offset table: $(cat "$work/out")"
expect_offsets "--to-offset 5" "0:5 1:5"
cg --reset-offsets --group "$G" --all-topics --shift-by -2 --execute >/dev/null || fail "--shift-by -2"
expect_offsets "--shift-by -2" "0:3 1:3"
cg --reset-offsets --group "$G" --topic "$T:1" --to-latest --execute >/dev/null || fail "--to-latest $T:1"
expect_offsets "--to-latest on partition 1 only" "0:3 1:10"
cg --reset-offsets --group "$G" --topic "$T" --shift-by 100 --execute >/dev/null || fail "--shift-by 100"
expect_offsets "--shift-by 100 (clamped to the log end)" "0:20 1:10"
cg --reset-offsets --group "$G" --topic "$T" --to-datetime 2001-01-01T00:00:00.000Z --execute >/dev/null ||
	fail "--to-datetime past"
expect_offsets "--to-datetime 2001" "0:0 1:0"
cg --reset-offsets --group "$G" --topic "$T:0" --to-datetime 2100-01-01T00:00:00+02:00 --execute >/dev/null ||
	fail "--to-datetime future"
expect_offsets "--to-datetime 2100 (no record that late: the log end)" "0:20 1:0"
cg --reset-offsets --group "$G" --topic "$T" --by-duration P1DT1H --execute >/dev/null || fail "--by-duration"
expect_offsets "--by-duration P1DT1H (everything is younger)" "0:0 1:0"
cg --reset-offsets --group "$G" --topic "$T" --to-offset 7 --dry-run --json >"$work/plan" 2>/dev/null ||
	fail "--dry-run"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if not d["executed"] and [p["new_offset"] for p in d["partitions"]] == [7, 7] else 1)' \
	"$work/plan" || fail "--dry-run --json: $(cat "$work/plan")"
expect_offsets "--dry-run (nothing committed)" "0:0 1:0"
cg --reset-offsets --group "$G" --topic "$T" --to-current --execute >/dev/null || fail "--to-current"
expect_offsets "--to-current" "0:0 1:0"
rc=0
cg --reset-offsets --group "$G" --topic "$T" --to-datetime yesterday 2>/dev/null || rc=$?
((rc == 64)) || fail "a bad --to-datetime: exit $rc, expected 64"
cg --delete-offsets --group "$G" --topic "$T:1" >"$work/out" || fail "--delete-offsets: $(cat "$work/out")"
expect_offsets "--delete-offsets $T:1" "0:0 1:-1"
cg --describe --group "$G" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d else 1)' ||
	fail "describe --json after the resets"

note "describe --state / --offsets / --members with a live member"
kc -G dat-live -q -X client.id=live-client "$T" >/dev/null 2>&1 &
live_pid=$!
on_exit "kill $live_pid 2>/dev/null || true"
one_member() {
	cg --describe --group dat-live --members >"$work/members" &&
		(($(grep -c ' live-client ' "$work/members") == 1))
}
wait_until 60 "dat-live to have its member" one_member
head -1 "$work/members" | grep -Eq '^CONSUMER-ID +HOST +CLIENT-ID +#PARTITIONS$' ||
	fail "members: $(cat "$work/members")"
grep -q "state\|TOPIC" "$work/members" && fail "--members showed more: $(cat "$work/members")"
cg --describe --group dat-live --state >"$work/state" || fail "--state"
grep -Eq "^Consumer group 'dat-live': state (Stable|PreparingRebalance|CompletingRebalance), .*1 member" "$work/state" ||
	fail "--state: $(cat "$work/state")"
(($(wc -l <"$work/state") == 1)) || fail "--state showed more: $(cat "$work/state")"
kill "$live_pid"
wait "$live_pid" 2>/dev/null || true

note "dump-log of partition 0's segment on its leader (broker 1)"
seg="$CLUSTER_DIR/broker/1/data/$T-0/00000000000000000000"
dumped() {
	"$GCTL" dump-log --files "$seg.log" --print-data-log >"$work/dump" &&
		grep -q '^| offset: 19 .* key: k19 payload: v19$' "$work/dump"
}
wait_until 30 "offset 19 in the segment on disk" dumped
for i in $(seq 0 19); do
	grep -q "^| offset: $i .* key: k$i payload: v$i\$" "$work/dump" || fail "record $i not dumped"
done
grep -q '^baseOffset: 0 .* isvalid: true$' "$work/dump" || fail "first batch: $(head -3 "$work/dump")"
grep -q 'isvalid: false' "$work/dump" && fail "a batch failed its CRC check"
"$GCTL" dump-log --files "$seg.log" >"$work/shallow" || fail "dump-log without --deep-iteration"
grep -q '^| offset' "$work/shallow" && fail "records shown without --deep-iteration"
"$GCTL" dump-log --files "$seg.index,$seg.timeindex" --index-sanity-check >"$work/idx" ||
	fail "index sanity check: $(cat "$work/idx")"

note "delete-records"
printf '{"partitions":[{"topic":"%s","partition":0,"offset":7}],"version":1}\n' "$T" >"$work/del.json"
b delete-records --offset-json-file "$work/del.json" >"$work/out" || fail "delete-records: $(cat "$work/out")"
grep -qx "partition: $T-0	low_watermark: 7" "$work/out" || fail "delete-records said: $(cat "$work/out")"
first=$(kc -C -t "$T" -p 0 -o beginning -c 1 -f '%o\n' -e) || fail "kcat after delete-records"
[[ $first == 7 ]] || fail "first readable offset $first, expected 7"

note "broker-api-versions"
b broker-api-versions --json | python3 -c '
import json, sys
d = json.load(sys.stdin)["brokers"]
ok = sorted(x["id"] for x in d) == [1, 2, 3] and all(
    any(a["key"] == 0 and a["max"] >= 9 and a["usable"] >= 9 for a in x["apis"]) for x in d)
sys.exit(0 if ok else 1)' || fail "broker-api-versions: $(b broker-api-versions --json)"
b broker-api-versions >"$work/apis" || fail "broker-api-versions"
grep -Eq '^	Produce\(0\): [0-9]+ to [0-9]+ \[usable: [0-9]+\],$' "$work/apis" ||
	fail "broker-api-versions text: $(head -3 "$work/apis")"

note "reassign: generate, execute with a throttle, follow, verify"
printf '{"topics":[{"topic":"%s"}],"version":1}\n' "$T" >"$work/move.json"
b reassign --generate --topics-to-move-json-file "$work/move.json" --broker-list 2,3 >"$work/gen" ||
	fail "--generate: $(cat "$work/gen")"
sed -n '/^Proposed partition reassignment configuration$/{n;p}' "$work/gen" >"$work/plan.json"
python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["partitions"]
sys.exit(0 if len(p) == 2 and all(len(x["replicas"]) == 2 and set(x["replicas"]) <= {2, 3} for x in p) else 1)' \
	"$work/plan.json" || fail "proposal: $(cat "$work/gen")"
# --wait follows the move (no terminal here: one progress line per step)
b reassign --execute --reassignment-json-file "$work/plan.json" --throttle 50000000 --wait 60 \
	>"$work/exec" 2>"$work/progress" || fail "--execute --wait: $(cat "$work/exec" "$work/progress")"
grep -qx '2/2 partitions reassigned' "$work/progress" || fail "progress: $(cat "$work/progress")"
[[ $(zk_get /config/brokers/1) == *'"leader.replication.throttled.rate":"50000000"'* ]] ||
	fail "broker 1 throttle: $(zk_get /config/brokers/1 2>&1)"
[[ $(zk_get /config/topics/$T) == *'"follower.replication.throttled.replicas":"'* ]] ||
	fail "topic throttle: $(zk_get /config/topics/$T 2>&1)"
b configs --describe --topic "$T" >"$work/tcfg" || fail "describe $T's configs"
# the leader side lists the current replicas (1,2 and 2,3), in any order
lead=$(sed -n 's/^  leader.replication.throttled.replicas=\([^ ]*\) .*/\1/p' "$work/tcfg")
[[ $(tr ',' '\n' <<<"$lead" | sort | tr '\n' ' ') == "0:1 0:2 1:2 1:3 " ]] ||
	fail "leader throttled replicas '$lead': $(cat "$work/tcfg")"
verified() { b reassign --verify --reassignment-json-file "$work/plan.json" >"$work/verify"; }
wait_until 60 "the reassignment to complete" verified
grep -c 'is completed$' "$work/verify" | grep -qx 2 || fail "--verify: $(cat "$work/verify")"
[[ $(zk_get /config/brokers/1) != *throttled.rate* ]] || fail "broker throttle left: $(zk_get /config/brokers/1)"
[[ $(zk_get /config/topics/$T) != *throttled.replicas* ]] || fail "topic throttle left: $(zk_get /config/topics/$T)"
python3 - "$work/plan.json" "$(zk_get /brokers/topics/$T)" <<'PY' || fail "assignment in ZooKeeper differs from the plan"
import json, sys
plan = {str(p["partition"]): p["replicas"] for p in json.load(open(sys.argv[1]))["partitions"]}
sys.exit(0 if json.loads(sys.argv[2])["partitions"] == plan else 1)
PY
# back to 1:2,2:3 on a terminal (script(1) gives it a pty): the progress
# bar is one line rewritten with \r, ending full
printf '{"version":1,"partitions":[{"topic":"%s","partition":0,"replicas":[1,2]},{"topic":"%s","partition":1,"replicas":[2,3]}]}\n' \
	"$T" "$T" >"$work/back.json"
timeout 120 script -qec "'$GCTL' reassign --bootstrap-server '$BOOTSTRAP' --execute --reassignment-json-file '$work/back.json' --wait 60" \
	/dev/null >"$work/tty" || fail "--wait on a terminal: $(cat "$work/tty")"
grep -q $'\r\\[##############################\\] 2/2 partitions reassigned' "$work/tty" ||
	fail "no progress bar on a terminal: $(od -c "$work/tty" | tail -5)"
note "groups, records, dump-log, api versions and reassignment checked"
