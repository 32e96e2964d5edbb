"""The Go reference gateway (bench/go_reference): building, starting, and
proving it sends Zoom the gateway's request.

Issue 16 measures the gateway against the obvious Go program with the same
contract. It is built with the machine's Go from bench/go_reference/go.mod
and go.sum (the Go module proxy once, the module cache after), and runs
with GOGC=400 as the issue describes it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .config import GO_REFERENCE_GOGC, PYTHON, TOKEN, WEBINAR_ID
from .context import Run, Server
from .parse import request_differences
from .processes import Proc, run_bounded, start_server

SOURCE = "bench/go_reference"
# The first build compiles grpc-go; later ones come from Go's build cache.
BUILD_TIMEOUT_S = 900


def build_env(env: dict[str, str]) -> dict[str, str]:
    """`go build`'s environment: go.mod and go.sum as committed (never
    rewritten), and the machine's toolchain (never a downloaded one)."""
    flags = [f for f in env.get("GOFLAGS", "").split() if not f.startswith("-mod=")]
    return dict(env, GOFLAGS=" ".join(flags + ["-mod=readonly"]), GOTOOLCHAIN="local")


def build(ctx: Run) -> bool:
    out = ctx.bins.go_reference
    out.parent.mkdir(parents=True, exist_ok=True)
    log_path = ctx.logs / "go-build.log"
    # The repository's own check of the machine's Go (tools/versions.env).
    rc, said = run_bounded([str(ctx.repo / "tools/install.sh"), "go"], 60, err=log_path)
    if rc != 0:
        return ctx.stages.result("go_reference_build", False, f"no usable Go: {said.strip()} "
                                 "(see logs/go-build.log)")
    rc, _ = run_bounded(["go", "build", "-o", str(out), "."], BUILD_TIMEOUT_S, out=log_path,
                        err=log_path, env=build_env(dict(os.environ)), cwd=ctx.repo / SOURCE)
    if rc != 0:
        return ctx.stages.result("go_reference_build", False, f"go build failed, rc={rc} "
                                 "(see logs/go-build.log)")
    return ctx.stages.result("go_reference_build", True, str(out))


def run_env() -> dict[str, str]:
    return dict(os.environ, GOGC=GO_REFERENCE_GOGC, ZOOM_ACCESS_TOKEN=TOKEN)


def start(ctx: Run, name: str, base_url: str, pool: int | None,
          ca_file: Path | None = None) -> tuple[Proc, Server] | None:
    """The Go reference on a free port, sending to `base_url` with the
    gateway's pool size."""
    args = [str(ctx.bins.go_reference), "--listen=127.0.0.1:0", f"--zoom_api_base_url={base_url}"]
    if pool is not None:
        args.append(f"--zoom_max_connections={pool}")
    if ca_file is not None:
        args.append(f"--zoom_ca_file={ca_file}")
    proc, port = start_server(ctx.reg, name, args, ctx.work, ctx.logs, env=run_env())
    if port is None:
        ctx.reg.stop(proc)
        return None
    return proc, Server(port, proc.pid)


def read_capture(d: Path) -> tuple[str, str, bytes]:
    return ((d / "request_line.txt").read_text(), (d / "headers.txt").read_text(),
            (d / "body.bin").read_bytes())


def check_request(ctx: Run) -> bool:
    """Stage go_reference_request: one call through the Go reference to the
    capture listener, compared with the gateway's captured request."""
    stage = "go_reference_request"
    d = ctx.work / "capture-go"
    d.mkdir(parents=True, exist_ok=True)
    listener, port = start_server(
        ctx.reg, "capture-go",
        [PYTHON, str(ctx.repo / "bench/capture_upstream.py"), f"--out_dir={d}", "--timeout=60"],
        ctx.work, ctx.logs)
    if port is None:
        ctx.reg.stop(listener)
        return ctx.stages.result(stage, False, "capture listener did not start")
    started = start(ctx, "goref-capture", f"http://127.0.0.1:{port}/v2", 4)
    if started is None:
        ctx.reg.stop(listener)
        return ctx.stages.result(stage, False, "the Go reference did not start "
                                 "(see logs/goref-capture.err)")
    proc, server = started
    rc, out = run_bounded([str(ctx.bins.client), "--mode=grpc", f"--target=127.0.0.1:{server.port}",
                           "--calls=1", "--warmup=0", f"--webinar_id={WEBINAR_ID}"], 60,
                          err=ctx.logs / "client.err")
    ctx.reg.stop(proc)
    ctx.reg.stop(listener)
    if rc != 0 or not (d / "body.bin").exists():
        return ctx.stages.result(stage, False, f"no request captured: {out.strip()[:200]}")
    problems = request_differences(read_capture(ctx.capture), read_capture(d))
    if problems:
        return ctx.stages.result(stage, False, "differs from the gateway's: " + "; ".join(problems))
    return ctx.stages.result(stage, True, "the gateway's request line, headers and form fields")
