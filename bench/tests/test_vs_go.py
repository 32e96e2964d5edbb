"""The Go reference comparison and the HTTPS upstream: the request check,
the summaries, the targets, the certificates and nginx's configuration."""

import os
import subprocess
import tempfile
import unittest
from pathlib import Path

from gatewaybench import (config, doc, goref, measure, nginx, parse, report, summary, targets,
                          upstream_tls, vs_go)

DATA = Path(__file__).parent / "data"

BOUNDARY = "------------------------AbCdEfGhIjKlMnOpQrStUvWx"
GATEWAY_BODY = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nstart\r\n"
                f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"settings\"\r\n\r\n"
                "{\"active_speaker_name\":false,\"display_name\":\"Town hall\"}\r\n"
                f"--{BOUNDARY}--\r\n").encode()
GATEWAY_HEADERS = ("Accept: application/json\n"
                   f"Content-Type: multipart/form-data; boundary={BOUNDARY}\n"
                   "User-Agent: livestream-gateway/1.0\n"
                   "Authorization: Bearer emulator-token\n")
REQUEST_LINE = "PATCH /v2/webinars/99289110036/livestream/status\n"


def go_request(headers_extra: str = "", action: str = "start", path: str = REQUEST_LINE,
               token: str = "emulator-token") -> tuple[str, str, bytes]:
    """The same request as mime/multipart writes it: another boundary,
    quoted parameters, other header order and User-Agent."""
    b = "3f1e0c9d8b7a"
    body = (f"--{b}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\n{action}\r\n"
            f"--{b}\r\nContent-Disposition: form-data; name=\"settings\"\r\n\r\n"
            "{\"active_speaker_name\":false,\"display_name\":\"Town hall\"}\r\n"
            f"--{b}--\r\n").encode()
    headers = (f"User-Agent: go_reference\nAuthorization: Bearer {token}\n"
               f"Content-Type: multipart/form-data; boundary={b}\nAccept: application/json\n"
               + headers_extra)
    return path, headers, body


class RequestCheckTest(unittest.TestCase):
    def test_reads_the_form_fields_in_order(self):
        self.assertEqual(
            parse.multipart_fields(f"multipart/form-data; boundary={BOUNDARY}", GATEWAY_BODY),
            [("action", "start"),
             ("settings", "{\"active_speaker_name\":false,\"display_name\":\"Town hall\"}")])
        self.assertIsNone(parse.multipart_fields("application/json", b"{\"action\":\"start\"}"))

    def test_reads_captured_headers(self):
        self.assertEqual(parse.parse_captured_headers("A: b\nContent-Type: x; y=z:w\nbad\n"),
                         [("A", "b"), ("Content-Type", "x; y=z:w")])

    def test_the_same_contract_with_another_boundary_and_order_agrees(self):
        want = (REQUEST_LINE, GATEWAY_HEADERS, GATEWAY_BODY)
        self.assertEqual(parse.request_differences(want, go_request()), [])

    def test_each_difference_is_named(self):
        want = (REQUEST_LINE, GATEWAY_HEADERS, GATEWAY_BODY)
        cases = (
            (go_request(path="PATCH /v2/meetings/1/livestream/status\n"), "request line"),
            (go_request(headers_extra="Accept-Encoding: gzip\n"), "extra accept-encoding header"),
            (go_request(action="stop"), "form fields"),
            (go_request(token="other"), "another authorization value"),
            ((REQUEST_LINE, GATEWAY_HEADERS.replace("Accept: application/json\n", ""),
              GATEWAY_BODY), "no accept header"),
            ((REQUEST_LINE, "Content-Type: application/json\n" + GATEWAY_HEADERS.split("\n", 2)[2]
              + "Accept: application/json\n", b"{}"), "not multipart"),
        )
        for got, problem in cases:
            with self.subTest(problem=problem):
                problems = parse.request_differences(want, got)
                self.assertTrue(any(problem in p for p in problems), problems)

    def test_a_token_is_never_quoted(self):
        want = (REQUEST_LINE, GATEWAY_HEADERS, GATEWAY_BODY)
        problems = parse.request_differences(want, go_request(token="s3cr3t"))
        self.assertNotIn("s3cr3t", " ".join(problems))
        self.assertNotIn("emulator-token", " ".join(problems))


class ProcStatusTest(unittest.TestCase):
    def test_reads_kib_fields(self):
        status = "Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\nThreads:\t3\n"
        self.assertEqual(measure.status_kib(status, "VmRSS"), 1024)
        self.assertEqual(measure.status_kib(status, "VmHWM"), 2048)
        self.assertIsNone(measure.status_kib(status, "VmSwap"))
        self.assertIsNone(measure.status_kib(status, "Threads"))

    def test_a_live_process_has_memory_and_a_gone_one_none(self):
        self.assertGreater(measure.memory_kib(os.getpid())["rss_kib"], 0)
        self.assertEqual(measure.memory_kib(2**22 + 7), {"rss_kib": None, "hwm_kib": None})


def vs_go_row(scheme, target, conc, rps, cpu, rss_kib):
    return {"scheme": scheme, "target": target, "concurrency": conc, "rps": rps,
            "server_cpu_us_per_req": cpu, "rss_kib": rss_kib}


class SummaryTest(unittest.TestCase):
    def test_ratios_are_of_the_medians(self):
        rows = [vs_go_row("http", "gateway", 64, rps, 100.0, 40 * 1024) for rps in (9, 10, 30)]
        rows += [vs_go_row("http", "go_reference", 64, rps, cpu, 20 * 1024)
                 for rps, cpu in ((20, 40.0), (25, 50.0), (5, 60.0))]
        point = summary.summarize_vs_go(rows)["http"]["64"]
        self.assertEqual((point["gateway"]["rps_median"], point["go_reference"]["rps_median"]),
                         (10, 20))
        self.assertEqual((point["rps_ratio"], point["cpu_ratio"], point["rss_ratio"]),
                         (0.5, 2.0, 2.0))
        self.assertEqual(point["gateway"]["runs"], 3)

    def test_memory_per_connection_and_tls_share(self):
        rows = [{"scheme": scheme, "server": "gateway", "connections_opened": 255, "in_flight": 256,
                 "rss_before_kib": 30000, "rss_after_kib": 30000 + per * 255}
                for scheme, per in (("http", 20), ("https", 70))]
        mem = summary.summarize_upstream_memory(rows)["gateway"]
        self.assertEqual((mem["http"]["kib_per_connection"], mem["https"]["kib_per_connection"],
                          mem["tls_kib_per_connection"]), (20, 70, 50))
        # No connection opened, or one scheme missing: no figure.
        rows[0]["connections_opened"] = 0
        mem = summary.summarize_upstream_memory(rows[:1])["gateway"]
        self.assertIsNone(mem["http"]["kib_per_connection"])
        self.assertIsNone(mem["tls_kib_per_connection"])


class TargetsTest(unittest.TestCase):
    def summary_with(self, vs_go_points):
        return {"throughput": {}, "latency": {}, "bursts": {}, "connections": None,
                "direct_wrk_rps": None, "vs_go": vs_go_points}

    def test_the_worst_concurrency_decides(self):
        vs = {"http": {"64": {"rps_ratio": 1.5, "cpu_ratio": 0.6},
                       "256": {"rps_ratio": 1.2, "cpu_ratio": 0.65}}}
        rows = {r["key"]: r for r in targets.evaluate(self.summary_with(vs), "full")}
        self.assertEqual((rows["vs_go_http_throughput"]["value"], rows["vs_go_http_throughput"]["pass"]),
                         (1.2, False))
        self.assertEqual((rows["vs_go_http_cpu"]["value"], rows["vs_go_http_cpu"]["pass"]),
                         (0.65, True))
        self.assertIsNone(rows["vs_go_https_cpu"]["pass"])

    def test_added_latency_is_judged_against_the_bare_grpc_round_trip(self):
        s = self.summary_with({})
        s["latency"] = {"idle": {"grpc_only": {"p50_us": 200.0}, "added_us": {"p50": 230.0},
                                 "prototype_added_us": {"p50": 210.0}}}
        row = {r["key"]: r for r in targets.evaluate(s, "full")}["added_latency_vs_grpc"]
        self.assertEqual((row["value"], row["pass"], row["prototype_here"]), (1.15, False, "1.05"))
        s["latency"]["idle"]["added_us"]["p50"] = 220.0
        row = {r["key"]: r for r in targets.evaluate(s, "full")}["added_latency_vs_grpc"]
        self.assertEqual((row["value"], row["pass"]), (1.1, True))
        # No gRPC-only path measured: no figure, no verdict.
        del s["latency"]["idle"]["grpc_only"]
        row = {r["key"]: r for r in targets.evaluate(s, "full")}["added_latency_vs_grpc"]
        self.assertIsNone(row["pass"])

    def test_results_from_before_the_go_reference_still_evaluate(self):
        s = self.summary_with({})
        del s["vs_go"]
        keys = [r["key"] for r in targets.evaluate(s, "full")]
        self.assertIn("vs_go_https_throughput", keys)


class DocTest(unittest.TestCase):
    def test_the_section_shows_both_schemes_and_the_memory_per_connection(self):
        s = report.summarize(DATA / "smoke", "stamp", "smoke")
        text = "\n".join(doc.vs_go_section(s))
        self.assertIn("## Beside a Go gateway", text)
        for row in ("| HTTP | 64 |", "| HTTP | 256 |", "| HTTPS | 64 |", "| HTTPS | 256 |",
                    "| gateway |", "| Go reference |"):
            self.assertIn(row, text)
        self.assertNotIn("predates", text)

    def test_a_run_without_it_says_so_and_claims_no_figure(self):
        s = report.summarize(DATA / "smoke", "stamp", "smoke")
        s["vs_go"], s["upstream_memory"] = {}, {}
        text = "\n".join(doc.vs_go_section(s))
        self.assertIn("predates the Go reference", text)
        self.assertNotIn("| HTTP |", text)


class AlternationTest(unittest.TestCase):
    def test_servers_take_turns_going_first(self):
        self.assertEqual([vs_go.order(i)[0] for i in range(4)],
                         ["gateway", "go_reference", "gateway", "go_reference"])
        self.assertEqual(sorted(vs_go.order(1)), sorted(vs_go.SERVERS))

    def test_held_connections_fill_h2loads_eight_connections(self):
        for mode in ("smoke", "full"):
            n = config.params_for(mode).conn_memory
            self.assertEqual(n % 8, 0)
        self.assertEqual(config.params_for("full").conn_memory, 256)


class GoBuildTest(unittest.TestCase):
    def test_go_mod_is_never_rewritten_and_no_toolchain_is_fetched(self):
        env = goref.build_env({"GOFLAGS": "-buildvcs=false -mod=mod", "PATH": "/bin"})
        self.assertEqual(env["GOFLAGS"], "-buildvcs=false -mod=readonly")
        self.assertEqual(env["GOTOOLCHAIN"], "local")
        self.assertEqual(env["PATH"], "/bin")
        self.assertEqual(goref.build_env({})["GOFLAGS"], "-mod=readonly")

    def test_the_module_pins_every_version_and_uses_this_trees_stubs(self):
        root = config.REPO / "bench/go_reference"
        mod = (root / "go.mod").read_text()
        self.assertIn("=> ../../client/go", mod)
        self.assertTrue((root / "go.sum").read_text().strip())


class TlsTest(unittest.TestCase):
    """Runs openssl and nginx -t: the certificates must chain and nginx must
    accept the HTTPS configuration."""

    def test_certificates_chain_to_the_ca_for_127_0_0_1_and_nginx_takes_them(self):
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            files = upstream_tls.make(d / "tls", d / "openssl.log")
            self.assertIsNotNone(files, (d / "openssl.log").read_text())
            verify = subprocess.run(["openssl", "verify", "-CAfile", str(files.ca),
                                     str(files.cert)], capture_output=True, text=True)
            self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
            san = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName",
                                  "-in", str(files.cert)], capture_output=True, text=True)
            self.assertIn("IP Address:127.0.0.1", san.stdout)

            ngx = d / "nginx"
            (ngx / "logs").mkdir(parents=True)
            (ngx / "tmp").mkdir()
            text = nginx.conf(ngx, 20001, (20002, files))
            self.assertIn("listen 127.0.0.1:20002 ssl", text)
            self.assertIn(str(files.key), text)
            self.assertNotIn(" ssl", nginx.conf(ngx, 20001))
            (ngx / "nginx.conf").write_text(text)
            check = subprocess.run(["nginx", "-t", "-q", "-p", str(ngx), "-e",
                                    str(ngx / "logs/error.log"), "-c", str(ngx / "nginx.conf")],
                                   capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, check.stderr)


if __name__ == "__main__":
    unittest.main()
