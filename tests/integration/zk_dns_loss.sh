#!/usr/bin/env bash
# zk_dns_loss.sh: the broker reaches ZooKeeper by name; the name stops
# resolving and the server goes away, then both come back. The ZooKeeper
# client library, given names, retries a failed resolution without any
# delay: an isolated broker once logged 23,000 getaddrinfo failures a
# second. Now the broker resolves the names itself: while they do not
# resolve it must stay quiet (a few rate-limited lines, no busy loop), give
# the dead session up after its timeout, and register again with a new
# session once the name resolves and the server is back; then it serves.
# The broker runs in its own mount namespace with a private /etc/hosts and
# an /etc/resolv.conf naming a nameserver nobody runs, so the test changes
# name resolution for that one process only (root: unshare, mount).
source "$(dirname "$0")/lib.sh"

((EUID == 0)) || fail "needs root (unshare -m, mount --bind)"
command -v unshare >/dev/null || fail "unshare missing (util-linux)"
NAME=zk-dns-test.gregor.invalid
SESSION_MS=4000
cluster_up 1 --set zookeeper.session.timeout.ms=$SESSION_MS
zk_port=${ZOOKEEPER##*:}

ns_dir=$(mktemp -d "${TMPDIR:-/tmp}/gregor-zkdns.XXXXXX")
on_exit rm -rf "$ns_dir"
hosts_ok() { printf '127.0.0.1 localhost\n127.0.0.1 %s\n' "$NAME" >"$ns_dir/hosts"; }
hosts_broken() { printf '127.0.0.1 localhost\n' >"$ns_dir/hosts"; }
hosts_ok
printf 'nameserver 127.0.0.9\noptions timeout:1 attempts:1\n' >"$ns_dir/resolv.conf"
# The wrapper execs in place (unshare without --fork), so the pid file
# cluster.sh keeps is gregord's own pid.
cat >"$ns_dir/gregord" <<WRAP
#!/usr/bin/env bash
exec unshare -m bash -c 'mount --bind "\$1" /etc/hosts && mount --bind "\$2" /etc/resolv.conf && shift 2 && exec "\$@"' _ "$ns_dir/hosts" "$ns_dir/resolv.conf" "$GREGORD" "\$@"
WRAP
chmod +x "$ns_dir/gregord"

props=$CLUSTER_DIR/broker/1/server.properties
cluster stop 1 >/dev/null
sed -i "s|^zookeeper.connect=.*|zookeeper.connect=$NAME:$zk_port|" "$props"
GREGORD=$ns_dir/gregord cluster start 1 >/dev/null || fail "broker 1 did not register through $NAME"
pid=$(broker_pid 1)
grep -q "^zookeeper.connect=$NAME:$zk_port" "$props" || fail "the connect string was not rewritten"
cz=$(zk_stat /brokers/ids/1 czxid)
note "broker 1 (pid $pid) registered through $NAME (czxid $cz)"

log=$CLUSTER_DIR/logs/broker-1.log
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
lines() { grep -c "$1" "$log" || true; }

# The name stops resolving, then the server stops.
hosts_broken
cluster zk-stop 1 >/dev/null
t0=$SECONDS
lib0=$(lines 'resolve_hosts'); own0=$(lines "ZooKeeper server $NAME")
c0=$(cpu_ticks "$pid")
# Twice the session timeout: the library's retries, then the broker's own.
window=$((2 * SESSION_MS / 1000 + 2))
wait_until $((window + 30)) "$window s with ZooKeeper gone" eval '((SECONDS - t0 >= window))'
c1=$(cpu_ticks "$pid")
lib=$(($(lines 'resolve_hosts') - lib0)); own=$(($(lines "ZooKeeper server $NAME") - own0))
elapsed=$((SECONDS - t0))
pct=$(((c1 - c0) * 100 / (elapsed * $(getconf CLK_TCK))))
note "ZooKeeper unreachable by name for ${elapsed}s: broker CPU ${pct}% of a core," \
	"$lib resolution errors from the ZooKeeper library, $own rate-limited lines of its own"
pid_alive "$pid" || fail "the broker exited while ZooKeeper was unreachable"
((lib == 0)) || fail "the ZooKeeper library resolved names itself ($lib failures logged)"
# log_warn_rl: at most 10 lines per 10 s window, plus a "suppressed" note
max_own=$(((elapsed / 10 + 1) * 11))
((own >= 1 && own <= max_own)) ||
	fail "$own resolution warnings in ${elapsed}s (want 1..$max_own: rate-limited)"
((pct < 20)) || fail "the broker used ${pct}% of a core while ZooKeeper was unreachable"
grep -q "no ZooKeeper server answered for .* the session has expired" "$log" ||
	fail "the broker did not give up its dead session"

# Both come back: a new session, registered again, serving.
hosts_ok
cluster zk-start 1 >/dev/null
registered_anew() { local c; c=$(zk_stat /brokers/ids/1 czxid) && [[ -n $c && $c != "$cz" ]]; }
wait_until 60 "broker 1 registered with a new session" registered_anew
wait_until 60 "a controller" zk_exists /controller
kc -P -t dns-back -p 0 <<<"after the outage" 2>/dev/null ||
	{ wait_topic_ready dns-back 1; kc -P -t dns-back -p 0 <<<"after the outage"; }
got=$(kc -C -t dns-back -p 0 -o beginning -e -q 2>/dev/null)
[[ $got == *"after the outage"* ]] || fail "no round trip after the outage (got: $got)"
note "PASS: quiet while unreachable, new session once the name resolved, round trip ok"
