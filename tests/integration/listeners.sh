#!/usr/bin/env bash
# listeners.sh: per-listener metadata. Broker 1 has an INTERNAL listener
# (127.0.0.1) and an EXTERNAL one advertised as "localhost"; broker 2 only
# INTERNAL. Both register every advertised endpoint in /brokers/ids/<id>. A
# client on INTERNAL is told both brokers' INTERNAL endpoints; a client on
# EXTERNAL only broker 1's EXTERNAL endpoint (broker 2 has no such listener
# and is left out; its partitions answer LISTENER_NOT_FOUND), and produces,
# consumes and commits group offsets (FindCoordinator) through it;
# DescribeCluster answers the same way.
source "$(dirname "$0")/lib.sh"

cluster_up 2 --set offsets.topic.replication.factor=1 --set offsets.topic.num.partitions=1 \
	--set transaction.state.log.replication.factor=1 --set transaction.state.log.min.isr=1
ext=$(python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
int1=$PORT_BASE int2=$((PORT_BASE + 1))

# broker_listeners ID LISTENERS ADVERTISED MAP
broker_listeners() {
	local f="$CLUSTER_DIR/broker/$1/server.properties"
	sed -i -e '/^listeners=/d' -e '/^advertised.listeners=/d' "$f"
	printf '%s\n' "listeners=$2" "advertised.listeners=$3" \
		"listener.security.protocol.map=$4" "inter.broker.listener.name=INTERNAL" >>"$f"
}
note "restarting with INTERNAL (both) and EXTERNAL (broker 1 only) listeners"
cluster stop 1 >/dev/null 2>&1
cluster stop 2 >/dev/null 2>&1
broker_listeners 1 "INTERNAL://127.0.0.1:$int1,EXTERNAL://127.0.0.1:$ext" \
	"INTERNAL://127.0.0.1:$int1,EXTERNAL://localhost:$ext" "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT"
broker_listeners 2 "INTERNAL://127.0.0.1:$int2" "INTERNAL://127.0.0.1:$int2" "INTERNAL:PLAINTEXT"
cluster start 1 >/dev/null 2>&1 || fail "broker 1 did not restart"
cluster start 2 >/dev/null 2>&1 || fail "broker 2 did not restart"

reg=$(zk_get /brokers/ids/1)
python3 - "$reg" "$int1" "$ext" <<'PY' || fail "/brokers/ids/1 lacks an endpoint: $reg"
import json, sys
r = json.loads(sys.argv[1])
want = {"INTERNAL://127.0.0.1:%s" % sys.argv[2], "EXTERNAL://localhost:%s" % sys.argv[3]}
assert set(r["endpoints"]) == want, r["endpoints"]
assert r["listener_security_protocol_map"] == {"INTERNAL": "PLAINTEXT", "EXTERNAL": "PLAINTEXT"}
PY

# Two topics: "on1" led by broker 1, "on2" by broker 2 (assignment znodes);
# the offsets topic on broker 1, so that EXTERNAL clients have a coordinator.
zk create /brokers/topics/__consumer_offsets '{"version":2,"partitions":{"0":[1]},"adding_replicas":{},"removing_replicas":{}}'
zk create /brokers/topics/on1 '{"version":2,"partitions":{"0":[1]},"adding_replicas":{},"removing_replicas":{}}'
zk create /brokers/topics/on2 '{"version":2,"partitions":{"0":[2]},"adding_replicas":{},"removing_replicas":{}}'
export BOOTSTRAP=127.0.0.1:$int1
wait_topic_ready on1 1 60
wait_topic_ready on2 1 60

# brokers_seen BOOTSTRAP: "id host:port" lines of the Metadata answer.
brokers_seen() {
	timeout 30 kcat -b "$1" -L -J 2>/dev/null | python3 -c '
import json, sys
for b in sorted(json.load(sys.stdin)["brokers"], key=lambda b: b["id"]):
    print(b["id"], b["name"])'
}
# Both brokers must be in the cache (UpdateMetadata) before judging.
wait_until 30 "INTERNAL metadata lists both brokers" \
	bash -c "[[ \$(timeout 30 kcat -b 127.0.0.1:$int1 -L -J 2>/dev/null | grep -o '\"id\":' | wc -l) -ge 2 ]]"

got=$(brokers_seen "127.0.0.1:$int1")
want=$(printf '1 127.0.0.1:%s\n2 127.0.0.1:%s' "$int1" "$int2")
[[ $got == "$want" ]] || fail "INTERNAL client saw brokers [$got], want [$want]"
note "INTERNAL client sees: $(tr '\n' ';' <<<"$got")"

got=$(brokers_seen "127.0.0.1:$ext")
[[ $got == "1 localhost:$ext" ]] || fail "EXTERNAL client saw brokers [$got], want [1 localhost:$ext]"
note "EXTERNAL client sees: $got"

# Raw Metadata v9 on EXTERNAL: on2's leader (broker 2) lacks the listener.
python3 - "$ext" <<'PY' || fail "EXTERNAL Metadata for on2 is not LISTENER_NOT_FOUND with no leader"
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
def cstr(b): return struct.pack(">h", len(b)) + b
# Metadata v4 (non-flexible): topics [on2], allow_auto_topic_creation false
body = struct.pack(">i", 1) + cstr(b"on2") + b"\x00"
hdr = struct.pack(">hhi", 3, 4, 7) + cstr(b"t")
msg = hdr + body
s.sendall(struct.pack(">i", len(msg)) + msg)
def readn(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b)); assert c, "closed"; b += c
    return b
size = struct.unpack(">i", readn(4))[0]
r = readn(size)
p = 4 + 4  # correlation id, throttle
nb = struct.unpack_from(">i", r, p)[0]; p += 4
for _ in range(nb):
    p += 4; hl = struct.unpack_from(">h", r, p)[0]; p += 2 + hl + 4
    rl = struct.unpack_from(">h", r, p)[0]; p += 2 + max(rl, 0)
cl = struct.unpack_from(">h", r, p)[0]; p += 2 + max(cl, 0)
p += 4  # controller id
nt = struct.unpack_from(">i", r, p)[0]; p += 4
assert nt == 1
terr = struct.unpack_from(">h", r, p)[0]; p += 2
nl = struct.unpack_from(">h", r, p)[0]; p += 2 + nl + 1
npart = struct.unpack_from(">i", r, p)[0]; p += 4
perr, pidx, leader = struct.unpack_from(">hii", r, p)
# Metadata v4 is below v6: Kafka answers LEADER_NOT_AVAILABLE (5), leader -1
assert (terr, npart, perr, leader) == (0, 1, 5, -1), (terr, npart, perr, leader)
print("on2 via EXTERNAL: error %d leader %d" % (perr, leader))
PY

# DescribeCluster v0 (flexible) answers per listener too.
describe_cluster() {
	python3 - "$1" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
# header v2: api key 60, version 0, correlation id, client id, no tags;
# body: include_cluster_authorized_operations false, no tags
msg = struct.pack(">hhi", 60, 0, 5) + struct.pack(">h", 1) + b"t" + b"\x00" + b"\x00" + b"\x00"
s.sendall(struct.pack(">i", len(msg)) + msg)
def readn(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b)); assert c, "closed"; b += c
    return b
r = readn(struct.unpack(">i", readn(4))[0])
p = 0
def uvarint():
    global p
    v = sh = 0
    while True:
        b = r[p]; p += 1
        v |= (b & 0x7f) << sh; sh += 7
        if not b & 0x80:
            return v
def cstr():
    global p
    n = uvarint() - 1
    if n < 0:
        return None
    v = r[p:p + n].decode(); p += n
    return v
p += 4; uvarint()               # correlation id, header tags
p += 4                          # throttle
err = struct.unpack_from(">h", r, p)[0]; p += 2
cstr(); cstr()                  # error message, cluster id
p += 4                          # controller
out = []
for _ in range(uvarint() - 1):
    bid, = struct.unpack_from(">i", r, p); p += 4
    host = cstr()
    port, = struct.unpack_from(">i", r, p); p += 4
    cstr(); uvarint()           # rack, tags
    out.append("%d %s:%d" % (bid, host, port))
assert err == 0, err
print(";".join(sorted(out)))
PY
}
got=$(describe_cluster "$int1") || fail "DescribeCluster on INTERNAL failed"
[[ $got == "1 127.0.0.1:$int1;2 127.0.0.1:$int2" ]] || fail "DescribeCluster on INTERNAL: [$got]"
got=$(describe_cluster "$ext") || fail "DescribeCluster on EXTERNAL failed"
[[ $got == "1 localhost:$ext" ]] || fail "DescribeCluster on EXTERNAL: [$got]"
note "DescribeCluster on EXTERNAL: $got"

note "produce, consume and commit through EXTERNAL"
seq 1 200 | timeout 60 kcat -b "127.0.0.1:$ext" -P -t on1 -X acks=all ||
	fail "produce through EXTERNAL failed"
n=$(timeout 60 kcat -b "127.0.0.1:$ext" -G ext-group -o beginning -c 200 -e -q on1 \
	-X enable.auto.commit=true -X auto.commit.interval.ms=100 2>/dev/null | wc -l)
((n == 200)) || fail "consumed $n of 200 through EXTERNAL (group ext-group)"
# the group's coordinator was found through EXTERNAL: it is broker 1's endpoint
python3 - "$ext" <<'PY' || fail "FindCoordinator on EXTERNAL did not answer localhost:$ext"
import socket, struct, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
def cstr(b): return struct.pack(">h", len(b)) + b
msg = struct.pack(">hhi", 10, 1, 9) + cstr(b"t") + cstr(b"ext-group") + b"\x00"
s.sendall(struct.pack(">i", len(msg)) + msg)
def readn(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b)); assert c, "closed"; b += c
    return b
r = readn(struct.unpack(">i", readn(4))[0])
p = 8
err = struct.unpack_from(">h", r, p)[0]; p += 2
ml = struct.unpack_from(">h", r, p)[0]; p += 2 + max(ml, 0)
node = struct.unpack_from(">i", r, p)[0]; p += 4
hl = struct.unpack_from(">h", r, p)[0]; host = r[p + 2:p + 2 + hl].decode(); p += 2 + hl
cport = struct.unpack_from(">i", r, p)[0]
assert (err, node, host, cport) == (0, 1, "localhost", port), (err, node, host, cport)
print("coordinator via EXTERNAL: %d %s:%d" % (node, host, cport))
PY
note "listeners: each client sees only its own listener's endpoints"

# A listener whose port is taken stops start-up, and the message names the
# listener, its address and the real cause (bind's EADDRINUSE, not ENOMEM).
note "start-up refusal: INTERNAL port held by broker 1"
cfg="$CLUSTER_DIR/taken.properties"
sed -e '/^broker.id=/d' -e '/^log.dirs=/d' -e '/^metrics.listen=/d' \
	"$CLUSTER_DIR/broker/2/server.properties" >"$cfg"
sed -i -e "s|^listeners=.*|listeners=INTERNAL://127.0.0.1:$int1|" "$cfg"
printf '%s\n' "broker.id=9" "log.dirs=$CLUSTER_DIR/taken-data" >>"$cfg"
rc=0
timeout 30 "$GREGORD" "$cfg" >"$CLUSTER_DIR/taken.out" 2>&1 || rc=$?
((rc != 0 && rc != 124)) || fail "gregord exit status $rc on a taken port (want a start-up failure)"
msg=$(grep -F 'cannot listen' "$CLUSTER_DIR/taken.out" | head -1)
[[ $msg == *"listener INTERNAL"*"127.0.0.1:$int1"*"Address already in use"* ]] ||
	{ tail -5 "$CLUSTER_DIR/taken.out" >&2; fail "taken port: message [$msg] lacks listener, address or EADDRINUSE"; }
note "taken port: ${msg#*ERROR }"
pid_alive "$(broker_pid 1)" || fail "broker 1 died"
