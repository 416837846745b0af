#!/usr/bin/env python3
"""repl_path.py: the replication latency path of acks=all produce requests
from `perf script -F pid,time,event` output of repl_path.sh's uprobes.

The leader is the broker with the handle_produce events. For each produce
request, in order on the leader unless said: arrival (handle_produce), append
done (rm_append_client return), the partition's waiters tried (purg_check_key:
the follower's parked fetch woken) and answered (fetch_respond), each
follower's append (rm_append_replica, on
its own pid), the leader seeing a follower's next fetch (rm_follower_fetched),
the delayed produce finishing (finish: high watermark reached) and the
response written (conn_flush). Prints each step's median and p90 in µs.

  repl_path.py EVENTS
"""
import re
import statistics
import sys
from collections import defaultdict

LINE = re.compile(r"^\s*(\d+)\s+([\d.]+):\s+probe_gregord:(\w+):")


def load(path):
    ev = defaultdict(lambda: defaultdict(list))  # pid -> probe -> [t]
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if m:
                ev[int(m.group(1))][m.group(3)].append(float(m.group(2)))
    return ev


def first_after(ts, t, limit):
    for x in ts:  # sorted; the lists are short enough for a scan
        if x >= t:
            return x if x <= limit else None
    return None


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    ev = load(argv[1])
    if not ev:
        print("repl_path.py: no probe events", file=sys.stderr)
        return 1
    leader = max(ev, key=lambda p: len(ev[p].get("handle_produce", [])))
    followers = [p for p in ev if p != leader and ev[p].get("rm_append_replica")]
    L = {k: sorted(v) for k, v in ev[leader].items()}
    F = {p: sorted(ev[p].get("rm_append_replica", [])) for p in followers}
    steps = defaultdict(list)
    produces = L.get("handle_produce", [])
    for i, t0 in enumerate(produces):
        limit = produces[i + 1] if i + 1 < len(produces) else t0 + 1.0
        a1 = first_after(L.get("rm_append_client__return", []), t0, limit)
        if a1 is None:
            continue
        # the purgatory's finish also ends woken fetches: the produce's is
        # the first one after the proving follower fetch
        fr = first_after(L.get("fetch_respond", []), a1, limit)
        reps = sorted(x for x in (first_after(F[p], a1, limit) for p in followers) if x)
        if fr is None or len(reps) < len(followers):
            continue
        proof = first_after(L.get("rm_follower_fetched", []), reps[-1], limit)
        fin = first_after(L.get("finish", []), proof, limit) if proof is not None else None
        if fin is None:
            continue
        wake = first_after(L.get("purg_check_key", []), a1, fr)
        flushed = first_after(L.get("conn_flush", []), fin, limit)
        steps["1 arrival → appended on the leader"].append(a1 - t0)
        if wake is not None:
            steps["2 appended → follower's parked fetch woken"].append(wake - a1)
        steps["3 appended → fetch response built for a follower"].append(fr - a1)
        steps["4 fetch response → first follower appended"].append(reps[0] - fr)
        if len(reps) > 1:
            steps["5 first → second follower appended"].append(reps[1] - reps[0])
        steps["6 last follower appended → its next fetch at the leader"].append(proof - reps[-1])
        steps["7 that fetch → high watermark, delayed produce finished"].append(fin - proof)
        if flushed is not None:
            steps["8 finished → response written (conn_flush)"].append(flushed - fin)
            steps["= arrival → response written"].append(flushed - t0)
    print(f"leader pid {leader}, followers {followers}, {len(produces)} produce requests")
    print(f"{'step':62} {'n':>4} {'p50 µs':>9} {'p90 µs':>9}")
    for name in sorted(steps):
        v = sorted(steps[name])
        p90 = v[min(len(v) - 1, int(0.9 * len(v)))]
        print(f"{name:62} {len(v):4d} {statistics.median(v) * 1e6:9.0f} {p90 * 1e6:9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
