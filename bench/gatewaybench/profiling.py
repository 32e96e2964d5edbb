"""--profile: where the gateway's CPU and memory go under load.

A cpu-clock `perf record` with DWARF call graphs (Debian's libraries have no
frame pointers) during a throughput run and a burst, and a valgrind massif
heap profile of a burst. Each is summarised into <results>/<stamp>-*.txt.
"""

from __future__ import annotations

import re
import time
from typing import Callable

from .config import BURST_POOL
from .context import Run
from .launcher import start_gateway
from .processes import Proc, run_bounded
from .results import compact, log

PERF_SECTIONS = (
    ("## by thread", ["--no-children", "--sort", "comm", "-g", "none"], None),
    ("## by library", ["--no-children", "--sort", "dso", "-g", "none", "--percent-limit", "0.3"],
     None),
    ("## self time by symbol (>= 0.5 %; unnamed addresses are in stripped Debian libraries)",
     ["--no-children", "--sort", "dso,sym", "-g", "none", "--percent-limit", "0.5"], None),
    ("## inclusive time of named user-space functions (>= 2 %)",
     ["--children", "--sort", "sym", "-g", "none", "--percent-limit", "2"], 220),
)


class Perf:
    """`perf record` of one process for a fixed time."""

    def __init__(self, ctx: Run, name: str, pid: int, seconds: int):
        self.ctx, self.name = ctx, name
        self.data = ctx.work / f"perf-{name}.data"
        log_path = ctx.logs / f"perf-{name}.log"
        self.proc: Proc = ctx.reg.start(
            ["perf", "record", "-e", "cpu-clock", "-F", "499", "--call-graph", "dwarf,16384",
             "-p", str(pid), "-o", str(self.data), "--", "sleep", str(seconds)], log_path, log_path)
        self.seconds = seconds
        time.sleep(1)  # perf attaches asynchronously; the first second is not the load's

    def report(self) -> None:
        if self.proc.wait(self.seconds + 30) is None:
            self.ctx.reg.stop(self.proc)
        out = [f"# perf record -e cpu-clock --call-graph dwarf of livestream_server: {self.name}"]
        for title, args, width in PERF_SECTIONS:
            _, text = run_bounded(["perf", "report", "-i", str(self.data), *args, "--stdio"], 300)
            lines = [line for line in text.splitlines() if line and not line.startswith("#")]
            if width:
                # Kernel symbols and unnamed addresses say nothing about the code.
                lines = [line[:width] for line in lines if "[k]" not in line and "] 0x0000" not in line]
            out += [title, *lines]
        self.ctx.results_dir.mkdir(parents=True, exist_ok=True)
        path = self.ctx.results_dir / f"{self.ctx.stamp}-perf-{self.name}.txt"
        path.write_text("\n".join(out) + "\n")


def profile_gateway(ctx: Run, pid: int, measured_run: Callable[[], dict]) -> None:
    """A perf profile of the throughput gateway at concurrency 64."""
    log("profiling the gateway at concurrency 64 with perf")
    perf = Perf(ctx, "throughput-c64", pid, ctx.params.duration_s + 2)
    (ctx.data / "profile-run.json").write_text(compact(measured_run()) + "\n")
    perf.report()


def massif_peak_tree(text: str) -> str:
    """The peak snapshot of ms_print's output, its allocation tree cut to
    three levels: enough to name who holds memory."""
    peak = re.search(r"(\d+) \(peak\)", text).group(1)
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if re.match(r"\s*" + peak + r"\s+[\d,]+\s+[\d,]+", line))
    out = [lines[start]]
    for line in lines[start + 1:]:
        if line.startswith("---") and len(out) > 3:
            break
        if re.match(r"^(\d|->|\| ->|\|   ->)", line):
            out.append(line[:240])
    return "\n".join(out)


def heap_profile(ctx: Run, emulator_port: int, calls: int) -> None:
    """The gateway under valgrind massif while `calls` slow calls are in flight."""
    log(f"heap profile (valgrind massif) of a {calls}-call burst")
    massif_out = ctx.work / "massif.out"
    # Without the other stages' body encoding and timeout: the heap profile
    # has always run with the server's defaults there.
    flags = [f"--zoom_api_base_url=http://127.0.0.1:{emulator_port}/v2",
             f"--zoom_max_connections={BURST_POOL}", "--log_requests=false"]
    if ctx.has_rate_flag:
        flags.append("--zoom_rate_limit_qps=0")
    # The synonym lets massif replace tcmalloc's malloc as it does glibc's.
    wrapper = ["valgrind", "--tool=massif", "--threshold=1", "--depth=30",
               "--soname-synonyms=somalloc=*tcmalloc*", f"--massif-out-file={massif_out}"]
    gw = start_gateway(ctx, "gw-massif", flags, wrapper=wrapper, startup_s=120)
    if gw is None:
        log("massif: gateway did not start")
        return
    run_bounded([str(ctx.bins.client), "--mode=burst", f"--target=127.0.0.1:{gw.port}",
                 f"--calls={calls}", "--rounds=2", "--deadline_s=120"], 300,
                out=ctx.logs / "massif-burst.out", err=ctx.logs / "client.err")
    gw.stop(ctx)
    _, text = run_bounded(["ms_print", str(massif_out)], 120)
    try:
        tree = massif_peak_tree(text)
    except (AttributeError, StopIteration):
        tree = "(no peak snapshot in ms_print's output)"
    ctx.results_dir.mkdir(parents=True, exist_ok=True)
    (ctx.results_dir / f"{ctx.stamp}-massif-burst-{calls}.txt").write_text(
        f"# valgrind massif of livestream_server, {calls} calls in flight (2 bursts, 1 s upstream)\n"
        "# peak snapshot; sizes are heap bytes (not RSS)\n" + tree + "\n")
