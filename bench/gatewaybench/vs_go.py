"""Stages vs_go_http, vs_go_https and upstream_memory: the gateway beside
the Go reference gateway (issue 16), over plain HTTP and HTTPS to nginx.

vs_go_*: a fresh gateway and a fresh Go reference with the same pool, both
shown to give grpc-status 0 first, then h2load at VS_GO_CONCURRENCIES,
alternating which goes first round by round so that the machine's drift
favours neither; each run also records the server's RSS after it.

upstream_memory: what a kept-alive upstream connection costs, per server
and scheme. A fresh server makes one call (one connection), then
params.conn_memory calls in flight open that many; nginx's stub_status
counts the connections and the RSS delta is divided by them. The delta
includes what serving that many calls at once left behind, which plain HTTP
shows alike: HTTPS minus HTTP is TLS's own share.
"""

from __future__ import annotations

from pathlib import Path

from . import goref
from .config import RPC_PATH, SCHEMES, VS_GO_CONCURRENCIES
from .context import Run, Server
from .launcher import gateway_flags, start_gateway
from .measure import memory_kib
from .parse import bad_throughput_runs, parse_h2load
from .processes import Stoppable, run_bounded
from .results import append_jsonl, compact, read_jsonl
from .throughput import GRPC_HEADERS, h2load_run, verify_grpc_frame

SERVERS = ("gateway", "go_reference")


def order(round_index: int) -> tuple[str, ...]:
    """Which server goes first in a round: alternating."""
    return SERVERS if round_index % 2 == 0 else SERVERS[::-1]


def scheme_ready(ctx: Run, scheme: str) -> str | None:
    """Why `scheme` cannot be measured in this run, or None."""
    if ctx.nginx is None:
        return "nginx did not start"
    if not ctx.bins.go_reference.exists():
        return "the Go reference was not built"
    if scheme == "https":
        if ctx.tls is None or ctx.nginx.tls_port is None:
            return "no HTTPS upstream (see logs/openssl.log and logs/nginx.log)"
        if not ctx.has_ca_flag:
            return "the server has no --zoom_ca_file to trust the test CA"
    return None


def start_pair(ctx: Run, scheme: str, tag: str,
               pool: int | None) -> tuple[dict[str, Server], list[Stoppable]] | str:
    """A gateway and a Go reference sending to nginx over `scheme`, each
    checked with one call; or why not."""
    base = ctx.upstream_base(scheme)
    flags = gateway_flags(base, pool, ctx.has_rate_flag)
    ca = ctx.tls.ca if scheme == "https" and ctx.tls else None
    if ca is not None:
        flags.append(f"--zoom_ca_file={ca}")
    started: list[Stoppable] = []
    gw = start_gateway(ctx, f"gw-{tag}", flags)
    if gw is None:
        return "the gateway did not start"
    started.append(gw.stack)
    go = goref.start(ctx, f"goref-{tag}", base, pool, ca)
    if go is None:
        stop(ctx, started)
        return f"the Go reference did not start (see logs/goref-{tag}.err)"
    started.append(go[0])
    servers = {"gateway": gw.server(), "go_reference": go[1]}
    for label, server in servers.items():
        if not verify_grpc_frame(ctx, server.port, f"{label}-{tag}"):
            stop(ctx, started)
            return (f"the {label} did not give grpc-status 0 "
                    f"(see logs/nghttp-{label}-{tag}.log)")
    return servers, started


def stop(ctx: Run, started: list[Stoppable]) -> None:
    for item in reversed(started):
        ctx.reg.stop(item)


def compare(ctx: Run, scheme: str) -> bool:
    """Stage vs_go_SCHEME."""
    stage = f"vs_go_{scheme}"
    why = scheme_ready(ctx, scheme)
    if why:
        return ctx.stages.result(stage, False, why)
    pair = start_pair(ctx, scheme, f"vs-go-{scheme}", ctx.pool_size)
    if isinstance(pair, str):
        return ctx.stages.result(stage, False, pair)
    servers, started = pair
    data = ctx.data / "vs_go.jsonl"
    try:
        for label in SERVERS if ctx.params.vs_go_warmup_s else ():
            # Unmeasured, at the highest concurrency: every upstream
            # connection (and TLS handshake) the runs will use, pools, caches.
            h2load_run(ctx, f"{label}-{scheme}-warmup", servers[label], max(VS_GO_CONCURRENCIES),
                       ctx.params.vs_go_warmup_s, True)
        for rnd in range(ctx.params.vs_go_rounds):
            for conc in VS_GO_CONCURRENCIES:
                for label in order(rnd):
                    row = h2load_run(ctx, label, servers[label], conc, ctx.params.duration_s, True)
                    append_jsonl(data, {"scheme": scheme, "round": rnd, **row,
                                        **memory_kib(servers[label].pid)})
    finally:
        stop(ctx, started)
    rows = [r for r in read_jsonl(data) if r["scheme"] == scheme]
    bad = [b for label in SERVERS for b in (bad_throughput_runs(rows, label) or [])]
    if bad:
        return ctx.stages.result(stage, False, f"failed runs: {compact(bad[:1])}")
    return ctx.stages.result(stage, True, f"{len(rows)} runs at c={VS_GO_CONCURRENCIES}, "
                             f"{ctx.params.vs_go_rounds} rounds")


def hold_connections(ctx: Run, server: Server, label: str, n: int) -> dict:
    """RSS before and after `n` calls in flight opened `n` upstream
    connections, which stay open (kept alive) when it is read."""
    assert ctx.nginx is not None
    before = memory_kib(server.pid)
    a0, _ = ctx.nginx.counters()
    # 8 connections x n/8 streams: n calls in flight; 4 rounds of them.
    rc, out = run_bounded(["h2load", "-n", str(4 * n), "-c", "8", "-m", str(n // 8), "-t", "1",
                           *GRPC_HEADERS, "-d", str(ctx.frame),
                           f"http://127.0.0.1:{server.port}{RPC_PATH}"], 120,
                          out=ctx.logs / f"h2load-memory-{label}.log",
                          err=ctx.logs / f"h2load-memory-{label}.log")
    after = memory_kib(server.pid)
    a1, _ = ctx.nginx.counters()
    return {"rc": rc, "calls": 4 * n, "succeeded": int(parse_h2load(out)["succeeded"]),
            "in_flight": n, "connections_opened": a1 - a0 - 1,
            "rss_before_kib": before["rss_kib"], "rss_after_kib": after["rss_kib"]}


def memory(ctx: Run) -> bool:
    """Stage upstream_memory."""
    n = ctx.params.conn_memory
    data = ctx.data / "upstream_memory.jsonl"
    problems = []
    for scheme in SCHEMES:
        why = scheme_ready(ctx, scheme)
        if why:
            problems.append(f"{scheme}: {why}")
            continue
        for label in SERVERS:
            # One server at a time, fresh, so that nothing else holds connections.
            pair = start_memory_server(ctx, scheme, label, n)
            if isinstance(pair, str):
                problems.append(f"{scheme} {label}: {pair}")
                continue
            server, started = pair
            try:
                row = hold_connections(ctx, server, f"{label}-{scheme}", n)
            finally:
                stop(ctx, started)
            append_jsonl(data, {"scheme": scheme, "server": label, **row})
            if row["rc"] != 0 or row["succeeded"] != row["calls"] or row["connections_opened"] < 1:
                problems.append(f"{scheme} {label}: {compact(row)}")
    if problems:
        return ctx.stages.result("upstream_memory", False, "; ".join(problems))
    return ctx.stages.result("upstream_memory", True, f"{n} connections held, "
                             f"{' and '.join(SCHEMES)}, gateway and Go reference")


def start_memory_server(ctx: Run, scheme: str, label: str,
                        n: int) -> tuple[Server, list[Stoppable]] | str:
    """A fresh `label` server with a pool of `n`, past its first call."""
    base = ctx.upstream_base(scheme)
    ca: Path | None = ctx.tls.ca if scheme == "https" and ctx.tls else None
    tag = f"memory-{scheme}"
    if label == "gateway":
        flags = gateway_flags(base, n, ctx.has_rate_flag)
        if ca is not None:
            flags.append(f"--zoom_ca_file={ca}")
        gw = start_gateway(ctx, f"gw-{tag}", flags)
        if gw is None:
            return "did not start"
        server, started = gw.server(), [gw.stack]
    else:
        go = goref.start(ctx, f"goref-{tag}", base, n, ca)
        if go is None:
            return f"did not start (see logs/goref-{tag}.err)"
        server, started = go[1], [go[0]]
    if not verify_grpc_frame(ctx, server.port, f"{label}-{tag}"):
        stop(ctx, started)
        return f"no grpc-status 0 (see logs/nghttp-{label}-{tag}.log)"
    return server, started
