"""Starting, waiting for and stopping the processes a run needs.

Every process goes through a `Registry`, which the entry point drains in a
`finally`, so nothing outlives the bench: not on success, not on a failed
stage, not on Ctrl-C or SIGTERM. Every wait here has a bound.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO, Iterator, Protocol, Sequence

from .config import PORT_WAIT_S, STOP_WAIT_S

# timeout(1)'s exit code, which the stages' notes have always shown.
TIMED_OUT = 124


class Stoppable(Protocol):
    def stop(self) -> None: ...


class Proc:
    """A child process with its output in files."""

    def __init__(self, args: Sequence[str], out: Path | None = None, err: Path | None = None,
                 env: dict[str, str] | None = None):
        self.args = list(args)
        with _output(out) as o, _output(err) as e:
            self.popen = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=o, stderr=e,
                                          env=env)
        self.pid = self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = STOP_WAIT_S) -> None:
        """SIGTERM, then SIGKILL after `timeout`; reaps the process."""
        if self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def wait(self, timeout: float) -> int | None:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None


@contextlib.contextmanager
def _output(path: Path | None) -> Iterator[IO[bytes] | int]:
    """A file to hand a child as stdout or stderr, appended to (so several
    runs of a tool share one log); DEVNULL without a path."""
    if path is None:
        yield subprocess.DEVNULL
        return
    with open(path, "ab") as f:
        yield f


class Registry:
    """Everything started during the run, stopped newest first at the end."""

    def __init__(self) -> None:
        self.items: list[Stoppable] = []

    def add(self, item: Stoppable) -> Stoppable:
        self.items.append(item)
        return item

    def start(self, args: Sequence[str], out: Path | None = None, err: Path | None = None,
              env: dict[str, str] | None = None) -> Proc:
        proc = Proc(args, out, err, env)
        self.items.append(proc)
        return proc

    def stop(self, item: Stoppable) -> None:
        item.stop()
        if item in self.items:
            self.items.remove(item)

    def mark(self) -> int:
        return len(self.items)

    def stop_since(self, mark: int) -> None:
        """Stops what was started after `mark`, newest first."""
        while len(self.items) > mark:
            self.items.pop().stop()

    def stop_all(self) -> None:
        self.stop_since(0)


def run_bounded(args: Sequence[str], timeout: float, out: Path | None = None,
                err: Path | None = None, capture: bool = True,
                env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[int, str]:
    """Runs a tool to completion within `timeout` seconds, like timeout(1)
    with -k 5: SIGTERM at the bound, SIGKILL 5 s later; rc 124 then.

    Returns (exit code, stdout if `capture`). stderr is appended to `err`;
    with `out`, stdout is appended there too.
    """
    with _output(err) as e:
        try:
            popen = subprocess.Popen(list(args), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                                     stderr=e, env=env, cwd=cwd)
        except OSError as exc:
            return 127, str(exc)
        try:
            stdout, _ = popen.communicate(timeout=timeout)
            rc = popen.returncode
        except subprocess.TimeoutExpired:
            popen.terminate()
            try:
                stdout, _ = popen.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                popen.kill()
                stdout, _ = popen.communicate()
            rc = TIMED_OUT
        except BaseException:
            popen.kill()
            popen.wait()
            raise
    text = (stdout or b"").decode(errors="replace")
    if out is not None:
        with open(out, "a") as f:
            f.write(text)
    return rc, text


def wait_port_file(path: Path, proc: Proc, timeout: float = PORT_WAIT_S) -> int | None:
    """The port a server wrote to `path`, or None if it exited or timed out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            text = path.read_text().strip()
        except FileNotFoundError:
            text = ""
        if text.isdigit():
            return int(text)
        if not proc.alive():
            return None
        time.sleep(0.1)
    return None


def start_server(reg: Registry, name: str, args: Sequence[str], work: Path,
                 logs: Path, env: dict[str, str] | None = None) -> tuple[Proc, int | None]:
    """Starts one of the bench's own servers (prototype, reference, Go
    reference, capture listener) on loopback port 0 and waits for the port
    it reports."""
    port_file = work / f"{name}.port"
    port_file.unlink(missing_ok=True)
    proc = reg.start(list(args) + [f"--port_file={port_file}"], logs / f"{name}.out",
                     logs / f"{name}.err", env)
    return proc, wait_port_file(port_file, proc)


class BusyLoops:
    """An idle vCPU of these VMs takes hundreds of µs to wake up, which every
    hop of a sequential call pays. SCHED_IDLE spinners keep the vCPUs running
    but yield at once to any other thread, so latency can also be measured
    without that penalty (as on a machine busy with other work)."""

    def __init__(self, reg: Registry):
        self.reg = reg
        self.procs = [reg.start(["chrt", "--idle", "0", "sh", "-c", "while :; do :; done"])
                      for _ in range(os.cpu_count() or 1)]

    def stop(self) -> None:
        for proc in self.procs:
            self.reg.stop(proc)
        self.procs = []
