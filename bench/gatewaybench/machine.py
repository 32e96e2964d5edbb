"""data/machine.json: the machine, the tools' versions and the run's setup,
so a result can be judged (and compared) without the machine at hand."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from .config import BURST_DELAY_MS, BURST_POOL, WRK_CONNECTIONS
from .context import Run
from .measure import loadavg


def first_line(cmd: list[str]) -> str:
    """The first line a tool prints (stdout, then stderr), or "unknown"."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def os_pretty_name(os_release: str) -> str:
    for line in os_release.splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip().strip('"')
    return "unknown"


def git_commit(repo: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "unknown"


def dirty_worktree(repo: Path) -> bool:
    """Uncommitted changes to tracked files. The run's own outputs (new files
    under bench/results, the regenerated docs/performance.md) do not count."""
    try:
        out = subprocess.run(["git", "-C", str(repo), "status", "--porcelain",
                              "--untracked-files=no", "--", ".", ":(exclude)docs/performance.md"],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.stdout.strip())


def machine_info(ctx: Run) -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    try:
        os_name = os_pretty_name(Path("/etc/os-release").read_text())
    except OSError:
        os_name = "unknown"
    p = ctx.params
    return {
        "nproc": os.cpu_count(), "cpu_model": cpu, "mem_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(), "os": os_name,
        "loadavg_at_start": ctx.loadavg_start, "loadavg_at_end": loadavg(),
        "commit": git_commit(ctx.repo), "dirty_worktree": dirty_worktree(ctx.repo),
        "build_type": ctx.build_type, "mode": ctx.opts.mode, "pool_size": ctx.pool_size or 0,
        "gateway_flags": ctx.gateway_flags, "log_requests": "default (on, stderr to a file)",
        "burst_pool": BURST_POOL, "burst_delay_ms": BURST_DELAY_MS, "niceness": ctx.niceness,
        "versions": {
            "gcc": first_line(["g++", "--version"]),
            "grpc": first_line(["pkg-config", "--modversion", "grpc++"]),
            "protobuf": first_line(["pkg-config", "--modversion", "protobuf"]),
            "libcurl": first_line(["curl-config", "--version"]),
            "nginx": first_line(["nginx", "-v"]), "h2load": first_line(["h2load", "--version"]),
            "wrk": first_line(["wrk", "-v"]), "go": first_line(["go", "version"]),
            "openssl": first_line(["openssl", "version"]), "kernel": platform.version(),
        },
        "load_tools": {"h2load": "-t 1, c x m per concurrency: 1=1x1 16=2x8 64=4x16 256=8x32",
                       "wrk": f"-t1 -c{WRK_CONNECTIONS}", "runs_per_point": p.runs,
                       "seconds_per_run": p.duration_s},
    }


def write(ctx: Run) -> None:
    (ctx.data / "machine.json").write_text(json.dumps(machine_info(ctx), indent=1))
