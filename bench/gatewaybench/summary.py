"""The numbers of a run: each stage's raw rows folded into medians,
percentiles and per-case figures (the "throughput", "latency" and "bursts"
keys of the results JSON). Pure functions of the rows, unit-tested.
"""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path
from typing import Any

from .config import CONCURRENCIES, SHARED_LIMIT_PATHS, SHARED_LIMIT_SAMPLES
from .results import read_jsonl as _read_jsonl

MIB = 1024.0
Row = dict[str, Any]
LATENCY_PATHS = ("gateway", "prototype", "direct_curl", "grpc_only")
# The targets are read on the plain measurement, the idle machine.
LATENCY_STATES = (("idle", 0, "idle machine"), ("awake", 1, "vCPUs kept awake"))


def read_samples(f: str) -> list[float]:
    """A bench_latency_client samples file: one latency per line; empty when
    the file is missing."""
    if not os.path.exists(f):
        return []
    with open(f) as fh:
        return [float(line) for line in fh if line.strip()]


def read_jsonl(path: str) -> list[dict[str, Any]]:
    return _read_jsonl(Path(path))


def read_json(path: str) -> Any:
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def median(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize_throughput(rows: list[Row]) -> dict[str, dict[str, Row]]:
    out = {}
    for target in ("gateway", "prototype", "reference"):
        points = {}
        for conc in CONCURRENCIES:
            runs = [r for r in rows if r["target"] == target and r["concurrency"] == conc]
            if not runs:
                continue
            point = {
                "rps_median": median([r["rps"] for r in runs]),
                "rps_runs": [r["rps"] for r in runs],
                "server_cpu_us_per_req": median([r["server_cpu_us_per_req"] for r in runs]),
                "server_ctx_switches_per_req": median(
                    [r.get("server_ctx_switches_per_req") for r in runs]),
                "h2load_c": runs[0]["h2load_c"],
                "h2load_m": runs[0]["h2load_m"],
                "calls": sum(r["done"] for r in runs),
            }
            if "nginx_cpu_us_per_req" in runs[0]:
                point["nginx_cpu_us_per_req"] = median([r["nginx_cpu_us_per_req"] for r in runs])
                point["upstream_requests"] = sum(r["upstream_requests"] for r in runs)
            points[str(conc)] = point
        out[target] = points
    return out


def best(points: dict[str, Row], concs: tuple[int, ...] = (16, 64, 256)) -> float | None:
    values = [points[str(c)]["rps_median"] for c in concs if str(c) in points]
    return max(values) if values else None


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest rank, as bench_latency_client computes it."""
    rank = -(-p * len(sorted_values) // 100)  # ceil
    return sorted_values[min(max(int(rank), 1), len(sorted_values)) - 1]


def latency_stats(samples: list[float]) -> Row:
    samples = sorted(samples)
    return {"calls": len(samples), "min_us": samples[0], "p50_us": percentile(samples, 50),
            "p90_us": percentile(samples, 90), "p99_us": percentile(samples, 99),
            "max_us": samples[-1], "mean_us": sum(samples) / len(samples)}


def difference(a: Row, b: Row) -> dict[str, float]:
    return {k: a[f"{k}_us"] - b[f"{k}_us"] for k in ("p50", "p90", "p99", "mean")}


def summarize_latency(d: str) -> dict[str, Row]:
    """Per vCPU state and path, percentiles over the samples of all rounds."""
    rounds = read_jsonl(os.path.join(d, "latency.jsonl"))
    out = {}
    for state, awake, _ in LATENCY_STATES:
        paths = {}
        for path in LATENCY_PATHS:
            samples = read_samples(os.path.join(d, f"latency-{path}-{awake}.samples"))
            if not samples:
                continue
            mine = [r for r in rounds if r["path"] == path and r.get("awake") == awake]
            paths[path] = latency_stats(samples)
            paths[path]["rounds"] = len(mine)
            paths[path]["errors"] = sum((r["result"] or {}).get("errors", 0) for r in mine)
        if not paths:
            continue
        if "gateway" in paths and "direct_curl" in paths:
            paths["added_us"] = difference(paths["gateway"], paths["direct_curl"])
        if "prototype" in paths and "direct_curl" in paths:
            paths["prototype_added_us"] = difference(paths["prototype"], paths["direct_curl"])
        paths["calls"] = min(v["calls"] for k, v in paths.items() if k in LATENCY_PATHS)
        out[state] = paths
    return out


def latency_states(lat: dict[str, Any]) -> list[tuple[str, str, Row]]:
    """(state, label, results) for each vCPU state a run has; runs before the
    states were measured have one flat, idle-machine result."""
    if any(state in lat for state, _, _ in LATENCY_STATES):
        return [(state, label, lat[state]) for state, _, label in LATENCY_STATES if state in lat]
    return [("idle", "idle machine", lat)] if lat else []


def summarize_bursts(rows: list[Row]) -> dict[str, Row]:
    out = {}
    for row in rows:
        case = out.setdefault(str(row["calls"]), {})
        r = row["result"]
        case[row["round"]] = {
            "wall_s": r.get("wall_s"),
            "ok": r.get("ok"),
            "errors": r.get("errors"),
            "first_error": r.get("first_error"),
            # utime/stime tick at 10 ms: meaningless for a handful of calls.
            "server_cpu_us_per_call": (r["server_cpu_s"] * 1e6 / row["calls"]
                                       if r.get("server_cpu_s") is not None
                                       and row["calls"] >= 1000 else None),
            "server_peak_threads": r.get("server_peak_threads"),
            "server_threads_before": r.get("server_threads_before"),
            "server_vmhwm_mib": (r["server_vmhwm_kib"] / MIB if r.get("server_vmhwm_kib") else None),
            "server_rss_before_mib": (r["server_rss_before_kib"] / MIB
                                      if r.get("server_rss_before_kib") else None),
            "upstream_connections_opened": row.get("upstream_connections_opened"),
        }
    for case in out.values():
        # A "profiled" round ran under perf and is kept apart.
        rounds = [case[r] for r in ("cold", "warm") if r in case]
        case["peak_rss_mib"] = max((v["server_vmhwm_mib"] or 0 for v in rounds), default=None)
        case["peak_threads"] = max((v["server_peak_threads"] or 0 for v in rounds), default=None)
    return out


def summarize_vs_go(rows: list[Row]) -> dict[str, dict[str, Row]]:
    """Per scheme and concurrency: each server's medians (req/s, CPU µs per
    request, RSS after the run in MiB) and the gateway's ratios to the Go
    reference."""
    out: dict[str, dict[str, Row]] = {}
    for scheme in sorted({r["scheme"] for r in rows}):
        points = {}
        for conc in sorted({r["concurrency"] for r in rows if r["scheme"] == scheme}):
            point: Row = {}
            for server in ("gateway", "go_reference"):
                runs = [r for r in rows if r["scheme"] == scheme and r["concurrency"] == conc
                        and r["target"] == server]
                rss = median([r.get("rss_kib") for r in runs])
                point[server] = {
                    "runs": len(runs),
                    "rps_median": median([r["rps"] for r in runs]),
                    "server_cpu_us_per_req": median([r["server_cpu_us_per_req"] for r in runs]),
                    "rss_mib": rss / MIB if rss is not None else None,
                    "rps_runs": [r["rps"] for r in runs],
                }
            gw, go = point["gateway"], point["go_reference"]
            point["rps_ratio"] = ratio(gw["rps_median"], go["rps_median"])
            point["cpu_ratio"] = ratio(gw["server_cpu_us_per_req"], go["server_cpu_us_per_req"])
            point["rss_ratio"] = ratio(gw["rss_mib"], go["rss_mib"])
            points[str(conc)] = point
        out[scheme] = points
    return out


def summarize_upstream_memory(rows: list[Row]) -> dict[str, Row]:
    """Per server: KiB of RSS per upstream connection held open, for each
    scheme, and HTTPS minus HTTP (TLS's own share)."""
    out: dict[str, Row] = {}
    for row in rows:
        opened = row.get("connections_opened") or 0
        before, after = row.get("rss_before_kib"), row.get("rss_after_kib")
        per_conn = ((after - before) / opened
                    if opened > 0 and before is not None and after is not None else None)
        out.setdefault(row["server"], {})[row["scheme"]] = {
            "connections": opened, "in_flight": row.get("in_flight"),
            "rss_before_mib": before / MIB if before is not None else None,
            "rss_after_mib": after / MIB if after is not None else None,
            "kib_per_connection": per_conn,
        }
    for server in out.values():
        http, https = server.get("http", {}), server.get("https", {})
        a, b = https.get("kib_per_connection"), http.get("kib_per_connection")
        server["tls_kib_per_connection"] = a - b if a is not None and b is not None else None
    return out


def summarize_shared_limit(d: str) -> dict[str, Any]:
    """Stage shared_limit_latency: percentiles per path over all rounds, and
    shared minus local; empty for runs from before the stage."""
    rounds = read_jsonl(os.path.join(d, "shared_limit.jsonl"))
    out: dict[str, Any] = {}
    for path in SHARED_LIMIT_PATHS:
        samples = read_samples(os.path.join(d, SHARED_LIMIT_SAMPLES.format(path=path)))
        if not samples:
            continue
        mine = [r for r in rounds if r["path"] == path]
        out[path] = latency_stats(samples)
        out[path]["rounds"] = len(mine)
        out[path]["errors"] = sum((r["result"] or {}).get("errors", 0) for r in mine)
    if "local" in out and "shared" in out:
        out["added_us"] = difference(out["shared"], out["local"])
    return out
