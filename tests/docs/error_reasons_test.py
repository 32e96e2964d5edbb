"""The error contract agrees across the proto, the README, the soak, the
server and the clients (error_reasons.py), and each check catches the
mistake it is for.

Run by ctest (tests/docs/CMakeLists.txt):
  python3 tests/docs/error_reasons_test.py
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import error_reasons  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

PROTO = """\
enum ErrorReason {
  // Never sent.
  ERROR_REASON_UNSPECIFIED = 0;

  // Zoom does not know the webinar.
  // Code: NOT_FOUND, with a ResourceInfo.
  ZOOM_WEBINAR_NOT_FOUND = 1;
  // No answer came from Zoom.
  // Code: UNAVAILABLE, or UNKNOWN for a request not safe to repeat.
  ZOOM_UNREACHABLE = 2;
  // A bug. Code: the error's own.
  INTERNAL = 3;
}
"""

README = """\
| Zoom answer | gRPC code | ErrorInfo reason | further detail |
|---|---|---|---|
| any 404 | `NOT_FOUND` | `ZOOM_WEBINAR_NOT_FOUND` | `ResourceInfo` |
| connect failure | `UNAVAILABLE` (see [docs](docs/resilience.md)) | `ZOOM_UNREACHABLE` | metadata `delivered: no` |
| the same, not safe to repeat | `UNKNOWN`: the outcome is unknown | `ZOOM_UNREACHABLE` | |
| a bug | the error's own | `INTERNAL` | |

| flag | default |
|---|---|
| `--listen` | `UNAVAILABLE` |
"""

SOAK = """\
      {C::kNotFound, {"ZOOM_WEBINAR_NOT_FOUND"}},
      {C::kUnavailable, {"ZOOM_UNREACHABLE"}},
      {C::kUnknown,
       {"ZOOM_UNREACHABLE"}},
"""

SERVER = {
    "server/a.cc": "MakeError(code, m, ErrorReason::ZOOM_WEBINAR_NOT_FOUND);",
    "server/b.cc": "ErrorReason reason = ErrorReason::ZOOM_UNREACHABLE;\n"
                   "Name(ErrorReason::INTERNAL)",
}

HEADER = 'inline constexpr absl::string_view kErrorDomain = "zoom-livestream-gateway";'

CLIENTS = {
    "client/go/richerr/richerr.go": 'const Domain = "zoom-livestream-gateway"',
    "client/java/src/main/java/com/zoom/livestream/client/RichError.java":
        'public static final String DOMAIN = "zoom-livestream-gateway";',
    "client/python/src/zoom_livestream/errors.py": 'DOMAIN = "zoom-livestream-gateway"\n',
    "client/node/src/errors.ts": "export const ERROR_DOMAIN = 'zoom-livestream-gateway';",
}


class RepositoryTest(unittest.TestCase):
    def test_the_contract_agrees_everywhere(self):
        self.assertEqual(error_reasons.check_repository(ROOT), [])

    def test_the_real_files_parse(self):
        with open(os.path.join(ROOT, error_reasons.PROTO), encoding="utf-8") as f:
            proto = error_reasons.proto_reasons(f.read())
        self.assertGreaterEqual(len(proto), 20)
        self.assertEqual(proto["ZOOM_TIMEOUT"], {"DEADLINE_EXCEEDED"})
        with open(os.path.join(ROOT, error_reasons.README), encoding="utf-8") as f:
            self.assertEqual(error_reasons.readme_reasons(f.read())["ZOOM_MEETING_NOT_FOUND"],
                             {"NOT_FOUND"})


class ParseTest(unittest.TestCase):
    def test_proto(self):
        self.assertEqual(error_reasons.proto_reasons(PROTO), {
            "ERROR_REASON_UNSPECIFIED": set(), "ZOOM_WEBINAR_NOT_FOUND": {"NOT_FOUND"},
            "ZOOM_UNREACHABLE": {"UNAVAILABLE", "UNKNOWN"}, "INTERNAL": set()})

    def test_readme_only_the_error_table(self):
        self.assertEqual(error_reasons.readme_reasons(README), {
            "ZOOM_WEBINAR_NOT_FOUND": {"NOT_FOUND"},
            "ZOOM_UNREACHABLE": {"UNAVAILABLE", "UNKNOWN"}, "INTERNAL": set()})

    def test_soak(self):
        self.assertEqual(error_reasons.soak_reasons(SOAK), {
            "ZOOM_WEBINAR_NOT_FOUND": {"NOT_FOUND"},
            "ZOOM_UNREACHABLE": {"UNAVAILABLE", "UNKNOWN"}})


class CheckTest(unittest.TestCase):
    def proto(self, text=PROTO):
        return error_reasons.proto_reasons(text)

    def readme(self, text=README):
        return error_reasons.readme_reasons(text)

    def test_consistent_copies_pass(self):
        self.assertEqual(error_reasons.check_documented(self.proto(), self.readme()), [])
        self.assertEqual(error_reasons.check_soak(self.readme(), error_reasons.soak_reasons(SOAK)),
                         [])
        self.assertEqual(error_reasons.check_sent(self.proto(), SERVER), [])
        self.assertEqual(error_reasons.check_domains(HEADER, CLIENTS), [])

    def test_undocumented_reason(self):
        proto = self.proto(PROTO.replace("}", "  // Code: ABORTED.\n  NEW_REASON = 4;\n}"))
        problems = error_reasons.check_documented(proto, self.readme())
        self.assertEqual(len(problems), 1)
        self.assertIn("NEW_REASON is missing", problems[0])

    def test_reason_not_in_the_enum(self):
        readme = self.readme(README.replace("`ZOOM_WEBINAR_NOT_FOUND`", "`ZOOM_WEBINAR_GONE`"))
        problems = error_reasons.check_documented(self.proto(), readme)
        self.assertTrue(any("ZOOM_WEBINAR_GONE is not a value" in p for p in problems), problems)

    def test_codes_differ(self):
        readme = self.readme(README.replace("`UNKNOWN`: the outcome", "`INTERNAL`: the outcome"))
        problems = error_reasons.check_documented(self.proto(), readme)
        self.assertEqual(len(problems), 1)
        self.assertIn("ZOOM_UNREACHABLE: codes", problems[0])

    def test_unspecified_documented(self):
        readme = self.readme(README.replace(
            "| a bug |", "| x | `INTERNAL` | `ERROR_REASON_UNSPECIFIED` | |\n| a bug |"))
        self.assertTrue(any("never sent" in p for p in
                            error_reasons.check_documented(self.proto(), readme)))

    def test_soak_accepts_more(self):
        soak = error_reasons.soak_reasons(SOAK + '{C::kInternal, {"ZOOM_UNREACHABLE"}},')
        problems = error_reasons.check_soak(self.readme(), soak)
        self.assertEqual(len(problems), 1)
        self.assertIn("accepts ZOOM_UNREACHABLE with ['INTERNAL']", problems[0])

    def test_soak_refuses_a_documented_pair(self):
        soak = error_reasons.soak_reasons(SOAK.replace('{C::kUnknown,\n       {"ZOOM_UNREACHABLE"}},',
                                                       ""))
        problems = error_reasons.check_soak(self.readme(), soak)
        self.assertEqual(len(problems), 1)
        self.assertIn("refuses ZOOM_UNREACHABLE with ['UNKNOWN']", problems[0])

    def test_reason_nothing_sends(self):
        server = dict(SERVER, **{"server/b.cc": "ErrorReason::ZOOM_UNREACHABLE_SOON"})
        self.assertEqual(error_reasons.check_sent(self.proto(), server),
                         ["server/: nothing sends ErrorReason INTERNAL",
                          "server/: nothing sends ErrorReason ZOOM_UNREACHABLE"])

    def test_client_domain_differs(self):
        clients = dict(CLIENTS)
        clients["client/python/src/zoom_livestream/errors.py"] = 'DOMAIN = "zoom-livestream"\n'
        problems = error_reasons.check_domains(HEADER, clients)
        self.assertEqual(len(problems), 1)
        self.assertIn("errors.py: domain ['zoom-livestream']", problems[0])

    def test_client_domain_missing(self):
        clients = dict(CLIENTS)
        del clients["client/node/src/errors.ts"]
        self.assertIn("not found", error_reasons.check_domains(HEADER, clients)[0])

    def test_second_cpp_definition(self):
        self.assertIn("2 definitions", error_reasons.check_domains(HEADER + HEADER, CLIENTS)[0])


if __name__ == "__main__":
    unittest.main()
