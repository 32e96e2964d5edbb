"""Stage shared_limit_latency: what sharing the account's rate limit through
Redis (issue 17, docs/scaling.md) adds to a call.

Two gateways against the same nginx, both limiting the account's rate (at
a rate no call has to wait for, so only the limiter's own cost shows): one
with its process's limiter, one sharing the limit through a redis-server on
loopback (--redis_url), which costs one Redis round trip per call, made on
the gateway's Redis thread. Sequential calls at concurrency 1 on the idle
machine, the two paths alternating round by round; the added latency is
shared minus local at each percentile.
"""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

from .config import PORT_WAIT_S, SHARED_LIMIT_PATHS, SHARED_LIMIT_SAMPLES, WEBINAR_ID
from .context import Run
from .latency import client_round
from .launcher import Gateway, gateway_flags, start_gateway
from .processes import Proc
from .results import append_jsonl
from .summary import summarize_shared_limit
# Far above any rate a sequential client reaches: the limiter always has a
# slot, and what is measured is asking it.
LIMIT_FLAGS = ("--zoom_rate_limit_qps=100000", "--zoom_rate_limit_burst=100000")


def free_port() -> int:
    """A loopback port nothing listens on now (redis-server cannot bind 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(ctx: Run) -> tuple[Proc, int] | str:
    """A throwaway redis-server on loopback: no persistence, no config file."""
    exe = shutil.which("redis-server")
    if exe is None:
        return "redis-server is not installed"
    port = free_port()
    proc = ctx.reg.start([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no", "--daemonize", "no", "--dir", str(ctx.work)],
                         ctx.logs / "redis.out", ctx.logs / "redis.err")
    deadline = time.monotonic() + PORT_WAIT_S
    while time.monotonic() < deadline:
        if redis_answers(port):
            return proc, port
        if not proc.alive():
            break
        time.sleep(0.05)
    ctx.reg.stop(proc)
    return "redis-server did not answer PING (see logs/redis.err)"


def samples_file(ctx: Run, path: str) -> Path:
    return ctx.data / SHARED_LIMIT_SAMPLES.format(path=path)


def run(ctx: Run) -> bool:
    stage = "shared_limit_latency"
    assert ctx.nginx is not None
    redis = start_redis(ctx)
    if isinstance(redis, str):
        return ctx.stages.result(stage, False, redis)
    redis_proc, redis_port = redis
    base = gateway_flags(f"http://127.0.0.1:{ctx.nginx.port}/v2", ctx.pool_size, False)
    gateways: dict[str, Gateway] = {}
    for path, extra in (("local", []), ("shared", [f"--redis_url=redis://127.0.0.1:{redis_port}/0"])):
        gw = start_gateway(ctx, f"gw-shared-limit-{path}", [*base, *LIMIT_FLAGS, *extra])
        if gw is None:
            ctx.reg.stop(redis_proc)
            return ctx.stages.result(stage, False, f"the {path} gateway did not start")
        gateways[path] = gw
    p = ctx.params
    ok = True
    data = ctx.data / "shared_limit.jsonl"
    for rnd in range(1, p.lat_rounds + 1):
        for path in SHARED_LIMIT_PATHS:
            rc, result = client_round(
                ctx, ["--mode=grpc", f"--webinar_id={WEBINAR_ID}",
                      f"--target=127.0.0.1:{gateways[path].port}"], samples_file(ctx, path))
            append_jsonl(data, {"path": path, "round": rnd, "result": result})
            ok = ok and rc == 0 and result is not None and not result.get("errors")
    for gw in gateways.values():
        gw.stop(ctx)
    ctx.reg.stop(redis_proc)
    if not ok:
        return ctx.stages.result(stage, False, "a round failed, stopped early or had errors "
                                 "(see data/shared_limit.jsonl)")
    added = summarize_shared_limit(str(ctx.data)).get("added_us", {})
    return ctx.stages.result(stage, True, f"{p.lat_calls} calls per path; Redis adds "
                             f"{added.get('p50', 0):.0f} µs at p50")
