#!/usr/bin/env python3
"""Unit tests of the transactional-history checker (tests/drills/
txn_history.py) on synthetic histories: a clean one passes, and each anomaly
is found (with a witness) in a history made to contain exactly it."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "drills"))
import txn_history as th  # noqa: E402

# Two committed transactions over partitions 0 and 1 and an aborted one; a
# read_committed and a read_uncommitted consumer read everything.
PRODUCERS = [
    "B t1 1000", "W t1 0 0 a", "W t1 1 0 b", "E t1 commit 1100", "C t1 1200",
    "B t2 1300", "W t2 0 2 c", "W t2 1 2 d", "E t2 abort 1400", "A t2 1500",
    "B t3 1600", "W t3 0 4 e", "W t3 1 4 f", "E t3 commit 1700", "C t3 1800",
]
# offsets 1, 3, 5 are markers
COMMITTED = ["I read_committed rc", "R 0 0 a 1300", "R 1 0 b 1300", "R 0 4 e 1900",
             "R 1 4 f 1900", "F 0 6", "F 1 6"]
UNCOMMITTED = ["I read_uncommitted ru", "R 0 0 a 1300", "R 1 0 b 1300", "R 0 2 c 1450",
               "R 1 2 d 1450", "R 0 4 e 1900", "R 1 4 f 1900", "F 0 6", "F 1 6"]
LSO = ["L 0 6 6 2000", "L 1 6 6 2000"]


def history(producers=None, committed=None, uncommitted=None, lso=None, extra=()):
    h = th.History()
    th.parse_producer(h, PRODUCERS if producers is None else producers)
    th.parse_consumer(h, "rc", COMMITTED if committed is None else committed)
    th.parse_consumer(h, "ru", UNCOMMITTED if uncommitted is None else uncommitted)
    for name, lines in extra:
        th.parse_consumer(h, name, lines)
    th.parse_lso(h, LSO if lso is None else lso)
    return h


def replace(lines, old, new):
    return [new if ln == old else ln for ln in lines]


class Checker(unittest.TestCase):
    def found(self, h, max_timeout_ms=10000):
        stats, found = th.check(h, max_timeout_ms)
        return stats, {k: v for k, v in found.items() if v[0]}

    def only(self, h, kind, **kw):
        _stats, found = self.found(h, **kw)
        self.assertIn(kind, found, "expected %s, found %s" % (kind, found))
        self.assertTrue(found[kind][1], "no witness for %s" % kind)
        return found

    def test_clean_history_passes(self):
        stats, found = self.found(history())
        self.assertEqual(found, {})
        self.assertEqual((stats["committed"], stats["aborted"], stats["values"]), (2, 1, 6))

    def test_lost_write(self):
        rc = [ln for ln in COMMITTED if ln != "R 0 0 a 1300"]
        found = self.only(history(committed=rc), "lost_write")
        self.assertIn(" a ", found["lost_write"][1] + " ")

    def test_aborted_read(self):
        rc = COMMITTED[:3] + ["R 0 2 c 1600"] + COMMITTED[3:]
        self.only(history(committed=rc), "aborted_read")

    def test_duplicate(self):
        rc = COMMITTED[:2] + ["R 0 0 a 1300"] + COMMITTED[2:]
        self.only(history(committed=rc), "duplicate")

    def test_value_at_two_offsets(self):
        ru = UNCOMMITTED + ["R 0 7 a 2100"]
        self.only(history(uncommitted=ru), "value_two_offsets")

    def test_consumers_disagree_on_order(self):
        other = ["I read_committed rc2", "R 0 0 e 1300", "R 0 4 a 1900", "F 0 6"]
        found = self.only(history(extra=[("rc2", other)]), "order_disagreement")
        self.assertIn("0/0", found["order_disagreement"][1])

    def test_partial_visibility(self):
        rc = [ln for ln in COMMITTED if ln != "R 1 4 f 1900"]
        found = self.only(history(committed=rc), "partial_visibility")
        self.assertIn("t3", found["partial_visibility"][1])

    def test_read_past_open_transaction(self):
        # t3's second value read before t3 asked EndTxn (1700)
        rc = replace(COMMITTED, "R 1 4 f 1900", "R 1 4 f 1650")
        self.only(history(committed=rc), "read_past_open")

    def test_read_past_open_uses_the_first_end_request(self):
        # t3 asked to commit at 1700, retried at 2500, committed at 2600:
        # the reads at 1900 come after its first EndTxn; no anomaly
        prods = PRODUCERS[:-1] + ["E t3 commit 2500", "C t3 2600"]
        _stats, found = self.found(history(producers=prods))
        self.assertEqual(found, {})
        # the same reads before any EndTxn of t3 are caught
        prods = replace(PRODUCERS, "E t3 commit 1700", "E t3 commit 2500")
        self.only(history(producers=prods), "read_past_open")

    def test_read_past_coordinator_aborted_transaction_is_not_flagged(self):
        # t2 (aborted) was read past at 1350, before its client asked EndTxn
        # at 1400: the coordinator may have aborted it on its own
        rc = replace(COMMITTED, "R 0 4 e 1900", "R 0 4 e 1350")
        prods = replace(PRODUCERS, "E t3 commit 1700", "E t3 commit 1340")
        _stats, found = self.found(history(producers=prods, committed=rc))
        self.assertEqual(found, {})

    def test_hanging_transaction(self):
        lso = ["L 0 2 6 2000", "L 0 2 6 7000", "L 0 2 6 13000", "L 1 6 6 13000"]
        found = self.only(history(lso=lso), "hanging")
        self.assertIn("partition 0", found["hanging"][1])

    def test_lso_moving_is_not_hanging(self):
        lso = ["L 0 2 6 2000", "L 0 4 8 9000", "L 0 6 10 16000", "L 0 10 10 17000"]
        _stats, found = self.found(history(lso=lso))
        self.assertNotIn("hanging", found)

    def test_unknown_outcome_is_neither_lost_nor_aborted(self):
        prods = PRODUCERS[:-1]  # t3 never acknowledged: unknown
        rc = [ln for ln in COMMITTED if ln != "R 1 4 f 1900"]
        stats, found = self.found(history(producers=prods, committed=rc))
        self.assertEqual(found, {})
        self.assertEqual(stats["unknown"], 1)

    def test_each_anomaly_named_in_report(self):
        import io
        out = io.StringIO()
        stats, found = th.check(history(), 10000)
        self.assertEqual(th.report(stats, found, out), 0)
        for k in th.ANOMALIES:
            self.assertIn(k, out.getvalue())


if __name__ == "__main__":
    unittest.main()
