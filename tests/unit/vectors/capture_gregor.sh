#!/usr/bin/env bash
# capture_gregor.sh: records the real clients of tests/integration/clients
# talking to a real Gregor cluster and keeps their frames as codec vectors
# (gregor_<client>.txt, read by tests/unit/test_codec_vectors.c). Where
# capture.sh records librdkafka and kafkajs against librdkafka's mock, this
# covers the versions other clients send: kafka-python 2.0.2 (auto, pinned
# 0.10 / 0.8.2), sarama 1.22 (0.8.2 default, 2.1), segmentio kafka-go,
# kafka-node, @platformatic/kafka (Metadata v12, Fetch v17, ...), kafkajs,
# and librdkafka 2.0.2 through kcat and confluent-kafka-python.
#
# A 3-broker cluster (deploy/cluster.sh) on fixed 127.0.0.1 ports in a temp
# dir, tcpdump on lo filtered to those ports, each client check run against
# it, then extract.py without Gregor's own inter-broker streams; per
# (direction, API, version) at most PER_VERSION
# frames of at most MAX_HEX hex digits are kept. Needs root (tcpdump), a
# build (GREGORD, default build/broker/gregord) and the clients the
# integration tests need. Usage: capture_gregor.sh [BASE_PORT]; ONLY="a b"
# runs only the clients named (the NAME of each run line).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
CLIENTS=$ROOT/tests/integration/clients
BASE=${1:-47311}
PER_VERSION=${PER_VERSION:-3}
MAX_HEX=${MAX_HEX:-16384}
export GREGORD=${GREGORD:-$ROOT/build/broker/gregord}
export GREGOR_SOURCE_ROOT=$ROOT
NODE_DEPS=${NODE_DEPS:-$ROOT/build/tests/integration/clients/node-deps}

tmp=$(mktemp -d)
dir=$tmp/cluster
tpid=
cleanup() {
	[[ -n $tpid ]] && kill "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
	"$ROOT/deploy/cluster.sh" down --dir "$dir" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

"$ROOT/deploy/cluster.sh" up --brokers 3 --dir "$dir" --port "$BASE" \
	--zk-port $((BASE + 300)) --set replica.lag.time.max.ms=6000 >"$tmp/up.log"
eval "$(grep -E '^(BOOTSTRAP|ZOOKEEPER)=' "$tmp/up.log" | sed 's/^/export /')"
export GREGOR_CLUSTER_DIR=$dir

# One client at a time, each in its own pcap, so that every file names one client.
run() { # NAME COMMAND...
	local name=$1
	shift
	[[ -z ${ONLY:-} || " $ONLY " == *" $name "* ]] || return 0
	tcpdump -i lo -U -s 0 -w "$tmp/$name.pcap" \
		"tcp port $BASE or tcp port $((BASE + 1)) or tcp port $((BASE + 2))" \
		>/dev/null 2>&1 &
	tpid=$!
	sleep 1
	if ! timeout 300 "$@" >"$tmp/$name.log" 2>&1; then
		echo "capture_gregor: $name failed (its vectors are kept anyway):" >&2
		tail -n 5 "$tmp/$name.log" >&2
	fi
	sleep 1
	kill "$tpid"
	wait "$tpid" 2>/dev/null || true
	tpid=
	python3 "$HERE/extract.py" "$tmp/$name.pcap" "$BASE" $((BASE + 1)) $((BASE + 2)) \
		--skip=broker- --skip=gregor-controller --skip=gregor-txn- |
		awk -v per="$PER_VERSION" -v max="$MAX_HEX" \
			'length($4) <= max && n[$1 " " $2 " " $3]++ < per' >"$HERE/gregor_$name.txt"
	echo "gregor_$name.txt: $(wc -l <"$HERE/gregor_$name.txt") frames"
}

run kafka_python /usr/bin/python3 "$CLIENTS/kafka_python.py" auto
run kafka_python_0_10 /usr/bin/python3 "$CLIENTS/kafka_python.py" v0_10
run kafka_python_0_8_2 /usr/bin/python3 "$CLIENTS/kafka_python.py" v0_8_2
run kafka_python_0_8_1 /usr/bin/python3 "$CLIENTS/kafka_python.py" v0_8_1
run sarama_default "$CLIENTS/go_check.sh" sarama default
run sarama_2_1 "$CLIENTS/go_check.sh" sarama v2_1
run kafka_go "$CLIENTS/go_check.sh" kafkago
run confluent_kafka /usr/bin/python3 "$CLIENTS/confluent_kafka_python.py"
export NODE_DEPS_DIR=$NODE_DEPS
run kafkajs node "$CLIENTS/kafkajs_e2e.mjs"
run platformatic node "$CLIENTS/platformatic_e2e.mjs"
run kafka_node node "$CLIENTS/kafka_node.mjs"
