"""Fixtures: a zoom_emulator plus a livestream_server on loopback ports.

scripts/stack.py starts them. Binaries come from LIVESTREAM_SERVER_BIN and
ZOOM_EMULATOR_BIN, or default to the CMake build under the repository root.
When a variable is unset and the default binary is missing, the integration
tests are skipped (a checkout without a C++ build); scripts/test-clients.sh
always sets both, so there a missing binary fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

import zoom_livestream as zl

REPO_ROOT = Path(__file__).resolve().parents[3]
STACK = REPO_ROOT / "scripts" / "stack.py"


def _skip_without_binary(env: str, default: str) -> None:
    if not os.environ.get(env) and not (REPO_ROOT / default).is_file():
        pytest.skip(f"{default} not built ({env} unset): build it or set {env}")


@pytest.fixture(scope="session")
def stack():
    """scripts/stack.py's description of the running stack ("gateway", "emulator", ...)."""
    _skip_without_binary("LIVESTREAM_SERVER_BIN", "build/server/livestream_server")
    _skip_without_binary("ZOOM_EMULATOR_BIN", "build/tests/zoom_emulator/zoom_emulator")
    # The launcher stops the stack when its stdin closes, so even a killed
    # pytest leaves no server behind.
    launcher = subprocess.Popen([sys.executable, str(STACK)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = launcher.stdout.readline()
        if not line:
            launcher.wait()
            pytest.fail(f"scripts/stack.py exited ({launcher.returncode}): {launcher.stderr.read()}")
        yield json.loads(line)
    finally:
        launcher.stdin.close()
        launcher.wait()
        launcher.stdout.close()
        launcher.stderr.close()


@pytest.fixture(scope="session")
def server_address(stack):
    return stack["gateway"]


@pytest.fixture(scope="session")
def emulator(stack):
    return Emulator(stack["emulator"])


class Emulator:
    """The zoom_emulator's control API (tests/zoom_emulator/README.md)."""

    def __init__(self, address: str):
        self.base_url = f"http://{address}/_emulator"
        # Loopback: never through an http_proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def add_webinar(self, webinar_id: str, **fields) -> dict:
        """Adds or replaces a webinar fixture, e.g. livestream_configured=True, started=True."""
        return self._post("/webinars", {"id": webinar_id, **fields})

    def _post(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(self.base_url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with self._opener.open(request, timeout=10) as response:
            return json.load(response)


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
