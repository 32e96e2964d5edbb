"""Turns a run's raw data into its results, charts and report.

Reads <work>/data (written by the stages), writes <results_dir>/<stamp>.json
(every number plus machine information), <stamp>-throughput.png and
<stamp>-latency.png, and performance.md (docs/performance.md in a full run),
and prints a summary table. Also a command of its own, for rewriting the
report of a stored run after an edit of bench/analysis.md or of the
template (bench/report.py --rerender wraps it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from pathlib import Path
from typing import Any

from .charts import charts
from .doc import busy_warning, verdict, write_doc
from .summary import (median, read_json, read_jsonl, summarize_bursts, summarize_latency,
                      summarize_shared_limit, summarize_throughput, summarize_upstream_memory,
                      summarize_vs_go)
from .targets import evaluate


def summarize(data: Path, stamp: str, mode: str) -> dict[str, Any]:
    """The results JSON of a run from its data directory."""
    d = str(data)
    wrk_runs = read_jsonl(os.path.join(d, "wrk.jsonl"))
    summary = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "stamp": stamp,
        "machine": read_json(os.path.join(d, "machine.json")) or {},
        "stages": read_jsonl(os.path.join(d, "stages.jsonl")),
        "direct_wrk_rps": median([r["rps"] for r in wrk_runs]),
        "direct_wrk_runs": wrk_runs,
        "throughput": summarize_throughput(read_jsonl(os.path.join(d, "throughput.jsonl"))),
        "throughput_runs": read_jsonl(os.path.join(d, "throughput.jsonl")),
        "latency": summarize_latency(d),
        "bursts": summarize_bursts(read_jsonl(os.path.join(d, "bursts.jsonl"))),
        "connections": read_json(os.path.join(d, "connections.json")),
        "vs_go": summarize_vs_go(read_jsonl(os.path.join(d, "vs_go.jsonl"))),
        "upstream_memory": summarize_upstream_memory(
            read_jsonl(os.path.join(d, "upstream_memory.jsonl"))),
        "profile_run": read_json(os.path.join(d, "profile-run.json")),
        "shared_limit": summarize_shared_limit(d),
    }
    summary["targets"] = evaluate(summary, mode)
    return summary


def print_summary(summary: dict[str, Any]) -> None:
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


def generate(data: Path, results_dir: Path, stamp: str, mode: str, doc: Path | None,
             repo: Path | None) -> list[str]:
    """Writes a run's results, charts and report; returns the chart problems."""
    summary = summarize(data, stamp, mode)
    os.makedirs(results_dir, exist_ok=True)
    problems = charts(summary, str(results_dir), stamp)
    results = os.path.join(results_dir, f"{stamp}.json")
    with open(results, "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    written = write_doc(summary, stamp, str(results_dir), doc and str(doc), repo and str(repo))
    print_summary(summary)
    print(f"\nresults: {results}")
    print(f"report:  {written}")
    for p in problems:
        print(f"chart problem: {p}", file=sys.stderr)
    return problems


def rerender(results_dir: Path, stamp: str, mode: str, doc: Path | None, repo: Path | None) -> None:
    """Rewrites the charts and the report of a stored run."""
    with open(results_dir / f"{stamp}.json") as f:
        summary = json.load(f)
    # Verdicts and charts are derived: redo them with this version's rules.
    summary["targets"] = evaluate(summary, mode)
    for problem in charts(summary, str(results_dir), stamp):
        print(f"chart problem: {problem}", file=sys.stderr)
    print(f"report:  {write_doc(summary, stamp, str(results_dir), doc and str(doc), repo and str(repo))}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench/report.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="a run's data directory (<work>/data)")
    parser.add_argument("--results_dir", type=Path, required=True)
    parser.add_argument("--stamp", required=True)
    parser.add_argument("--mode", default="full")
    parser.add_argument("--doc", type=Path)
    parser.add_argument("--repo", type=Path)
    parser.add_argument("--rerender", action="store_true",
                        help="rewrite --doc and the charts from results_dir/<stamp>.json (e.g. "
                        "after editing bench/analysis.md) without running anything")
    args = parser.parse_args(argv)
    if args.rerender:
        rerender(args.results_dir, args.stamp, args.mode, args.doc, args.repo)
        return 0
    if not args.data:
        parser.error("--data is required unless --rerender")
    return 1 if generate(args.data, args.results_dir, args.stamp, args.mode, args.doc, args.repo) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
