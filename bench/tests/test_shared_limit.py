"""Stage shared_limit_latency's summary and its section of the report."""

import tempfile
import unittest
from pathlib import Path

from gatewaybench import doc, report, summary

DATA = Path(__file__).parent / "data"


class SummaryTest(unittest.TestCase):
    def test_added_is_shared_minus_local_at_each_percentile(self):
        with tempfile.TemporaryDirectory() as d:
            Path(d, "shared-limit-local.samples").write_text("100\n200\n300\n400\n")
            Path(d, "shared-limit-shared.samples").write_text("150\n260\n390\n500\n")
            Path(d, "shared_limit.jsonl").write_text(
                '{"path":"local","round":1,"result":{"errors":0}}\n'
                '{"path":"shared","round":1,"result":{"errors":2}}\n')
            s = summary.summarize_shared_limit(d)
        self.assertEqual((s["local"]["p50_us"], s["shared"]["p50_us"]), (200.0, 260.0))
        self.assertEqual(s["added_us"], {"p50": 60.0, "p90": 100.0, "p99": 100.0, "mean": 75.0})
        self.assertEqual((s["local"]["errors"], s["shared"]["errors"]), (0, 2))

    def test_one_path_alone_gives_no_added_figure(self):
        with tempfile.TemporaryDirectory() as d:
            Path(d, "shared-limit-local.samples").write_text("100\n")
            self.assertNotIn("added_us", summary.summarize_shared_limit(d))
            Path(d, "shared-limit-local.samples").unlink()
            self.assertEqual(summary.summarize_shared_limit(d), {})


class SectionTest(unittest.TestCase):
    def test_the_recorded_smoke_run_shows_both_paths_and_the_difference(self):
        s = report.summarize(DATA / "smoke", "stamp", "smoke")
        text = "\n".join(doc.shared_limit_section(s))
        self.assertIn("## Sharing the rate limit through Redis", text)
        self.assertIn("| gRPC → gateway (its own limiter) → nginx |", text)
        self.assertIn("| gRPC → gateway (limit shared through Redis) → nginx |", text)
        added = s["shared_limit"]["added_us"]["p50"]
        self.assertIn(f"| **added by Redis** (shared − local) | **{added:,.0f}** |", text)

    def test_a_run_without_the_stage_claims_no_figure(self):
        s = report.summarize(DATA / "smoke", "stamp", "smoke")
        s["shared_limit"] = {}
        text = "\n".join(doc.shared_limit_section(s))
        self.assertIn("predates the stage", text)
        self.assertNotIn("added by Redis", text)


if __name__ == "__main__":
    unittest.main()
