"""Service config and packaging pins (no server)."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import tomllib
from concurrent import futures
from pathlib import Path

import grpc
import pytest

import zoom_livestream as zl

PYTHON_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PYTHON_DIR.parents[1]


def test_service_config_retries_only_unavailable():
    config = json.loads(zl.service_config_json())
    (method,) = config["methodConfig"]
    assert method["name"] == [{"service": "zoom.livestream.v1.LiveStreamService"}]
    assert method["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert method["retryPolicy"]["maxAttempts"] >= 2


def test_channel_options():
    assert zl.channel_options(None) == []
    options = dict(zl.channel_options())
    assert options["grpc.service_config"] == zl.service_config_json()
    assert options["grpc.service_config_disable_resolution"] == 1
    assert json.loads(dict(zl.channel_options({"methodConfig": []}))["grpc.service_config"]) == {"methodConfig": []}


def test_packaged_service_config_is_the_repository_one():
    repository_copy = json.loads((REPO_ROOT / "client" / "service_config.json").read_text())
    assert json.loads(zl.service_config_json()) == repository_copy


def test_build_requirements_match_constraints():
    pins = dict(
        line.split("==", 1)
        for line in (PYTHON_DIR / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    requires = tomllib.loads((PYTHON_DIR / "pyproject.toml").read_text())["build-system"]["requires"]
    assert requires
    for requirement in requires:
        name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", requirement).groups()
        assert pins.get(name) == version, f"{requirement} in pyproject.toml vs constraints.txt"


def test_deadline_bounds_a_call_to_a_silent_peer():
    # A loopback listener that accepts connections but never speaks HTTP/2:
    # only the call's deadline can end the call.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        target = "127.0.0.1:%d" % silent.getsockname()[1]
        with zl.create_channel(target) as channel:
            stub = zl.LiveStreamServiceStub(channel)
            started = time.monotonic()
            with pytest.raises(grpc.RpcError) as raised:
                stub.UpdateStatus(zl.UpdateStatusRequest(webinar_id="99289110036"), timeout=0.2)
            elapsed = time.monotonic() - started
    assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert elapsed < 5, elapsed


class FlakyServicer(zl.livestream_service_pb2_grpc.LiveStreamServiceServicer):
    """Answers UNAVAILABLE to the first call and OK to the others."""

    def __init__(self):
        self.calls = 0
        self._lock = threading.Lock()

    def UpdateStatus(self, request, context):
        with self._lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            context.abort(grpc.StatusCode.UNAVAILABLE, "shed")
        return zl.UpdateStatusResponse(tracking_id="second attempt")


@pytest.fixture()
def flaky_server():
    servicer = FlakyServicer()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    zl.livestream_service_pb2_grpc.add_LiveStreamServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield servicer, f"127.0.0.1:{port}"
    finally:
        server.stop(None)


def test_create_channel_retries_unavailable_by_default(flaky_server):
    servicer, target = flaky_server
    with zl.create_channel(target) as channel:
        response = zl.LiveStreamServiceStub(channel).UpdateStatus(zl.UpdateStatusRequest(webinar_id="99289110036"),
                                                                   timeout=10)
    assert response.tracking_id == "second attempt"
    assert servicer.calls == 2


def test_create_channel_without_service_config_does_not_retry(flaky_server):
    servicer, target = flaky_server
    with zl.create_channel(target, service_config=None) as channel:
        with pytest.raises(grpc.RpcError) as raised:
            zl.LiveStreamServiceStub(channel).UpdateStatus(zl.UpdateStatusRequest(webinar_id="99289110036"), timeout=10)
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
    assert servicer.calls == 1
