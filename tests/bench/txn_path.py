#!/usr/bin/env python3
"""txn_path.py: the steps of each transaction, from `perf script -F
pid,time,event` output of txn_path.sh's uprobes and, if given, the client's
librdkafka debug log (eos,protocol).

Broker side: the coordinator is the broker with the handle_end_txn events.
One transaction runs from one EndTxn's arrival to the next; within it: the
PrepareCommit write replicated (end_written: EndTxn answered), the
WriteTxnMarkers requests reaching the other leaders and their markers
replicated (wtm_part_done), every leader's answer (job_finish on the
coordinator), CompleteCommit replicated (on_complete_written), the next
AddPartitionsToTxn (held until then if it comes early) and the produce
requests (arrival, verification done, acks=all done). Client side: the same
transaction from librdkafka's state changes and requests (ms resolution).
Prints each step's median and p90 in ms; the first 3 transactions (warm-up)
are left out.

  txn_path.py EVENTS [CLIENT_LOG]
"""
import re
import statistics
import sys

LINE = re.compile(r"^\s*(\d+)\s+([\d.]+):\s+probe_gregord:(\w+):")
SKIP = 3


def load(path):
    ev = []
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if m:
                ev.append((int(m.group(1)), float(m.group(2)) * 1e3, m.group(3)))
    return ev


class Steps:
    def __init__(self):
        self.order, self.v = [], {}

    def add(self, name, value):
        if value is None:
            return
        if name not in self.v:
            self.order.append(name)
            self.v[name] = []
        self.v[name].append(value)

    def show(self, title):
        print(title)
        for name in self.order:
            v = sorted(self.v[name][SKIP:])
            if v:
                print(f"  {name:66s} p50 {statistics.median(v):6.2f}  "
                      f"p90 {v[int(len(v) * 0.9)]:6.2f}  n={len(v)}")


def first(w, name, pid=None, after=None):
    for p, t, e in w:
        if e == name and (pid is None or p == pid) and (after is None or t >= after):
            return t
    return None


def diff(a, b):
    return None if a is None or b is None else b - a


def broker_steps(ev):
    coord = next((p for p, _, e in ev if e == "handle_end_txn"), None)
    if coord is None:
        sys.exit("txn_path.py: no EndTxn seen")
    ends = [i for i, (_, _, e) in enumerate(ev) if e == "handle_end_txn"]
    s = Steps()
    for n, i in enumerate(ends[:-1]):
        w = ev[i:ends[n + 1] + 1]
        t0, t_next = w[0][1], w[-1][1]
        prep = first(w, "end_written", coord)
        done = first(w, "on_complete_written", coord)
        wtm = [t for p, t, e in w if e == "handle_write_txn_markers" and t < (done or t_next)]
        wtm_done = [t for p, t, e in w if e == "wtm_part_done" and t < (done or t_next)]
        acked = [t for p, t, e in w if e == "job_finish" and p == coord and t < (done or t_next)]
        ap = first(w, "handle_add_partitions_to_txn", coord, prep)
        ap_done = first(w, "apt_done", coord, ap)
        prod = [t for _, t, e in w if e == "handle_produce"]
        verified = [t for _, t, e in w if e == "on_verified"]
        acks = [t for _, t, e in w if e == "dp_complete"]
        s.add("EndTxn arrives -> PrepareCommit replicated, EndTxn answered", diff(t0, prep))
        s.add("PrepareCommit -> first WriteTxnMarkers arrives at another leader",
              diff(prep, min(wtm)) if wtm else None)
        s.add("WriteTxnMarkers arrives -> its markers replicated (slowest leader)",
              max(wtm_done) - min(wtm) if wtm and wtm_done else None)
        s.add("PrepareCommit -> every leader acknowledged", diff(prep, max(acked)) if acked else None)
        s.add("every leader acknowledged -> CompleteCommit replicated",
              diff(max(acked), done) if acked else None)
        s.add("EndTxn answered -> next AddPartitionsToTxn arrives (client)", diff(prep, ap))
        s.add("next AddPartitionsToTxn arrives -> answered", diff(ap, ap_done))
        s.add("  of which held for CompleteCommit", max(0.0, done - ap) if ap and done else None)
        if prod and acks and ap_done:
            s.add("AddPartitionsToTxn answered -> first Produce arrives", prod[0] - ap_done)
            s.add("first -> last Produce arrives (client; 2nd AddPartitionsToTxn)",
                  prod[-1] - prod[0])
            if len(verified) == len(prod):
                s.add("Produce arrives -> verified with the coordinator (median)",
                      statistics.median(v - p for p, v in zip(prod, verified)))
                if len(acks) == len(verified):
                    s.add("verified -> appended and replicated, acks=all (median)",
                          statistics.median(a - v for v, a in zip(verified, acks)))
            s.add("last Produce answered -> next EndTxn arrives (client)", t_next - acks[-1])
        s.add("one transaction (EndTxn to EndTxn)", t_next - t0)
    s.show(f"broker side ({len(ends)} EndTxn; coordinator pid {coord}), ms:")


def client_steps(path):
    ts = re.compile(r"^%7\|(\d+\.\d+)\|")
    txns, cur = [], None
    marks = (("InTransaction -> BeginCommit", "commit"), ("Sent EndTxnRequest", "end_sent"),
             ("Received EndTxnResponse", "end_recv"), ("CommitNotAcked -> Ready", "ready"))
    with open(path, errors="replace") as f:
        for line in f:
            m = ts.match(line)
            if not m:
                continue
            t = float(m.group(1)) * 1e3
            if "Ready -> InTransaction" in line:
                cur = {"begin": t, "ap": [], "prod": []}
                txns.append(cur)
            if cur is None:
                continue
            for text, key in marks:
                if text in line:
                    cur[key] = t
            if "Sent AddPartitionsToTxnRequest" in line:
                cur["ap"].append(t)
            elif "Received ProduceResponse" in line:
                cur["prod"].append(t)
    s = Steps()
    for x in txns:
        if not all(k in x for k in ("commit", "end_sent", "end_recv", "ready")) or not x["prod"]:
            continue
        s.add("begin_transaction -> commit_transaction called (1,000 produce calls)",
              x["commit"] - x["begin"])
        s.add("AddPartitionsToTxn requests per transaction", float(len(x["ap"])))
        s.add("commit called -> last Produce answered (flush)", max(x["prod"]) - x["commit"])
        s.add("last Produce answered -> EndTxn sent", x["end_sent"] - max(x["prod"]))
        s.add("EndTxn sent -> answered", x["end_recv"] - x["end_sent"])
        s.add("whole transaction (begin -> Ready)", x["ready"] - x["begin"])
    s.show(f"client side ({len(txns)} transactions), ms (librdkafka logs in whole ms):")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    broker_steps(load(sys.argv[1]))
    if len(sys.argv) == 3:
        client_steps(sys.argv[2])


if __name__ == "__main__":
    main()
