#!/bin/sh
# Regenerates librdkafka.txt: records librdkafka <-> librdkafka-mock traffic
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
sleep 1
kill "$tpid"
wait "$tpid" || true
python3 "$here/extract.py" "$tmp/lo.pcap" $(cat "$tmp/ports") > "$here/librdkafka.txt"
rm -rf "$tmp"
wc -l "$here/librdkafka.txt"
