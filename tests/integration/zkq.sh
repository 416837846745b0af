#!/usr/bin/env bash
# zkq.sh: deploy/zkq.py (the scripts' ZooKeeper client, on kazoo) against a
# real ZooKeeper: every command's exact output and exit code (0, 2 no node,
# 3 other error, 4 no server, 64 usage), -a digest nodes that other
# sessions may read but not write, and the retries: commands started while
# ZooKeeper is stopped complete after zk-start, and a connection a proxy
# drops after the request reached ZooKeeper is retried (the create counts as
# done, the get prints once); exit 4 comes within its bound.
source "$(dirname "$0")/lib.sh"

cluster_up 0
work=$(mktemp -d)
on_exit "rm -rf '$work'"
bg_pids=()
stop_bg() { ((${#bg_pids[@]} == 0)) || kill "${bg_pids[@]}" 2>/dev/null || true; }
on_exit stop_bg

z() { "$ZKQ" -s "$ZOOKEEPER" -t 3 "$@"; }

# expect RC STDOUT ZKQ-ARGS...: exit code and stdout exactly; stderr empty
# on exit 0 and 2, one line on 3 and 4.
expect() {
	local want_rc=$1 want_out=$2 rc=0 lines
	shift 2
	z "$@" >"$work/out" 2>"$work/err" || rc=$?
	((rc == want_rc)) || fail "zkq $*: exit $rc, want $want_rc (stderr: $(cat "$work/err"))"
	printf '%s' "$want_out" | cmp -s - "$work/out" ||
		fail "zkq $*: stdout $(od -c "$work/out" | head -n 5), want '$want_out'"
	lines=$(wc -l <"$work/err")
	case $rc in
	0 | 2) ((lines == 0)) || fail "zkq $*: stderr not empty: $(cat "$work/err")" ;;
	3 | 4) ((lines == 1)) || fail "zkq $*: want one stderr line, got: $(cat "$work/err")" ;;
	esac
}

note "commands and their output"
expect 0 "" ping
expect 0 "" create /zkq-t '{"a":1}'
expect 0 $'{"a":1}\n' get /zkq-t
expect 0 "" set /zkq-t v2
expect 0 $'v2\n' get /zkq-t
expect 0 "" create /zkq-t/b
expect 0 "" create /zkq-t/a 'x y'
expect 0 $'\n' get /zkq-t/b
expect 0 $'a\nb\n' ls /zkq-t
expect 0 "" exists /zkq-t
z create -s /zkq-t/q_ seq >"$work/seq" || fail "create -s failed"
seq=$(<"$work/seq")
[[ $seq =~ ^/zkq-t/q_[0-9]{10}$ ]] || fail "create -s printed '$seq'"
expect 0 "/zkq-t [P] v2"$'\n'"/zkq-t/a [P] x y"$'\n'"/zkq-t/b [P] "$'\n'"$seq [P] seq"$'\n' tree /zkq-t
z stat /zkq-t >"$work/stat" || fail "stat failed"
[[ $(cut -d= -f1 "$work/stat" | tr '\n' ' ') == "czxid mzxid ctime mtime version cversion aversion ephemeralOwner dataLength numChildren pzxid " ]] ||
	fail "stat fields: $(cat "$work/stat")"
for kv in version=1 dataLength=2 numChildren=3 ephemeralOwner=0; do
	grep -qx "$kv" "$work/stat" || fail "stat: no $kv in $(cat "$work/stat")"
done

note "an ephemeral node shows as [E]"
/usr/bin/python3 - "$ZOOKEEPER" >"$work/eph.out" 2>&1 <<'EOF' &
import signal, sys, time
from kazoo.client import KazooClient
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
zk = KazooClient(hosts=sys.argv[1])
zk.start(timeout=30)
try:
    zk.create("/zkq-t/b/eph", b"e", ephemeral=True)
    time.sleep(120)  # the test stops it (SIGTERM) once it has looked
finally:
    zk.stop()  # ends the session: the node goes at once
EOF
bg_pids=("$!")
wait_until 30 "the ephemeral node" z exists /zkq-t/b/eph
expect 0 $'/zkq-t/b [P] \n/zkq-t/b/eph [E] e\n' tree /zkq-t/b
kill "${bg_pids[0]}"
wait "${bg_pids[0]}" 2>/dev/null || true
bg_pids=()
gone() { ! z exists "$1"; }
wait_until 30 "the ephemeral node gone" gone /zkq-t/b/eph

note "exit 2: no such node"
for c in get ls stat exists delete rmr tree; do expect 2 "" "$c" /zkq-none; done
expect 2 "" set /zkq-none x
expect 2 "" get zkq-t  # a relative path names no node, as the server says

note "exit 3: other ZooKeeper errors"
expect 3 "" create /zkq-t again
expect 3 "" delete /zkq-t
expect 3 "" create zkq-rel x
expect 2 "" create /zkq-none/child x # the server's answer: no parent

note "exit 64: usage"
for args in "" "get" "set /zkq-t" "bogus /" "-t" "-t abc ping" "-a nocolon ping" "-s nohostport ping"; do
	# shellcheck disable=SC2086 # word splitting wanted
	rc=0 && python3 "$ZKQ" $args >"$work/out" 2>"$work/err" || rc=$?
	((rc == 64)) || fail "zkq $args: exit $rc, want 64"
	[[ ! -s $work/out ]] || fail "zkq $args: printed on stdout"
	grep -q '^usage:' "$work/err" || fail "zkq $args: no usage on stderr"
done

note "-a digest: creator-all + world-read"
expect 0 "" -a alice:pw-1 create /zkq-acl secret
expect 0 $'secret\n' get /zkq-acl
expect 3 "" set /zkq-acl other
grep -qx 'zkq: set /zkq-acl other: zookeeper error -102' "$work/err" ||
	fail "NoAuth message: $(cat "$work/err")"
expect 3 "" create /zkq-acl/child x
expect 3 "" -a bob:pw-2 set /zkq-acl other
expect 0 "" -a alice:pw-1 set /zkq-acl mine
expect 0 "" -a alice:pw-1 create /zkq-acl/child c
expect 3 "" set /zkq-acl/child other
expect 0 $'mine\n' get /zkq-acl

note "retry: a command waits out a ZooKeeper restart and prints once"
cluster zk-stop 1 >/dev/null 2>&1 || fail "zk-stop 1"
python3 "$ZKQ" -s "$ZOOKEEPER" -t 10 -a alice:pw-1 create /zkq-acl/during d \
	>"$work/r1.out" 2>"$work/r1.err" &
p1=$!
python3 "$ZKQ" -s "$ZOOKEEPER" -t 10 tree /zkq-t/b >"$work/r2.out" 2>"$work/r2.err" &
p2=$!
bg_pids=("$p1" "$p2")
cluster zk-start 1 >/dev/null 2>&1 || fail "zk-start 1"
rc=0 && wait "$p1" || rc=$?
((rc == 0)) || fail "create across a restart: exit $rc ($(cat "$work/r1.err"))"
rc=0 && wait "$p2" || rc=$?
bg_pids=()
((rc == 0)) || fail "tree across a restart: exit $rc ($(cat "$work/r2.err"))"
[[ ! -s $work/r1.out && ! -s $work/r1.err && ! -s $work/r2.err ]] ||
	fail "noise across a restart: $(cat "$work"/r[12].*)"
printf '/zkq-t/b [P] \n' | cmp -s - "$work/r2.out" || fail "tree across a restart printed: $(cat "$work/r2.out")"
expect 0 $'d\n' get /zkq-acl/during
expect 3 "" set /zkq-acl/during other  # created with alice's ACL after the reconnect
expect 0 "" -a alice:pw-1 rmr /zkq-acl
expect 0 "" rmr /zkq-t
expect 2 "" exists /zkq-t

note "retry: a connection dropped with the answer lost (a proxy in between)"
# On its 1st, 3rd, ... connection the proxy passes the session handshake,
# lets the first request reach ZooKeeper, then closes both sides instead of
# passing the answer; the 2nd, 4th, ... pass untouched. It writes its port
# and the number of connections so far to files.
python3 - "${ZOOKEEPER%%,*}" "$work/proxy.port" "$work/proxy.conns" <<'EOF' &
import os, socket, sys, threading
zk_host, zk_port = sys.argv[1].rsplit(":", 1)
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(16)
conns = 0

def frame(s):
    head = b""
    while len(head) < 4:
        b = s.recv(4 - len(head))
        if not b:
            return None
        head += b
    n, body = int.from_bytes(head, "big"), b""
    while len(body) < n:
        b = s.recv(n - len(body))
        if not b:
            return None
        body += b
    return head + body

def pump(src, dst):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            dst.sendall(b)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

def serve(c, drop):
    s = socket.create_connection((zk_host, int(zk_port)), timeout=30)
    s.settimeout(None)
    threading.Thread(target=pump, args=(c, s), daemon=True).start()
    if not drop:
        pump(s, c)
        return
    hello = frame(s)  # the session handshake's answer passes
    if hello:
        c.sendall(hello)
        frame(s)  # the first request's answer is dropped with the connection
    for x in (c, s):
        try:
            x.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

with open(sys.argv[2] + ".tmp", "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
while True:
    c, _ = ls.accept()
    conns += 1
    with open(sys.argv[3], "w") as f:
        f.write("%d\n" % conns)
    threading.Thread(target=serve, args=(c, conns % 2 == 1), daemon=True).start()
EOF
bg_pids=("$!")
wait_until 30 "the proxy's port" test -s "$work/proxy.port"
via="127.0.0.1:$(<"$work/proxy.port")"
rc=0 && "$ZKQ" -s "$via" -t 3 create /zkq-drop kept >"$work/out" 2>"$work/err" || rc=$?
((rc == 0)) || fail "create with its answer lost: exit $rc ($(cat "$work/err"))"
[[ ! -s $work/out && ! -s $work/err ]] || fail "create with its answer lost printed: $(cat "$work/out" "$work/err")"
n=$(<"$work/proxy.conns")
((n >= 2)) || fail "create: $n connection(s), want a reconnect"
rc=0 && "$ZKQ" -s "$via" -t 3 get /zkq-drop >"$work/out" 2>"$work/err" || rc=$?
((rc == 0)) || fail "get with its answer lost: exit $rc ($(cat "$work/err"))"
printf 'kept\n' | cmp -s - "$work/out" || fail "get with its answer lost printed: $(cat "$work/out")"
[[ ! -s $work/err ]] || fail "get with its answer lost: stderr $(cat "$work/err")"
(($(<"$work/proxy.conns") > n)) || fail "get: no new connection"
kill "${bg_pids[0]}"
wait "${bg_pids[0]}" 2>/dev/null || true
bg_pids=()
expect 0 "" delete /zkq-drop

note "exit 4: no server answers, within the bound"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
t0=$SECONDS
rc=0 && python3 "$ZKQ" -s "127.0.0.1:$port" -t 1 ping >"$work/out" 2>"$work/err" || rc=$?
((rc == 4)) || fail "unreachable server: exit $rc, want 4 ($(cat "$work/err"))"
[[ ! -s $work/out && $(wc -l <"$work/err") == 1 ]] || fail "unreachable server output: $(cat "$work/err")"
# deadline max(4 * 1, 10) s, then the kazoo stop; a hang would be far more
((SECONDS - t0 <= 45)) || fail "unreachable server: gave up after $((SECONDS - t0))s"
