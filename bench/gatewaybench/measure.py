"""What the bench reads from /proc and from the servers' counters.

Per-process CPU and context switches are read around each run, so they are
the server's own cost, not the machine's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def stat_cpu_seconds(stat: str, clk_tck: int = CLK_TCK) -> float:
    """utime + stime from a /proc/<pid>/stat line (fields after the comm
    field, which may itself hold spaces and parentheses)."""
    rest = stat.rsplit(") ", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / clk_tck


def cpu_seconds(pid: int) -> float:
    """A process's CPU seconds so far; 0 once it is gone."""
    try:
        return stat_cpu_seconds(Path(f"/proc/{pid}/stat").read_text())
    except (OSError, IndexError, ValueError):
        return 0.0


def status_ctx_switches(status: str) -> int:
    return sum(int(line.split()[1]) for line in status.splitlines()
               if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")))


def ctx_switches(pid: int) -> int:
    """Voluntary + involuntary context switches summed over the process's
    current threads (threads that exited meanwhile are not counted)."""
    total = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for tid in tids:
        try:
            total += status_ctx_switches(Path(f"/proc/{pid}/task/{tid}/status").read_text())
        except OSError:
            pass  # The thread exited between the listing and the read.
    return total


def status_kib(status: str, field: str) -> int | None:
    """A "kB" field of /proc/<pid>/status ("VmRSS", "VmHWM"); None if absent."""
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB" and parts[1].isdigit():
                return int(parts[1])
    return None


def memory_kib(pid: int) -> dict[str, int | None]:
    """A process's resident set now and at its peak, in KiB (None once it
    is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        status = ""
    return {"rss_kib": status_kib(status, "VmRSS"), "hwm_kib": status_kib(status, "VmHWM")}


def first_child(pid: int) -> int | None:
    """The lowest pid whose parent is `pid` (nginx's one worker)."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(") ", 1)[1].split()[1]) == pid:
            children.append(int(entry))
    return min(children) if children else None


def emulator_connections(stats_json: str) -> int:
    """connections_accepted from the emulator's /_emulator/stats."""
    return int(json.loads(stats_json)["connections_accepted"])


def loadavg() -> list[str]:
    return Path("/proc/loadavg").read_text().split()[:3]
