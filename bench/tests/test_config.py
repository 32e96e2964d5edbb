"""run.sh's command line, which CI and people's habits depend on."""

import unittest

from gatewaybench import config
from gatewaybench.config import Options, UsageError, parse_args
from gatewaybench.launcher import gateway_flags


class ParseArgsTest(unittest.TestCase):
    def test_table(self):
        cases = (
            ([], Options()),
            (["--smoke"], Options(mode="smoke")),
            (["--profile"], Options(profile=True)),
            (["--wait-idle=600"], Options(wait_idle_s=600)),
            (["--priority"], Options(priority=True)),
            (["--smoke", "--priority", "--wait-idle=5"],
             Options(mode="smoke", priority=True, wait_idle_s=5)),
            (["--help"], Options(help=True)),
            (["-h", "--bogus"], Options(help=True)),
            (["--compare=/b/livestream_server"], Options(compare="/b/livestream_server")),
            (["--compare=x", "--rounds=3", "--smoke"],
             Options(compare="x", compare_rounds=3, mode="smoke")),
        )
        for argv, want in cases:
            with self.subTest(argv=argv):
                self.assertEqual(parse_args(argv), want)

    def test_rejected(self):
        # No abbreviations, no separate values: run.sh never took them.
        for argv in (["--bogus"], ["--smo"], ["--wait-idle", "5"], ["--wait-idle=x"],
                     ["--wait-idle=-1"], ["smoke"], ["--compare="], ["--compare", "x"],
                     ["--rounds=0"], ["--rounds=two"]):
            with self.subTest(argv=argv), self.assertRaises(UsageError):
                parse_args(argv)


class ParamsTest(unittest.TestCase):
    def test_smoke_is_small_and_full_is_documented(self):
        smoke, full = config.params_for("smoke"), config.params_for("full")
        self.assertEqual((smoke.runs, smoke.duration_s, smoke.bursts), (1, 1, (200,)))
        self.assertEqual((full.runs, full.duration_s, full.bursts), (3, 5, (2000, 10000)))
        for p in (smoke, full):
            # Every round runs the same number of calls.
            self.assertEqual(p.lat_calls % p.lat_rounds, 0)

    def test_h2load_shape_gives_the_concurrency(self):
        for conc in config.CONCURRENCIES:
            c, m = config.h2load_shape(conc)
            self.assertEqual(c * m, conc)
        self.assertEqual(config.CONN_IN_FLIGHT % 8, 0)


class GatewayFlagsTest(unittest.TestCase):
    def test_every_stage_measures_the_same_configuration(self):
        self.assertEqual(gateway_flags("http://127.0.0.1:9/v2", 256, True),
                         ["--zoom_api_base_url=http://127.0.0.1:9/v2", "--zoom_max_connections=256",
                          "--zoom_body_encoding=multipart", "--zoom_timeout=10s",
                          "--zoom_rate_limit_qps=0"])
        # A server without client-side rate limiting gets no flag it would reject.
        self.assertNotIn("--zoom_rate_limit_qps=0", gateway_flags("http://h/v2", 4, False))


if __name__ == "__main__":
    unittest.main()
