#!/bin/sh
# Regenerates librdkafka.txt, librdkafka_groups.txt (consumer group and
# idempotent/transactional producer traffic) and, with NODE_PATH set,
# kafkajs.txt: records librdkafka <-> librdkafka-mock traffic
# on lo with tcpdump and extracts every framed request/response of an API
# that common/proto describes. Needs root, tcpdump, librdkafka-dev, python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
cc -O1 -o "$tmp/capture" "$here/capture.c" -lrdkafka
tcpdump -i lo -U -s 0 -w "$tmp/lo.pcap" tcp >/dev/null 2>&1 &
tpid=$!
sleep 1
# Other processes may use lo too: keep only the mock brokers' ports.
{ "$tmp/capture"; "$tmp/capture" 0.11.0; "$tmp/capture" 0.10.2 || true; } \
	2>/dev/null | sed -n 's/^bootstrap .*:\([0-9]*\)$/\1/p' > "$tmp/ports"
{ "$tmp/capture" groups; "$tmp/capture" groups 0.11.0; } 2>/dev/null |
	sed -n 's/^bootstrap .*:\([0-9]*\)$/\1/p' > "$tmp/gports"
# kafkajs (optional: needs node and kafkajs on NODE_PATH)
if command -v node >/dev/null && [ -n "${NODE_PATH:-}" ]; then
	"$tmp/capture" serve 30 > "$tmp/serve" 2>/dev/null &
	spid=$!
	sleep 1
	bs=$(sed -n 's/^bootstrap //p' "$tmp/serve")
	node "$here/kafkajs.js" "$bs" || echo "kafkajs run failed" >&2
	kill "$spid" 2>/dev/null || true
	wait "$spid" || true
	echo "${bs##*:}" > "$tmp/jsports"
fi
sleep 1
kill "$tpid"
wait "$tpid" || true
python3 "$here/extract.py" "$tmp/lo.pcap" $(cat "$tmp/ports") > "$here/librdkafka.txt"
python3 "$here/extract.py" "$tmp/lo.pcap" $(cat "$tmp/gports") \
	> "$here/librdkafka_groups.txt"
[ -f "$tmp/jsports" ] &&
	python3 "$here/extract.py" "$tmp/lo.pcap" $(cat "$tmp/jsports") \
		> "$here/kafkajs.txt"
rm -rf "$tmp"
wc -l "$here"/*.txt
