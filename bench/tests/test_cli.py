"""The run's preparation: what happens before the first measurement."""

import unittest
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from gatewaybench import cli
from gatewaybench.config import Options


class PrepareTest(unittest.TestCase):
    def prepare(self, opts: Options) -> tuple[list[str], SimpleNamespace]:
        """Runs cli.prepare with the builds, the frame and the load average
        faked; returns the steps in order and the context."""
        steps: list[str] = []
        ctx = SimpleNamespace(opts=opts, bins=SimpleNamespace(server=Path("/bin/true"),
                                                              client=Path("/bin/true")),
                              logs=Path("/nonexistent"), frame=Path("/nonexistent/frame"),
                              loadavg_start="")

        def build(_ctx):
            steps.append("build")
            return True

        with mock.patch.object(cli.build, "build", side_effect=build), \
             mock.patch.object(cli.build, "read_server_defaults"), \
             mock.patch.object(cli.goref, "build", side_effect=lambda _c: steps.append("goref")), \
             mock.patch.object(cli, "run_bounded",
                               side_effect=lambda *a, **k: steps.append("frame")), \
             mock.patch.object(cli, "wait_idle", side_effect=lambda _s: steps.append("wait")), \
             mock.patch.object(cli, "loadavg", return_value=("1.9", "1.0", "0.5")):
            self.assertTrue(cli.prepare(ctx))
        return steps, ctx

    def test_waits_for_the_builds_load_before_measuring(self):
        steps, ctx = self.prepare(Options(wait_idle_s=600))
        self.assertEqual(steps, ["build", "goref", "frame", "wait"])
        # Read after the wait: the load the measurements start in.
        self.assertEqual(ctx.loadavg_start, "1.9 1.0 0.5")

    def test_without_wait_idle_records_the_load_after_the_builds(self):
        steps, ctx = self.prepare(Options())
        self.assertEqual(steps, ["build", "goref", "frame"])
        self.assertEqual(ctx.loadavg_start, "1.9 1.0 0.5")

    def test_compare_builds_no_go_reference(self):
        steps, _ = self.prepare(Options(compare="/b/livestream_server", wait_idle_s=5))
        self.assertEqual(steps, ["build", "frame", "wait"])


if __name__ == "__main__":
    unittest.main()
