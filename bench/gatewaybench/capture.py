"""Stage capture: the exact request the gateway sends upstream.

The direct baselines (wrk and the libcurl latency client) replay it, so
they send byte for byte what the gateway sends.
"""

from __future__ import annotations

from .config import PYTHON, WEBINAR_ID
from .context import Run
from .launcher import gateway_flags, start_gateway
from .processes import run_bounded, start_server


def run(ctx: Run) -> bool:
    ctx.capture.mkdir(parents=True, exist_ok=True)
    listener, port = start_server(
        ctx.reg, "capture",
        [PYTHON, str(ctx.repo / "bench/capture_upstream.py"), f"--out_dir={ctx.capture}",
         "--timeout=60"], ctx.work, ctx.logs)
    if port is None:
        ctx.reg.stop(listener)
        return ctx.stages.result("capture", False, "capture listener did not start")
    gateway = start_gateway(ctx, "gw-capture",
                            gateway_flags(f"http://127.0.0.1:{port}/v2", 4, ctx.has_rate_flag))
    if gateway is None:
        ctx.reg.stop(listener)
        return ctx.stages.result("capture", False, "gateway did not start")
    rc, out = run_bounded([str(ctx.bins.client), "--mode=grpc", f"--target=127.0.0.1:{gateway.port}",
                           "--calls=1", "--warmup=0", f"--webinar_id={WEBINAR_ID}"], 60,
                          err=ctx.logs / "client.err")
    gateway.stop(ctx)
    ctx.reg.stop(listener)
    if rc != 0 or not ctx.captured():
        return ctx.stages.result("capture", False, f"no request captured: {out.strip()}")
    request_line = (ctx.capture / "request_line.txt").read_text().strip()
    size = (ctx.capture / "body.bin").stat().st_size
    return ctx.stages.result("capture", True, f"{request_line}, {size}-byte body")
