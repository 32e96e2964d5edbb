"""The state one run shares between its stages.

One object instead of the shell's globals: each stage reads what earlier
stages found (ports, pids, the captured request) from here, and records
what later ones need.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from .config import WEBINAR_ID, Options, Params
from .processes import Registry
from .results import Stages

if TYPE_CHECKING:
    from .nginx import Nginx
    from .upstream_tls import TlsFiles


@dataclasses.dataclass
class Server:
    """A server under load: where it listens and the pid whose CPU counts."""

    port: int
    pid: int


@dataclasses.dataclass
class Binaries:
    server: Path
    emulator: Path
    reference: Path
    prototype: Path
    client: Path
    go_reference: Path

    @classmethod
    def under(cls, build_dir: Path) -> "Binaries":
        return cls(server=build_dir / "server/livestream_server",
                   emulator=build_dir / "tests/zoom_emulator/zoom_emulator",
                   reference=build_dir / "bench/bench_reference_server",
                   prototype=build_dir / "bench/bench_prototype_server",
                   client=build_dir / "bench/bench_latency_client",
                   go_reference=build_dir / "bench/go_reference/go_reference")


@dataclasses.dataclass
class Run:
    opts: Options
    params: Params
    repo: Path
    build_dir: Path
    work: Path
    results_dir: Path
    stamp: str
    reg: Registry
    stages: Stages
    bins: Binaries
    niceness: int = 0
    loadavg_start: str = ""
    build_type: str = "unknown"
    pool_size: int | None = None
    has_rate_flag: bool = False
    # The throughput gateway's flags, without per-run paths, for the report.
    gateway_flags: str = ""
    nginx: "Nginx | None" = None
    # The test CA and nginx's certificate for the HTTPS upstream; None when
    # they could not be made (the HTTPS stages then fail).
    tls: "TlsFiles | None" = None
    # The server has --zoom_ca_file (older builds, e.g. --compare's, do not).
    has_ca_flag: bool = False
    # The servers the throughput stages measured, which latency reuses.
    gateway: Server | None = None
    prototype: Server | None = None
    reference: Server | None = None

    @property
    def data(self) -> Path:
        return self.work / "data"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    @property
    def capture(self) -> Path:
        return self.work / "capture"

    @property
    def frame(self) -> Path:
        return self.work / "frame.bin"

    def captured(self) -> bool:
        """Whether the capture stage recorded the gateway's request."""
        body = self.capture / "body.bin"
        return body.exists() and body.stat().st_size > 0

    def upstream_base(self, scheme: str) -> str:
        """The API base URL of nginx over `scheme` ("http" or "https")."""
        assert self.nginx is not None
        port = self.nginx.tls_port if scheme == "https" else self.nginx.port
        return f"{scheme}://127.0.0.1:{port}/v2"

    def direct_url(self) -> str:
        assert self.nginx is not None
        return f"http://127.0.0.1:{self.nginx.port}/v2/webinars/{WEBINAR_ID}/livestream/status"
