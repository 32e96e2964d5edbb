"""Bounds and clean-up of the processes the bench starts, on real processes
(sleep, sh) since the bounds are the point."""

import os
import tempfile
import time
import unittest
from pathlib import Path

from gatewaybench import measure, profiling
from gatewaybench.processes import TIMED_OUT, Proc, Registry, run_bounded


class RunBoundedTest(unittest.TestCase):
    def test_output_and_exit_code(self):
        self.assertEqual(run_bounded(["sh", "-c", "echo hi; exit 3"], 10), (3, "hi\n"))

    def test_a_tool_past_its_bound_is_stopped(self):
        start = time.monotonic()
        rc, _ = run_bounded(["sleep", "30"], 0.2)
        self.assertEqual(rc, TIMED_OUT)
        self.assertLess(time.monotonic() - start, 5)

    def test_missing_tool(self):
        self.assertEqual(run_bounded(["/nonexistent/tool"], 1)[0], 127)


class Fake:
    def __init__(self, log: list, name: str):
        self.log, self.name = log, name

    def stop(self) -> None:
        self.log.append(self.name)


class RegistryTest(unittest.TestCase):
    def test_stops_newest_first_and_only_since_the_mark(self):
        stopped: list = []
        reg = Registry()
        reg.add(Fake(stopped, "nginx"))
        mark = reg.mark()
        reg.add(Fake(stopped, "gateway"))
        reg.add(Fake(stopped, "reference"))
        reg.stop_since(mark)
        self.assertEqual(stopped, ["reference", "gateway"])
        reg.stop_all()
        self.assertEqual(stopped, ["reference", "gateway", "nginx"])

    def test_real_process_is_stopped_and_reaped(self):
        reg = Registry()
        proc = reg.start(["sleep", "30"])
        self.assertEqual(measure.first_child(os.getpid()), proc.pid)
        self.assertGreaterEqual(measure.cpu_seconds(proc.pid), 0)
        reg.stop_all()
        self.assertFalse(proc.alive())
        self.assertEqual(measure.cpu_seconds(proc.pid), 0.0)

    def test_a_process_ignoring_sigterm_is_killed(self):
        with tempfile.TemporaryDirectory() as d:
            out = Path(d, "out")
            proc = Proc(["sh", "-c", "trap '' TERM; echo ready; exec sleep 30"], out=out)
            deadline = time.monotonic() + 10
            while "ready" not in out.read_text() and time.monotonic() < deadline:
                time.sleep(0.01)
        start = time.monotonic()
        proc.stop(timeout=0.3)
        self.assertFalse(proc.alive())
        self.assertLess(time.monotonic() - start, 5)


class MassifTest(unittest.TestCase):
    TEXT = """--------------------------------------------------------------------------------
  n        time(i)         total(B)   useful-heap(B) extra-heap(B)    stacks(B)
--------------------------------------------------------------------------------
 21  1,000,000        2,000,000        1,900,000       100,000            0
 22  1,100,000        3,000,000        2,900,000       100,000            0
96.67% (2,900,000B) (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
->60.00% (1,800,000B) 0x1: grpc_core::Arena::Create (arena.cc:1)
| ->60.00% (1,800,000B) 0x2: grpc_call_create (call.cc:2)
|   ->60.00% (1,800,000B) 0x3: deeper (x.cc:3)
|     ->60.00% (1,800,000B) 0x4: deepest (x.cc:4)
->36.67% (1,100,000B) 0x5: curl_easy_init (easy.c:5)
--------------------------------------------------------------------------------
 23  1,200,000        2,500,000        2,400,000       100,000            0
"""

    def test_peak_snapshot_to_three_levels(self):
        text = "Detailed snapshots: [4, 22 (peak)]\n" + self.TEXT
        tree = profiling.massif_peak_tree(text).splitlines()
        self.assertTrue(tree[0].lstrip().startswith("22"))
        self.assertIn("96.67%", tree[1])
        self.assertFalse(any("deepest" in line for line in tree))
        self.assertTrue(any("deeper" in line for line in tree))
        self.assertIn("curl_easy_init", tree[-1])


if __name__ == "__main__":
    unittest.main()
