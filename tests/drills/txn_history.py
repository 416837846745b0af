#!/usr/bin/env python3
"""txn_history: the checker of a transactional workload's history (stdlib).

A history is what txn_workload's processes wrote, one event per line:
  producer files (P*.log):
    B TXN MS                    transaction TXN began (wall ms)
    W TXN PART OFFSET VALUE     VALUE was acknowledged at PART/OFFSET
    X TXN PART VALUE            VALUE was not acknowledged
    E TXN commit|abort MS       EndTxn about to be asked
    C TXN MS | A TXN MS         committed | aborted (acknowledged)
    U TXN                       outcome unknown (end failed, client died...)
  consumer files (R*.log), first line `I ISOLATION NAME`:
    R PART OFFSET VALUE MS      read VALUE at PART/OFFSET (wall ms)
    F PART END                  finished PART at position END
  LSO samples (L*.log):  L PART LSO HW MS
A transaction with no C/A/U line (its process was killed) is unknown.

Anomalies (each counted, the first kept as a minimal witness):
  lost_write          a committed value not read by a read_committed
                      consumer that read past its offset
  aborted_read        a read_committed consumer read an aborted value
  duplicate           a consumer returned one record (PART/OFFSET) twice
  value_two_offsets   one value seen at two different offsets
  order_disagreement  two consumers saw different values at one PART/OFFSET
  partial_visibility  a read_committed consumer saw some values of a
                      committed transaction but not another one it read past
  read_past_open      a read_committed consumer read an offset at or past
                      the first offset in that partition of a transaction
                      that was later committed, before its client even asked
                      EndTxn (an abort may come from the coordinator itself,
                      so aborted transactions are left to aborted_read)
  hanging             the LSO of a partition stayed below its HW, unchanged,
                      for longer than transaction.max.timeout.ms
`check` returns (stats, {anomaly: (count, witness)}).
"""

import bisect
import glob
import os
import sys

ANOMALIES = ("lost_write", "aborted_read", "duplicate", "value_two_offsets",
             "order_disagreement", "partial_visibility", "read_past_open", "hanging")


class History:
    def __init__(self):
        self.txns = {}        # txn -> dict(state, end_ms, writes=[(part, off, value)])
        self.value_txn = {}   # value -> txn
        self.consumers = []   # (name, isolation, [(part, off, value, ms)], {part: end})
        self.lso = {}         # part -> [(ms, lso, hw)]

    def txn(self, t):
        return self.txns.setdefault(t, {"state": "unknown", "end_ms": None, "writes": [],
                                        "unacked": []})


def parse_producer(h, lines):
    for ln in lines:
        f = ln.split()
        if not f:
            continue
        k = f[0]
        if k == "B" and len(f) == 3:
            h.txn(f[1])
        elif k == "W" and len(f) == 5:
            h.txn(f[1])["writes"].append((int(f[2]), int(f[3]), f[4]))
            h.value_txn[f[4]] = f[1]
        elif k == "X" and len(f) == 4:
            h.txn(f[1])["unacked"].append((int(f[2]), f[3]))
            h.value_txn[f[3]] = f[1]
        elif k == "E" and len(f) == 4:
            tx = h.txn(f[1])  # the first EndTxn asked (a failed commit may be
            if tx["end_ms"] is None:  # followed by an abort)
                tx["end_ms"] = int(f[3])
        elif k == "C" and len(f) >= 2:
            h.txn(f[1])["state"] = "committed"
        elif k == "A" and len(f) >= 2:
            h.txn(f[1])["state"] = "aborted"
        elif k == "U" and len(f) >= 2:
            h.txn(f[1])["state"] = "unknown"


def parse_consumer(h, name, lines):
    iso, reads, ends = "read_committed", [], {}
    for ln in lines:
        f = ln.split()
        if not f:
            continue
        if f[0] == "I" and len(f) >= 2:
            iso = f[1]
        elif f[0] == "R" and len(f) == 5:
            reads.append((int(f[1]), int(f[2]), f[3], int(f[4])))
        elif f[0] == "F" and len(f) == 3:
            ends[int(f[1])] = int(f[2])
    h.consumers.append((name, iso, reads, ends))


def parse_lso(h, lines):
    for ln in lines:
        f = ln.split()
        if len(f) == 5 and f[0] == "L":
            h.lso.setdefault(int(f[1]), []).append((int(f[4]), int(f[2]), int(f[3])))


def load(d):
    h = History()
    for p in sorted(glob.glob(os.path.join(d, "P*.log"))):
        with open(p, errors="replace") as fh:
            parse_producer(h, fh)
    for p in sorted(glob.glob(os.path.join(d, "R*.log"))):
        with open(p, errors="replace") as fh:
            parse_consumer(h, os.path.basename(p), fh)
    for p in sorted(glob.glob(os.path.join(d, "L*.log"))):
        with open(p, errors="replace") as fh:
            parse_lso(h, fh)
    return h


class Found:
    def __init__(self):
        self.r = {a: [0, None] for a in ANOMALIES}

    def add(self, kind, witness):
        e = self.r[kind]
        e[0] += 1
        if e[1] is None:
            e[1] = witness


def reach(reads, ends):
    """Per partition: the highest offset a consumer provably read past."""
    out = dict(ends)
    for part, off, _v, _ms in reads:
        out[part] = max(out.get(part, 0), off + 1)
    return out


def check_consumer_local(h, f, name, iso, reads):
    seen_rec, at = set(), {}
    for part, off, v, _ms in reads:
        if (part, off) in seen_rec:
            f.add("duplicate", "%s read %d/%d (%s) twice" % (name, part, off, v))
        seen_rec.add((part, off))
        prev = at.get(v)
        if prev is not None and prev != (part, off):
            f.add("value_two_offsets", "%s read %s at %d/%d and %d/%d"
                  % (name, v, prev[0], prev[1], part, off))
        at.setdefault(v, (part, off))
        if iso == "read_committed" and h.txns.get(h.value_txn.get(v), {}).get("state") == "aborted":
            f.add("aborted_read", "%s read %s at %d/%d of aborted %s"
                  % (name, v, part, off, h.value_txn[v]))


def check_cross(h, f):
    """Offsets agree across consumers and with the producers' acks."""
    owner, where = {}, {}
    for t, tx in h.txns.items():
        for part, off, v in tx["writes"]:
            owner[(part, off)] = ("producer", v)
            where.setdefault(v, (part, off))
    for name, _iso, reads, _ends in h.consumers:
        for part, off, v, _ms in reads:
            o = owner.get((part, off))
            if o is not None and o[1] != v:
                f.add("order_disagreement", "%d/%d: %s saw %s, %s saw %s"
                      % (part, off, o[0], o[1], name, v))
            else:
                owner.setdefault((part, off), (name, v))
            w = where.get(v)
            if w is not None and w != (part, off):
                f.add("value_two_offsets", "%s at %d/%d (acknowledged) and at %d/%d (%s)"
                      % (v, w[0], w[1], part, off, name))
            where.setdefault(v, (part, off))


def check_committed(h, f):
    for name, iso, reads, ends in h.consumers:
        if iso != "read_committed":
            continue
        got = {v for _p, _o, v, _ms in reads}
        far = reach(reads, ends)
        for t, tx in h.txns.items():
            if tx["state"] != "committed" or not tx["writes"]:
                continue
            past = [(p, o, v) for p, o, v in tx["writes"] if far.get(p, 0) > o]
            missing = [(p, o, v) for p, o, v in past if v not in got]
            for p, o, v in missing:
                f.add("lost_write", "%s committed %s at %d/%d; %s read %d/%d and beyond "
                      "without it" % (t, v, p, o, name, p, far[p] - 1))
            if missing and any(v in got for _p, _o, v in tx["writes"]):
                p, o, v = missing[0]
                f.add("partial_visibility", "%s saw part of %s but not %s at %d/%d"
                      % (name, t, v, p, o))


def earliest_read_from(by_part, part, off):
    """The earliest read (by time) of an offset >= off in part, or None."""
    offs, rest = by_part.get(part, ([], []))
    i = bisect.bisect_left(offs, off)
    return rest[i] if i < len(rest) else None


def index_reads(reads):
    """Per partition: offsets ascending, and for each position the read with
    the smallest time among those at or after it (a suffix minimum)."""
    by = {}
    for part, off, v, ms in reads:
        by.setdefault(part, []).append((off, ms, v))
    out = {}
    for part, lst in by.items():
        lst.sort()
        best, suffix = None, [None] * len(lst)
        for i in range(len(lst) - 1, -1, -1):
            if best is None or lst[i][1] < best[1]:
                best = lst[i]
            suffix[i] = best
        out[part] = ([x[0] for x in lst], suffix)
    return out


def check_read_past_open(h, f):
    """Only committed transactions: one the coordinator aborted on its own
    (timeout, fencing) may end before its client asks EndTxn."""
    first = []  # (part, first offset, end_ms, txn)
    for t, tx in h.txns.items():
        if tx["end_ms"] is None or tx["state"] != "committed":
            continue
        byp = {}
        for p, o, _v in tx["writes"]:
            byp[p] = min(byp.get(p, o), o)
        for p, o in byp.items():
            first.append((p, o, tx["end_ms"], t))
    for name, iso, reads, _ends in h.consumers:
        if iso != "read_committed":
            continue
        idx = index_reads(reads)
        for p, fo, end_ms, t in first:
            r = earliest_read_from(idx, p, fo)
            if r is not None and r[1] < end_ms:
                f.add("read_past_open", "%s read %s at %d/%d at %d, before %s (first "
                      "offset %d) asked EndTxn at %d" % (name, r[2], p, r[0], r[1], t, fo,
                                                          end_ms))


def check_hanging(h, f, max_timeout_ms):
    for p, samples in h.lso.items():
        samples.sort()
        since = None
        for ms, lso, hw in samples:
            if lso >= hw:
                since = None
                continue
            if since is None or since[1] != lso:
                since = (ms, lso)
            if ms - since[0] > max_timeout_ms:
                f.add("hanging", "partition %d: LSO %d below HW %d for %d ms (> %d)"
                      % (p, lso, hw, ms - since[0], max_timeout_ms))
                break


def check(h, max_timeout_ms=60000):
    f = Found()
    for name, iso, reads, _ends in h.consumers:
        check_consumer_local(h, f, name, iso, reads)
    check_cross(h, f)
    check_committed(h, f)
    check_read_past_open(h, f)
    check_hanging(h, f, max_timeout_ms)
    states = [tx["state"] for tx in h.txns.values()]
    stats = {
        "committed": states.count("committed"),
        "aborted": states.count("aborted"),
        "unknown": states.count("unknown"),
        "values": sum(len(tx["writes"]) for tx in h.txns.values()),
        "reads": sum(len(c[2]) for c in h.consumers),
    }
    return stats, {k: (v[0], v[1]) for k, v in f.r.items()}


def report(stats, found, out=sys.stdout):
    print("transactions: %(committed)d committed, %(aborted)d aborted, %(unknown)d unknown; "
          "values acknowledged: %(values)d; records read: %(reads)d" % stats, file=out)
    bad = 0
    for k in ANOMALIES:
        n, w = found[k]
        bad += n
        print("%-20s %d%s" % (k, n, ("   e.g. " + w) if w else ""), file=out)
    print("anomalies: %d" % bad, file=out)
    return bad


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: txn_history.py DIR [TRANSACTION_MAX_TIMEOUT_MS]")
    h = load(sys.argv[1])
    stats, found = check(h, int(sys.argv[2]) if len(sys.argv) == 3 else 60000)
    sys.exit(1 if report(stats, found) else 0)


if __name__ == "__main__":
    main()
