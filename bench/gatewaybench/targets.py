"""The targets a run is judged against, and its verdict on each.

Each row names the measurement, the target, what the throwaway prototype
measured on its own machine, the prototype design measured in this run,
and this run's value: the table at the top of docs/performance.md.
"""

from __future__ import annotations

from typing import Any

from .summary import best, latency_states, ratio


def evaluate(s: dict[str, Any], mode: str) -> list[dict[str, Any]]:
    """(key, measurement, target text, prototype text, value, unit, pass) rows.

    `prototype_here` is the same measurement of bench_prototype_server (the
    prototype's design) in this run, where one applies.
    """
    tp = s["throughput"]
    lat = s["latency"]
    bursts = s["bursts"]
    conn = s["connections"]
    rows = []

    def add(key: str, name: str, value: float | None, limit: float, higher_is_better: bool,
            unit: str, proto: str, fmt: str = "{:.2f}", here: float | None = None) -> None:
        if value is None:
            verdict = None
        else:
            verdict = value >= limit if higher_is_better else value <= limit
        target = ("≥ " if higher_is_better else "≤ ") + fmt.format(limit) + unit
        rows.append({"key": key, "measurement": name, "target": target, "prototype": proto,
                     "value": value, "display": "—" if value is None else fmt.format(value) + unit,
                     "prototype_here": None if here is None else fmt.format(here) + unit,
                     "pass": verdict})

    def worst_cpu(points: dict[str, Any]) -> float | None:
        cpu = [points[c]["server_cpu_us_per_req"] for c in ("64", "256") if c in points]
        return max(cpu) if cpu else None

    gw_best = best(tp.get("gateway", {}))
    proto_best = best(tp.get("prototype", {}))
    ref_best = best(tp.get("reference", {}))
    add("throughput_vs_wrk", "End-to-end throughput (best of c=16–256) ÷ direct wrk",
        ratio(gw_best, s["direct_wrk_rps"]), 0.25, True, "", "0.20", "{:.3f}",
        ratio(proto_best, s["direct_wrk_rps"]))
    add("throughput_vs_grpc", "End-to-end throughput (best of c=16–256) ÷ gRPC-only (best)",
        ratio(gw_best, ref_best), 0.45, True, "", "0.35", "{:.3f}", ratio(proto_best, ref_best))
    add("cpu_per_request", "Server CPU per request at c ≥ 64 (worst of 64, 256)",
        worst_cpu(tp.get("gateway", {})), 40, False, " µs", "48–55 µs", "{:.1f}",
        worst_cpu(tp.get("prototype", {})))
    states = latency_states(lat)
    label, chosen = (states[0][1], states[0][2]) if states else ("", {})
    added = chosen.get("added_us", {})
    proto_added = chosen.get("prototype_added_us", {})
    add("added_latency_p50", f"Added latency at c=1 over direct libcurl, p50 ({label})",
        added.get("p50"), 140, False, " µs", "158 µs", "{:.0f}", proto_added.get("p50"))
    add("added_latency_p99", f"Added latency at c=1 over direct libcurl, p99 ({label})",
        added.get("p99"), 200, False, " µs", "223 µs", "{:.0f}", proto_added.get("p99"))
    # Issue 16: what the gateway adds at most 1.1 times what a bare gRPC round
    # trip costs, both at p50 in the same state of the machine.
    grpc_p50 = chosen.get("grpc_only", {}).get("p50_us")
    add("added_latency_vs_grpc",
        f"Added latency at c=1 over direct libcurl, p50 ÷ gRPC-only round trip p50 ({label})",
        ratio(added.get("p50"), grpc_p50), 1.1, False, "", "—", "{:.2f}",
        ratio(proto_added.get("p50"), grpc_p50))

    def burst(calls: int, field: str, rnd: str | None = "warm") -> Any:
        case = bursts.get(str(calls))
        if not case:
            return None
        if rnd is None:
            return case.get(field)
        return case.get(rnd, {}).get(field)

    big = (2000, 10000) if mode == "full" else (200,)
    limits = {2000: (1.2, 64, "1.14–1.31 s", "82–88 MiB"), 10000: (2.0, 256, "2.4 s", "323–340 MiB"),
              200: (1.2, 64, "—", "—")}
    for calls in big:
        wall, rss, proto_wall, proto_rss = limits[calls]
        add(f"burst_{calls}_warm_wall", f"{calls:,} in-flight 1 s calls, warm: wall time",
            burst(calls, "wall_s"), wall, False, " s", proto_wall)
        add(f"burst_{calls}_peak_rss", f"{calls:,} in-flight 1 s calls: server peak RSS (VmHWM)",
            burst(calls, "peak_rss_mib", None), rss, False, " MiB", proto_rss, "{:.0f}")
    threads = [burst(c, "peak_threads", None) for c in (10,) + big]
    add("peak_threads", f"Server peak threads (10 to {big[-1]:,} in flight)",
        max(threads) if all(t is not None for t in threads) else None, 16, False, "", "10–13",
        "{:.0f}")
    small, large = burst(10, "peak_threads", None), burst(big[-1], "peak_threads", None)
    rows.append({"key": "threads_constant", "measurement": f"Threads at 10 calls = at {big[-1]:,}",
                 "target": "equal", "prototype": "—",
                 "value": None if small is None or large is None else large - small,
                 "display": "—" if small is None or large is None else f"{small:.0f} vs {large:.0f}",
                 "pass": None if small is None or large is None else small == large})
    # Issue 16: against the obvious Go gateway, at each of c=64 and 256.
    for scheme, label in (("http", "HTTP"), ("https", "HTTPS")):
        points = s.get("vs_go", {}).get(scheme, {})
        rps = [p["rps_ratio"] for p in points.values() if p.get("rps_ratio") is not None]
        cpu = [p["cpu_ratio"] for p in points.values() if p.get("cpu_ratio") is not None]
        add(f"vs_go_{scheme}_throughput",
            f"Throughput ÷ Go reference gateway, {label} upstream (worst of c=64, 256)",
            min(rps) if rps else None, 1.3, True, "", "—")
        add(f"vs_go_{scheme}_cpu",
            f"Server CPU per request ÷ Go reference gateway, {label} upstream (worst of c=64, 256)",
            max(cpu) if cpu else None, 0.7, False, "", "—")
    opened = conn.get("upstream_connections_opened") if conn else None
    pool = conn.get("pool_size") if conn else None
    add("upstream_connections", f"Upstream connections opened in a {conn['calls']:,}-call run"
        if conn else "Upstream connections opened", opened, pool or 0, False, "", "—", "{:.0f}")
    return rows
