# shellcheck shell=bash
# drill_lib.sh: shared helpers of the fault drills (source it). Builds on
# tests/integration/lib.sh (cluster in a temp dir, EXIT trap teardown) and
# adds: a 3-broker / 3-ZooKeeper cluster in network namespaces, topic
# creation, partition state (leader/ISR) from ZooKeeper, the background
# acks=all producer and the final read-back check, which prints
#   DRILL-RESULT drill=NAME acknowledged=N lost=M duplicates=D failed=F
# (loop.sh collects these lines).
#
# The failover drills themselves run through `gregorctl drill` (drill_run),
# with cluster.sh as its command templates.
#
# Env in (besides lib.sh's): GREGORCTL (default
# build-drills/coord/gregorctl/gregorctl), DRILL_BIN_DIR (drill_admin; default
# build-drills/tests/drills), ACKED_BIN_DIR (acked_producer, acked_verify
# from tests/lib; default build-drills/tests/lib), DRILL_SAVE_DIR (when set,
# a failed drill's cluster dir -- logs, data, ack files -- is copied there).
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

TEST_NAME=$(basename "$0" .sh)
DRILL_BIN_DIR=${DRILL_BIN_DIR:-$GREGOR_SOURCE_ROOT/build-drills/tests/drills}
ACKED_BIN_DIR=${ACKED_BIN_DIR:-$GREGOR_SOURCE_ROOT/build-drills/tests/lib}
GREGORCTL=${GREGORCTL:-$GREGOR_SOURCE_ROOT/build-drills/coord/gregorctl/gregorctl}
WORK=""
DRILL_FAILED_PRODUCE=0
_DRILL_PIDS=()

_drill_exit() {
	local pid
	for pid in "${_DRILL_PIDS[@]+"${_DRILL_PIDS[@]}"}"; do
		if pid_alive "$pid"; then
			kill -TERM "$pid" 2>/dev/null
			sleep 1
			kill -KILL "$pid" 2>/dev/null
		fi
	done
	# rc is _lib_cleanup's exit status (hooks run inside it).
	# shellcheck disable=SC2154
	if ((rc != 0)) && [[ -n ${DRILL_SAVE_DIR:-} && -n $CLUSTER_DIR && -d $CLUSTER_DIR ]]; then
		local dst
		dst="$DRILL_SAVE_DIR/$TEST_NAME-$(date +%H%M%S)-$$"
		mkdir -p "$dst" && cp -a "$CLUSTER_DIR/." "$dst/" && note "saved cluster dir to $dst"
	fi
}
on_exit _drill_exit

# drill_up [cluster.sh up options]: 3 brokers, each in its own network
# namespace, and a 3-server ensemble; min.insync.replicas=2, clean election
# only, a short ZooKeeper session so that faults are noticed in seconds.
# shellcheck disable=SC2120 # options are optional
drill_up() {
	local p
	for p in "$ACKED_BIN_DIR/acked_producer" "$ACKED_BIN_DIR/acked_verify" \
		"$DRILL_BIN_DIR/drill_admin"; do
		[[ -x $p ]] || fail "missing $p (ninja -C build-drills)"
	done
	((EUID == 0)) || fail "drills need root (cluster.sh up --netns creates network namespaces)"
	cluster_up 3 --zookeepers 3 --netns \
		--set zookeeper.session.timeout.ms=6000 \
		--set min.insync.replicas=2 \
		--set replica.lag.time.max.ms=10000 \
		--set unclean.leader.election.enable=false "$@"
	WORK="$CLUSTER_DIR/drill"
	mkdir -p "$WORK"
}

# ---- partition state from ZooKeeper

# pstate TOPIC PARTITION FIELD: leader | leader_epoch | isr (sorted, commas)
pstate() {
	zk_get "/brokers/topics/$1/partitions/$2/state" | python3 -c '
import json, sys
s = json.load(sys.stdin)
f = sys.argv[1]
print(",".join(str(i) for i in sorted(s["isr"])) if f == "isr" else s[f])' "$3"
}

# isr_full TOPIC NPARTS: every partition has ISR 1,2,3 and a leader.
isr_full() {
	local p
	for ((p = 0; p < $2; p++)); do
		[[ $(pstate "$1" "$p" isr 2>/dev/null) == 1,2,3 ]] || return 1
		(($(pstate "$1" "$p" leader 2>/dev/null) > 0)) || return 1
	done
}

wait_isr_full() { wait_until "${3:-90}" "full ISR (1,2,3) on every partition of $1" isr_full "$1" "$2"; }

# Prints "TOPIC-P leader=L epoch=E isr=..." for every partition.
show_states() {
	local p
	for ((p = 0; p < $2; p++)); do
		printf '%s-%d leader=%s epoch=%s isr=%s\n' "$1" "$p" "$(pstate "$1" "$p" leader 2>/dev/null)" \
			"$(pstate "$1" "$p" leader_epoch 2>/dev/null)" "$(pstate "$1" "$p" isr 2>/dev/null)"
	done
}

controller_id() { zk_get /controller | python3 -c 'import json,sys; print(json.load(sys.stdin)["brokerid"])'; }
controller_epoch() { zk_get /controller_epoch; }

# drill_topic TOPIC NPARTS: CreateTopics with RF 3, then every partition led
# and fully replicated.
drill_topic() {
	"$DRILL_BIN_DIR/drill_admin" -b "$BOOTSTRAP" -t "$1" -p "$2" -r 3 >&2 ||
		fail "CreateTopics $1 failed"
	wait_topic_ready "$1" "$2" 60
	wait_isr_full "$1" "$2" 60
}

# ---- producer and verification

# producer_start NAME ARGS...: acked_producer in the background (acks file
# WORK/NAME.acks, stdout WORK/NAME.out); sets PRODUCER_PID.
producer_start() {
	local name=$1
	shift
	"$ACKED_BIN_DIR/acked_producer" -b "$BOOTSTRAP" -o "$WORK/$name.acks" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" &
	PRODUCER_PID=$!
	_DRILL_PIDS+=("$PRODUCER_PID")
	note "producer $name started (pid $PRODUCER_PID): $*"
}

# producer_wait NAME PID: waits (bounded by the producer's own run time and
# flush timeout) and prints its summary; sets PRODUCER_ACKED/FAILED/RC.
producer_wait() {
	PRODUCER_RC=0
	wait "$2" || PRODUCER_RC=$?
	sed "s/^/[$1] /" "$WORK/$1.out" >&2
	PRODUCER_ACKED=$(sed -n 's/.*acknowledged=\([0-9]*\).*/\1/p' "$WORK/$1.out")
	PRODUCER_FAILED=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' "$WORK/$1.out")
	[[ -n $PRODUCER_ACKED && -n $PRODUCER_FAILED ]] ||
		{ tail -n 20 "$WORK/$1.err" >&2; fail "producer $1 printed no summary (exit $PRODUCER_RC)"; }
	DRILL_FAILED_PRODUCE=$((DRILL_FAILED_PRODUCE + PRODUCER_FAILED))
	((PRODUCER_RC == 0)) || fail "producer $1 exited $PRODUCER_RC"
}

# acks_between FILE T0_MS T1_MS: acknowledgements stamped in [T0, T1).
acks_between() { awk -v a="$2" -v b="$3" '$4 >= a && $4 < b' "$1" | wc -l; }

# drill_verify TOPIC ACKFILE...: the read-back; prints DRILL-RESULT and
# fails the drill on any loss (after printing the brokers' log lines about
# the partitions that lost data).
drill_verify() {
	local topic=$1 out rc=0 acked lost dups
	shift
	out=$("$ACKED_BIN_DIR/acked_verify" -b "$BOOTSTRAP" -t "$topic" -T 120 "$@") || rc=$?
	printf '%s\n' "$out" | sed "s/^/[verify $topic] /" >&2
	acked=$(sed -n 's/^acknowledged=\([0-9]*\) .*/\1/p' <<<"$out")
	lost=$(sed -n 's/.* lost=\([0-9]*\) .*/\1/p' <<<"$out")
	dups=$(sed -n 's/.* duplicates=\([0-9]*\) .*/\1/p' <<<"$out")
	printf 'DRILL-RESULT drill=%s topic=%s acknowledged=%s lost=%s duplicates=%s failed=%s\n' \
		"$TEST_NAME" "$topic" "${acked:-?}" "${lost:-?}" "${dups:-?}" "$DRILL_FAILED_PRODUCE"
	if ((rc == 1)); then
		drill_explain_loss "$topic" "$out"
		fail "acknowledged writes lost on $topic"
	fi
	((rc == 0)) || fail "acked_verify $topic exited $rc"
}

# For each partition with a LOST line: the brokers' log lines about it
# (leadership, epochs, truncation, ISR changes).
drill_explain_loss() {
	local topic=$1 out=$2 p f
	sed -n 's/^LOST partition=\([0-9]*\) .*/\1/p' <<<"$out" | sort -un | while read -r p; do
		note "---- log lines about $topic-$p ----"
		for f in "$CLUSTER_DIR"/logs/broker-*.log; do
			grep -E "$topic-$p([^0-9]|$)" "$f" |
				grep -iE 'leader|epoch|truncat|isr|follower|high watermark' |
				tail -n 40 | sed "s/^/$(basename "$f" .log): /" >&2 || true
		done
	done
}

# Seconds since the producer started, in ms (its ack stamps' clock is
# its own monotonic clock from its start; this is the wall-clock
# approximation used to bracket faults).
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
now_ns() { date +%s%N; }

# drill_require_no_failures: a drill whose fault is fully retriable.
drill_require_no_failures() {
	((DRILL_FAILED_PRODUCE == 0)) || fail "$DRILL_FAILED_PRODUCE produce requests failed (beyond retries)"
}

# ---- gregorctl drill

# drill_run NAME [gregorctl drill options...]: `gregorctl drill NAME` on this
# cluster, every fault through cluster.sh. Its narration and verdict go to
# stderr, its DRILL-RESULT line to stdout (loop.sh); DRILL_OUT holds the
# verdict text and DRILL_RECOVER_MS the time to recover. Fails the drill on
# any non-zero exit (1: acknowledged writes lost, with the brokers' log lines
# about the partitions concerned).
drill_run() {
	local name=$1 rc=0 cs dir
	shift
	[[ -x $GREGORCTL ]] || fail "missing $GREGORCTL (ninja -C <build> coord/gregorctl/gregorctl)"
	cs=$(printf '%q' "$CLUSTER_SH")
	dir=$(printf '%q' "$CLUSTER_DIR")
	note "gregorctl drill $name $*"
	"$GREGORCTL" drill "$name" --bootstrap "$BOOTSTRAP" --zookeeper "$ZOOKEEPER" \
		--kill "$cs kill {id} --dir $dir" --start "$cs start {id} --dir $dir" \
		--stop "$cs stop {id} --dir $dir" --isolate "$cs isolate {id} --dir $dir" \
		--heal "$cs heal {id} --dir $dir" --zk-kill "$cs zk-kill {id} --dir $dir" \
		--zk-start "$cs zk-start {id} --dir $dir" "$@" >"$WORK/drill-$name.out" || rc=$?
	DRILL_OUT=$(<"$WORK/drill-$name.out")
	grep -v '^DRILL-RESULT' <<<"$DRILL_OUT" >&2 || true
	grep '^DRILL-RESULT' <<<"$DRILL_OUT" || true
	# shellcheck disable=SC2034 # read by the drills
	DRILL_RECOVER_MS=$(sed -n 's/^DRILL-RESULT .* recover_ms=\(-\?[0-9]*\) .*/\1/p' <<<"$DRILL_OUT")
	if ((rc == 1)); then
		drill_explain_loss "$(sed -n 's/^DRILL-RESULT .* topic=\([^ ]*\) .*/\1/p' <<<"$DRILL_OUT")" \
			"$DRILL_OUT"
		fail "gregorctl drill $name: acknowledged writes lost"
	fi
	((rc == 0)) || fail "gregorctl drill $name exited $rc"
}
