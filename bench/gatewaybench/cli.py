"""The run from start to end: options, setup, the stages in order, the
report and the exit code (0: every stage ran; 1: a stage failed or the
machine could not run the bench; 2: a bad command line; 130: interrupted).

Targets are reported, never enforced: the exit code says whether each
stage could run, which is what CI's smoke run checks.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Callable

from . import __doc__ as USAGE
from . import (build, bursts, capture, compare, connections, direct, goref, latency, machine, nginx,
               report, shared_limit, throughput, upstream_tls, vs_go)
from .config import REPO, SCHEMES, WEBINAR_ID, Options, UsageError, params_for, parse_args
from .context import Binaries, Run
from .measure import loadavg
from .processes import Registry, run_bounded
from .results import Stages, log

# The 10,000-call burst holds 10,000 upstream sockets in the gateway and in
# the emulator.
OPEN_FILES = 65536
OPEN_FILES_NEEDED = 12000


class Interrupted(BaseException):
    """SIGTERM, handled like Ctrl-C: stop everything, exit 130."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Interrupted()


def wait_idle(seconds: int) -> None:
    """Up to `seconds` for the 1-minute load average to fall below 0.5."""
    waited = 0
    while waited < seconds:
        load = float(loadavg()[0])
        if load < 0.5:
            return
        if waited % 60 == 0:
            log(f"waiting for an idle machine (load {load})")
        time.sleep(5)
        waited += 5


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        high = hard if hard == resource.RLIM_INFINITY else max(hard, OPEN_FILES)
        resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, high))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft != resource.RLIM_INFINITY and soft < OPEN_FILES_NEEDED:
        log(f"warning: open-file limit {soft} may be too low for the 10,000-call burst")


def results_dir(mode: str) -> Path:
    if os.environ.get("RESULTS_DIR"):
        return Path(os.environ["RESULTS_DIR"])
    if mode == "smoke":
        # Outside the work dir so the smoke results survive the cleanup.
        return Path(tempfile.mkdtemp(prefix="livestream-bench-smoke."))
    return REPO / "bench" / "results"


def guarded(ctx: Run, stage: str, fn: Callable[[Run], object]) -> None:
    """Runs a stage; a bug in it fails that stage (traceback in
    logs/bench.err), not the run."""
    try:
        fn(ctx)
    except Exception as e:
        with open(ctx.logs / "bench.err", "a") as f:
            traceback.print_exc(file=f)
        ctx.stages.result(stage, False, f"crashed: {e!r} (see logs/bench.err)")


def prepare(ctx: Run) -> bool:
    """Builds, reads the server's defaults and encodes the gRPC frame; then,
    with --wait-idle, waits for the load the builds left to settle, so the
    first measurement does not start on a machine still busy compiling."""
    if not build.build(ctx):
        return False
    if not os.access(ctx.bins.server, os.X_OK):
        ctx.bins.server = Path("/nonexistent/livestream_server")
    build.read_server_defaults(ctx)
    if ctx.opts.compare is None:
        goref.build(ctx)
    run_bounded([str(ctx.bins.client), "--mode=frame", f"--out={ctx.frame}",
                 f"--webinar_id={WEBINAR_ID}"], 60, err=ctx.logs / "client.err")
    if ctx.opts.wait_idle_s > 0:
        wait_idle(ctx.opts.wait_idle_s)
    # What the report's busy-machine warning reads: the load the measurements
    # start in, the builds' included when there was no wait.
    ctx.loadavg_start = " ".join(loadavg())
    return True


def run_compare(ctx: Run) -> None:
    """--compare instead of the stages."""
    assert ctx.opts.compare is not None
    base = Path(ctx.opts.compare).resolve()
    if not os.access(base, os.X_OK):
        ctx.stages.result("compare", False, f"{base} is not an executable livestream_server")
        return
    if not prepare(ctx):
        return
    ctx.nginx = nginx.start(ctx.reg, ctx.work, ctx.logs)
    if ctx.nginx is None:
        ctx.stages.result("nginx", False, f"nginx did not start (see {ctx.logs})")
        return
    guarded(ctx, "compare", lambda c: compare.run(c, base, c.opts.compare_rounds))


def run_stages(ctx: Run) -> None:
    """The stages in order. A stage that fails records why and the next
    ones run if they can: one run shows every problem."""
    if not prepare(ctx):
        return
    before_nginx = ctx.reg.mark()
    ctx.tls = upstream_tls.make(ctx.work / "tls", ctx.logs / "openssl.log")
    if ctx.tls is None:
        ctx.stages.result("tls", False, "openssl could not make the test certificates "
                          "(see logs/openssl.log)")
    ctx.nginx = nginx.start(ctx.reg, ctx.work, ctx.logs, ctx.tls)
    if ctx.nginx is None:
        ctx.stages.result("nginx", False, f"nginx did not start (see {ctx.logs})")
    else:
        ctx.stages.result("nginx", True, f"port {ctx.nginx.port}, HTTPS port {ctx.nginx.tls_port}")
        after_nginx = ctx.reg.mark()
        guarded(ctx, "capture", capture.run)
        if ctx.captured():
            guarded(ctx, "wrk", direct.run)
        else:
            ctx.stages.result("wrk", False, "skipped: no captured request")
        guarded(ctx, "gateway_throughput", throughput.gateway)
        if ctx.captured():
            guarded(ctx, "prototype_throughput", throughput.prototype)
        else:
            ctx.stages.result("prototype_throughput", False, "skipped: no captured request")
        guarded(ctx, "reference_throughput", throughput.reference)
        if ctx.captured():
            guarded(ctx, "latency", latency.run)
        else:
            ctx.stages.result("latency", False, "skipped: no captured request")
        guarded(ctx, "connections", connections.run)
        # The servers measured so far stop: the next stages start their own.
        ctx.reg.stop_since(after_nginx)
        if ctx.captured():
            guarded(ctx, "go_reference_request", goref.check_request)
        else:
            ctx.stages.result("go_reference_request", False, "skipped: no captured request")
        for scheme in SCHEMES:
            guarded(ctx, f"vs_go_{scheme}", lambda c, s=scheme: vs_go.compare(c, s))
        guarded(ctx, "upstream_memory", vs_go.memory)
        guarded(ctx, "shared_limit_latency", shared_limit.run)
        # The bursts get the CPU to themselves.
        ctx.reg.stop_since(after_nginx)
    guarded(ctx, "bursts", bursts.run)
    ctx.reg.stop_since(before_nginx)


def finish(ctx: Run, started: float) -> int:
    machine.write(ctx)
    ctx.results_dir.mkdir(parents=True, exist_ok=True)
    full = ctx.opts.mode == "full"
    try:
        problems = report.generate(ctx.data, ctx.results_dir, ctx.stamp, ctx.opts.mode,
                                   doc=ctx.repo / "docs/performance.md" if full else None,
                                   repo=ctx.repo if full else None)
        if problems:
            ctx.stages.result("report", False, "; ".join(problems))
    except Exception as e:  # The results so far still count; the stage says why.
        ctx.stages.result("report", False, f"report failed: {e!r}")
    failed = ctx.stages.failed()
    print(f"\nbench ({ctx.opts.mode}) finished in {int(time.time() - started)} s; "
          f"results in {ctx.results_dir}")
    if failed:
        print(f"FAILED stages: {' '.join(failed)} (logs: {ctx.logs})")
        return 1
    print("all stages ran")
    return 0


def execute(opts: Options) -> int:
    if opts.wait_idle_s > 0:
        # Other work first; the load of the bench's own builds is waited out
        # in prepare().
        wait_idle(opts.wait_idle_s)
    if opts.priority:
        try:
            # Every process started below inherits it.
            os.setpriority(os.PRIO_PROCESS, 0, -10)
        except OSError:
            log("warning: cannot raise the bench's priority")
    started = time.time()
    work = Path(tempfile.mkdtemp(prefix="livestream-bench."))
    (work / "data").mkdir()
    (work / "logs").mkdir()
    build_dir = Path(os.environ.get("BUILD_DIR") or REPO / "build-bench")
    pool = os.environ.get("POOL_SIZE", "")
    keep = os.environ.get("KEEP_WORK", "0") == "1"
    reg = Registry()
    ctx = Run(opts=opts, params=params_for(opts.mode), repo=REPO, build_dir=build_dir, work=work,
              results_dir=results_dir(opts.mode),
              stamp=f"{time.strftime('%Y-%m-%d', time.gmtime())}-{machine.git_commit(REPO)}",
              reg=reg, stages=Stages(work / "data/stages.jsonl"), bins=Binaries.under(build_dir),
              niceness=os.nice(0), loadavg_start=" ".join(loadavg()),
              pool_size=int(pool) if pool else None)
    rc = 1
    try:
        build.install_packages(ctx)
        raise_open_files()
        if opts.compare:
            run_compare(ctx)
            reg.stop_all()
            rc = 1 if ctx.stages.failed() else 0
        else:
            run_stages(ctx)
            reg.stop_all()
            rc = finish(ctx, started)
    except build.SetupError as e:
        print(e, file=sys.stderr)
    except (KeyboardInterrupt, Interrupted):
        rc = 130
    finally:
        reg.stop_all()
        if keep or rc == 1:
            print(f"work dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return rc


def main(argv: list[str]) -> int:
    try:
        opts = parse_args(argv)
    except UsageError as e:
        print(e, file=sys.stderr)
        return 2
    if opts.help:
        print(USAGE.strip())
        return 0
    if not (os.environ.get("POOL_SIZE") or "0").isdigit():
        print(f"POOL_SIZE must be a number of connections, not {os.environ['POOL_SIZE']!r}",
              file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _on_sigterm)
    return execute(opts)
