#!/usr/bin/env python3
"""Turns the raw outputs of bench/run.sh into results, charts and a report.

Reads <data>/*.json[l] written by the stages, writes
<results_dir>/<stamp>.json (every number plus machine information),
<stamp>-throughput.png and <stamp>-latency.png (gnuplot), and, with --doc,
regenerates docs/performance.md. Prints a summary table either way.
Standard library only (Debian's /usr/bin/python3).
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys

CONCURRENCIES = (1, 16, 64, 256)
MIB = 1024.0


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    pass  # A stage that died mid-line; the stage status says so.
    return rows


def read_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize_throughput(rows):
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


def best(points, concs=(16, 64, 256)):
    values = [points[str(c)]["rps_median"] for c in concs if str(c) in points]
    return max(values) if values else None


def ratio(a, b):
    return a / b if a is not None and b else None


LATENCY_PATHS = ("gateway", "prototype", "direct_curl", "grpc_only")
# The targets are read on the plain measurement, the idle machine.
LATENCY_STATES = (("idle", 0, "idle machine"), ("awake", 1, "vCPUs kept awake"))


def percentile(sorted_values, p):
    """Nearest rank, as bench_latency_client computes it."""
    rank = -(-p * len(sorted_values) // 100)  # ceil
    return sorted_values[min(max(int(rank), 1), len(sorted_values)) - 1]


def latency_stats(samples):
    samples = sorted(samples)
    return {"calls": len(samples), "min_us": samples[0], "p50_us": percentile(samples, 50),
            "p90_us": percentile(samples, 90), "p99_us": percentile(samples, 99),
            "max_us": samples[-1], "mean_us": sum(samples) / len(samples)}


def difference(a, b):
    return {k: a[f"{k}_us"] - b[f"{k}_us"] for k in ("p50", "p90", "p99", "mean")}


def summarize_latency(d):
    """Per vCPU state and path, percentiles over the samples of all rounds."""
    rounds = read_jsonl(os.path.join(d, "latency.jsonl"))
    out = {}
    for state, awake, _ in LATENCY_STATES:
        paths = {}
        for path in LATENCY_PATHS:
            f = os.path.join(d, f"latency-{path}-{awake}.samples")
            if not os.path.exists(f):
                continue
            with open(f) as fh:
                samples = [float(line) for line in fh if line.strip()]
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


def latency_states(lat):
    """(state, label, results) for each vCPU state a run has; runs before the
    states were measured have one flat, idle-machine result."""
    if any(state in lat for state, _, _ in LATENCY_STATES):
        return [(state, label, lat[state]) for state, _, label in LATENCY_STATES if state in lat]
    return [("idle", "idle machine", lat)] if lat else []


def summarize_bursts(rows):
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


def evaluate(s, mode):
    """(key, measurement, target text, prototype text, value, unit, pass) rows.

    `prototype_here` is the same measurement of bench_prototype_server (the
    prototype's design) in this run, where one applies.
    """
    tp = s["throughput"]
    lat = s["latency"]
    bursts = s["bursts"]
    conn = s["connections"]
    rows = []

    def add(key, name, value, limit, higher_is_better, unit, proto, fmt="{:.2f}", here=None):
        if value is None:
            verdict = None
        else:
            verdict = value >= limit if higher_is_better else value <= limit
        target = ("≥ " if higher_is_better else "≤ ") + fmt.format(limit) + unit
        rows.append({"key": key, "measurement": name, "target": target, "prototype": proto,
                     "value": value, "display": "—" if value is None else fmt.format(value) + unit,
                     "prototype_here": None if here is None else fmt.format(here) + unit,
                     "pass": verdict})

    def worst_cpu(points):
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

    def burst(calls, field, rnd="warm"):
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
    opened = conn.get("upstream_connections_opened") if conn else None
    pool = conn.get("pool_size") if conn else None
    add("upstream_connections", f"Upstream connections opened in a {conn['calls']:,}-call run"
        if conn else "Upstream connections opened", opened, pool or 0, False, "", "—", "{:.0f}")
    return rows


def gnuplot(script, cwd):
    if not shutil.which("gnuplot"):
        return "gnuplot not installed"
    proc = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True, cwd=cwd,
                          timeout=60)
    return None if proc.returncode == 0 else proc.stderr.strip()


def charts(s, results_dir, stamp):
    tp = s["throughput"]
    errors = []
    data = os.path.join(results_dir, f".{stamp}-throughput.dat")
    with open(data, "w") as f:
        for conc in CONCURRENCIES:
            values = [tp.get(t, {}).get(str(conc), {}).get("rps_median")
                      for t in ("gateway", "reference", "prototype")]
            f.write(" ".join([str(conc)] + ["NaN" if v is None else str(v) for v in values]) + "\n")
    # gnuplot spells a missing value NaN; it then draws no line.
    wrk = s["direct_wrk_rps"] or "NaN"
    ref_best = best(tp.get("reference", {})) or "NaN"
    png = f"{stamp}-throughput.png"
    err = gnuplot(f"""
set terminal pngcairo size 900,540 font ',11'
set output '{png}'
set title 'UpdateStatus throughput on loopback ({s["machine"].get("nproc")} cores shared)'
set xlabel 'concurrency (h2load connections x streams)'
set ylabel 'requests per second'
set logscale x 2
set xtics ('1' 1, '16' 16, '64' 64, '256' 256)
set xrange [0.7:360]
set yrange [0:*]
set key top left
set grid ytics
plot '{os.path.basename(data)}' using 1:2 with linespoints lw 2 pt 7 title 'gateway → nginx (end to end)', \\
     '' using 1:3 with linespoints lw 2 pt 5 title 'gRPC-only reference server', \\
     '' using 1:4 with linespoints lw 2 pt 9 title 'prototype design → nginx', \\
     {wrk} with lines dt 2 lw 2 title 'direct wrk → nginx (upstream limit)', \\
     {ref_best} with lines dt 3 lw 2 title 'gRPC-only best (gRPC ceiling)'
""", results_dir)
    if err:
        errors.append(f"throughput chart: {err}")
    os.remove(data)

    states = latency_states(s["latency"])
    data = os.path.join(results_dir, f".{stamp}-latency.dat")
    labels = {"gateway": "gateway → nginx", "prototype": "prototype → nginx",
              "direct_curl": "libcurl → nginx", "grpc_only": "gRPC-only"}
    columns = []
    with open(data, "w") as f:
        for path, label in labels.items():
            values = []
            for _, _, results in states:
                r = results.get(path)
                values += [r["p50_us"], r["p99_us"]] if r else ["NaN", "NaN"]
            f.write(f"\"{label}\" " + " ".join(str(v) for v in values) + "\n")
    for _, state_label, _ in states:
        columns += [f"p50, {state_label}", f"p99, {state_label}"]
    plots = ", ".join(
        f"'{os.path.basename(data)}' using {i + 2}{':xtic(1)' if i == 0 else ''} title '{title}'"
        if i == 0 else f"'' using {i + 2} title '{title}'" for i, title in enumerate(columns))
    png = f"{stamp}-latency.png"
    calls = min((results.get("calls", 0) for _, _, results in states), default=0)
    err = gnuplot(f"""
set terminal pngcairo size 900,540 font ',11'
set output '{png}'
set title 'Latency at concurrency 1 ({calls:,} sequential calls per path and state)'
set ylabel 'microseconds'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set key outside bottom center horizontal
set grid ytics
plot {plots}
""", results_dir) if columns else "no latency results"
    if err:
        errors.append(f"latency chart: {err}")
    os.remove(data)
    return errors


def busy_warning(machine):
    """Other processes' load makes every number here pessimistic."""
    try:
        start = float(str(machine.get("loadavg_at_start", "0")).split()[0])
        end = float(machine.get("loadavg_at_end", ["0"])[0])
    except (ValueError, IndexError):
        return None
    # Only the start counts: by the end the load average includes the bench.
    if start < 1.0:
        return None
    priority = (f" The bench ran at niceness {machine['niceness']}, which limits but does not "
                "remove the effect." if machine.get("niceness", 0) < 0 else "")
    return (f"the machine was busy with other work (1-minute load average {start:.1f} at the "
            f"start, {end:.1f} at the end, on {machine.get('nproc')} cores; the bench's own "
            "load adds about 2), so these numbers understate what the gateway does alone."
            + priority)


def fmt(value, spec="{:,.0f}", none="—"):
    return none if value is None else spec.format(value)


def verdict(v):
    return "—" if v is None else ("✅ met" if v else "❌ missed")


def markdown(s, evaluation, stamp, doc_path, results_dir, analysis):
    rel = os.path.relpath(results_dir, os.path.dirname(doc_path))
    m = s["machine"]
    tp = s["throughput"]
    lines = [
        "# Performance",
        "",
        "<!-- Generated by bench/run.sh (bench/report.py); edit those, not this file. "
        "The analysis section comes from bench/analysis.md. -->",
        "",
        "What the gateway adds on top of gRPC and of its upstream, measured on loopback by "
        "`bench/run.sh` (one command; `bench/run.sh --smoke` is the short CI variant, "
        "`--profile` adds a `perf` profile of the server). Load generator, gateway and upstream "
        f"share the machine's {m.get('nproc')} cores, so every number includes their competition "
        "for CPU. On shared VMs runs vary a lot (up to 2× within minutes on the machines this was "
        "developed on: compare builds by alternating them); each throughput point is the median of "
        f"{m['load_tools']['runs_per_point']} runs of {m['load_tools']['seconds_per_run']} s.",
        "",
        f"Run `{stamp}` (commit `{m.get('commit')}`{', uncommitted changes' if m.get('dirty_worktree') else ''}, "
        f"{m.get('build_type')} build, {s['generated_at']}); raw numbers: "
        f"[`{rel}/{stamp}.json`]({rel}/{stamp}.json).",
        "",
        "## Against the targets",
        "",
        "\"Prototype\" is what the throwaway prototype measured on its own, faster machine; the "
        "targets were set to beat it. \"Prototype design here\" is `bench_prototype_server`, the "
        "same design rebuilt in `bench/` (one `curl_multi_poll` thread behind `DefaultReactor`, "
        "none of the gateway's validation, policies, error mapping, deadlines or logging), "
        "measured in this run on this machine.",
        "",
        "| Measurement | Target | Prototype | Prototype design here | This run | |",
        "|---|---|---|---|---|---|",
    ]
    for row in evaluation:
        lines.append(f"| {row['measurement']} | {row['target']} | {row['prototype']} | "
                     f"{row.get('prototype_here') or '—'} | {row['display']} | "
                     f"{verdict(row['pass'])} |")
    met = sum(1 for r in evaluation if r["pass"])
    lines += ["", f"{met} of {len(evaluation)} targets met.", ""]
    busy = busy_warning(m)
    if busy:
        lines += [f"> **Warning:** {busy}", ""]

    lines += [
        "## Throughput",
        "",
        "Unary `UpdateStatus` driven by h2load (one thread) with a pre-encoded gRPC frame; the "
        "frame was checked with nghttp to return `grpc-status: 0`, and for the gateway every "
        "successful call was matched by a request counted by nginx's `stub_status` (h2load "
        "alone counts any HTTP 200 as success). Upstream: nginx (`nginx-light`, one worker) "
        "answering `204` to the PATCH. CPU per request is the process's utime+stime from "
        "`/proc/<pid>/stat` over the run divided by the calls completed; context switches "
        "are summed over the server's threads from `/proc/<pid>/task/*/status`.",
        "",
        f"Direct upstream limit (wrk, {m['load_tools']['wrk']}, the gateway's own PATCH and "
        f"multipart body): **{fmt(s['direct_wrk_rps'])} req/s**.",
        "",
        "| Concurrency (c×m) | Gateway req/s | Prototype design req/s | gRPC-only req/s | "
        "Gateway ÷ gRPC-only | Gateway CPU µs/req | Prototype design CPU µs/req | "
        "nginx CPU µs/req | gRPC-only CPU µs/req | Context switches/req gateway / gRPC-only |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for conc in CONCURRENCIES:
        g = tp.get("gateway", {}).get(str(conc), {})
        p = tp.get("prototype", {}).get(str(conc), {})
        r = tp.get("reference", {}).get(str(conc), {})
        cm = f"{g.get('h2load_c', r.get('h2load_c', '?'))}×{g.get('h2load_m', r.get('h2load_m', '?'))}"
        lines.append(
            f"| {conc} ({cm}) | {fmt(g.get('rps_median'))} | {fmt(p.get('rps_median'))} | "
            f"{fmt(r.get('rps_median'))} | "
            f"{fmt(ratio(g.get('rps_median'), r.get('rps_median')), '{:.2f}')} | "
            f"{fmt(g.get('server_cpu_us_per_req'), '{:.1f}')} | "
            f"{fmt(p.get('server_cpu_us_per_req'), '{:.1f}')} | "
            f"{fmt(g.get('nginx_cpu_us_per_req'), '{:.1f}')} | "
            f"{fmt(r.get('server_cpu_us_per_req'), '{:.1f}')} | "
            f"{fmt(g.get('server_ctx_switches_per_req'), '{:.1f}')} / "
            f"{fmt(r.get('server_ctx_switches_per_req'), '{:.1f}')} |")
    lines += ["", f"![Throughput vs concurrency]({rel}/{stamp}-throughput.png)", ""]

    states = latency_states(s["latency"])
    rounds = max((r.get("rounds", 1) for _, _, res in states for k, r in res.items()
                  if k in LATENCY_PATHS), default=1)
    calls = fmt(min((res.get('calls') or 0 for _, _, res in states), default=None))
    if len(states) > 1:
        how = (f"{calls} sequential calls per path, one connection, in {rounds} rounds that "
               "alternate the paths so that the machine's drift hits them alike; percentiles are "
               "over all rounds' calls. `bench_latency_client` sends the gRPC calls and, in its "
               "libcurl mode, the gateway's exact PATCH straight to nginx. These VMs' idle vCPUs "
               "take hundreds of µs to wake up, which every hop of a sequential call pays, so "
               "each path is measured twice: on the idle machine (the targets are read on this "
               "one), and with the vCPUs kept awake by `SCHED_IDLE` spinners, which yield to any "
               "other thread, as on a machine busy with other work (the prototype's figures were "
               "taken in that state). Read only the awake state's p50 and p90: the spinners "
               "delay about one wake-up in a hundred by a scheduler tick (4 ms), which is all its "
               "p99 on the paths with several threads shows.")
    else:
        how = (f"{calls} sequential calls per path after a warm-up, one connection, measured by "
               "`bench_latency_client` (the same binary sends the gRPC calls and, in its libcurl "
               "mode, the gateway's exact PATCH straight to nginx).")
    lines += ["## Latency at concurrency 1", "", how]
    names = {"gateway": "gRPC → gateway → nginx",
             "prototype": "gRPC → prototype design → nginx",
             "direct_curl": "libcurl → nginx (direct)",
             "grpc_only": "gRPC → reference server (no upstream)"}
    for _, label, res in states:
        lines += ["", f"**{label}**", "",
                  "| Path | p50 µs | p90 µs | p99 µs | mean µs |", "|---|---|---|---|---|"]
        for path, name in names.items():
            r = res.get(path)
            if r:
                lines.append(f"| {name} | {r['p50_us']:.0f} | {r['p90_us']:.0f} | "
                             f"{r['p99_us']:.0f} | {r['mean_us']:.0f} |")
        added = res.get("added_us", {})
        if added:
            lines.append(f"| **added by the gateway** (gateway − direct) | **{added['p50']:.0f}** | "
                         f"{added['p90']:.0f} | **{added['p99']:.0f}** | {added['mean']:.0f} |")
        proto_added = res.get("prototype_added_us", {})
        if proto_added:
            lines.append(f"| added by the prototype design (prototype − direct) | "
                         f"{proto_added['p50']:.0f} | {proto_added['p90']:.0f} | "
                         f"{proto_added['p99']:.0f} | {proto_added['mean']:.0f} |")
    lines += ["", f"![Latency percentiles]({rel}/{stamp}-latency.png)", ""]

    lines += [
        "## Many slow calls in flight",
        "",
        "N concurrent calls fired at once (8 gRPC connections) at a gateway whose upstream, the "
        f"zoom_emulator, answers after {s['machine'].get('burst_delay_ms')} ms; "
        "a fresh gateway per N (`--zoom_max_connections` "
        f"{s['machine'].get('burst_pool')}), one cold burst then one warm burst. The server's "
        "`/proc/<pid>/status` is sampled every 5 ms.",
        "",
        "| In flight | Cold wall s | Warm wall s | Peak RSS MiB (VmHWM) | RSS before MiB | "
        "Peak threads | CPU µs/call (warm) | Upstream conns opened cold / warm |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for calls, case in sorted(s["bursts"].items(), key=lambda kv: int(kv[0])):
        cold, warm = case.get("cold", {}), case.get("warm", {})
        lines.append(
            f"| {int(calls):,} | {fmt(cold.get('wall_s'), '{:.2f}')} | "
            f"{fmt(warm.get('wall_s'), '{:.2f}')} | {fmt(case.get('peak_rss_mib'), '{:.0f}')} | "
            f"{fmt(cold.get('server_rss_before_mib'), '{:.0f}')} | "
            f"{fmt(case.get('peak_threads'))} | {fmt(warm.get('server_cpu_us_per_call'), '{:.0f}')} | "
            f"{fmt(cold.get('upstream_connections_opened'))} / "
            f"{fmt(warm.get('upstream_connections_opened'))} |")
    conn = s["connections"]
    if conn:
        lines += [
            "",
            "## Upstream connections",
            "",
            f"{conn['calls']:,} calls with {conn['in_flight']} in flight through a fresh gateway "
            f"(pool `--zoom_max_connections={conn['pool_size']}`) to nginx: nginx's `stub_status` "
            f"counted **{conn['upstream_connections_opened']:,} connections** accepted and "
            f"{conn['upstream_requests']:,} requests.",
        ]
    if analysis:
        lines += ["", analysis.strip()]
    lines += [
        "",
        "## Machine",
        "",
        f"- {m.get('nproc')} × {m.get('cpu_model')}, {m.get('mem_gib')} GiB RAM, kernel "
        f"{m.get('kernel')}, {m.get('os')}",
        f"- load average at start {m.get('loadavg_at_start')}, at end "
        f"{' '.join(m.get('loadavg_at_end', []))}; bench processes at niceness "
        f"{m.get('niceness', 0)}",
    ]
    for tool, version in m.get("versions", {}).items():
        if tool != "kernel":
            lines.append(f"- {tool}: {version}")
    lines += [f"- h2load {m['load_tools']['h2load']}", ""]
    return "\n".join(lines)


def write_doc(summary, args):
    """Writes performance.md (with bench/analysis.md when --repo has one); returns its path."""
    analysis = None
    analysis_path = os.path.join(args.repo, "bench", "analysis.md") if args.repo else None
    if analysis_path and os.path.exists(analysis_path):
        with open(analysis_path) as f:
            analysis = f.read()
    doc = args.doc or os.path.join(args.results_dir, "performance.md")
    with open(doc, "w") as f:
        f.write(markdown(summary, summary["targets"], args.stamp, doc, args.results_dir, analysis))
    return doc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", help="a run's work directory (bench/run.sh passes it)")
    parser.add_argument("--results_dir", required=True)
    parser.add_argument("--stamp", required=True)
    parser.add_argument("--mode", default="full")
    parser.add_argument("--doc")
    parser.add_argument("--repo")
    parser.add_argument("--rerender", action="store_true",
                        help="rewrite --doc and the charts from results_dir/<stamp>.json (e.g. "
                        "after editing bench/analysis.md) without running anything")
    args = parser.parse_args()
    if args.rerender:
        with open(os.path.join(args.results_dir, f"{args.stamp}.json")) as f:
            summary = json.load(f)
        # Verdicts and charts are derived: redo them with this version's rules.
        summary["targets"] = evaluate(summary, args.mode)
        for problem in charts(summary, args.results_dir, args.stamp):
            print(f"chart problem: {problem}", file=sys.stderr)
        print(f"report:  {write_doc(summary, args)}")
        return
    if not args.data:
        parser.error("--data is required unless --rerender")
    d = args.data

    wrk_runs = read_jsonl(os.path.join(d, "wrk.jsonl"))
    summary = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "stamp": args.stamp,
        "machine": read_json(os.path.join(d, "machine.json")) or {},
        "stages": read_jsonl(os.path.join(d, "stages.jsonl")),
        "direct_wrk_rps": median([r["rps"] for r in wrk_runs]),
        "direct_wrk_runs": wrk_runs,
        "throughput": summarize_throughput(read_jsonl(os.path.join(d, "throughput.jsonl"))),
        "throughput_runs": read_jsonl(os.path.join(d, "throughput.jsonl")),
        "latency": summarize_latency(d),
        "bursts": summarize_bursts(read_jsonl(os.path.join(d, "bursts.jsonl"))),
        "connections": read_json(os.path.join(d, "connections.json")),
        "profile_run": read_json(os.path.join(d, "profile-run.json")),
    }
    summary["targets"] = evaluate(summary, args.mode)

    os.makedirs(args.results_dir, exist_ok=True)
    problems = charts(summary, args.results_dir, args.stamp)
    with open(os.path.join(args.results_dir, f"{args.stamp}.json"), "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")

    doc = write_doc(summary, args)

    print(f"\n{'measurement':<66} {'target':>12} {'this run':>14}  verdict")
    for row in summary["targets"]:
        print(f"{row['measurement']:<66} {row['target']:>12} {row['display']:>14}  "
              f"{verdict(row['pass'])}")
    print("\nstages:")
    for st in summary["stages"]:
        print(f"  {'ok    ' if st['ok'] else 'FAILED'} {st['stage']}: {st['note'][:110]}")
    busy = busy_warning(summary["machine"])
    if busy:
        print(f"\nWARNING: {busy}")
    print(f"\nresults: {os.path.join(args.results_dir, args.stamp + '.json')}")
    print(f"report:  {doc}")
    for p in problems:
        print(f"chart problem: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
