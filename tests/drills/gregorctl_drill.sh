#!/usr/bin/env bash
# gregorctl_drill.sh: CI's short run of `gregorctl drill` (suite
# integration, no root): leader-kill on a plain 3-broker 127.0.0.1 cluster
# with cluster.sh as the command templates must PASS with nothing lost and
# print its verdict (text and --json); a --start template that fails makes
# the drill exit 2 (INCOMPLETE) yet still read everything back; usage
# errors exit 64.
source "$(dirname "$0")/drill_lib.sh"

T=grdrill
cluster_up 3 --set zookeeper.session.timeout.ms=6000 --set min.insync.replicas=2 \
	--set unclean.leader.election.enable=false
WORK="$CLUSTER_DIR/drill"
mkdir -p "$WORK"

rc=0
"$GREGORCTL" drill leader-kill --bootstrap "$BOOTSTRAP" --kill true >/dev/null 2>"$WORK/usage.err" || rc=$?
((rc == 64)) || fail "a missing --start template exited $rc, not 64"
grep -q 'needs --start' "$WORK/usage.err" || fail "no 'needs --start' message: $(cat "$WORK/usage.err")"
"$GREGORCTL" drill --help | grep -q 'txn-coordinator-kill' || fail "drill --help lists no drills"

drill_run leader-kill --topic "$T" --partitions 3 --rate 200 --warmup 3 --down 2 --settle 1 \
	--timeout 90
grep -q "^drill leader-kill on $T: PASS" <<<"$DRILL_OUT" || fail "no PASS verdict"
grep -qE "^DRILL-RESULT drill=leader-kill topic=$T acknowledged=[1-9][0-9]* lost=0 " <<<"$DRILL_OUT" ||
	fail "verdict line without acknowledged writes or with losses"
grep -qE "leader of $T-0 moved from [0-9]+ to [0-9]+ in [0-9]+ ms" <<<"$DRILL_OUT" ||
	fail "no leader change reported"
[[ $(zk_ls /brokers/ids | tr '\n' ' ') == "1 2 3 " ]] || fail "the killed broker was not restarted"

# A start command that fails: the drill stops there, still reads back, exit 2.
cs=$(printf '%q' "$CLUSTER_SH")
dir=$(printf '%q' "$CLUSTER_DIR")
rc=0
"$GREGORCTL" drill leader-kill --bootstrap "$BOOTSTRAP" --topic "$T" --json --rate 100 \
	--warmup 2 --down 1 --timeout 60 --kill "$cs kill {id} --dir $dir" --start 'exit 3' \
	>"$WORK/incomplete.json" 2>"$WORK/incomplete.err" || rc=$?
((rc == 2)) || { cat "$WORK/incomplete.err" >&2; fail "a failing --start exited $rc, not 2"; }
python3 - "$WORK/incomplete.json" <<'PY' || fail "bad --json verdict: $(cat "$WORK/incomplete.json")"
import json, sys
v = json.load(open(sys.argv[1]))
assert v["result"] == "INCOMPLETE" and v["lost"] == 0 and v["acknowledged"] > 0, v
assert "failed (exit 3)" in v["error"], v
PY
note "incomplete drill reported: $(cat "$WORK/incomplete.json")"
