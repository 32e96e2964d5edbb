"""Command-line options, the run's parameters and its fixed constants.

Pure: nothing here starts a process or touches the file system, so the
option rules and the smoke/full counts are unit-tested directly.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
PYTHON = "/usr/bin/python3"

CONCURRENCIES = (1, 16, 64, 256)
# --compare measures where the targets are read: under load.
COMPARE_CONCURRENCIES = (64, 256)
# The gateway beside the Go reference gateway: where issue 16 reads the ratios.
VS_GO_CONCURRENCIES = (64, 256)
# Upstream schemes the Go comparison and the connection memory run over.
SCHEMES = ("http", "https")
# The Go reference runs as issue 16 describes it.
GO_REFERENCE_GOGC = "400"
# h2load connections x streams per connection for each concurrency.
H2_C = {1: 1, 16: 2, 64: 4, 256: 8}
H2_M = {1: 1, 16: 8, 64: 16, 256: 32}
WRK_CONNECTIONS = 32
# The bursts need one upstream connection per in-flight call (Little's law:
# 10,000 calls x 1 s).
BURST_POOL = 12000
BURST_DELAY_MS = 1000
WEBINAR_ID = "99289110036"
# Stage shared_limit_latency: a gateway with its own rate limiter, and one
# sharing it through Redis; each path's samples in this file of data/.
SHARED_LIMIT_PATHS = ("local", "shared")
SHARED_LIMIT_SAMPLES = "shared-limit-{path}.samples"
# The emulator's documented fixed credential; nginx ignores it. Not a secret.
TOKEN = "emulator-token"
RPC_PATH = "/zoom.livestream.v1.LiveStreamService/UpdateStatus"
# In flight during the connections stage: more than the pool, so the excess
# must queue, not dial.
CONN_IN_FLIGHT = 256
# Bounds: a process must listen within PORT_WAIT_S; a stopped one gets
# STOP_WAIT_S between SIGTERM and SIGKILL.
PORT_WAIT_S = 30.0
STOP_WAIT_S = 10.0

BUILD_TARGETS = ("bench_reference_server", "bench_prototype_server", "bench_latency_client",
                 "livestream_server", "zoom_emulator")
PACKAGES = ("nginx-light", "wrk", "nghttp2-client", "gnuplot-nox", "curl", "python3", "cmake",
            "ninja-build", "g++", "pkg-config", "libgrpc++-dev", "protobuf-compiler-grpc",
            "libprotobuf-dev", "protobuf-compiler", "libabsl-dev", "libcurl4-openssl-dev",
            "libgtest-dev", "libgmock-dev", "libicu-dev", "libmicrohttpd-dev",
            "golang-github-gogo-googleapis-dev", "grpc-proto", "openssl", "libhiredis-dev",
            "redis-server")
PROFILE_PACKAGES = ("linux-perf", "valgrind")


class UsageError(Exception):
    """A bad command line: exit code 2, as run.sh always had."""


@dataclasses.dataclass(frozen=True)
class Options:
    """What the command line asked for."""

    mode: str = "full"  # "full" or "smoke"
    profile: bool = False
    wait_idle_s: int = 0
    priority: bool = False
    help: bool = False
    # --compare: another build's livestream_server, run against this tree's.
    compare: str | None = None
    compare_rounds: int = 6


def parse_args(argv: list[str]) -> Options:
    """Parses run.sh's historical options by hand: argparse would accept
    abbreviations (--smo) and `--wait-idle 5`, which run.sh never did."""
    opts: dict = {}
    for arg in argv:
        if arg == "--smoke":
            opts["mode"] = "smoke"
        elif arg == "--profile":
            opts["profile"] = True
        elif arg.startswith("--wait-idle="):
            value = arg.split("=", 1)[1]
            if not value.isdigit():
                raise UsageError(f"--wait-idle needs whole seconds, not {value!r}")
            opts["wait_idle_s"] = int(value)
        elif arg == "--priority":
            opts["priority"] = True
        elif arg.startswith("--compare="):
            value = arg.split("=", 1)[1]
            if not value:
                raise UsageError("--compare needs the path of another livestream_server")
            opts["compare"] = value
        elif arg.startswith("--rounds="):
            value = arg.split("=", 1)[1]
            if not value.isdigit() or int(value) == 0:
                raise UsageError(f"--rounds needs a positive whole number, not {value!r}")
            opts["compare_rounds"] = int(value)
        elif arg in ("-h", "--help"):
            return Options(help=True)
        else:
            raise UsageError(f"unknown argument: {arg} (try --help)")
    return Options(**opts)


@dataclasses.dataclass(frozen=True)
class Params:
    """How much each stage does."""

    runs: int  # repetitions per throughput point (the median is kept)
    duration_s: int  # seconds per throughput run
    lat_calls: int  # per latency path and vCPU state, over all rounds
    lat_rounds: int  # the paths alternate round by round
    lat_warmup: int  # per round
    bursts: tuple[int, ...]
    conn_calls: int
    vs_go_rounds: int  # gateway and Go reference alternate, round by round
    vs_go_warmup_s: int  # unmeasured h2load run per server first (0: none)
    # Upstream connections held open to measure the memory each one costs
    # (a multiple of 8: h2load's 8 connections share them).
    conn_memory: int


def params_for(mode: str) -> Params:
    if mode == "smoke":
        return Params(runs=1, duration_s=1, lat_calls=1000, lat_rounds=2, lat_warmup=100,
                      bursts=(200,), conn_calls=2000, vs_go_rounds=1, vs_go_warmup_s=0,
                      conn_memory=32)
    return Params(runs=3, duration_s=5, lat_calls=10000, lat_rounds=5, lat_warmup=200,
                  bursts=(2000, 10000), conn_calls=100000, vs_go_rounds=3,
                  vs_go_warmup_s=1, conn_memory=256)


def h2load_shape(concurrency: int) -> tuple[int, int]:
    """h2load's (-c, -m) for a concurrency."""
    return H2_C[concurrency], H2_M[concurrency]
