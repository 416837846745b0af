#!/usr/bin/env bash
# burrow.sh: Burrow 1.2.1 (Debian's burrow) watching a Gregor cluster, as
# many shops watch consumer lag. Burrow reads the group's commits from
# __consumer_offsets and the partitions' end offsets with ListOffsets (v0,
# its kafka-version 0.10.0 profile). A group consumes 100 keyed messages and
# commits, then stops; 50 more are produced; Burrow's HTTP API must report
# the group's total lag as 50 (and the partitions' current end offsets).
# Run under with_cluster.sh (BOOTSTRAP, ZOOKEEPER). A missing burrow
# package is a failure, not a skip.
set -euo pipefail
fail() { echo "FAIL $*" >&2; exit 1; }
command -v Burrow >/dev/null || fail "Burrow not installed (burrow; deploy/install-deps.sh)"
PY=/usr/bin/python3
"$PY" -c 'import confluent_kafka' 2>/dev/null ||
	fail "python3-confluent-kafka not installed (deploy/install-deps.sh)"

work=$(mktemp -d)
burrow_pid=
cleanup() {
	[[ -n $burrow_pid ]] && kill "$burrow_pid" 2>/dev/null && wait "$burrow_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

TOPIC=burrow-topic GROUP=burrow-group
# the group: 100 keyed messages consumed and committed, then it stops;
# 50 more arrive that nobody consumes
"$PY" - "$TOPIC" "$GROUP" <<'PYEOF'
import os, sys, time
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
topic, group = sys.argv[1:3]
bs = os.environ["BOOTSTRAP"]
admin = AdminClient({"bootstrap.servers": bs})  # kept alive until the result
admin.create_topics([NewTopic(topic, 2, 3)])[topic].result(30)
p = Producer({"bootstrap.servers": bs})
def produce(prefix, n):
    for i in range(n):
        p.produce(topic, key=f"{prefix}-k{i % 5}", value=f"{prefix}-v{i}")
    assert p.flush(30) == 0, "produce timed out"
produce("a", 100)
c = Consumer({"bootstrap.servers": bs, "group.id": group, "auto.offset.reset": "earliest",
              "enable.auto.commit": False})
c.subscribe([topic])
got, deadline = 0, time.time() + 40
while got < 100 and time.time() < deadline:
    m = c.poll(0.5)
    if m is not None and not m.error():
        got += 1
assert got == 100, f"consumed {got} of 100"
c.commit(asynchronous=False)
c.close()
produce("b", 50)
print("ok   group consumed and committed 100, then 50 more were produced", flush=True)
PYEOF

port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
IFS=, read -ra bs <<<"$BOOTSTRAP"
IFS=, read -ra zk <<<"$ZOOKEEPER"
servers=$(printf '"%s",' "${bs[@]}")
zks=$(printf '"%s",' "${zk[@]}")
mkdir -p "$work/log"
cat >"$work/burrow.toml" <<TOML
[general]
pidfile="$work/burrow.pid"
[logging]
filename="$work/log/burrow.log"
level="info"
[zookeeper]
servers=[ ${zks%,} ]
timeout=6
root-path="/burrow"
[client-profile.old]
client-id="burrow-check"
kafka-version="0.10.0"
[cluster.gregor]
class-name="kafka"
servers=[ ${servers%,} ]
client-profile="old"
topic-refresh=5
offset-refresh=2
[consumer.gregor]
class-name="kafka"
cluster="gregor"
servers=[ ${servers%,} ]
client-profile="old"
start-latest=false
[httpserver.default]
address="127.0.0.1:$port"
[storage.default]
class-name="inmemory"
workers=4
intervals=10
expire-group=604800
min-distance=1
TOML
Burrow --config-dir "$work" >"$work/log/stdout.log" 2>&1 &
burrow_pid=$!

# Burrow's view, until it reports lag 50 for the group (bounded)
want=50
deadline=$((SECONDS + 60))
last=
while ((SECONDS < deadline)); do
	kill -0 "$burrow_pid" 2>/dev/null || { tail -20 "$work/log/"*.log >&2; fail "Burrow exited"; }
	last=$("$PY" - "$port" "$GROUP" <<'PYEOF' || true
import json, sys, urllib.request
port, group = sys.argv[1:3]
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/v3/kafka/gregor/consumer/{group}/lag", timeout=3) as r:
        st = json.load(r)["status"]
except Exception as e:
    print(f"no answer yet ({type(e).__name__})")
    sys.exit(0)
ends = sorted(p["end"]["offset"] for p in st.get("partitions") or [])
print(f"totallag={st.get('totallag')} partitions={len(st.get('partitions') or [])} committed_sum={sum(ends)}")
PYEOF
)
	[[ $last == "totallag=$want partitions=2 committed_sum=100" ]] && break
	sleep 1
done
echo "     Burrow: $last"
[[ $last == "totallag=$want partitions=2 committed_sum=100" ]] || {
	tail -30 "$work/log/burrow.log" >&2
	fail "Burrow did not report lag $want for $GROUP (last: $last)"
}
echo "ok   Burrow reports the group's lag: 50 over 2 partitions, committed offsets summing to 100"
