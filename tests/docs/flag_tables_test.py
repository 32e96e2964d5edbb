"""The docs' flag tables agree with livestream_server (flag_tables.py), and
each check catches the mistake it is for.

Run by ctest (tests/docs/CMakeLists.txt):
  LIVESTREAM_SERVER_BIN=build/server/livestream_server python3 tests/docs/flag_tables_test.py
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flag_tables  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

HELP = """\
livestream_server: a gRPC gateway.

  Flags from ../server/config.cc:
    --listen (Address the gRPC server listens on (host:port; port 0 picks a free
      port).); default: "127.0.0.1:50051";
    --log_format (Format of every line written to stderr: 'logfmt' (time=...
      level=info msg=... key=value) or 'json' (one JSON object per line).);
      default: "logfmt";
    --port_file (If set, the bound port is written to this file.); default: "";
    --tls_refresh_interval (How often the files are checked; default: 5s
      is not this flag's default.); default: 1m;
    --zoom_rate_limit_burst (Requests back to back.); default: 5;
    --zoom_rate_limit_qps (Most requests per second.); default: 30;

  Flags from absl/flags/internal/usage.cc:
    --help (show help on important flags for this binary [tip: all flags can
      have two dashes]); default: false;
"""

README = """\
| flag / variable | default | meaning |
|---|---|---|
| `--listen` | `127.0.0.1:50051` | gRPC listen address |
| `ZOOM_ACCESS_TOKEN` (env) | none | Zoom access token |
| `--port_file` | none | write the bound port to this file |
| `--log_format` | `logfmt` | `logfmt` or `json` |
| `--tls_refresh_interval` | `60s` | how often the files are checked |
| `--zoom_rate_limit_qps` / `--zoom_rate_limit_burst` | `30` / `5` | token bucket |

| code | when |
|---|---|
| `--zoom_rate_limit_qps` | `RESOURCE_EXHAUSTED` |
"""


def server_binary():
    return os.environ.get("LIVESTREAM_SERVER_BIN",
                          os.path.join(ROOT, "build", "server", "livestream_server"))


class RepositoryTest(unittest.TestCase):
    def test_the_tables_agree_with_the_server(self):
        documents = flag_tables.load_documents(ROOT)
        helpfull = flag_tables.server_help(server_binary(), "helpfull")
        self.assertEqual(flag_tables.check_defaults(documents, helpfull), [])
        self.assertGreaterEqual(sum(len(flag_tables.table_rows(t)) for t in documents.values()),
                                40)

    def test_the_readme_lists_every_server_flag(self):
        documents = flag_tables.load_documents(ROOT)
        own = flag_tables.server_help(server_binary(), "help")
        self.assertIn("zoom_max_connections", own)
        self.assertEqual(flag_tables.check_complete(documents, own), [])


class ParseTest(unittest.TestCase):
    def test_help(self):
        self.assertEqual(flag_tables.parse_help(HELP), {
            "listen": "127.0.0.1:50051", "log_format": "logfmt", "port_file": "",
            "tls_refresh_interval": "1m", "zoom_rate_limit_burst": "5",
            "zoom_rate_limit_qps": "30", "help": "false"})

    def test_only_the_rows_of_default_tables(self):
        self.assertEqual(flag_tables.table_rows(README), [
            (3, ["listen"], ["127.0.0.1:50051"]),
            (5, ["port_file"], [""]),
            (6, ["log_format"], ["logfmt"]),
            (7, ["tls_refresh_interval"], ["60s"]),
            (8, ["zoom_rate_limit_qps", "zoom_rate_limit_burst"], ["30", "5"]),
        ])

    def test_values(self):
        for documented, actual, same in [
            ("60s", "1m", True), ("90s", "1m30s", True), ("0s", "0", True),
            ("30", "30", True), ("30", "30.0", True), ("256", "512", False),
            ("10s", "10m", False), ("", "", True), ("", "x", False), ("true", "false", False),
        ]:
            with self.subTest(documented=documented, actual=actual):
                self.assertEqual(flag_tables.same_value(documented, actual), same)


def checked(readme):
    documents = {"README.md": readme}
    helpfull = flag_tables.parse_help(HELP)
    # --help lists the server's own flags, not abseil's.
    own = {name: value for name, value in helpfull.items() if name != "help"}
    return (flag_tables.check_defaults(documents, helpfull) +
            flag_tables.check_complete(documents, own))


class BrokenTableTest(unittest.TestCase):
    """Each mistake in a copy of the table, and the message that names it."""

    CASES = [
        ("in agreement", README, []),
        ("a changed default", README.replace("`127.0.0.1:50051`", "`0.0.0.0:50051`"),
         ["README.md:3: --listen defaults to '127.0.0.1:50051', not '0.0.0.0:50051'"]),
        ("a duration of another value", README.replace("`60s`", "`30s`"),
         ["README.md:7: --tls_refresh_interval defaults to '1m', not '30s'"]),
        ("the second of two defaults", README.replace("`30` / `5`", "`30` / `10`"),
         ["README.md:8: --zoom_rate_limit_burst defaults to '5', not '10'"]),
        ("a default where the server has none", README.replace(
            "| `--port_file` | none |", "| `--port_file` | `/tmp/port` |"),
         ["README.md:5: --port_file defaults to 'nothing', not '/tmp/port'"]),
        ("a flag the server does not have", README.replace("`--log_format`", "`--log_style`"),
         ["README.md:6: --log_style is not a flag of the server",
          "README.md: --log_format is missing from the flag table"]),
        ("two flags, three defaults", README.replace("`30` / `5`", "`30` / `5` / `1`"),
         ["README.md:8: 2 flags but 3 defaults"]),
    ]

    def test_cases(self):
        for what, readme, expected in self.CASES:
            with self.subTest(what):
                self.assertEqual(checked(readme), expected)


if __name__ == "__main__":
    unittest.main()
