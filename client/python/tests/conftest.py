"""Fixtures: a zoom_emulator plus a livestream_server on loopback ports.

Binaries come from LIVESTREAM_SERVER_BIN and ZOOM_EMULATOR_BIN, or default to
the CMake build under the repository root. When a variable is unset and the
default binary is missing, the integration tests are skipped (a checkout
without a C++ build); scripts/test-clients.sh always sets both, so there a
missing binary fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import grpc
import pytest

import zoom_livestream as zl

REPO_ROOT = Path(__file__).resolve().parents[3]
STARTUP_TIMEOUT_S = 30.0


def _binary(env: str, default: str) -> Path:
    value = os.environ.get(env)
    if value:
        path = Path(value)
        if not path.is_file():
            pytest.fail(f"{env}={value} does not exist")
        return path
    path = REPO_ROOT / default
    if not path.is_file():
        pytest.skip(f"{default} not built ({env} unset): build it or set {env}")
    return path


class _Process:
    def __init__(self, name: str, args: list, log_dir: Path, env: dict | None = None):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.popen = subprocess.Popen(
            args, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_for_port(self, port_file: Path) -> int:
        """Polls the port file (bounded), failing early if the process exits."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                port = int(port_file.read_text().strip())
                if 0 < port < 65536:
                    return port
            except (FileNotFoundError, ValueError):
                pass
            if self.popen.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.popen.returncode}) before writing {port_file}:\n{self.output()}"
                )
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} wrote no port to {port_file} in {STARTUP_TIMEOUT_S}s:\n{self.output()}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log.close()


@pytest.fixture(scope="session")
def server_address():
    server_bin = _binary("LIVESTREAM_SERVER_BIN", "build/server/livestream_server")
    emulator_bin = _binary("ZOOM_EMULATOR_BIN", "build/tests/zoom_emulator/zoom_emulator")
    processes = []
    with tempfile.TemporaryDirectory(prefix="livestream-py-client-") as tmp:
        tmp_dir = Path(tmp)
        try:
            emulator = _Process(
                "zoom_emulator",
                [str(emulator_bin), "--listen=127.0.0.1:0", f"--port_file={tmp_dir / 'emulator.port'}", "--quiet"],
                tmp_dir,
            )
            processes.append(emulator)
            emulator_port = emulator.wait_for_port(tmp_dir / "emulator.port")
            server = _Process(
                "livestream_server",
                [
                    str(server_bin),
                    "--listen=127.0.0.1:0",
                    f"--port_file={tmp_dir / 'server.port'}",
                    f"--zoom_api_base_url=http://127.0.0.1:{emulator_port}/v2",
                ],
                tmp_dir,
                env={"ZOOM_ACCESS_TOKEN": "emulator-token"},
            )
            processes.append(server)
            yield f"127.0.0.1:{server.wait_for_port(tmp_dir / 'server.port')}"
        finally:
            for process in reversed(processes):
                process.stop()


@pytest.fixture()
def stub(server_address):
    with zl.create_channel(server_address) as channel:
        yield zl.LiveStreamServiceStub(channel)


@pytest.fixture(scope="session")
def secure_stack():
    """The TLS and mTLS servers with caller authorization that
    scripts/test-clients.sh starts (LIVESTREAM_TLS_TARGET, LIVESTREAM_MTLS_TARGET,
    LIVESTREAM_AUTHZ_PLAINTEXT_TARGET, LIVESTREAM_TLS_DIR: see start_secure_stack there); skipped without them."""
    names = ("LIVESTREAM_TLS_TARGET", "LIVESTREAM_MTLS_TARGET", "LIVESTREAM_AUTHZ_PLAINTEXT_TARGET", "LIVESTREAM_TLS_DIR")
    if not all(os.environ.get(name) for name in names):
        pytest.skip("no secure stack: run through scripts/test-clients.sh")
    return SecureStack(
        tls_target=os.environ["LIVESTREAM_TLS_TARGET"],
        mtls_target=os.environ["LIVESTREAM_MTLS_TARGET"],
        plaintext_target=os.environ["LIVESTREAM_AUTHZ_PLAINTEXT_TARGET"],
        dir=Path(os.environ["LIVESTREAM_TLS_DIR"]),
    )


class SecureStack:
    def __init__(self, tls_target: str, mtls_target: str, plaintext_target: str, dir: Path):
        self.plaintext_target = plaintext_target
        self.tls_target = tls_target
        self.mtls_target = mtls_target
        self.dir = dir

    def file(self, name: str) -> Path:
        return self.dir / name

    def token(self, name: str) -> str:
        return zl.read_bearer_token_file(self.dir / f"{name}.token")
