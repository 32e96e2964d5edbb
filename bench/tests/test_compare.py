"""--compare's rules: alternation, medians and ratios, failed runs."""

import unittest

from gatewaybench import compare


def row(build, conc, rps, cpu, **extra):
    r = {"build": build, "concurrency": conc, "rps": rps, "server_cpu_us_per_req": cpu, "rc": 0,
         "done": 100, "failed": 0, "errored": 0, "http_2xx": 100, "upstream_requests": 100}
    r.update(extra)
    return r


class OrderTest(unittest.TestCase):
    def test_alternates_who_goes_first(self):
        self.assertEqual([compare.order(i) for i in range(4)],
                         [("base", "this"), ("this", "base")] * 2)


class SummarizeTest(unittest.TestCase):
    def test_medians_and_ratios_per_concurrency(self):
        rows = [row("base", 64, 100, 50), row("base", 64, 120, 40), row("base", 64, 110, 45),
                row("this", 64, 130, 30), row("this", 64, 90, 60), row("this", 64, 121, 36),
                row("base", 256, 200, 20), row("this", 256, 100, 40)]
        points = compare.summarize(rows)
        self.assertEqual(list(points), ["64", "256"])
        p64 = points["64"]
        self.assertEqual((p64["base"]["rps"], p64["this"]["rps"]), (110, 121))
        self.assertEqual((p64["base"]["cpu_us_per_req"], p64["this"]["cpu_us_per_req"]), (45, 36))
        self.assertEqual((p64["rps_ratio"], p64["cpu_ratio"]), (1.1, 0.8))
        self.assertEqual(p64["this"]["rps_each"], [130, 90, 121])
        self.assertEqual((points["256"]["rps_ratio"], points["256"]["cpu_ratio"]), (0.5, 2.0))
        self.assertIn("| 64 | 110 | 121 | 1.1 | 45.0 | 36.0 | 0.8 |", compare.table(points))


class BadRunsTest(unittest.TestCase):
    def test_a_call_nginx_never_saw_fails_the_run(self):
        good = row("this", 64, 1, 1)
        self.assertEqual(compare.bad_runs([good]), [])
        for bad in (row("this", 64, 1, 1, rc=1), row("this", 64, 1, 1, done=0),
                    row("this", 64, 1, 1, errored=2), row("this", 64, 1, 1, http_2xx=99),
                    row("this", 64, 1, 1, upstream_requests=99)):
            with self.subTest(bad=bad):
                self.assertEqual(compare.bad_runs([good, bad]), [bad])


if __name__ == "__main__":
    unittest.main()
