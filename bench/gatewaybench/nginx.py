"""nginx as the upstream: answers 204 to the PATCH and counts connections.

One worker, so its CPU per request is one process's; `stub_status` counts
accepted connections and requests, which is how the bench proves every
gRPC call reached the upstream and how many connections the gateway opened.
With certificates it also serves the same locations over HTTPS (HTTP/1.1,
as Zoom's clients here speak) on a second port; the counters are shared.
"""

from __future__ import annotations

import random
import socket
import time
import urllib.request
from pathlib import Path

from .measure import cpu_seconds, first_child
from .parse import parse_stub_status
from .processes import Proc, Registry, run_bounded
from .upstream_tls import TlsFiles

CONF = """worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/logs/error.log warn;
worker_rlimit_nofile 65536;
events {{ worker_connections 30000; }}
http {{
  access_log off;
  client_body_temp_path {dir}/tmp/body;
  proxy_temp_path {dir}/tmp/proxy;
  fastcgi_temp_path {dir}/tmp/fastcgi;
  uwsgi_temp_path {dir}/tmp/uwsgi;
  scgi_temp_path {dir}/tmp/scgi;
  # The default (1000 in 1.22) would close pooled connections every 1000
  # requests and count them as new upstream connections.
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {{
    listen 127.0.0.1:{port} backlog=4096;
{tls}    location ~ ^/v2/(webinars|meetings)/[^/]+/livestream/status$ {{
      if ($request_method != PATCH) {{ return 405; }}
      return 204;
    }}
    location = /nginx_status {{ stub_status; }}
    location / {{ return 404; }}
  }}
}}
"""


TLS = """    listen 127.0.0.1:{port} ssl backlog=4096;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
"""


def conf(d: Path, port: int, tls: tuple[int, TlsFiles] | None = None) -> str:
    """nginx.conf: plain HTTP on `port`, plus HTTPS on tls[0] with tls[1]'s
    certificate."""
    tls_lines = "" if tls is None else TLS.format(port=tls[0], cert=tls[1].cert, key=tls[1].key)
    return CONF.format(dir=d, port=port, tls=tls_lines)


def free_port() -> int | None:
    """A free loopback port below the ephemeral range (32768-60999), so a
    burst's client ports never collide with the listener."""
    for port in random.sample(range(20000, 32000), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    return None


def http_get(url: str, timeout: float) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read().decode(errors="replace")


class Nginx:
    def __init__(self, proc: Proc, port: int, tls_port: int | None = None):
        self.proc = proc
        self.port = port
        # The HTTPS listener; None without certificates.
        self.tls_port = tls_port

    @property
    def pid(self) -> int:
        return self.proc.pid

    def worker_pid(self) -> int | None:
        return first_child(self.proc.pid)

    def counters(self) -> tuple[int, int]:
        """(accepted connections, requests). The query itself is one accepted
        connection and one request: a delta between two snapshots includes
        exactly one of each."""
        return parse_stub_status(http_get(f"http://127.0.0.1:{self.port}/nginx_status", 10))

    def requests(self) -> int:
        return self.counters()[1]

    def worker_cpu(self) -> float:
        pid = self.worker_pid()
        return cpu_seconds(pid) if pid else 0.0


def start(reg: Registry, work: Path, logs: Path, tls: TlsFiles | None = None) -> Nginx | None:
    """nginx on a free loopback port (and, with `tls`, HTTPS on another),
    once its status page answers (10 s bound)."""
    d = work / "nginx"
    (d / "logs").mkdir(parents=True, exist_ok=True)
    (d / "tmp").mkdir(exist_ok=True)
    port = free_port()
    tls_port = free_port() if tls else None
    if port is None or (tls and tls_port in (None, port)):
        return None
    conf_path = d / "nginx.conf"
    conf_path.write_text(conf(d, port, (tls_port, tls) if tls and tls_port else None))
    base = ["nginx", "-p", str(d), "-e", str(d / "logs/error.log"), "-c", str(conf_path)]
    rc, _ = run_bounded(base[:1] + ["-t", "-q"] + base[1:], 30, out=logs / "nginx-t.log",
                        err=logs / "nginx-t.log")
    if rc != 0:
        return None
    proc = reg.start(base, logs / "nginx.log", logs / "nginx.log")
    nginx = Nginx(proc, port, tls_port)
    for _ in range(100):
        try:
            nginx.counters()
            return nginx
        except (OSError, ValueError):
            pass
        if not proc.alive():
            return None
        time.sleep(0.1)
    return None
