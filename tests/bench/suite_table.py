#!/usr/bin/env python3
"""suite_table.py: turns suite.sh's "RESULT key value" lines into issue 14's
goal table (Markdown): each scenario's median over the runs, its reference
(mock cluster, machine limit or the other half of a ratio), the ratio and
the goal. With --plot-data, prints the open-loop latency medians per offered
rate instead (columns for gnuplot).

  suite_table.py RESULTS RUNS RESTART_GB
  suite_table.py --plot-data RESULTS
"""
import statistics
import sys
from collections import defaultdict


def load(path):
    vals = defaultdict(list)  # keys in the order the run printed them
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "RESULT":
                try:
                    vals[parts[1]].append(float(parts[2]))
                except ValueError:
                    vals[parts[1]].append(parts[2])
    return vals


def med(vals, key):
    v = [x for x in vals.get(key, []) if isinstance(x, float)]
    return statistics.median(v) if v else None


def fmt(x, unit="", digits=None):
    if x is None:
        return "—"
    if digits is None:
        digits = 0 if abs(x) >= 100 else 2 if abs(x) >= 1 else 3
    return f"{x:,.{digits}f}{unit}"


def ratio(a, b):
    return a / b if a is not None and b else None


def verdict(ok):
    return "—" if ok is None else ("yes" if ok else "no")


def table(vals, runs, restart_gb):
    rows = []

    def row(name, gregor, ref, r, goal, ok):
        rows.append((name, gregor, ref, fmt(r, "x") if isinstance(r, float) else r or "—",
                     goal, verdict(ok)))

    def at_least(r, g):
        return None if r is None else r >= g

    m100, g100 = med(vals, "mock_100.produce_msgs"), med(vals, "rf1_100.produce_msgs")
    r = ratio(g100, m100)
    row("produce 100 B, RF 1, acks=1 (msg/s)", fmt(g100), f"mock {fmt(m100)}", r,
        "≥ 0.9 x mock", at_least(r, 0.9))
    m1k, g1k = med(vals, "mock_1k.produce_MBps"), med(vals, "rf1_1k.produce_MBps")
    r = ratio(g1k, m1k)
    row("produce 1 KiB, RF 1, acks=1 (MB/s)", fmt(g1k), f"mock {fmt(m1k)}", r,
        "≥ 0.8 x mock MB/s", at_least(r, 0.8))
    rf3 = med(vals, "rf3.produce_msgs")
    r = ratio(rf3, g100)
    row("produce 100 B, RF 3, acks=all, min ISR 2 (msg/s)", fmt(rf3), f"RF 1 {fmt(g100)}", r,
        "≥ 0.8 x RF 1", at_least(r, 0.8))
    idem = med(vals, "idem.produce_msgs")
    r = ratio(idem, rf3)
    row("idempotent ÷ plain, RF 3 acks=all (msg/s)", fmt(idem), f"plain {fmt(rf3)}", r,
        "≥ 0.9", at_least(r, 0.9))
    txn, tidem = med(vals, "txn_txn.msgs"), med(vals, "txn_idempotent.msgs")
    r = ratio(txn, tidem)
    row("transactions of 1,000 messages ÷ idempotent (msg/s)", fmt(txn),
        f"idempotent {fmt(tidem)}", r, "≥ 0.7", at_least(r, 0.7))
    for rate in (10000, 30000):
        k = f"ol_all.open{rate}"
        d, p50, p99, p999 = (med(vals, f"{k}.{x}") for x in
                             ("delivered", "p50_ms", "p99_ms", "p999_ms"))
        mk = f"mock_ol.open{rate}"
        mp50, mp99 = med(vals, f"{mk}.p50_ms"), med(vals, f"{mk}.p99_ms")
        ok = None if p50 is None else (d >= 0.98 * rate and p50 <= 0.5 and p99 <= 2
                                       and p999 <= 10)
        row(f"acks=all RF 3, linger 0, open loop {rate:,} msg/s",
            f"delivered {fmt(d)}, p50 {fmt(p50)} ms, p99 {fmt(p99)} ms, p99.9 {fmt(p999)} ms",
            f"mock p50 {fmt(mp50)} ms, p99 {fmt(mp99)} ms", ratio(d, float(rate)),
            "delivered = offered; p50 ≤ 0.5 ms, p99 ≤ 2 ms, p99.9 ≤ 10 ms", ok)
    p50, p99 = med(vals, "e2e.e2e10000.p50_ms"), med(vals, "e2e.e2e10000.p99_ms")
    d = med(vals, "e2e.e2e10000.delivered")
    row("end-to-end (produce → consumer receives), 10,000 msg/s, acks=all",
        f"received {fmt(d)}, p50 {fmt(p50)} ms, p99 {fmt(p99)} ms, "
        f"p99.9 {fmt(med(vals, 'e2e.e2e10000.p999_ms'))} ms", "—", None,
        "p50 ≤ 1 ms, p99 ≤ 3 ms", None if p50 is None else p50 <= 1 and p99 <= 3)
    c1k, sf = med(vals, "rf1_1k.consume_MBps"), med(vals, "machine.sendfile_MBps")
    mc1k = med(vals, "mock_c1k.consume_MBps")
    r = ratio(c1k, sf)
    row("consume 1 KiB, caught up (MB/s)", fmt(c1k), f"sendfile {fmt(sf)}; mock {fmt(mc1k)}",
        r, "≥ 0.4 x sendfile", at_least(r, 0.4))
    s1k, ms1k = med(vals, "rf1_1k.consume_stream_MBps"), med(vals, "mock_c1k.consume_stream_MBps")
    row("same, from the first message on (without the client's start, "
        f"{fmt(med(vals, 'rf1_1k.consume_first_s'), ' s')})", fmt(s1k),
        f"sendfile {fmt(sf)}; mock {fmt(ms1k)}", ratio(s1k, sf), "(reference)", None)
    cpu = med(vals, "rf1_100.cpu_us_per_msg")
    row("broker CPU per 100 B message, RF 1 (all brokers)", fmt(cpu, " µs", 3), "—", None,
        "≤ 0.2 µs", None if cpu is None else cpu <= 0.2)
    icpu, rss = med(vals, "p1000.idle_cpu_pct"), med(vals, "p1000.rss_mb")
    row("1,000 partitions per broker (RF 3), idle: worst broker",
        f"{fmt(icpu, ' %')} of a core, RSS {fmt(rss, ' MB')}", "—", None,
        "< 2 % of a core, RSS < 200 MB", None if icpu is None else icpu < 2 and rss < 200)
    p1000, p12 = med(vals, "p1000.produce_msgs"), med(vals, "p12.produce_msgs")
    r = ratio(p1000, p12)
    row("produce over 1,000 partitions ÷ over 12 (RF 3 acks=1, msg/s)", fmt(p1000),
        f"12 partitions {fmt(p12)}", r, "≥ 0.7", at_least(r, 0.7))
    c1000, c12 = med(vals, "p1000.cpu_us_per_msg"), med(vals, "p12.cpu_us_per_msg")
    row("same: broker CPU per message, 1,000 partitions (all brokers)", fmt(c1000, " µs", 2),
        f"12 partitions {fmt(c12, ' µs', 2)}", ratio(c12, c1000), "(reference)", None)
    m1000, m12 = med(vals, "mock_p1000.produce_msgs"), med(vals, "mock_p12.produce_msgs")
    r = ratio(m1000, m12)
    row("same against the mock: the client's own 1,000 ÷ 12 (msg/s)", fmt(m1000),
        f"mock 12 partitions {fmt(m12)}", r, "(reference)", None)
    serve, listen = med(vals, "restart.serving_s"), med(vals, "restart.listen_s")
    data = med(vals, "restart.broker1_data_mb")
    row(f"restart after SIGKILL with {restart_gb} GB per broker ({fmt(data, ' MB')} on disk)",
        f"serving {fmt(serve, ' s')} (listening {fmt(listen, ' s')})", "—", None,
        "serving in < 5 s (goal with 5 GB)", None if serve is None else serve < 5)
    fl, fs = med(vals, "flush.produce_MBps"), med(vals, "machine.fdatasync_1m_MBps")
    r = ratio(fl, fs)
    row("log.flush.interval.messages=1, 1 KiB acks=all RF 3 (MB/s)", fmt(fl),
        f"1 MiB fdatasync {fmt(fs)}", r, "≥ 0.5 x sequential fdatasync MB/s",
        at_least(r, 0.5))
    for op in ("produce", "consume"):
        t, p = med(vals, f"tls_1k.{op}_MBps"), med(vals, f"rf1_1k.{op}_MBps")
        r = ratio(t, p)
        row(f"TLS ÷ plaintext, {op} 1 KiB RF 1 (MB/s)", fmt(t), f"plaintext {fmt(p)}", r,
            "≥ 0.7", at_least(r, 0.7))

    out = [f"Medians of {runs} runs (each figure's runs: see results.txt).", "",
           "| scenario | Gregor | reference | ratio | goal | met |", "|---|---|---|---|---|---|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    out += ["", "| machine limit (same run) | median |", "|---|---|"]
    for key, name, unit in (("tcp_MBps", "loopback TCP", " MB/s"),
                            ("sendfile_MBps", "sendfile → loopback socket", " MB/s"),
                            ("fdatasync_4k_p50_us", "write 4 KiB + fdatasync, p50", " µs"),
                            ("fdatasync_1m_p50_us", "write 1 MiB + fdatasync, p50", " µs"),
                            ("fdatasync_1m_MBps", "write 1 MiB + fdatasync, sequential", " MB/s"),
                            ("rtt_p50_us", "loopback round trip (1 byte), p50", " µs"),
                            ("rtt_p99_us", "loopback round trip (1 byte), p99", " µs")):
        out.append(f"| {name} | {fmt(med(vals, 'machine.' + key), unit)} |")
    loads = [(k[5:], v[0]) for k, v in vals.items() if k.startswith("load.")]
    if loads:
        out += ["", "Load average (1/5/15 min) at each phase's start and end: " +
                "; ".join(f"{k} {v}" for k, v in loads) + "."]
    return "\n".join(out)


def plot_data(vals):
    rates = sorted({int(k.split(".")[1][4:]) for k in vals
                    if k.startswith("ol_all.open") or k.startswith("ol_1.open")})
    lines = ["# rate acks1_p50 acks1_p99 acks1_p999 acksall_p50 acksall_p99 acksall_p999 "
             "acks1_delivered acksall_delivered (ms, msg/s; medians)"]
    for rate in rates:
        cols = [str(rate)]
        for label in ("ol_1", "ol_all"):
            for p in ("p50_ms", "p99_ms", "p999_ms"):
                v = med(vals, f"{label}.open{rate}.{p}")
                cols.append("NaN" if v is None else f"{v:.4f}")
        for label in ("ol_1", "ol_all"):
            v = med(vals, f"{label}.open{rate}.delivered")
            cols.append("NaN" if v is None else f"{v:.0f}")
        lines.append(" ".join(cols))
    return "\n".join(lines)


def main(argv):
    if len(argv) == 3 and argv[1] == "--plot-data":
        print(plot_data(load(argv[2])))
        return 0
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    print(table(load(argv[1]), argv[2], argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
