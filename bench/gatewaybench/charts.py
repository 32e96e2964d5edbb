"""The throughput and latency charts (PNG, drawn by gnuplot).

gnuplot rather than a Python plotting library: it is one Debian package
and the bench needs nothing outside Debian's python3 standard library.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

from .config import CONCURRENCIES
from .summary import best, latency_states


def gnuplot(script: str, cwd: str) -> str | None:
    """Runs a gnuplot script; the problem, or None if it drew."""
    if not shutil.which("gnuplot"):
        return "gnuplot not installed"
    proc = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True, cwd=cwd,
                          timeout=60)
    return None if proc.returncode == 0 else proc.stderr.strip()


def charts(s: dict[str, Any], results_dir: str, stamp: str) -> list[str]:
    """Draws both charts into results_dir; returns the problems."""
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
