"""Gateways and the emulator, started through the repository's one launcher.

scripts/stack.py starts them, waits for their ports and prints one JSON
line with ports and pids; it stops them when its stdin closes. It runs as a
subprocess rather than being imported because it owns its process's signal
handlers, and because a pipe on its stdin stops the stack even if the bench
is killed with SIGKILL. The pids it prints are the servers' own, so CPU,
RSS and thread counts are read from the right process.
"""

from __future__ import annotations

import json
import os
import select
import shlex
import subprocess
import time
from pathlib import Path
from typing import Any, Sequence

from .config import PORT_WAIT_S, PYTHON, REPO, STOP_WAIT_S, TOKEN
from .context import Run, Server
from .results import log

STACK = REPO / "scripts" / "stack.py"


class Stack:
    """One scripts/stack.py process and what it printed."""

    def __init__(self, label: str, args: Sequence[str], logs: Path, env: dict[str, str],
                 startup_s: float):
        self.label = label
        self.err_path = logs / f"stack-{label}.err"
        cmd = [PYTHON, str(STACK), f"--log-dir={logs}", f"--timeout={startup_s:g}",
               f"--stop-timeout={STOP_WAIT_S:g}", *args]
        with open(self.err_path, "ab") as err:
            self.popen = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=err, env=env)
        self.info: dict[str, Any] = {}
        # stack.py bounds each process's start itself; this bounds stack.py.
        self.startup_deadline = time.monotonic() + 2 * startup_s + 10

    def read_info(self) -> bool:
        """Waits for the JSON line; False if the stack failed to start."""
        assert self.popen.stdout is not None
        fd = self.popen.stdout.fileno()
        line = b""
        while not line.endswith(b"\n"):
            left = self.startup_deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return False
            chunk = os.read(fd, 65536)
            if not chunk:
                return False
            line += chunk
        self.info = json.loads(line)
        return True

    def failure(self) -> str:
        """stack.py's own message (it names the process and its output tail)."""
        try:
            lines = self.err_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            lines = []
        return lines[0] if lines else f"no output from scripts/stack.py (see {self.err_path.name})"

    def pid(self, name: str) -> int:
        return int(self.info["pids"][name])

    def stop(self) -> None:
        """Closes stack.py's stdin: it stops its processes (SIGTERM, SIGKILL
        after --stop-timeout) and exits; bounded here in case it hangs."""
        if self.popen.poll() is None:
            try:
                assert self.popen.stdin is not None
                self.popen.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.popen.wait(timeout=STOP_WAIT_S + 10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        for f in (self.popen.stdin, self.popen.stdout):
            if f is not None and not f.closed:
                f.close()


def _launch(run: Run, label: str, args: Sequence[str], startup_s: float = PORT_WAIT_S) -> Stack | None:
    env = dict(os.environ)
    # The emulator accepts this token; nginx and the capture listener ignore it.
    env["ZOOM_ACCESS_TOKEN"] = TOKEN
    stack = Stack(label, args, run.logs, env, startup_s)
    run.reg.add(stack)
    if stack.read_info():
        return stack
    log(f"{label} did not start: {stack.failure()}")
    run.reg.stop(stack)
    return None


def gateway_flags(base_url: str, pool: int | None, rate_flag: bool) -> list[str]:
    """The gateway's flags in every stage but the heap profile."""
    flags = [f"--zoom_api_base_url={base_url}",
             f"--zoom_max_connections={'' if pool is None else pool}",
             "--zoom_body_encoding=multipart", "--zoom_timeout=10s"]
    # Client-side rate limiting (Zoom's 30 requests/s) would cap every run.
    if rate_flag:
        flags.append("--zoom_rate_limit_qps=0")
    return flags


class Gateway:
    """A livestream_server under its own stack.py."""

    def __init__(self, stack: Stack, name: str):
        self.stack = stack
        self.pid = stack.pid(name)
        self.port = int(stack.info["gateways"][name]["target"].rsplit(":", 1)[1])

    def server(self) -> Server:
        return Server(self.port, self.pid)

    def stop(self, run: Run) -> None:
        run.reg.stop(self.stack)


def start_gateway(run: Run, name: str, flags: Sequence[str], wrapper: Sequence[str] = (),
                  startup_s: float = PORT_WAIT_S, server_bin: Path | None = None) -> Gateway | None:
    """A gateway named `name` with `flags`, its output in logs/NAME.log;
    this tree's server unless `server_bin` names another build's."""
    args = ["--no-emulator", f"--gateway={name}", f"--server-bin={server_bin or run.bins.server}"]
    if wrapper:
        args.append(f"--wrapper={shlex.join(wrapper)}")
    stack = _launch(run, name, args + ["--", *flags], startup_s)
    return Gateway(stack, name) if stack else None


def start_emulator(run: Run) -> tuple[Stack, Server] | None:
    """The zoom_emulator alone (gateways come and go against it)."""
    stack = _launch(run, "zoom_emulator", ["--no-gateway", f"--emulator-bin={run.bins.emulator}"])
    if stack is None:
        return None
    port = int(stack.info["emulator"].rsplit(":", 1)[1])
    return stack, Server(port, stack.pid("zoom_emulator"))
