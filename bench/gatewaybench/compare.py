"""`--compare=SERVER`: this tree's gateway against another build of it,
alternating, in one run.

On shared VMs two runs minutes apart can differ by 2x, so a change is
judged by running both builds in the same minutes: both gateways listen
against the same nginx, and h2load drives them in turn, round after round,
the first of each round alternating. Each (build, concurrency) point is
the median of its rounds; the ratios are this tree's over the other's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .config import COMPARE_CONCURRENCIES
from .context import Run, Server
from .launcher import gateway_flags, start_gateway
from .parse import statuses_ok
from .results import append_jsonl, log, read_jsonl
from .summary import median
from .throughput import h2load_run, verify_grpc_frame

LABELS = ("base", "this")


def order(round_index: int) -> tuple[str, str]:
    """Which build goes first in a round: alternating, so that a drift of
    the machine within a round favours neither."""
    return LABELS if round_index % 2 == 0 else LABELS[::-1]


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians per build and concurrency, and this tree's ratios to base."""
    points: dict[str, Any] = {}
    for conc in sorted({r["concurrency"] for r in rows}):
        point: dict[str, Any] = {}
        for label in LABELS:
            runs = [r for r in rows if r["build"] == label and r["concurrency"] == conc]
            point[label] = {
                "runs": len(runs),
                "rps": median([r["rps"] for r in runs]),
                "cpu_us_per_req": median([r["server_cpu_us_per_req"] for r in runs]),
                "rps_each": [r["rps"] for r in runs],
                "cpu_us_per_req_each": [r["server_cpu_us_per_req"] for r in runs],
            }
        base, this = point["base"], point["this"]
        point["rps_ratio"] = (round(this["rps"] / base["rps"], 3)
                              if base["rps"] and this["rps"] is not None else None)
        point["cpu_ratio"] = (round(this["cpu_us_per_req"] / base["cpu_us_per_req"], 3)
                              if base["cpu_us_per_req"] and this["cpu_us_per_req"] is not None
                              else None)
        points[str(conc)] = point
    return points


def table(points: dict[str, Any]) -> str:
    """The summary as a Markdown table."""
    lines = ["| Concurrency | base req/s | this req/s | ratio | base CPU µs/req | "
             "this CPU µs/req | ratio |", "|---|---|---|---|---|---|---|"]
    for conc, p in points.items():
        lines.append(f"| {conc} | {p['base']['rps']:,.0f} | {p['this']['rps']:,.0f} | "
                     f"{p['rps_ratio']} | {p['base']['cpu_us_per_req']:.1f} | "
                     f"{p['this']['cpu_us_per_req']:.1f} | {p['cpu_ratio']} |")
    return "\n".join(lines)


def bad_runs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r["rc"] != 0 or r["done"] == 0 or r["failed"] or r["errored"]
            or not statuses_ok(r) or r.get("upstream_requests", 0) < r["done"]]


def run(ctx: Run, base_server: Path, rounds: int) -> bool:
    assert ctx.nginx is not None
    flags = gateway_flags(f"http://127.0.0.1:{ctx.nginx.port}/v2", ctx.pool_size,
                          ctx.has_rate_flag)
    servers: dict[str, Server] = {}
    for label, binary in (("base", base_server), ("this", ctx.bins.server)):
        gw = start_gateway(ctx, f"gw-{label}", flags, server_bin=binary)
        if gw is None:
            return ctx.stages.result("compare", False, f"the {label} gateway did not start")
        if not verify_grpc_frame(ctx, gw.port, label):
            return ctx.stages.result("compare", False, f"the {label} gateway's frame does not "
                                     f"give grpc-status 0 (see logs/nghttp-{label}.log)")
        servers[label] = gw.server()
    data = ctx.data / "compare.jsonl"
    for label in LABELS:  # Unmeasured warm-up: connections, pools, caches.
        h2load_run(ctx, f"{label}-warmup", servers[label], 64, 1, True)
    for i in range(rounds):
        for conc in COMPARE_CONCURRENCIES:
            for label in order(i):
                row = h2load_run(ctx, label, servers[label], conc, ctx.params.duration_s, True)
                append_jsonl(data, {"build": label, "round": i, **row})
        log(f"compare: round {i + 1} of {rounds} done")
    rows = read_jsonl(data)
    if bad := bad_runs(rows):
        return ctx.stages.result("compare", False, f"{len(bad)} failed runs, e.g. {bad[0]}")
    points = summarize(rows)
    result = {"base_server": str(base_server), "this_server": str(ctx.bins.server),
              "rounds": rounds, "duration_s": ctx.params.duration_s, "gateway_flags": flags[1:],
              "points": points}
    ctx.results_dir.mkdir(parents=True, exist_ok=True)
    out = ctx.results_dir / f"{ctx.stamp}-compare.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(table(points))
    return ctx.stages.result("compare", True, f"{len(rows)} runs; {out}")
