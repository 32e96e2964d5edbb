"""The readers of h2load, wrk, nginx and --helpfull output, on captured text."""

import unittest
from pathlib import Path

from gatewaybench import parse

DATA = Path(__file__).parent / "data"


class AwkNumberTest(unittest.TestCase):
    def test_prints_like_awk(self):
        for value, want in ((3373.0, 3373), (96023.68, 96023.7), (1.0, 1), (0.5, 0.5), (0.0, 0)):
            with self.subTest(value=value):
                got = parse.awk_number(value)
                self.assertEqual(got, want)
                self.assertIs(type(got), type(want))


class H2loadTest(unittest.TestCase):
    def test_reads_the_summary(self):
        counts = parse.parse_h2load((DATA / "h2load-c16.txt").read_text())
        self.assertEqual(counts, {"seconds": 1.0, "rps": 11030.0, "done": 11030, "succeeded": 11030,
                                  "failed": 0, "errored": 0, "timeout": 0, "http_2xx": 11030})

    def test_output_of_a_failed_run_gives_zeros(self):
        counts = parse.parse_h2load("connect: Connection refused\n")
        self.assertEqual(set(counts.values()), {0})

    def test_row_has_the_historical_keys(self):
        counts = parse.parse_h2load((DATA / "h2load-c16.txt").read_text())
        row = parse.throughput_row("gateway", 16, (2, 8), 0, counts, 1.2, 22500, (0.18, 11046))
        self.assertEqual(list(row), ["target", "concurrency", "h2load_c", "h2load_m", "rc", "seconds",
                                     "rps", "done", "succeeded", "failed", "errored", "timeout",
                                     "http_2xx", "server_cpu_s", "server_cpu_us_per_req",
                                     "server_ctx_switches_per_req", "nginx_cpu_us_per_req",
                                     "upstream_requests"])
        self.assertEqual(row["server_cpu_us_per_req"], round(1.2e6 / 11030, 2))
        self.assertEqual(row["server_ctx_switches_per_req"], round(22500 / 11030, 2))
        self.assertEqual(row["nginx_cpu_us_per_req"], round(0.18e6 / 11030, 2))

    def test_row_without_nginx_or_calls(self):
        row = parse.throughput_row("reference", 1, (1, 1), 1, parse.parse_h2load(""), 0.5, 10, None)
        self.assertNotIn("upstream_requests", row)
        self.assertEqual(row["server_cpu_us_per_req"], 0)


class BadThroughputRunsTest(unittest.TestCase):
    GOOD = {"target": "gateway", "rc": 0, "h2load_c": 2, "h2load_m": 2, "done": 10, "failed": 0,
            "errored": 0, "http_2xx": 10, "upstream_requests": 10}

    def test_table(self):
        good = self.GOOD
        # (case, rows, whether the stage fails)
        cases = (
            ("all good", [good], False),
            ("no runs", [], True),
            ("other target only", [dict(good, target="reference")], True),
            ("non-zero rc", [dict(good, rc=124)], True),
            ("nothing done", [dict(good, done=0, http_2xx=0)], True),
            ("failed calls", [dict(good, failed=1)], True),
            ("errored calls", [dict(good, errored=1)], True),
            ("non-200", [dict(good, http_2xx=9)], True),
            # A timed run ends with up to c x m streams whose 200 came but
            # that are not done; more than that is not an end-of-run effect.
            ("200s of streams cut by the end", [dict(good, http_2xx=14)], False),
            ("more 200s than streams", [dict(good, http_2xx=15)], True),
            ("refused locally", [dict(good, upstream_requests=9)], True),
            ("no nginx count", [{k: v for k, v in good.items() if k != "upstream_requests"}], False),
        )
        for name, rows, fails in cases:
            with self.subTest(name):
                self.assertEqual(parse.bad_throughput_runs(rows, "gateway") is not None, fails)


class WrkTest(unittest.TestCase):
    def test_reads_the_report(self):
        row = parse.parse_wrk((DATA / "wrk.txt").read_text(), 1)
        self.assertEqual(row, {"run": 1, "rps": 96023.7, "requests": 96098, "non_2xx": 0,
                               "socket_errors": ""})
        self.assertTrue(parse.wrk_ok([row]))

    def test_errors_fail_the_stage(self):
        out = ("  96098 requests in 1.00s, 10.08MB read\n"
               "  Socket errors: connect 0, read 3, write 0, timeout 0\n"
               "  Non-2xx or 3xx responses: 7\nRequests/sec:  96023.68\n")
        row = parse.parse_wrk(out, 2)
        self.assertEqual(row["non_2xx"], 7)
        self.assertIn("read 3", row["socket_errors"])
        self.assertFalse(parse.wrk_ok([row]))
        self.assertFalse(parse.wrk_ok([]))


class NginxTest(unittest.TestCase):
    def test_stub_status(self):
        page = ("Active connections: 1 \nserver accepts handled requests\n 16 16 31 \n"
                "Reading: 0 Writing: 1 Waiting: 0 \n")
        self.assertEqual(parse.parse_stub_status(page), (16, 31))
        with self.assertRaises(ValueError):
            parse.parse_stub_status("<html>404</html>")


class HelpfullTest(unittest.TestCase):
    HELP = """  Flags from server/flags.cc:
    --zoom_max_connections (Most concurrent upstream HTTP/1.1 connections (size
      it as request rate x Zoom latency); calls beyond it wait in the server's
      queue within their deadline.); default: 256;
    --zoom_rate_limit_qps (Most requests per second); default: 30;
    --zoom_timeout (Upstream timeout); default: "10s";
"""

    def test_default_spanning_lines(self):
        self.assertEqual(parse.flag_default(self.HELP, "zoom_max_connections"), 256)
        self.assertEqual(parse.flag_default(self.HELP, "zoom_rate_limit_qps"), 30)

    def test_missing_or_not_numeric(self):
        self.assertIsNone(parse.flag_default(self.HELP, "zoom_timeout"))
        self.assertIsNone(parse.flag_default(self.HELP, "no_such_flag"))
        self.assertTrue(parse.has_flag(self.HELP, "zoom_rate_limit_qps"))
        self.assertFalse(parse.has_flag("", "zoom_rate_limit_qps"))

    def test_grpc_status(self):
        self.assertTrue(parse.grpc_status_ok("[  0.002] recv (stream_id=13) grpc-status: 0\n"))
        self.assertFalse(parse.grpc_status_ok("recv (stream_id=13) grpc-status: 14\n"))


if __name__ == "__main__":
    unittest.main()
