#!/usr/bin/env python3
"""Tests of scripts/stack.py against the real binaries.

    LIVESTREAM_SERVER_BIN=... ZOOM_EMULATOR_BIN=... scripts/stack_test.py [-v]

Binaries as the launcher takes them (default: the CMake build under build/).
scripts/test-clients.sh runs it as its stage "stack". Standard library only.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import unittest
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import stack  # noqa: E402  (the module under test, next to this file)

STACK = HERE / "stack.py"
# Bounds for the launcher's own work; every wait in the tests is on a condition.
EXIT_TIMEOUT_S = 30
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
H2_SETTINGS = 0x4


def gone(pid: int) -> bool:
    """True when no process (not even a zombie) has this pid."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1].startswith("Z")
    except FileNotFoundError:
        return True


def answers_http2(target: str) -> bool:
    """Sends the HTTP/2 preface; a gRPC server answers with a SETTINGS frame."""
    host, port = target.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(H2_PREFACE + struct.pack(">I", 0)[1:] + bytes([H2_SETTINGS, 0]) + struct.pack(">I", 0))
        header = b""
        while len(header) < 9:
            chunk = s.recv(9 - len(header))
            if not chunk:
                return False
            header += chunk
    return header[3] == H2_SETTINGS


def http_get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


class Launcher:
    """scripts/stack.py as a child, its JSON line read."""

    def __init__(self, *args: str):
        self.popen = subprocess.Popen([sys.executable, str(STACK), *args], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.popen.stdout.readline()
        self.info = json.loads(line) if line else None

    def finish(self) -> tuple[int, str]:
        """Waits (bounded) for the launcher to exit: its exit code and stderr."""
        # Its stderr is a few lines at most: the pipe holds them while it exits.
        code = self.popen.wait(timeout=EXIT_TIMEOUT_S)
        return code, self.popen.stderr.read()

    def close(self) -> None:
        """Stops the launcher as its callers do: by closing its stdin."""
        self.popen.stdin.close()
        try:
            self.popen.wait(timeout=EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
        self.popen.stdout.close()
        self.popen.stderr.close()


class StackTest(unittest.TestCase):
    def launch(self, *args: str, ready: bool = True) -> Launcher:
        launcher = Launcher(*args)
        self.addCleanup(launcher.close)
        if ready and launcher.info is None:
            self.fail(f"the launcher printed no JSON line: {launcher.finish()}")
        return launcher

    def assert_all_gone(self, info: dict) -> None:
        for name, pid in info["pids"].items():
            self.assertTrue(gone(pid), f"{name} (pid {pid}) still runs")
        if "logs" in info:
            self.assertFalse(Path(info["logs"]).exists(), "temporary directory left behind")

    def test_prints_json_and_both_ports_answer(self):
        info = self.launch("--metrics").info
        self.assertEqual(set(info["pids"]), {"zoom_emulator", "gateway"})
        self.assertEqual(info["zoom_api_base_url"], f"http://{info['emulator']}/v2")
        self.assertEqual(info["gateways"]["gateway"], {"target": info["gateway"], "metrics": info["metrics"]})
        self.assertTrue(answers_http2(info["gateway"]))
        status, _ = http_get(f"http://{info['emulator']}/_emulator/stats")
        self.assertEqual(status, 200)
        status, body = http_get(f"http://{info['metrics']}/metrics")
        self.assertEqual(status, 200)
        self.assertIn("# TYPE", body)

    def test_stdin_close_stops_everything(self):
        launcher = self.launch()
        launcher.popen.stdin.close()
        code, err = launcher.finish()
        self.assertEqual(code, 0, err)
        self.assert_all_gone(launcher.info)

    def test_stop_signals_stop_everything(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=sig.name):
                launcher = self.launch()
                launcher.popen.send_signal(sig)
                code, err = launcher.finish()
                self.assertEqual(code, 0, err)
                self.assert_all_gone(launcher.info)

    def test_several_gateways_with_their_own_flags(self):
        launcher = self.launch("--gateway=a", "--gateway=b:--zoom_timeout=5s --log_format=json")
        info = launcher.info
        self.assertEqual(set(info["gateways"]), {"a", "b"})
        self.assertEqual(info["gateway"], info["gateways"]["a"]["target"])
        for name in ("a", "b"):
            self.assertTrue(answers_http2(info["gateways"][name]["target"]), name)
        # Only b logs JSON: its own flags reached it alone.
        self.assertTrue(Path(info["logs"], "b.log").read_text().startswith("{"))
        self.assertFalse(Path(info["logs"], "a.log").read_text().startswith("{"))

    def test_server_that_fails_to_start_is_named_with_its_output(self):
        launcher = self.launch("--", "--zoom_timeout=bogus", ready=False)
        self.assertIsNone(launcher.info)
        code, err = launcher.finish()
        self.assertEqual(code, 1)
        self.assertIn("livestream_server exited before listening (exit code 1)", err)
        self.assertIn("bogus", err)

    def test_emulator_that_fails_to_start_is_named(self):
        launcher = self.launch("--no-gateway", "--emulator-flag=--no_such_flag", ready=False)
        code, err = launcher.finish()
        self.assertEqual(code, 1)
        self.assertIn("zoom_emulator exited before listening", err)
        self.assertIn("no_such_flag", err)

    def test_process_that_dies_later_ends_the_stack(self):
        launcher = self.launch()
        os.kill(launcher.info["pids"]["gateway"], signal.SIGKILL)
        code, err = launcher.finish()
        self.assertEqual(code, 1)
        self.assertIn("livestream_server exited unexpectedly (killed by SIGKILL)", err)
        self.assert_all_gone(launcher.info)

    def test_process_that_never_listens_times_out(self):
        # The wrapper replaces the server by a process that never writes its port.
        launcher = self.launch("--no-emulator", "--timeout=0.5", "--wrapper=sh -c 'exec sleep 60'", ready=False)
        self.assertIsNone(launcher.info)
        code, err = launcher.finish()
        self.assertEqual(code, 1)
        self.assertIn("livestream_server wrote no port to", err)
        self.assertIn("within 0.5s", err)

    def test_missing_binary_says_which_variable(self):
        launcher = self.launch("--server-bin=/nonexistent/livestream_server", ready=False)
        code, err = launcher.finish()
        self.assertEqual(code, 1)
        self.assertIn("no executable at /nonexistent/livestream_server", err)
        self.assertIn("LIVESTREAM_SERVER_BIN", err)

    def test_killed_launcher_takes_its_processes_along(self):
        launcher = self.launch()
        launcher.popen.kill()
        launcher.popen.wait()
        deadline = time.monotonic() + EXIT_TIMEOUT_S
        pids = launcher.info["pids"].values()
        while not all(map(gone, pids)) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertTrue(all(map(gone, pids)), "a process outlived the launcher")
        # Only its temporary directory stays: nothing was left to remove it.
        shutil.rmtree(launcher.info["logs"])

    def test_log_dir_is_kept_and_its_old_port_files_ignored(self):
        log_dir = Path(os.environ.get("TMPDIR", "/tmp"), f"stack-test-logs.{os.getpid()}")
        self.addCleanup(shutil.rmtree, log_dir, ignore_errors=True)
        log_dir.mkdir()
        (log_dir / "gateway.port").write_text("1\n")  # as an earlier run left it
        launcher = self.launch(f"--log-dir={log_dir}")
        self.assertTrue(answers_http2(launcher.info["gateway"]))
        launcher.popen.stdin.close()
        code, err = launcher.finish()
        self.assertEqual(code, 0, err)
        self.assertIn("listening", (log_dir / "gateway.log").read_text())


class PureTest(unittest.TestCase):
    def test_target(self):
        for listen, want in [
            ("127.0.0.1:0", "127.0.0.1:5"),
            ("0.0.0.0:50051", "127.0.0.1:5"),
            ("[::]:0", "[::1]:5"),
            ("[::1]:0", "[::1]:5"),
            ("localhost:0", "localhost:5"),
            ("unix:/tmp/s.sock", "unix:/tmp/s.sock"),
        ]:
            with self.subTest(listen=listen):
                self.assertEqual(stack._target(listen, 5), want)

    def test_arguments(self):
        opts = stack.parse_args(["--gateway=tls:--tls_cert_file='/a b/c.crt'", "--", "--log_requests=false"])
        self.assertEqual(opts.gateway, [("tls", ["--tls_cert_file=/a b/c.crt"])])
        self.assertEqual(opts.server_flags, ["--log_requests=false"])
        for bad in (["--gateway=a", "--gateway=a"], ["--gateway=zoom_emulator"], ["--gateway=a b"],
                    ["--gateway=a", "--gateway=b", "--listen=127.0.0.1:50051"],
                    ["--no-emulator", "--no-gateway"]):
            with self.subTest(args=bad), self.assertRaises(SystemExit), \
                    contextlib.redirect_stderr(io.StringIO()):
                stack.parse_args(bad)


if __name__ == "__main__":
    unittest.main()
