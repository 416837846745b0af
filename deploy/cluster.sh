#!/usr/bin/env bash
# cluster.sh: a local Gregor cluster on 127.0.0.1 -- a ZooKeeper ensemble
# (Debian's zookeeper package) plus N gregord brokers. All state of one
# cluster (configs, data, pids, logs) lives under its --dir, so several
# clusters can coexist (tests use a temp dir and free ports each).
#
#   cluster.sh up [--brokers N] [--zookeepers N] [--dir DIR] [--port BASE]
#                 [--zk-port ZBASE] [--set key=value ...] [--timeout S]
#                 [--netns] [--secure | --tls] [--sasl MECHANISM]
#   cluster.sh down|status [--dir DIR]
#   cluster.sh isolate ID [--keep-clients] [--dir DIR]  (needs up --netns)
#   cluster.sh heal ID [--dir DIR]
#   cluster.sh kill|stop|start ID [--dir DIR]      (broker ID)
#   cluster.sh zk-kill|zk-stop|zk-start N [--dir DIR]  (ZooKeeper server N)
#   cluster.sh zk ARGS... [--dir DIR]               (run deploy/zkq.py)
#
# Ports: broker i listens on BASE+i-1 and serves Prometheus metrics on
# BASE+100+i-1; ZooKeeper server i serves clients on ZBASE+i-1, peers on
# ZBASE+100+i, elections on ZBASE+200+i.
# Env: GREGORD (broker binary; default build/broker/gregord in the repo),
# GREGOR_CLUSTER_DIR (default --dir, else ./cluster).
#
# --netns (root only; needs CAP_SYS_ADMIN/NET_ADMIN): each broker runs in
# its own network namespace "gregor<K>-b<ID>" with address 10.213.K.(10+ID),
# joined by a veth pair to a bridge "gregorbr<K>" (10.213.K.1/24) that the
# script creates; K is the first free index 1..200. ZooKeeper serves clients
# on 10.213.K.1 (its quorum ports stay on 127.0.0.1), so clients in the root
# namespace reach everything through the bridge. Nothing is routed: the
# block 10.213.0.0/16 exists only on these bridges and namespaces. 'isolate'
# takes the broker's veth down -- every packet to and from it (other
# brokers, ZooKeeper, clients) is dropped; 'heal' brings it up again.
# 'isolate --keep-clients' (needs nft) instead drops, inside the broker's
# namespace, its packets to and from the other brokers and ZooKeeper's
# client ports, so clients in the root namespace still reach it: the
# partitioned leader that clients keep talking to.
# 'down' deletes the namespaces, veths and bridge.
#
# --secure: a CA and certificates made with the openssl CLI in DIR/tls
# (ca.pem; broker-ID.pem key+certificate; client.crt/client.key), SASL_SSL
# listeners for clients and between brokers (brokers authenticate to each
# other with SCRAM-SHA-512 as user "admin", see --sasl); besides BOOTSTRAP=
# it prints CLIENT_CONFIG=DIR/client.properties, librdkafka properties for
# 'kcat -F FILE' (admin over SASL_SSL). ACLs are enforced (Kafka's
# AclAuthorizer; super users: User:admin, the brokers' and the client's
# certificate principals, User:CN=broker-ID,O=Gregor and
# User:CN=client,O=Gregor) and ZooKeeper is locked (zookeeper.set.acl with
# digest credentials in DIR/zk-digest, printed as ZK_DIGEST_FILE= for
# 'gregorctl --zk-digest-file' and zkCli's 'addauth digest').
# --tls: the same with SSL listeners and client certificates required
# instead of SASL (the client certificate is the admin).
# --sasl PLAIN|SCRAM-SHA-256|SCRAM-SHA-512: SASL listeners for clients and
# between brokers (SASL_PLAINTEXT; with --tls SASL_SSL), PLAIN,
# SCRAM-SHA-256 and SCRAM-SHA-512 enabled; brokers authenticate to each
# other with MECHANISM as user "admin" (random password in
# DIR/admin.password; its SCRAM credentials are written to ZooKeeper with
# gregorctl before the brokers start); CLIENT_CONFIG holds admin's settings.
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SELF_DIR/.." && pwd)
# run as a program: its #! is Debian's python3, the one with python3-kazoo
ZKQ="$SELF_DIR/zkq.py"
ZK_CP="/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar"
STOP_WAIT=${GREGOR_STOP_WAIT:-15}

DIR=${GREGOR_CLUSTER_DIR:-./cluster}
N_BROKERS=3
N_ZK=1
PORT=9092
ZK_PORT=2181
NETNS=0
SECURE=0
SASL_MECH=""
NET_K=0
KEEP_CLIENTS=0
TIMEOUT=${GREGOR_UP_TIMEOUT:-60}
SETS=()

# Name the command if set -e ends the script where no die() explains it.
set -E
trap 'say "internal error (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

say() { printf 'cluster.sh: %s\n' "$*" >&2; }
UP_STARTED=0
die() {
	say "error: $*"
	# A failed 'up' leaves no half-started cluster behind (logs stay).
	if ((UP_STARTED)); then
		UP_STARTED=0
		teardown_all || true
		say "stopped what 'up' had started; logs are in $DIR/logs"
	fi
	exit 1
}

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
	exit 64
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

# ---- saved cluster description (written by up, read by everything else)

env_file() { printf '%s/cluster.env' "$DIR"; }

save_env() {
	{
		printf 'N_BROKERS=%q\n' "$N_BROKERS"
		printf 'N_ZK=%q\n' "$N_ZK"
		printf 'PORT=%q\n' "$PORT"
		printf 'ZK_PORT=%q\n' "$ZK_PORT"
		printf 'GREGORD_BIN=%q\n' "$GREGORD_BIN"
		printf 'NETNS=%q\n' "$NETNS"
		printf 'SECURE=%q\n' "$SECURE"
		printf 'SASL_MECH=%q\n' "$SASL_MECH"
		printf 'NET_K=%q\n' "$NET_K"
	} >"$(env_file)"
}

load_env() {
	[[ -f $(env_file) ]] || die "no cluster in $DIR (missing cluster.env; run 'up' first)"
	# shellcheck source=/dev/null
	source "$(env_file)"
}

# Where ZooKeeper serves clients, and broker ID's address.
zk_host() { if ((NETNS)); then printf '10.213.%d.1' "$NET_K"; else printf '127.0.0.1'; fi; }
broker_host() { if ((NETNS)); then printf '10.213.%d.%d' "$NET_K" "$((10 + $1))"; else printf '127.0.0.1'; fi; }

zk_connect() {
	local i out="" h
	h=$(zk_host)
	for ((i = 1; i <= N_ZK; i++)); do
		out+="${out:+,}$h:$((ZK_PORT + i - 1))"
	done
	printf '%s' "$out"
}

metrics_urls() {
	local i out=""
	for ((i = 1; i <= N_BROKERS; i++)); do
		out+="${out:+,}http://$(broker_host "$i"):$((PORT + 100 + i - 1))/metrics"
	done
	printf '%s' "$out"
}

bootstrap() {
	local i out=""
	for ((i = 1; i <= N_BROKERS; i++)); do
		out+="${out:+,}$(broker_host "$i"):$((PORT + i - 1))"
	done
	printf '%s' "$out"
}

# ---- network namespaces (--netns). Names carry K so that several
# clusters can coexist; 'down' removes exactly what 'up' recorded.

net_bridge() { printf 'gregorbr%d' "$NET_K"; }
net_ns() { printf 'gregor%d-b%d' "$NET_K" "$1"; }
net_veth() { printf 'gregor%db%d' "$NET_K" "$1"; }

# Picks the first K whose bridge does not exist and whose /24 no route of
# this host covers (other than the default route).
net_pick() {
	local k
	for ((k = 1; k <= 200; k++)); do
		ip link show "gregorbr$k" >/dev/null 2>&1 && continue
		ip -4 route show match "10.213.$k.0/24" | grep -v '^default' >/dev/null && continue
		NET_K=$k
		return 0
	done
	die "no free bridge index for --netns (gregorbr1..200 all exist)"
}

net_up() {
	local id br ns veth
	command -v ip >/dev/null || die "--netns needs iproute2 (ip)"
	br=$(net_bridge)
	ip link add "$br" type bridge || die "cannot create bridge $br (--netns needs root)"
	ip addr add "10.213.$NET_K.1/24" dev "$br"
	ip link set "$br" up
	for ((id = 1; id <= N_BROKERS; id++)); do
		ns=$(net_ns "$id") veth=$(net_veth "$id")
		ip netns add "$ns" || die "cannot create network namespace $ns"
		ip link add "$veth" type veth peer name "${veth}n"
		ip link set "${veth}n" netns "$ns"
		ip -n "$ns" link set "${veth}n" name eth0
		ip -n "$ns" addr add "$(broker_host "$id")/24" dev eth0
		ip -n "$ns" link set lo up
		ip -n "$ns" link set eth0 up
		ip link set "$veth" master "$br"
		ip link set "$veth" up
	done
}

# Deleting a namespace deletes its end of the veth and thereby the pair.
net_down() {
	local id ns
	((NETNS && NET_K > 0)) || return 0
	for ((id = 1; id <= N_BROKERS; id++)); do
		ns=$(net_ns "$id")
		if ip netns list | awk '{print $1}' | grep -xF "$ns" >/dev/null; then
			ip netns del "$ns" || say "could not delete namespace $ns"
		fi
		ip link del "$(net_veth "$id")" >/dev/null 2>&1 || true
	done
	if ip link show "$(net_bridge)" >/dev/null 2>&1; then
		ip link del "$(net_bridge)" || say "could not delete bridge $(net_bridge)"
	fi
	rm -f "$DIR"/isolated-*
}

zkq() { "$ZKQ" -s "$(zk_connect)" -t 2 "$@"; }

# ---- process bookkeeping. A pid file is trusted only while /proc/PID's
# command line still names this cluster's file, so a recycled pid is never
# signalled.

pid_file() { printf '%s/pids/%s.pid' "$DIR" "$1"; }

# The argument every process of NAME carries on its command line.
proc_marker() {
	case $1 in
	zk-*) printf '%s/zk/%s/zoo.cfg' "$DIR" "${1#zk-}" ;;
	broker-*) printf '%s/broker/%s/server.properties' "$DIR" "${1#broker-}" ;;
	esac
}

proc_pid() {
	local f pid
	f=$(pid_file "$1")
	[[ -f $f ]] || return 1
	pid=$(<"$f")
	is_uint "$pid" || return 1
	[[ -r /proc/$pid/cmdline ]] || return 1
	tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -xF "$(proc_marker "$1")" >/dev/null || return 1
	# A zombie is not running.
	[[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
	printf '%s' "$pid"
}

proc_running() { proc_pid "$1" >/dev/null; }

log_tail() {
	local f="$DIR/logs/$1.log"
	if [[ -f $f ]]; then
		say "last lines of $f:"
		tail -n 30 "$f" >&2
	else
		say "(no log file $f)"
	fi
}

# Sends SIG, waits up to WAIT seconds, then SIGKILLs. Returns when gone.
proc_signal_wait() {
	local name=$1 sig=$2 wait=$3 pid i
	pid=$(proc_pid "$name") || { rm -f "$(pid_file "$name")"; return 0; }
	kill "-$sig" "$pid" 2>/dev/null || true
	for ((i = 0; i < wait * 10; i++)); do
		proc_running "$name" || break
		sleep 0.1
	done
	if proc_running "$name"; then
		say "$name (pid $pid) still running after ${wait}s; sending SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			proc_running "$name" || break
			sleep 0.1
		done
	fi
	proc_running "$name" && die "$name (pid $pid) does not die"
	threads_gone "$pid" || say "$name (pid $pid): threads still exiting after 10s"
	rm -f "$(pid_file "$name")"
}

# A multi-threaded process's leader turns zombie (not running, above) as it
# exits, while its other threads may still be tearing down and holding the
# process's sockets: a JVM under load kept ZooKeeper's election port bound
# past the restart that needed it. Waits (10 s at most) until /proc lists
# no thread but the leader, or the process is gone.
threads_gone() {
	local pid=$1 i n
	for ((i = 0; i < 100; i++)); do
		n=$(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
		((n <= 1)) && return 0
		sleep 0.1
	done
	return 1
}

# Right after a fork, /proc/PID/cmdline is still the forking shell's; wait
# (bounded) until the exec happened so that proc_running can judge PID.
await_exec() {
	local name=$1 pid=$2 i
	for ((i = 0; i < 100; i++)); do
		proc_running "$name" && return 0
		[[ -e /proc/$pid ]] || break
		sleep 0.05
	done
	proc_running "$name" && return 0
	log_tail "$name"
	die "$name (pid $pid) did not start"
}

# ---- ZooKeeper

zk_write_config() {
	local n=$1 i d="$DIR/zk/$1"
	mkdir -p "$d/data"
	printf '%s\n' "$n" >"$d/data/myid"
	{
		printf 'tickTime=500\ninitLimit=20\nsyncLimit=10\n'
		printf 'minSessionTimeout=1000\nmaxSessionTimeout=60000\n'
		printf 'dataDir=%s/data\n' "$d"
		printf 'clientPortAddress=%s\nclientPort=%s\n' "$(zk_host)" "$((ZK_PORT + n - 1))"
		printf 'admin.enableServer=false\n4lw.commands.whitelist=ruok,srvr,stat,mntr\n'
		printf 'maxClientCnxns=0\nautopurge.purgeInterval=0\n'
		if ((N_ZK > 1)); then
			for ((i = 1; i <= N_ZK; i++)); do
				printf 'server.%d=127.0.0.1:%d:%d\n' "$i" "$((ZK_PORT + 100 + i))" "$((ZK_PORT + 200 + i))"
			done
		fi
	} >"$d/zoo.cfg"
}

zk_launch() {
	local n=$1 name="zk-$1"
	proc_running "$name" && { say "$name already running"; return 0; }
	[[ -f $DIR/zk/$n/zoo.cfg ]] || die "no config for ZooKeeper server $n in $DIR"
	# What zkServer.sh does, minus its global config/log dirs: slf4j-simple
	# sends the server log to stderr, captured in DIR/logs. A server
	# restarted after a kill retries its election port's bind 10 times, not
	# ZooKeeper's 3, before it exits (code 14): once, under load, the port
	# was still taken through all three.
	nohup java -Xms32m -Xmx256m -XX:+UseSerialGC -Djava.awt.headless=true \
		-Dzookeeper.admin.enableServer=false \
		-Dzookeeper.electionPortBindRetry=10 \
		-Dorg.slf4j.simpleLogger.defaultLogLevel=info \
		-Dorg.slf4j.simpleLogger.showDateTime=true \
		-cp "$ZK_CP" org.apache.zookeeper.server.quorum.QuorumPeerMain \
		"$DIR/zk/$n/zoo.cfg" </dev/null >>"$DIR/logs/$name.log" 2>&1 &
	printf '%s\n' "$!" >"$(pid_file "$name")"
	await_exec "$name" "$!"
}

# True once server N accepts a session (standalone up, or in a quorum).
zk_serving() {
	"$ZKQ" -s "$(zk_host):$((ZK_PORT + $1 - 1))" -t 1 ping 2>/dev/null
}

# Waits until every running server serves; a dead server fails the wait.
zk_wait_all() {
	local deadline=$((SECONDS + TIMEOUT)) n pending
	while :; do
		pending=""
		for ((n = 1; n <= N_ZK; n++)); do
			if ! proc_running "zk-$n"; then
				log_tail "zk-$n"
				die "ZooKeeper server $n exited during start-up"
			fi
			zk_serving "$n" || pending+=" $n"
		done
		[[ -z $pending ]] && return 0
		if ((SECONDS >= deadline)); then
			for n in $pending; do log_tail "zk-$n"; done
			die "ZooKeeper server(s)$pending not serving after ${TIMEOUT}s"
		fi
		sleep 0.3
	done
}

# ---- security (--secure). secure_setup makes what every broker and
# client shares (certificates); secure_broker_props prints the lines a
# broker's properties get; secure_client_props the client's. SASL users and
# ACLs extend these three functions.

tls_dir() { printf '%s/tls' "$DIR"; }

# A key and a certificate signed by the cluster CA: NAME SUBJECT [SAN].
tls_issue() {
	local d name=$1 subj=$2 san=${3:-}
	d=$(tls_dir)
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/$name.key" -out "$d/$name.csr" -subj "$subj" 2>/dev/null ||
		die "openssl: cannot make a key for $name"
	{
		printf 'extendedKeyUsage=serverAuth,clientAuth\n'
		printf 'basicConstraints=CA:FALSE\n'
		[[ -z $san ]] || printf 'subjectAltName=%s\n' "$san"
	} >"$d/$name.ext"
	openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-set_serial "0x$(openssl rand -hex 8)" -days 30 -extfile "$d/$name.ext" \
		-out "$d/$name.crt" 2>/dev/null || die "openssl: cannot sign the certificate of $name"
	rm -f "$d/$name.csr" "$d/$name.ext"
	chmod 600 "$d/$name.key"
}

secure_setup() {
	local d id
	d=$(tls_dir)
	command -v openssl >/dev/null || die "--secure needs the openssl command"
	mkdir -p "$d"
	chmod 700 "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.pem" -days 30 -subj "/O=Gregor/CN=Gregor cluster CA" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		2>/dev/null || die "openssl: cannot make the cluster CA"
	chmod 600 "$d/ca.key"
	for ((id = 1; id <= N_BROKERS; id++)); do
		tls_issue "broker-$id" "/O=Gregor/CN=broker-$id" \
			"IP:$(broker_host "$id"),IP:127.0.0.1,DNS:localhost"
		# the PEM keystore: private key, then the certificate
		cat "$d/broker-$id.key" "$d/broker-$id.crt" >"$d/broker-$id.pem"
		chmod 600 "$d/broker-$id.pem"
	done
	tls_issue client "/O=Gregor/CN=client"
	# the brokers' ZooKeeper credentials (one line user:password)
	(umask 077 && printf 'gregor:%s\n' "$(openssl rand -hex 16)" >"$DIR/zk-digest")
}

# super.users: every broker's certificate principal, the admin client's,
# and User:admin (the brokers' and admin's SASL identity where SASL is on).
secure_super_users() {
	local id out=""
	for ((id = 1; id <= N_BROKERS; id++)); do
		out+="User:CN=broker-$id,O=Gregor;"
	done
	printf '%sUser:CN=client,O=Gregor;User:admin' "$out"
}

# The one listener's security protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or
# SASL_SSL (--tls, --sasl, --secure).
listener_protocol() {
	local p=PLAINTEXT
	[[ -z $SASL_MECH ]] || p=SASL_PLAINTEXT
	((SECURE == 0)) || p=${p/PLAINTEXT/SSL}
	printf '%s' "$p"
}

# Listeners with the cluster's protocol (also between brokers).
secure_listener_props() {
	local id=$1 addr p
	addr="$(broker_host "$id"):$((PORT + id - 1))"
	p=$(listener_protocol)
	cat <<PROPS
listeners=$p://$addr
advertised.listeners=$p://$addr
security.inter.broker.protocol=$p
PROPS
}

secure_broker_props() {
	local id=$1 d
	d=$(tls_dir)
	cat <<PROPS
ssl.keystore.type=PEM
ssl.keystore.location=$d/broker-$id.pem
ssl.truststore.type=PEM
ssl.truststore.location=$d/ca.pem
authorizer.class.name=kafka.security.authorizer.AclAuthorizer
super.users=$(secure_super_users)
zookeeper.set.acl=true
zookeeper.digest.file=$DIR/zk-digest
PROPS
	# SASL_SSL clients prove who they are with SASL, SSL ones with a certificate
	if [[ -z $SASL_MECH ]]; then echo "ssl.client.auth=required"; else echo "ssl.client.auth=none"; fi
}

# SASL: the mechanisms, the brokers' identity (admin) and PLAIN's users.
broker_sasl_props() {
	local pw l
	pw=$(<"$DIR/admin.password")
	l=$(listener_protocol | tr '[:upper:]' '[:lower:]')
	cat <<PROPS
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=$SASL_MECH
listener.name.$l.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$pw" user_admin="$pw";
listener.name.$l.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$pw";
listener.name.$l.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$pw";
PROPS
}

# librdkafka properties for the cluster's listeners (kcat -F FILE).
secure_client_props() {
	local d
	d=$(tls_dir)
	printf 'bootstrap.servers=%s\n' "$(bootstrap)"
	printf 'security.protocol=%s\n' "$(listener_protocol | tr '[:upper:]' '[:lower:]')"
	if ((SECURE)); then
		printf 'ssl.ca.location=%s\n' "$d/ca.pem"
		[[ -n $SASL_MECH ]] || printf 'ssl.certificate.location=%s\nssl.key.location=%s\n' \
			"$d/client.crt" "$d/client.key"
		printf 'ssl.endpoint.identification.algorithm=https\n'
	fi
	if [[ -n $SASL_MECH ]]; then
		printf 'sasl.mechanisms=%s\nsasl.username=admin\nsasl.password=%s\n' "$SASL_MECH" \
			"$(<"$DIR/admin.password")"
	fi
}

gregorctl_bin() { printf '%s' "${GREGORCTL:-$(dirname "$GREGORD_BIN")/../coord/gregorctl/gregorctl}"; }

# Before the brokers start (as Kafka's documentation does it): admin's SCRAM
# credentials in ZooKeeper, so that SCRAM inter-broker connections can
# authenticate from the first one.
sasl_prepare() {
	local pw m ctl auth=()
	pw=$(<"$DIR/admin.password")
	ctl=$(gregorctl_bin)
	[[ -x $ctl ]] || die "gregorctl not found: $ctl (set GREGORCTL)"
	((SECURE == 0)) || auth=(--zk-digest-file "$DIR/zk-digest")
	for m in SCRAM-SHA-256 SCRAM-SHA-512; do
		"$ctl" --zookeeper "$(zk_connect)" "${auth[@]}" users add --user admin \
			--mechanism "$m" --password "$pw" >/dev/null ||
			die "cannot write admin's $m credentials"
	done
}

# ---- brokers

broker_prop_defaults() {
	local id=$1 rf=$((N_BROKERS < 3 ? N_BROKERS : 3))
	local isr=$((N_BROKERS < 2 ? 1 : 2))
	((rf >= 1)) || rf=1
	cat <<EOF
broker.id=$id
listeners=PLAINTEXT://$(broker_host "$id"):$((PORT + id - 1))
advertised.listeners=PLAINTEXT://$(broker_host "$id"):$((PORT + id - 1))
metrics.listen=$(broker_host "$id"):$((PORT + 100 + id - 1))
log.dirs=$DIR/broker/$id/data
zookeeper.connect=$(zk_connect)
zookeeper.session.timeout.ms=6000
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=1
auto.create.topics.enable=true
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
group.initial.rebalance.delay.ms=0
EOF
	if ((SECURE)) || [[ -n $SASL_MECH ]]; then secure_listener_props "$id"; fi
	((SECURE == 0)) || secure_broker_props "$id"
	[[ -z $SASL_MECH ]] || broker_sasl_props
}

# Default properties with every --set applied: a set key's earlier line is
# dropped and the new one appended, so each key appears once.
broker_write_config() {
	local id=$1 d="$DIR/broker/$1" kv key out
	mkdir -p "$d/data"
	# a key given twice (secure lines over defaults): the last one stays
	out=$(broker_prop_defaults "$id" | awk -F= '{ last[$1] = NR; line[NR] = $0; key[NR] = $1 }
		END { for (i = 1; i <= NR; i++) if (last[key[i]] == i) print line[i] }')
	for kv in "${SETS[@]+"${SETS[@]}"}"; do
		kv=${kv//\{id\}/$id} # per-broker values, e.g. broker.rack=rack-{id}
		key=${kv%%=*}
		out=$(printf '%s\n' "$out" | awk -v k="$key" -F= '$1 != k')
		out+=$'\n'"$kv"
	done
	{
		printf '# Written by deploy/cluster.sh up; edit and use "start %s" to apply.\n' "$id"
		printf '%s\n' "$out"
	} >"$d/server.properties"
}

broker_launch() {
	local id=$1 name="broker-$1"
	proc_running "$name" && { say "$name already running"; return 0; }
	[[ -f $DIR/broker/$id/server.properties ]] || die "no config for broker $id in $DIR"
	[[ -x $GREGORD_BIN ]] || die "gregord not found or not executable: $GREGORD_BIN (build with: meson setup build && ninja -C build, or set GREGORD)"
	local pidf i
	pidf=$(pid_file "$name")
	rm -f "$pidf"
	printf '=== %s starting %s\n' "$(date '+%F %T')" "$name" >>"$DIR/logs/$name.log"
	# A small parent shell waits for gregord so that its exit status (or
	# killing signal, as 128+n) lands in the log; the pid file holds
	# gregord's own pid, which is what every command signals. In --netns
	# mode 'ip netns exec' execs gregord, so the pid stays the same.
	local ns=""
	((NETNS)) && ns=$(net_ns "$id")
	# shellcheck disable=SC2016 # expanded by the inner shell
	nohup bash -c 'if [ -n "$4" ]; then ip netns exec "$4" "$1" "$2" </dev/null &
		else "$1" "$2" </dev/null & fi
		echo "$!" >"$3"; wait "$!"; rc=$?
		printf "=== %s gregord exited with status %s%s\n" "$(date "+%F %T")" "$rc" \
			"$( ((rc > 128)) && printf " (signal %s)" "$(kill -l "$rc")")"' \
		_ "$GREGORD_BIN" "$DIR/broker/$id/server.properties" "$pidf" "$ns" \
		</dev/null >>"$DIR/logs/$name.log" 2>&1 &
	for ((i = 0; i < 50; i++)); do
		[[ -s $pidf ]] && break
		sleep 0.1
	done
	[[ -s $pidf ]] || die "broker $id: no pid file after start"
	await_exec "$name" "$(<"$pidf")"
}

# Empty when the broker is not registered.
broker_czxid() {
	{ zkq stat "/brokers/ids/$1" 2>/dev/null || true; } | sed -n 's/^czxid=//p'
}

# Waits until broker IDS are registered (with a czxid other than the one
# recorded before their start, so a dead session's leftover znode does not
# count) and, if WANT_CONTROLLER, /controller exists.
brokers_wait() {
	local want_controller=$1
	shift
	local -A before=()
	local id kv deadline=$((SECONDS + TIMEOUT)) pending cz
	for kv in "$@"; do before[${kv%%:*}]=${kv#*:}; done
	while :; do
		pending=""
		for id in "${!before[@]}"; do
			if ! proc_running "broker-$id"; then
				log_tail "broker-$id"
				die "broker $id exited during start-up"
			fi
			cz=$(broker_czxid "$id")
			if [[ -z $cz || $cz == "${before[$id]}" ]]; then
				pending+=" $id"
			fi
		done
		if [[ -z $pending ]]; then
			[[ $want_controller == 1 ]] || return 0
			zkq exists /controller 2>/dev/null && return 0
		fi
		if ((SECONDS >= deadline)); then
			for id in $pending; do log_tail "broker-$id"; done
			[[ -n $pending ]] && die "broker(s)$pending not registered in ZooKeeper after ${TIMEOUT}s"
			die "no /controller elected after ${TIMEOUT}s"
		fi
		sleep 0.3
	done
}

# ---- commands

cmd_up() {
	local n id running=() args=()
	mkdir -p "$DIR"/{pids,logs,zk,broker}
	DIR=$(cd "$DIR" && pwd)
	for n in "$DIR"/pids/*.pid; do
		[[ -e $n ]] || continue
		n=$(basename "$n" .pid)
		proc_running "$n" && running+=("$n")
	done
	((${#running[@]} == 0)) || die "cluster in $DIR is already running (${running[*]}); run 'down' first"
	if ((N_BROKERS > 0)); then
		[[ -x $GREGORD_BIN ]] || die "gregord not found or not executable: $GREGORD_BIN (build with: meson setup build && ninja -C build, or set GREGORD)"
	fi
	((NETNS)) && net_pick
	save_env
	UP_STARTED=1
	((NETNS)) && net_up
	((SECURE == 0)) || secure_setup
	if [[ -n $SASL_MECH && ! -s $DIR/admin.password ]]; then
		(umask 077 && openssl rand -hex 16 >"$DIR/admin.password") ||
			die "cannot generate the admin password"
	fi
	if ((SECURE)) || [[ -n $SASL_MECH ]]; then
		(umask 077 && secure_client_props >"$DIR/client.properties")
	fi
	for ((n = 1; n <= N_ZK; n++)); do zk_write_config "$n"; done
	for ((id = 1; id <= N_BROKERS; id++)); do broker_write_config "$id"; done
	say "starting $N_ZK ZooKeeper server(s) in $DIR"
	for ((n = 1; n <= N_ZK; n++)); do zk_launch "$n"; done
	zk_wait_all
	[[ -z $SASL_MECH ]] || sasl_prepare
	if ((N_BROKERS > 0)); then
		say "starting $N_BROKERS broker(s)"
		for ((id = 1; id <= N_BROKERS; id++)); do
			args+=("$id:$(broker_czxid "$id")")
			broker_launch "$id"
		done
		brokers_wait 1 "${args[@]}"
	fi
	UP_STARTED=0
	say "cluster up"
	printf 'BOOTSTRAP=%s\n' "$(bootstrap)"
	printf 'ZOOKEEPER=%s\n' "$(zk_connect)"
	printf 'METRICS=%s\n' "$(metrics_urls)"
	if ((SECURE)) || [[ -n $SASL_MECH ]]; then
		printf 'CLIENT_CONFIG=%s\n' "$DIR/client.properties"
	fi
	((SECURE == 0)) || printf 'ZK_DIGEST_FILE=%s\n' "$DIR/zk-digest"
}

# SIGTERM to all brokers at once (then wait for each), then ZooKeeper.
teardown_all() {
	local id n pid
	# An isolated broker's controlled shutdown could only time out.
	if ((NETNS && NET_K > 0)); then
		for ((id = 1; id <= N_BROKERS; id++)); do
			ip link set "$(net_veth "$id")" up >/dev/null 2>&1 || true
		done
	fi
	for ((id = 1; id <= N_BROKERS; id++)); do
		if pid=$(proc_pid "broker-$id"); then kill -TERM "$pid" 2>/dev/null || true; fi
	done
	for ((id = 1; id <= N_BROKERS; id++)); do proc_signal_wait "broker-$id" TERM "$STOP_WAIT"; done
	for ((n = 1; n <= N_ZK; n++)); do proc_signal_wait "zk-$n" TERM "$STOP_WAIT"; done
	net_down
}

cmd_down() {
	load_env
	teardown_all
	say "cluster in $DIR stopped"
}

cmd_status() {
	local id n pid ids ctl rc=0
	load_env
	for ((n = 1; n <= N_ZK; n++)); do
		if pid=$(proc_pid "zk-$n"); then
			if zk_serving "$n"; then
				printf 'zookeeper %d: running pid %s port %d serving\n' "$n" "$pid" "$((ZK_PORT + n - 1))"
			else
				printf 'zookeeper %d: running pid %s port %d not serving\n' "$n" "$pid" "$((ZK_PORT + n - 1))"
			fi
		else
			printf 'zookeeper %d: stopped\n' "$n"
			rc=1
		fi
	done
	for ((id = 1; id <= N_BROKERS; id++)); do
		if pid=$(proc_pid "broker-$id"); then
			printf 'broker %d: running pid %s port %d%s\n' "$id" "$pid" "$((PORT + id - 1))" \
				"$([[ -e $DIR/isolated-$id ]] && printf ' isolated')"
		else
			printf 'broker %d: stopped\n' "$id"
			rc=1
		fi
	done
	if ids=$(zkq ls /brokers/ids 2>/dev/null); then
		printf 'registered: %s\n' "$(printf '%s\n' "$ids" | sort -n | tr '\n' ' ' | sed 's/ $//')"
	else
		printf 'registered: (unknown: ZooKeeper unreachable or no /brokers/ids)\n'
	fi
	if ctl=$(zkq get /controller 2>/dev/null); then
		printf 'controller: %s\n' "$(printf '%s' "$ctl" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("brokerid"))' 2>/dev/null || printf '%s' "$ctl")"
	else
		printf 'controller: none\n'
	fi
	exit "$rc"
}

need_broker_id() {
	if ! is_uint "${1:-}" || (($1 < 1 || $1 > N_BROKERS)); then
		die "broker id must be 1..$N_BROKERS, got '${1:-}'"
	fi
}

need_zk_id() {
	if ! is_uint "${1:-}" || (($1 < 1 || $1 > N_ZK)); then
		die "ZooKeeper server must be 1..$N_ZK, got '${1:-}'"
	fi
}

cmd_kill() {
	load_env
	need_broker_id "$1"
	proc_running "broker-$1" || die "broker $1 is not running"
	proc_signal_wait "broker-$1" KILL 5
	say "broker $1 killed"
}

cmd_stop() {
	load_env
	need_broker_id "$1"
	proc_running "broker-$1" || { say "broker $1 is not running"; return 0; }
	proc_signal_wait "broker-$1" TERM "$STOP_WAIT"
	say "broker $1 stopped"
}

cmd_start() {
	load_env
	need_broker_id "$1"
	[[ -n ${GREGORD:-} ]] && GREGORD_BIN=$GREGORD
	proc_running "broker-$1" && { say "broker $1 already running"; return 0; }
	local before
	before=$(broker_czxid "$1")
	broker_launch "$1"
	brokers_wait 0 "$1:$before"
	say "broker $1 started and registered"
}

need_netns() {
	((NETNS)) || die "isolate/heal need a cluster started with 'up --netns'"
	ip link show "$(net_veth "$1")" >/dev/null 2>&1 || die "no veth $(net_veth "$1") for broker $1"
}

# The host end of the veth going down takes the carrier of both ends away:
# the kernel drops every frame in either direction. TCP connections are
# not reset, so they may resume after 'heal' (as after a real partition).
cmd_isolate() {
	load_env
	need_broker_id "$1"
	need_netns "$1"
	if ((KEEP_CLIENTS)); then
		net_filter_peers "$1"
		say "broker $1 isolated from brokers and ZooKeeper (clients still reach $(broker_host "$1"))"
	else
		ip link set "$(net_veth "$1")" down
		say "broker $1 isolated ($(broker_host "$1") cut off from brokers, ZooKeeper and clients)"
	fi
	: >"$DIR/isolated-$1"
}

# An nft table inside broker ID's namespace dropping, in both directions,
# its traffic with the other brokers' addresses and with ZooKeeper's
# client ports; everything else (clients on the bridge address) passes.
net_filter_peers() {
	local id=$1 i peers="" zk_ports ns
	command -v nft >/dev/null || die "isolate --keep-clients needs nft (apt-get install nftables)"
	ns=$(net_ns "$id")
	for ((i = 1; i <= N_BROKERS; i++)); do
		((i == id)) || peers+="${peers:+, }$(broker_host "$i")"
	done
	zk_ports="$ZK_PORT-$((ZK_PORT + N_ZK - 1))"
	local in_peers="" out_peers=""
	if [[ -n $peers ]]; then
		in_peers="ip saddr { $peers } drop"
		out_peers="ip daddr { $peers } drop"
	fi
	ip netns exec "$ns" nft delete table inet gregor_isolate >/dev/null 2>&1 || true
	ip netns exec "$ns" nft -f - <<EOF || die "nft rules for broker $id failed"
table inet gregor_isolate {
	chain input {
		type filter hook input priority -10; policy accept;
		$in_peers
		ip saddr $(zk_host) tcp sport $zk_ports drop
	}
	chain output {
		type filter hook output priority -10; policy accept;
		$out_peers
		ip daddr $(zk_host) tcp dport $zk_ports drop
	}
}
EOF
}

cmd_heal() {
	load_env
	need_broker_id "$1"
	need_netns "$1"
	ip link set "$(net_veth "$1")" up
	if command -v nft >/dev/null; then
		ip netns exec "$(net_ns "$1")" nft delete table inet gregor_isolate >/dev/null 2>&1 || true
	fi
	rm -f "$DIR/isolated-$1"
	say "broker $1 healed"
}

cmd_zk_kill() {
	load_env
	need_zk_id "$1"
	proc_running "zk-$1" || die "ZooKeeper server $1 is not running"
	proc_signal_wait "zk-$1" KILL 5
	say "ZooKeeper server $1 killed"
}

cmd_zk_stop() {
	load_env
	need_zk_id "$1"
	proc_signal_wait "zk-$1" TERM "$STOP_WAIT"
	say "ZooKeeper server $1 stopped"
}

# Waits for the server to serve; without a quorum it cannot, which is
# reported but is not an error as long as the process runs.
cmd_zk_start() {
	local deadline
	load_env
	need_zk_id "$1"
	zk_launch "$1"
	deadline=$((SECONDS + TIMEOUT))
	while ! zk_serving "$1"; do
		if ! proc_running "zk-$1"; then
			log_tail "zk-$1"
			die "ZooKeeper server $1 exited"
		fi
		if ((SECONDS >= deadline)); then
			say "ZooKeeper server $1 running but not serving after ${TIMEOUT}s (no quorum?)"
			return 0
		fi
		sleep 0.3
	done
	say "ZooKeeper server $1 started and serving"
}

main() {
	local cmd=${1:-} pos=()
	[[ -n $cmd ]] || usage
	shift
	while (($#)); do
		case $1 in
		--brokers) N_BROKERS=${2:?}; shift 2 ;;
		--zookeepers) N_ZK=${2:?}; shift 2 ;;
		--dir) DIR=${2:?}; shift 2 ;;
		--port) PORT=${2:?}; shift 2 ;;
		--zk-port) ZK_PORT=${2:?}; shift 2 ;;
		--timeout) TIMEOUT=${2:?}; shift 2 ;;
		--netns) NETNS=1; shift ;;
		--tls) SECURE=1; shift ;;
		--secure) SECURE=1; SASL_MECH=${SASL_MECH:-SCRAM-SHA-512}; shift ;;
		--sasl)
			case ${2:-} in
			PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512) SASL_MECH=$2 ;;
			*) die "--sasl needs PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512" ;;
			esac
			shift 2 ;;
		--keep-clients) KEEP_CLIENTS=1; shift ;;
		--set)
			[[ ${2:-} == ?*=* ]] || die "--set needs key=value, got '${2:-}'"
			SETS+=("$2"); shift 2 ;;
		-h | --help) usage ;;
		*) pos+=("$1"); shift ;;
		esac
	done
	is_uint "$N_BROKERS" || die "--brokers must be a number"
	if ! is_uint "$N_ZK" || ((N_ZK < 1)); then die "--zookeepers must be >= 1"; fi
	if ! is_uint "$PORT" || ! is_uint "$ZK_PORT"; then die "ports must be numbers"; fi
	is_uint "$TIMEOUT" || die "--timeout must be whole seconds"
	GREGORD_BIN=${GREGORD:-$REPO_ROOT/build/broker/gregord}
	[[ $cmd == up ]] || DIR=$(cd "$DIR" 2>/dev/null && pwd) || die "no cluster directory $DIR"
	case $cmd in
	up) cmd_up ;;
	down) cmd_down ;;
	status) cmd_status ;;
	kill) cmd_kill "${pos[0]:-}" ;;
	stop) cmd_stop "${pos[0]:-}" ;;
	start) cmd_start "${pos[0]:-}" ;;
	isolate) cmd_isolate "${pos[0]:-}" ;;
	heal) cmd_heal "${pos[0]:-}" ;;
	zk-kill) cmd_zk_kill "${pos[0]:-}" ;;
	zk-stop) cmd_zk_stop "${pos[0]:-}" ;;
	zk-start) cmd_zk_start "${pos[0]:-}" ;;
	zk) load_env; exec "$ZKQ" -s "$(zk_connect)" -t 2 "${pos[@]}" ;;
	*) usage ;;
	esac
}

main "$@"
