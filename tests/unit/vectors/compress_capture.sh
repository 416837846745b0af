#!/bin/sh
# Regenerates compressed_batches.txt: one real librdkafka RecordBatch per
# codec (gzip, snappy, lz4, zstd), produced by kcat to librdkafka's own mock
# cluster on 127.0.0.1 (the mock accepts Produce v0, so librdkafka enables
# every codec) and cut out of the recorded Produce requests. Line format:
# "<codec> <records count> <hex batch>". Needs root, tcpdump, kcat, python3.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
tcpdump -i lo -U -s 0 -w "$tmp/lo.pcap" tcp >/dev/null 2>&1 &
tpid=$!
sleep 1
for z in gzip snappy lz4 zstd; do
	for i in 1 2 3 4 5; do
		printf 'k%d:%s-value-%d-%s\n' $((i % 3)) "$(printf '%060d' "$i")" "$i" "$z"
	done | kcat -P -b 127.0.0.1:1 -X test.mock.num.brokers=1 \
		-X client.id=gregor-compress-vectors -X linger.ms=50 \
		-t v -p 0 -K: -z "$z" 2>/dev/null
done
sleep 1
kill "$tpid"
wait "$tpid" || true
python3 "$here/extract.py" "$tmp/lo.pcap" | python3 -c '
import struct, sys
names = {1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}
for line in sys.stdin:
    kind, key, ver, hx = line.split()
    if kind != "req" or key != "0":
        continue
    b = bytes.fromhex(hx)
    p = 8
    n, = struct.unpack(">h", b[p:p + 2]); cid = b[p + 2:p + 2 + n]; p += 2 + n
    if cid != b"gregor-compress-vectors":
        continue
    n, = struct.unpack(">h", b[p:p + 2]); p += 2 + max(n, 0) + 2 + 4  # txn id, acks, timeout
    p += 4  # one topic
    n, = struct.unpack(">h", b[p:p + 2]); p += 2 + n + 4 + 4  # name, one partition, index
    n, = struct.unpack(">i", b[p:p + 4]); batch = b[p + 4:p + 4 + n]
    codec = batch[22] & 7
    count, = struct.unpack(">i", batch[57:61])
    if codec in names:
        print(names[codec], count, batch.hex())
' > "$here/compressed_batches.txt"
rm -rf "$tmp"
cat "$here/compressed_batches.txt" | cut -c1-40
