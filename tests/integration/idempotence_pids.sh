#!/usr/bin/env bash
# idempotence_pids.sh: InitProducerId (22) over raw sockets. Ids from every
# broker are unique (each claims its own block of /latest_producer_id_block),
# 2500 calls on one broker cross two block boundaries without a repeat, v0
# and v4 (flexible) both answer epoch 0, a transactional id gets
# NOT_COORDINATOR (16), and after all brokers restart every new id is above
# every old one (blocks are never reused).
source "$(dirname "$0")/lib.sh"

cluster_up 3
work=$(mktemp -d)
on_exit "rm -rf '$work'"

# ask PORT COUNT VERSION [TXN_ID]: prints "error pid epoch" per call
ask() {
	python3 - "$@" <<'PY'
import socket, struct, sys
port, count, ver = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
txn = sys.argv[4].encode() if len(sys.argv) > 4 else None
s = socket.create_connection(("127.0.0.1", port), timeout=20)
def recv_exact(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            sys.exit("connection closed")
        b += c
    return b
cid = b"idem-test"
for corr in range(count):
    if ver >= 2:  # flexible: header v2, compact nullable string, tags
        hdr = struct.pack(">hhih", 22, ver, corr, len(cid)) + cid + b"\x00"
        t = b"\x00" if txn is None else bytes([len(txn) + 1]) + txn
        body = t + struct.pack(">i", 60000)
        if ver >= 3:
            body += struct.pack(">qh", -1, -1)
        body += b"\x00"
    else:
        hdr = struct.pack(">hhih", 22, ver, corr, len(cid)) + cid
        t = struct.pack(">h", -1) if txn is None else struct.pack(">h", len(txn)) + txn
        body = t + struct.pack(">i", 60000)
    msg = hdr + body
    s.sendall(struct.pack(">i", len(msg)) + msg)
    n = struct.unpack(">i", recv_exact(4))[0]
    r = recv_exact(n)
    got_corr = struct.unpack(">i", r[:4])[0]
    assert got_corr == corr, (got_corr, corr)
    off = 5 if ver >= 2 else 4  # response header v1 adds an empty tag buffer
    throttle, err, pid, epoch = struct.unpack(">ihqh", r[off:off + 16])
    print(err, pid, epoch)
PY
}

p1=$PORT_BASE
p2=$((PORT_BASE + 1))
p3=$((PORT_BASE + 2))
ask "$p1" 5 0 >"$work/a1"
ask "$p2" 5 4 >"$work/a2"
ask "$p3" 5 1 >"$work/a3"
ask "$p1" 2500 4 >"$work/many"
ask "$p2" 1 0 my-txn >"$work/txn0"
ask "$p2" 1 4 my-txn >"$work/txn4"

for id in 1 2 3; do cluster stop "$id" || fail "stopping broker $id"; done
for id in 1 2 3; do cluster start "$id" || fail "starting broker $id"; done
ask "$p3" 3 0 >"$work/b3"
ask "$p1" 3 4 >"$work/b1"

python3 - "$work" <<'PY' || fail "producer id checks failed"
import sys
w = sys.argv[1]
def load(name):
    return [tuple(int(x) for x in l.split()) for l in open(f"{w}/{name}")]
before = load("a1") + load("a2") + load("a3") + load("many")
after = load("b3") + load("b1")
for e, pid, epoch in before + after:
    assert e == 0 and pid >= 0 and epoch == 0, (e, pid, epoch)
ids = [p for _, p, _ in before]
assert len(set(ids)) == len(ids), "duplicate producer ids before the restart"
blocks = {p // 1000 for _, p, _ in load("a1") + load("many")}
assert len(blocks) >= 3, f"2505 ids on one broker used blocks {sorted(blocks)}"
for name in ("txn0", "txn4"):
    (e, pid, epoch), = load(name)
    assert e == 16 and pid == -1 and epoch == -1, (name, e, pid, epoch)
new = [p for _, p, _ in after]
assert min(new) > max(ids), f"ids after restart {new} not above {max(ids)}"
print(f"{len(ids)} unique ids before restart (max {max(ids)}), after: {new}")
PY
note "producer ids unique across brokers, blocks and restarts"
