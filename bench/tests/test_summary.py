"""The report's arithmetic and the structure of the results JSON."""

import contextlib
import json
import os
import tempfile
import unittest
from pathlib import Path

from gatewaybench import keytree, measure, report, summary

DATA = Path(__file__).parent / "data"


class ArithmeticTest(unittest.TestCase):
    def test_median_skips_missing(self):
        self.assertEqual(summary.median([3, None, 1, 2]), 2)
        self.assertEqual(summary.median([1, 2]), 1.5)
        self.assertIsNone(summary.median([None]))

    def test_percentile_is_nearest_rank(self):
        values = list(range(1, 101))
        self.assertEqual(summary.percentile(values, 50), 50)
        self.assertEqual(summary.percentile(values, 99), 99)
        self.assertEqual(summary.percentile([7], 99), 7)
        self.assertEqual(summary.percentile([1, 2, 3], 50), 2)

    def test_throughput_point_is_the_median_of_runs(self):
        rows = [{"target": "gateway", "concurrency": 64, "rps": rps, "server_cpu_us_per_req": cpu,
                 "server_ctx_switches_per_req": 1.0, "h2load_c": 4, "h2load_m": 16, "done": 100}
                for rps, cpu in ((10, 50.0), (30, 70.0), (20, 60.0))]
        point = summary.summarize_throughput(rows)["gateway"]["64"]
        self.assertEqual((point["rps_median"], point["server_cpu_us_per_req"], point["calls"]),
                         (20, 60.0, 300))
        self.assertEqual(summary.best({"64": point}), 20)
        self.assertIsNone(summary.ratio(None, 2))


class ProcTest(unittest.TestCase):
    def test_stat_cpu_seconds_with_spaces_in_comm(self):
        stat = "42 (a) b) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0 5 0"
        self.assertEqual(measure.stat_cpu_seconds(stat, 100), 2.0)

    def test_ctx_switches_sums_both_kinds(self):
        status = "Name:\tx\nvoluntary_ctxt_switches:\t12\nnonvoluntary_ctxt_switches:\t3\n"
        self.assertEqual(measure.status_ctx_switches(status), 15)


class ResultKeysTest(unittest.TestCase):
    """A smoke run's data (recorded by the bash bench before it became this
    package) must still give the results JSON its documented structure:
    tests/data/smoke-result-keys.txt, the key tree of that run's JSON."""

    def test_summary_of_recorded_run_has_the_recorded_key_tree(self):
        got = keytree.key_paths(json.loads(json.dumps(
            report.summarize(DATA / "smoke", "stamp", "smoke"))))
        want = set((DATA / "smoke-result-keys.txt").read_text().split("\n")) - {""}
        self.assertEqual(sorted(got - want), [])
        self.assertEqual(sorted(want - got), [])

    def test_generate_writes_results_charts_and_report(self):
        with tempfile.TemporaryDirectory() as out, open(os.devnull, "w") as null:
            with contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
                report.generate(DATA / "smoke", Path(out), "stamp", "smoke", None, None)
            names = set(os.listdir(out))
            self.assertLessEqual({"stamp.json", "performance.md"}, names)
            doc = Path(out, "performance.md").read_text()
            self.assertIn("## Against the targets", doc)
            self.assertIn("`bench/run.sh`", doc)


class KeyTreeTest(unittest.TestCase):
    def test_values_do_not_count_but_keys_and_types_do(self):
        a = {"x": 1, "rows": [{"a": 1.5}, {"b": "s"}], "n": None}
        self.assertEqual(keytree.diff(a, {"x": 2.0, "rows": [{"b": "t", "a": 0}], "n": None}),
                         ([], []))
        self.assertEqual(keytree.diff(a, {"x": 1, "rows": [{"a": 1}], "n": None}),
                         (["rows[].b: string"], []))
        self.assertEqual(keytree.diff({"n": None}, {"n": 3}), (["n: null"], ["n: number"]))


if __name__ == "__main__":
    unittest.main()
