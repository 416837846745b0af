#!/bin/sh
# The stand-in zookeeper image's entrypoint (see Containerfile): like the
# official image, writes zoo.cfg from ZOO_SERVERS ("server.1=host:2888:3888;2181
# server.2=...") and ZOO_* settings, and myid from ZOO_MY_ID into the data
# directory (/data, its transaction log in /datalog), then runs the command.
set -eu
conf=/etc/zookeeper/conf
data=${ZOO_DATA_DIR:-/data} datalog=${ZOO_DATA_LOG_DIR:-/datalog}
mkdir -p "$data" "$datalog"
{
	echo "dataDir=$data"
	echo "dataLogDir=$datalog"
	echo "clientPort=2181"
	echo "tickTime=${ZOO_TICK_TIME:-2000}"
	echo "initLimit=${ZOO_INIT_LIMIT:-5}"
	echo "syncLimit=${ZOO_SYNC_LIMIT:-2}"
	echo "maxClientCnxns=${ZOO_MAX_CLIENT_CNXNS:-60}"
	echo "4lw.commands.whitelist=${ZOO_4LW_COMMANDS_WHITELIST:-srvr,ruok,mntr,stat}"
	echo "admin.enableServer=false"
	echo "quorumListenOnAllIPs=true"
	for s in ${ZOO_SERVERS:-}; do
		echo "$s"
	done
} >"$conf/zoo.cfg"
[ -f "$data/myid" ] || echo "${ZOO_MY_ID:-1}" >"$data/myid"
export JVMFLAGS="${JVMFLAGS:--Xmx128m}"
export ZOO_LOG4J_PROP="${ZOO_LOG4J_PROP:-INFO,CONSOLE}"
exec "$@"
