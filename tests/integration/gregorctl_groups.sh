#!/usr/bin/env bash
# gregorctl_groups.sh: gregorctl's consumer-group commands (Kafka protocol,
# --bootstrap) against a 3-broker cluster and a real librdkafka group member
# (kcat -G): list, describe (committed offsets, log-end offsets, lag,
# members and their decoded assignments), reset-offsets (dry run, earliest,
# latest, explicit offset; refused for an active group) and delete; one-line
# errors with exit 1 for unreachable brokers (bounded by --timeout),
# unknown groups and non-empty groups. Usage: gregorctl_groups.sh GREGORCTL
source "$(dirname "$0")/lib.sh"

GREGORCTL=${1:-${GREGORCTL:-}}
[[ -n $GREGORCTL && -x $GREGORCTL ]] ||
	fail "usage: gregorctl_groups.sh PATH-TO-GREGORCTL (got '${GREGORCTL}')"
work=$(mktemp -d "${TMPDIR:-/tmp}/gregorctl-groups-it.XXXXXX")
on_exit "rm -rf '$work'"

T=gtopic
G=grp
N=3000
CONSUMED=1000

gg() { "$GREGORCTL" --bootstrap "$BOOTSTRAP" --timeout 10 groups "$@"; }
# expect_fail WHAT PATTERN CMD...: exit 1 and one stderr line matching PATTERN.
expect_fail() {
	local what=$1 pat=$2 rc=0
	shift 2
	"$@" >"$work/out" 2>"$work/err" || rc=$?
	((rc == 1)) || fail "$what: exit $rc, expected 1 (stderr: $(<"$work/err"))"
	[[ $(wc -l <"$work/err") == 1 ]] || fail "$what: expected one error line, got: $(<"$work/err")"
	grep -qE "$pat" "$work/err" || fail "$what: error '$(<"$work/err")' lacks /$pat/"
}

# sums GROUP: "STATE MEMBERS NPART SUM-CURRENT SUM-LEO SUM-LAG" from
# describe --json (a missing offset counts as -1000000 so it cannot hide).
sums() {
	gg describe --group "$1" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
ps = [p for p in d["partitions"] if p["topic"] == sys.argv[1]]
v = lambda p, k: p[k] if p[k] is not None else -1000000
print(d["state"], len(d["members"]), len(ps), sum(v(p, "current_offset") for p in ps),
      sum(v(p, "log_end_offset") for p in ps), sum(v(p, "lag") for p in ps))
' "$T"
}

expect_sums() {
	local got
	got=$(sums "$G") || fail "describe --json failed after $1"
	[[ $got == "$2" ]] || fail "after $1: describe gives '$got', expected '$2'"
	note "after $1: $got"
}

# ---- unreachable brokers: refused at once; a silent listener bounded by --timeout
expect_fail "refused bootstrap" "no bootstrap broker answered \(127.0.0.1:1: Connection refused\)" \
	"$GREGORCTL" --bootstrap 127.0.0.1:1 --timeout 2 groups list
read -r silent_port _ < <(free_ports 1 1)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); time.sleep(60)
' "$silent_port" &
silent_pid=$!
on_exit "kill $silent_pid 2>/dev/null || true"
wait_until 10 "silent listener on $silent_port" \
	python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$silent_port"
t0=$SECONDS
expect_fail "silent bootstrap" "no bootstrap broker answered \(127.0.0.1:$silent_port: Connection timed out\)" \
	"$GREGORCTL" --bootstrap "127.0.0.1:$silent_port" --timeout 2 groups describe --group x
((SECONDS - t0 <= 6)) || fail "silent broker took $((SECONDS - t0)) s with --timeout 2"
kill "$silent_pid" 2>/dev/null || true
wait "$silent_pid" 2>/dev/null || true
rc=0
"$GREGORCTL" --zookeeper 127.0.0.1:1 groups list 2>/dev/null || rc=$?
((rc == 64)) || fail "groups without --bootstrap: exit $rc, expected 64 (usage)"

cluster_up 3
zk create "/brokers/topics/$T" \
	'{"version":2,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]},"adding_replicas":{},"removing_replicas":{}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 3 60

# a dead bootstrap entry first: the next one answers
gg_alt() { "$GREGORCTL" --bootstrap "127.0.0.1:1,$BOOTSTRAP" --timeout 10 groups "$@"; }
gg_alt list >/dev/null || fail "groups list with a dead first bootstrap entry failed"

# N/3 messages into each partition (keyless messages would stick to one);
# small batches and small fetches make the consumer interleave partitions,
# so that the first 1,000 messages span all three (each gets a commit)
seq -f 'm%06g' 1 "$N" >"$work/in.txt"
for p in 0 1 2; do
	sed -n "$((p * N / 3 + 1)),$(((p + 1) * N / 3))p" "$work/in.txt" >"$work/in-$p.txt"
	kc -P -l -t "$T" -p "$p" -X acks=all -X batch.num.messages=5 "$work/in-$p.txt" \
		2>"$work/produce.err" || { cat "$work/produce.err" >&2; fail "kcat produce to $p failed"; }
done
note "produced $N messages, $((N / 3)) per partition"

KC_TIMEOUT=90 kc -G "$G" -c "$CONSUMED" -q -f '%s\n' -X auto.offset.reset=earliest \
	-X max.partition.fetch.bytes=256 -X queued.min.messages=20 -X enable.auto.commit=true -X auto.commit.interval.ms=100 "$T" \
	>"$work/out.txt" 2>"$work/consume.err" ||
	{ cat "$work/consume.err" >&2; fail "kcat -G failed ($(wc -l <"$work/out.txt") of $CONSUMED)"; }
[[ $(wc -l <"$work/out.txt") == "$CONSUMED" ]] || fail "kcat consumed $(wc -l <"$work/out.txt")"
note "kcat -G $G consumed $CONSUMED and exited"

# ---- list
gg list >"$work/list" || fail "groups list failed"
grep -qE "^$G +Empty +consumer$" "$work/list" || fail "groups list lacks '$G Empty consumer': $(<"$work/list")"
gg list --json | python3 -c '
import json, sys
g = [x for x in json.load(sys.stdin)["groups"] if x["group"] == sys.argv[1]]
sys.exit(0 if g == [{"group": sys.argv[1], "state": "Empty", "protocol_type": "consumer"}] else 1)
' "$G" || fail "groups list --json lacks $G"

# ---- describe: 1,000 committed of 3,000, lag 2,000, no members
expect_sums "kcat -G -c $CONSUMED" "Empty 0 3 $CONSUMED $N $((N - CONSUMED))"
gg describe --group "$G" >"$work/desc" || fail "groups describe failed"
head -1 "$work/desc" | grep "Consumer group '$G': state Empty, protocol type consumer" >/dev/null ||
	fail "describe summary: $(head -1 "$work/desc")"
grep -qE '^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$' \
	"$work/desc" || fail "describe header missing: $(<"$work/desc")"
[[ $(awk -v g="$G" -v t="$T" '$1 == g && $2 == t && $7 == "-" {s += $4} END {print s}' "$work/desc") == "$CONSUMED" ]] ||
	fail "describe text table does not sum to $CONSUMED: $(<"$work/desc")"
expect_fail "unknown group" "consumer group 'nosuchgroup' does not exist" gg describe --group nosuchgroup

# ---- reset-offsets
gg reset-offsets --group "$G" --topic "$T" --to-earliest >"$work/plan" 2>"$work/plan.err" ||
	fail "dry run failed: $(<"$work/plan.err")"
[[ $(awk -v t="$T" '$2 == t && $4 == 0' "$work/plan" | wc -l) == 3 ]] || fail "dry-run plan: $(<"$work/plan")"
grep -q "dry run" "$work/plan.err" || fail "dry run not announced"
expect_sums "a dry run" "Empty 0 3 $CONSUMED $N $((N - CONSUMED))"
gg reset-offsets --group "$G" --topic "$T" --to-earliest --execute >/dev/null || fail "reset to earliest failed"
expect_sums "--to-earliest --execute" "Empty 0 3 0 $N $N"
gg describe --group "$G" --json | python3 -c '
import json, sys
ps = json.load(sys.stdin)["partitions"]
sys.exit(0 if len(ps) == 3 and all(p["current_offset"] == 0 for p in ps) else 1)
' || fail "not every partition is at offset 0"
gg reset-offsets --group "$G" --topic "$T" --to-latest --execute >/dev/null || fail "reset to latest failed"
expect_sums "--to-latest --execute" "Empty 0 3 $N $N 0"
gg reset-offsets --group "$G" --topic "$T" --to-offset 5 --execute >/dev/null || fail "reset to 5 failed"
expect_sums "--to-offset 5 --execute" "Empty 0 3 15 $N $((N - 15))"
gg reset-offsets --group "$G" --topic "$T" --to-offset 999999 --execute >/dev/null ||
	fail "reset beyond the end failed"
expect_sums "--to-offset 999999 (clamped to the log end)" "Empty 0 3 $N $N 0"
expect_fail "reset of an unknown topic" "topic 'nosuchtopic' does not exist" \
	gg reset-offsets --group "$G" --topic nosuchtopic --to-earliest
expect_fail "reset without a mode" "needs --topic T and one of" gg reset-offsets --group "$G" --topic "$T"

# as Kafka: a group that does not exist yet (Dead) may be given offsets
F=fresh
gg reset-offsets --group "$F" --topic "$T" --to-latest --execute >/dev/null ||
	fail "reset of a group that does not exist failed"
[[ $(sums "$F") == "Empty 0 3 $N $N 0" ]] || fail "new group $F after --to-latest: $(sums "$F")"

# a consumer resumes where reset-offsets put it: at the latest, nothing left
gg reset-offsets --group "$G" --topic "$T" --to-offset 0 --execute >/dev/null || fail "reset to 0 failed"
KC_TIMEOUT=90 kc -G "$G" -c "$N" -q -f '%s\n' -X auto.offset.reset=latest "$T" \
	>"$work/again.txt" 2>"$work/again.err" ||
	{ cat "$work/again.err" >&2; fail "kcat -G after the reset failed ($(wc -l <"$work/again.txt") of $N)"; }
diff <(sort "$work/in.txt") <(sort -u "$work/again.txt") >/dev/null ||
	fail "after --to-offset 0 the group did not re-read all $N messages"
note "after reset to 0 a new kcat -G member re-read all $N messages"

# ---- an active group: described with its member, never reset or deleted
B=busy
timeout 120 kcat -b "$BOOTSTRAP" -G "$B" -q -f '%s\n' -X auto.offset.reset=earliest "$T" \
	>/dev/null 2>"$work/busy.err" &
busy_pid=$!
on_exit "kill $busy_pid 2>/dev/null || true"
busy_stable() {
	gg describe --group "$B" --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = d["members"]
ok = (d["state"] == "Stable" and len(m) == 1 and m[0]["client_id"] == "rdkafka"
      and m[0]["host"] and m[0]["assignment"] == [{"topic": sys.argv[1], "partitions": [0, 1, 2]}]
      and all(p["consumer_id"] == m[0]["consumer_id"] for p in d["partitions"])
      and len(d["partitions"]) == 3)
sys.exit(0 if ok else 1)
' "$T"
}
wait_until 60 "group $B Stable with one member holding partitions 0-2" busy_stable
gg describe --group "$B" >"$work/busy.desc" || fail "describe of the active group failed"
grep -qE '^CONSUMER-ID +HOST +CLIENT-ID +#PARTITIONS$' "$work/busy.desc" ||
	fail "no member table: $(<"$work/busy.desc")"
gg list | grep -E "^$B +Stable +consumer$" >/dev/null || fail "list does not show $B Stable"
expect_fail "reset of an active group" "can only be reset if the group 'busy' is inactive, but the current state is Stable" \
	gg reset-offsets --group "$B" --topic "$T" --to-earliest --execute
expect_fail "delete of an active group" "consumer group 'busy' is not empty" gg delete --group "$B"
kill "$busy_pid"
wait "$busy_pid" 2>/dev/null || true
note "active group checks done"

# ---- delete
gg delete --group "$G" >"$work/del" || fail "delete failed"
grep -q "Deletion of requested consumer groups ('$G') was successful." "$work/del" || fail "delete said: $(<"$work/del")"
gg list >"$work/list2" || fail "groups list after delete failed"
! grep -qE "^$G " "$work/list2" || fail "$G still listed after delete: $(<"$work/list2")"
expect_fail "describe after delete" "consumer group '$G' does not exist" gg describe --group "$G"
expect_fail "second delete" "consumer group '$G' does not exist" gg delete --group "$G"
note "group $G deleted"
