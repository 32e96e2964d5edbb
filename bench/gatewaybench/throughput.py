"""Stages gateway_throughput, prototype_throughput, reference_throughput:
h2load with a pre-encoded gRPC frame at each concurrency.

The gateway and the prototype design send to nginx; the reference server
answers at once (the gRPC ceiling). h2load counts any HTTP 200 as a
success, so the frame is first shown to give grpc-status 0, and for the
paths through nginx every success must match a request nginx counted.
"""

from __future__ import annotations

from .config import CONCURRENCIES, RPC_PATH, h2load_shape
from .context import Run, Server
from .launcher import gateway_flags, start_gateway
from .measure import cpu_seconds, ctx_switches
from .parse import bad_throughput_runs, grpc_status_ok, parse_h2load, throughput_row
from .processes import run_bounded, start_server
from .profiling import profile_gateway
from .results import append_jsonl, compact, read_jsonl

GRPC_HEADERS = ["-H", "content-type: application/grpc", "-H", "te: trailers"]


def verify_grpc_frame(ctx: Run, port: int, label: str) -> bool:
    log_path = ctx.logs / f"nghttp-{label}.log"
    _, out = run_bounded(["nghttp", "-v", *GRPC_HEADERS, "-d", str(ctx.frame),
                          f"http://127.0.0.1:{port}{RPC_PATH}"], 20, out=log_path, err=log_path)
    return grpc_status_ok(out)


def h2load_run(ctx: Run, label: str, server: Server, conc: int, duration: int,
               with_nginx: bool) -> dict:
    """One measured run: h2load's counts plus the server's (and nginx's) CPU
    and context switches over exactly that run."""
    shape = h2load_shape(conc)
    nginx = ctx.nginx if with_nginx else None
    if nginx:
        nreq0, ncpu0 = nginx.requests(), nginx.worker_cpu()
    cpu0, cs0 = cpu_seconds(server.pid), ctx_switches(server.pid)
    rc, out = run_bounded(["h2load", "-D", str(duration), "-c", str(shape[0]), "-m", str(shape[1]),
                           "-t", "1", *GRPC_HEADERS, "-d", str(ctx.frame),
                           f"http://127.0.0.1:{server.port}{RPC_PATH}"], duration + 60,
                          out=ctx.logs / f"h2load-{label}.log", err=ctx.logs / f"h2load-{label}.log")
    cpu1, cs1 = cpu_seconds(server.pid), ctx_switches(server.pid)
    upstream = None
    if nginx:
        nreq1, ncpu1 = nginx.requests(), nginx.worker_cpu()
        # Minus the counters query between the snapshots.
        upstream = (ncpu1 - ncpu0, nreq1 - nreq0 - 1)
    return throughput_row(label, conc, shape, rc, parse_h2load(out), cpu1 - cpu0, cs1 - cs0,
                          upstream)


def measure(ctx: Run, label: str, server: Server, with_nginx: bool) -> bool:
    """The stage LABEL_throughput for a server that is listening."""
    stage = f"{label}_throughput"
    if not verify_grpc_frame(ctx, server.port, label):
        return ctx.stages.result(stage, False, "the frame does not give grpc-status 0 "
                                 f"(see logs/nghttp-{label}.log)")
    data = ctx.data / "throughput.jsonl"
    # Unmeasured warm-up: connections, pools and caches.
    h2load_run(ctx, f"{label}-warmup", server, 64, 1, with_nginx)
    for conc in CONCURRENCIES:
        for _ in range(ctx.params.runs):
            append_jsonl(data, h2load_run(ctx, label, server, conc, ctx.params.duration_s,
                                          with_nginx))
    rows = read_jsonl(data)
    bad = bad_throughput_runs(rows, label)
    if bad is not None:
        return ctx.stages.result(stage, False, f"failed runs: {compact(bad[:1])}")
    return ctx.stages.result(stage, True, f"{sum(r['target'] == label for r in rows)} runs")


def gateway(ctx: Run) -> bool:
    assert ctx.nginx is not None
    base_url = f"http://127.0.0.1:{ctx.nginx.port}/v2"
    flags = gateway_flags(base_url, ctx.pool_size, ctx.has_rate_flag)
    gw = start_gateway(ctx, "gw-nginx", flags)
    if gw is None:
        return ctx.stages.result("gateway_throughput", False, "gateway did not start")
    # For the report: the flags without the per-run upstream address.
    ctx.gateway_flags = " ".join(flags[1:])
    server = ctx.gateway = gw.server()
    if not measure(ctx, "gateway", server, True):
        return False
    if ctx.opts.profile:
        profile_gateway(ctx, server.pid, lambda: h2load_run(
            ctx, "gateway-profile", server, 64, ctx.params.duration_s, True))
    return True


def prototype(ctx: Run) -> bool:
    proc, port = start_server(
        ctx.reg, "proto",
        [str(ctx.bins.prototype), "--listen=127.0.0.1:0", f"--url={ctx.direct_url()}",
         f"--body_file={ctx.capture / 'body.bin'}", f"--headers_file={ctx.capture / 'headers.txt'}",
         f"--max_connections={'' if ctx.pool_size is None else ctx.pool_size}"],
        ctx.work, ctx.logs)
    if port is None:
        return ctx.stages.result("prototype_throughput", False, "prototype server did not start")
    ctx.prototype = Server(port, proc.pid)
    return measure(ctx, "prototype", ctx.prototype, True)


def reference(ctx: Run) -> bool:
    proc, port = start_server(ctx.reg, "ref", [str(ctx.bins.reference), "--listen=127.0.0.1:0"],
                              ctx.work, ctx.logs)
    if port is None:
        return ctx.stages.result("reference_throughput", False, "reference server did not start")
    ctx.reference = Server(port, proc.pid)
    return measure(ctx, "reference", ctx.reference, False)
