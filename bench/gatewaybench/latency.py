"""Stage latency: sequential calls at concurrency 1 on each path.

Paths: gRPC -> gateway -> nginx, gRPC -> prototype design -> nginx, the
gateway's own PATCH by libcurl straight to nginx, and gRPC to the reference
server. The gateway's added latency is gateway minus direct. Each path runs
on the idle machine and again with the vCPUs kept awake (processes.BusyLoops).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from .config import WEBINAR_ID
from .context import Run
from .processes import BusyLoops, run_bounded
from .results import append_jsonl


def client_round(ctx: Run, args: Sequence[str], samples: Path) -> tuple[int, dict | None]:
    """Runs bench_latency_client for one round's share of the calls, its
    samples appended to `samples`; its exit code and its JSON summary (None
    when it printed none)."""
    p = ctx.params
    rc, out = run_bounded([str(ctx.bins.client), *args, f"--calls={p.lat_calls // p.lat_rounds}",
                           f"--warmup={p.lat_warmup}", "--max_seconds=120",
                           f"--samples_file={samples}"],
                          300, err=ctx.logs / "client.err")
    try:
        result = json.loads(out) if out.strip() else None
    except json.JSONDecodeError:
        result = None
    return rc, result


def latency_round(ctx: Run, path: str, awake: int, rnd: int, args: Sequence[str]) -> bool:
    """One round of sequential calls on one path; the samples go to a file
    per path and vCPU state, pooled over the rounds by the report."""
    rc, result = client_round(ctx, args, ctx.data / f"latency-{path}-{awake}.samples")
    append_jsonl(ctx.data / "latency.jsonl",
                 {"path": path, "awake": awake, "round": rnd, "result": result})
    return rc == 0


def paths(ctx: Run) -> list[tuple[str, list[str]]]:
    """The paths whose servers are up, in the order each round runs them."""
    out = []
    grpc = ["--mode=grpc", f"--webinar_id={WEBINAR_ID}"]
    if ctx.gateway:
        out.append(("gateway", grpc + [f"--target=127.0.0.1:{ctx.gateway.port}"]))
    if ctx.prototype:
        out.append(("prototype", grpc + [f"--target=127.0.0.1:{ctx.prototype.port}"]))
    out.append(("direct_curl", ["--mode=curl", f"--url={ctx.direct_url()}",
                                f"--body_file={ctx.capture / 'body.bin'}",
                                f"--headers_file={ctx.capture / 'headers.txt'}"]))
    if ctx.reference:
        out.append(("grpc_only", ["--mode=grpc", f"--target=127.0.0.1:{ctx.reference.port}"]))
    return out


def run(ctx: Run) -> bool:
    ok = bool(ctx.gateway and ctx.prototype and ctx.reference)
    for awake in (0, 1):
        busy = BusyLoops(ctx.reg) if awake else None
        try:
            # Round by round, so that the machine's drift hits every path alike.
            for rnd in range(1, ctx.params.lat_rounds + 1):
                for path, args in paths(ctx):
                    ok = latency_round(ctx, path, awake, rnd, args) and ok
        finally:
            if busy:
                busy.stop()
    samples = sum(len(f.read_text().splitlines()) for f in ctx.data.glob("latency-*.samples"))
    if not ok:
        return ctx.stages.result("latency", False,
                                 "a latency round failed or stopped early (see data/latency.jsonl)")
    return ctx.stages.result("latency", True, f"{ctx.params.lat_calls} calls per path, idle and "
                             f"with vCPUs kept awake ({samples} samples)")
