#!/usr/bin/env bash
# kcat_roundtrip.sh: kcat produces 100,000 keyed messages (acks=all) to a
# 3-partition, RF-3 topic on a 3-broker cluster; consuming them back yields
# every message exactly once, each in the partition its key hashes to, and
# per partition in production order.
source "$(dirname "$0")/lib.sh"

N=100000
T=roundtrip
cluster_up 3
# Created the way Kafka's admin tools did: the assignment znode.
zk create "/brokers/topics/$T" \
	'{"version":2,"partitions":{"0":[1,2,3],"1":[2,3,1],"2":[3,1,2]},"adding_replicas":{},"removing_replicas":{}}' ||
	fail "could not create the topic znode"
wait_topic_ready "$T" 3 60

work=$(mktemp -d)
on_exit "rm -rf '$work'"
python3 - "$N" >"$work/in.txt" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    # Values vary in length; no spaces (the consumer format is space-split).
    print("k%06d:v%06d-%s" % (i, i, "x" * (i * 7919 % 97)))
PY

note "producing $N messages"
kc -P -t "$T" -K: -l -X acks=all -X topic.partitioner=consistent \
	-X linger.ms=5 "$work/in.txt" 2>"$work/produce.err" ||
	{ cat "$work/produce.err" >&2; fail "kcat produce failed"; }
if grep -qi 'error\|fail' "$work/produce.err"; then
	cat "$work/produce.err" >&2
	fail "kcat reported errors while producing"
fi

note "consuming"
kc -C -t "$T" -o beginning -e -q -f '%p %o %k %s\n' >"$work/out.txt" 2>"$work/consume.err" ||
	{ cat "$work/consume.err" >&2; fail "kcat consume failed"; }

python3 - "$N" "$work/in.txt" "$work/out.txt" <<'PY' || fail "consumed data differs from produced data"
import sys, zlib
n = int(sys.argv[1])
want = {}
for line in open(sys.argv[2]):
    k, v = line.rstrip("\n").split(":", 1)
    want[k] = v
per_part, seen, bad = {}, set(), []
for line in open(sys.argv[3]):
    parts = line.rstrip("\n").split(" ")
    if len(parts) != 4:
        bad.append("malformed line %r" % line)
        continue
    p, off, k, v = int(parts[0]), int(parts[1]), parts[2], parts[3]
    if k in seen:
        bad.append("duplicate %s" % k)
    seen.add(k)
    if want.get(k) != v:
        bad.append("%s: value %r, want %r" % (k, v[:40], (want.get(k) or "")[:40]))
    # librdkafka's "consistent" partitioner: CRC32(key) % partition count.
    if p != zlib.crc32(k.encode()) % 3:
        bad.append("%s in partition %d, hashes to %d" % (k, p, zlib.crc32(k.encode()) % 3))
    per_part.setdefault(p, []).append((off, int(k[1:])))
for p, lst in sorted(per_part.items()):
    offs = [o for o, _ in lst]
    if offs != list(range(len(offs))):
        bad.append("partition %d offsets not 0..%d in order" % (p, len(offs) - 1))
    idx = [i for _, i in lst]
    if idx != sorted(idx):
        bad.append("partition %d out of production order" % p)
    print("partition %d: %d messages" % (p, len(lst)), file=sys.stderr)
missing = n - len(seen & set(want))
if missing:
    bad.append("%d messages missing" % missing)
for b in bad[:20]:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
note "all $N messages read back identical and in order"
