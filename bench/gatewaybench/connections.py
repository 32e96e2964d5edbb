"""Stage connections: how many upstream connections the pool opens.

A fresh gateway gets CONN_IN_FLIGHT calls in flight, more than its pool:
the excess must queue, not dial. nginx's stub_status counts the
connections accepted and the requests served around the run.
"""

from __future__ import annotations

from .config import CONN_IN_FLIGHT, RPC_PATH
from .context import Run
from .launcher import gateway_flags, start_gateway
from .parse import parse_h2load
from .processes import run_bounded
from .results import compact
from .throughput import GRPC_HEADERS


def run(ctx: Run) -> bool:
    assert ctx.nginx is not None
    gw = start_gateway(ctx, "gw-connections", gateway_flags(
        f"http://127.0.0.1:{ctx.nginx.port}/v2", ctx.pool_size, ctx.has_rate_flag))
    if gw is None:
        return ctx.stages.result("connections", False, "gateway did not start")
    calls = ctx.params.conn_calls
    a0, r0 = ctx.nginx.counters()
    # 8 connections x 32 streams = CONN_IN_FLIGHT.
    rc, out = run_bounded(["h2load", "-n", str(calls), "-c", "8", "-m", str(CONN_IN_FLIGHT // 8),
                           "-t", "1", *GRPC_HEADERS, "-d", str(ctx.frame),
                           f"http://127.0.0.1:{gw.port}{RPC_PATH}"], 600,
                          out=ctx.logs / "h2load-connections.log",
                          err=ctx.logs / "h2load-connections.log")
    a1, r1 = ctx.nginx.counters()
    gw.stop(ctx)
    succeeded = int(parse_h2load(out)["succeeded"])
    # Each stub_status query is itself one accepted connection and request.
    opened, upstream = a1 - a0 - 1, r1 - r0 - 1
    result = {"calls": calls, "succeeded": succeeded, "upstream_requests": upstream,
              "upstream_connections_opened": opened, "pool_size": ctx.pool_size or 0,
              "in_flight": CONN_IN_FLIGHT}
    (ctx.data / "connections.json").write_text(compact(result) + "\n")
    if rc != 0 or succeeded != calls or upstream < calls:
        return ctx.stages.result("connections", False, f"h2load rc={rc}, {succeeded}/{calls} "
                                 f"succeeded, {upstream} upstream requests")
    return ctx.stages.result("connections", True, f"{opened} connections for {calls} calls "
                             f"(pool {ctx.pool_size})")
