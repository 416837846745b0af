#!/usr/bin/env bash
# Starts a private standalone ZooKeeper on a free 127.0.0.1 port in a temp
# dir, runs zk_coord_test against it, and stops ZooKeeper by its pid.
# Usage: zk_coord.sh <path to zk_coord_test>
set -euo pipefail
TEST_BIN=$1
ZK_CP=${ZK_CP:-/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar}
DIR=$(mktemp -d /tmp/gregor-zk.XXXXXX)
ZK_PID=
cleanup() {
	if [[ -n $ZK_PID ]]; then
		kill "$ZK_PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$ZK_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$ZK_PID" 2>/dev/null || true
	fi
	rm -rf "$DIR"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$DIR/data"
cat >"$DIR/zoo.cfg" <<CFG
tickTime=500
minSessionTimeout=1000
maxSessionTimeout=60000
dataDir=$DIR/data
clientPortAddress=127.0.0.1
clientPort=$PORT
admin.enableServer=false
4lw.commands.whitelist=ruok
CFG
java -Xmx256m -XX:+UseSerialGC -Dzookeeper.admin.enableServer=false \
	-Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
	-cp "$ZK_CP" org.apache.zookeeper.server.ZooKeeperServerMain "$DIR/zoo.cfg" \
	>"$DIR/zk.log" 2>&1 &
ZK_PID=$!

# ruok with a deadline of its own: a server that accepts the connection while
# still starting may neither answer nor close it, and a bare read would then
# wait for ever (this test once hung that way on a loaded machine).
# shellcheck disable=SC2016 # $1 is the inner shell's argument
zk_ok() {
	[[ $(timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf ruok >&3 && cat <&3' \
		_ "$PORT" 2>/dev/null) == imok ]]
}
ready=0
for _ in $(seq 300); do
	if zk_ok; then
		ready=1
		break
	fi
	kill -0 "$ZK_PID" 2>/dev/null || { cat "$DIR/zk.log"; exit 1; }
	sleep 0.2
done
if ((!ready)); then
	echo "zk_coord.sh: ZooKeeper on port $PORT not serving after 60+ s" >&2
	cat "$DIR/zk.log" >&2
	exit 1
fi
echo "zk_coord.sh: ZooKeeper serving on 127.0.0.1:$PORT" >&2
timeout 180 "$TEST_BIN" "127.0.0.1:$PORT"
