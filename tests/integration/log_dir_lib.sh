# shellcheck shell=bash
# log_dir_lib.sh: what the log-dir fault tests (log_dir_eio.sh,
# log_dir_full.sh, log_dir_offline.sh) share; sourced after lib.sh. The
# acked-writes tools, a topic led by broker 1 with brokers 2 and 3 in its ISR,
# a producer of acknowledged writes, the broker stopping on its fault with
# the cause logged once, leadership moving, and every acked write read back.

ACKED_BIN_DIR=${ACKED_BIN_DIR:-$GREGOR_SOURCE_ROOT/build/tests/lib}
for _ld_p in acked_producer acked_verify; do
	[[ -x $ACKED_BIN_DIR/$_ld_p ]] || fail "missing $ACKED_BIN_DIR/$_ld_p"
done

# isr_has TOPIC ID: broker ID is in the ISR of TOPIC-0 (state znode).
isr_has() {
	zk_get "/brokers/topics/$1/partitions/0/state" |
		python3 -c 'import json,sys; sys.exit(int(sys.argv[1]) not in json.load(sys.stdin)["isr"])' "$2"
}

# ld_topic_led_by_1 TOPIC: TOPIC with one partition on brokers 1,2,3 (1, the
# preferred replica, leads), 2 and 3 in its ISR.
ld_topic_led_by_1() {
	zk create "/brokers/topics/$1" '{"version":1,"partitions":{"0":[1,2,3]}}' >/dev/null ||
		fail "cannot create the topic znode of $1"
	wait_until 30 "broker 1 leads $1-0" leader_is "$1" 0 1
	wait_topic_ready "$1" 1 60
	wait_until 60 "$1-0 with brokers 2 and 3 in the ISR" eval "isr_has $1 2 && isr_has $1 3"
}

# ld_produce TOPIC COUNT RATE P KEY OUT-DIR: acks=all writes in the
# background (acked_producer, its -p P; acks in OUT-DIR/p.acks); sets ppid,
# stopped on exit.
ld_produce() {
	"$ACKED_BIN_DIR/acked_producer" -b "$BOOTSTRAP" -t "$1" -o "$6/p.acks" -a all \
		-p "$4" -n "$2" -r "$3" -s 60 -m 60000 -k "$5" >"$6/p.out" 2>"$6/p.err" &
	ppid=$!
	on_exit "kill -TERM $ppid 2>/dev/null || true"
}

# ld_expect_stop PID CAUSE: broker 1 (PID) stops on its fault and logs the
# failed log dir once, with CAUSE (strerror text) in that line.
ld_expect_stop() {
	wait_until 60 "broker 1 to stop on its storage fault" eval '! pid_alive '"$1"
	local log1="$CLUSTER_DIR/logs/broker-1.log" n
	n=$(grep -c 'log dir .* failed (' "$log1" || true)
	((n == 1)) || fail "the cause should be logged once, found $n lines"
	grep 'log dir .* failed (' "$log1" | sed 's/^/[broker-1] /' >&2
	grep 'log dir .* failed (' "$log1" | grep -qF "$2" || fail "the logged cause is not '$2'"
}

# ld_expect_leader_moved TOPIC: leadership of TOPIC-0 goes to broker 2 or 3.
_ld_moved() { local l; l=$(zk_leader "$1" 0) && [[ $l == 2 || $l == 3 ]]; }
ld_expect_leader_moved() {
	wait_until 30 "leadership of $1-0 to move to broker 2 or 3" _ld_moved "$1"
	note "leader now: broker $(zk_leader "$1" 0)"
}

# ld_check_acked TOPIC COUNT OUT-DIR WHAT: the producer (ppid) got all COUNT
# writes acknowledged and acked_verify reads every one back (WHAT names the
# fault in the message).
ld_check_acked() {
	local rc=0 acked out
	wait "$ppid" || rc=$?
	sed 's/^/[producer] /' "$3/p.out" >&2
	((rc == 0)) || { tail -n 20 "$3/p.err" >&2; fail "producer exited $rc"; }
	acked=$(sed -n 's/.*acknowledged=\([0-9]*\).*/\1/p' "$3/p.out")
	((acked == $2)) || fail "only $acked of $2 writes acknowledged (retriable errors must go to the new leader)"
	out=$("$ACKED_BIN_DIR/acked_verify" -b "$BOOTSTRAP" -t "$1" -T 120 "$3/p.acks") || rc=$?
	printf '%s\n' "$out" | sed 's/^/[verify] /' >&2
	((rc == 0)) || fail "acknowledged writes missing or wrong after $4 (acked_verify exit $rc)"
}
