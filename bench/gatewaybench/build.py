"""Packages and binaries the bench needs, and what the server says of itself.

The pool size and the rate-limit flag are read from the built server's
--helpfull, so the bench measures the shipped defaults without a copy.
"""

from __future__ import annotations

import os
import subprocess

from .config import BUILD_TARGETS, PACKAGES, PROFILE_PACKAGES
from .context import Run
from .parse import flag_default, has_flag
from .processes import run_bounded
from .results import log

# A clean Release build of a target may take this long on 2 shared cores.
BUILD_TIMEOUT_S = 3600


class SetupError(Exception):
    """The machine cannot run the bench (exit code 1, work dir kept)."""


def install_packages(ctx: Run) -> None:
    wanted = list(PACKAGES) + (list(PROFILE_PACKAGES) if ctx.opts.profile else [])
    # Unknown packages are left out of the answer (and named on stderr).
    _, out = run_bounded(["dpkg-query", "-W", "-f=${Package} ${Status}\\n", *wanted], 60)
    installed = {line.split()[0] for line in out.splitlines() if line.endswith(" install ok installed")}
    missing = [pkg for pkg in wanted if pkg not in installed]
    if not missing:
        return
    log(f"installing {' '.join(missing)}")
    sudo = [] if os.getuid() == 0 else ["sudo"]
    apt_log = ctx.logs / "apt.log"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    rc, _ = run_bounded(sudo + ["apt-get", "update", "-qq"], 600, err=apt_log, capture=False)
    if rc == 0:
        rc, _ = run_bounded(sudo + ["apt-get", "install", "-y", "--no-install-recommends",
                                    *missing], 1800, out=apt_log, err=apt_log, env=env)
    if rc != 0:
        raise SetupError(f"apt-get install failed; see {apt_log}")


def cache_build_type(cache_text: str) -> str:
    """CMAKE_BUILD_TYPE from a CMakeCache.txt."""
    for line in cache_text.splitlines():
        if line.startswith("CMAKE_BUILD_TYPE:"):
            return line.split("=", 1)[1]
    return ""


def build(ctx: Run) -> bool:
    """Builds the bench's targets; True if the latency client and the
    reference server exist (stages whose binaries exist still run)."""
    cache = ctx.build_dir / "CMakeCache.txt"
    if not cache.exists():
        log(f"configuring {ctx.build_dir} (Release)")
        rc, _ = run_bounded(["cmake", "-S", str(ctx.repo), "-B", str(ctx.build_dir), "-G", "Ninja",
                             "-DCMAKE_BUILD_TYPE=Release"], 600, out=ctx.logs / "configure.log",
                            err=ctx.logs / "configure.log")
        if rc != 0:
            ctx.stages.result("build", False, "cmake configure failed (see logs/configure.log)")
            return False
    ctx.build_type = cache_build_type(cache.read_text(errors="replace"))
    if ctx.build_type != "Release":
        log(f"warning: {ctx.build_dir} is a '{ctx.build_type}' build, not Release")
    failed = []
    for target in BUILD_TARGETS:
        log(f"building {target}")
        rc, _ = run_bounded(["cmake", "--build", str(ctx.build_dir), "-j2", "--target", target],
                            BUILD_TIMEOUT_S, out=ctx.logs / "build.log", err=ctx.logs / "build.log")
        if rc != 0:
            failed.append(target)
    if failed:
        ctx.stages.result("build", False, f"could not build: {' '.join(failed)} (see logs/build.log)")
    else:
        ctx.stages.result("build", True, ctx.build_type)
    return all(os.access(b, os.X_OK) for b in (ctx.bins.client, ctx.bins.reference))


def read_server_defaults(ctx: Run) -> None:
    """Sets has_rate_flag and, unless POOL_SIZE was given, pool_size."""
    try:
        proc = subprocess.run([str(ctx.bins.server), "--helpfull"], capture_output=True, text=True,
                              timeout=30)
        helpfull = proc.stdout + proc.stderr
    except (OSError, subprocess.TimeoutExpired):
        helpfull = ""
    # Client-side rate limiting (Zoom's 30 requests/s) would cap every run.
    ctx.has_rate_flag = has_flag(helpfull, "zoom_rate_limit_qps")
    # The HTTPS upstream's test CA reaches the gateway through it.
    ctx.has_ca_flag = has_flag(helpfull, "zoom_ca_file")
    if ctx.pool_size is None:
        # The shipped default, so the bench measures what users run. The
        # server is the only place it is written: no fallback copy.
        ctx.pool_size = flag_default(helpfull, "zoom_max_connections")
        if ctx.pool_size is None:
            ctx.stages.result("pool_size", False,
                              f"no default of --zoom_max_connections in {ctx.bins.server} --helpfull")
