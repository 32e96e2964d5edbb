#!/usr/bin/env python3
"""Starts a test stack: the zoom_emulator, then livestream_server(s) pointed at it.

Every script and client test harness that needs a running gateway starts it
through this launcher, so starting, waiting and stopping live in one place:

    scripts/stack.py [options] [-- SERVER_FLAG...]

It binds loopback port 0 (--port_file), waits until every process has written
its port (bounded; a process that exits first is named with the tail of its
output), prints ONE line of JSON on stdout, for example

    {"gateway": "127.0.0.1:40123", "emulator": "127.0.0.1:40121",
     "zoom_api_base_url": "http://127.0.0.1:40121/v2",
     "gateways": {"gateway": {"target": "127.0.0.1:40123"}},
     "pids": {"zoom_emulator": 101, "gateway": 102}, "logs": "/tmp/stack.x1y2"}

("metrics" too with --metrics; "emulator" and "zoom_api_base_url" are absent
with --no-emulator, "gateway" with --no-gateway), then stays in the foreground
until SIGTERM, SIGINT or SIGHUP arrives or its stdin closes. A caller that
holds the launcher's stdin therefore cannot leave processes behind, even when
it is killed. It then stops the gateways, then the emulator (SIGTERM, then
SIGKILL after --stop-timeout), removes its temporary files and exits 0. A
process that exits on its own, or fails to start, ends the launcher with exit
code 1 and a message on stderr naming it, with the tail of its output.

Binaries: --server-bin / --emulator-bin, else $LIVESTREAM_SERVER_BIN /
$ZOOM_EMULATOR_BIN, else the CMake build under build/. Arguments after `--` go
to every gateway, after the launcher's own (--listen, --port_file,
--zoom_api_base_url), so they can override them. With the emulator, gateways
get ZOOM_ACCESS_TOKEN=emulator-token (the emulator's test token, not a secret).
Standard library only, so it runs with Debian's python3 and inside any venv.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EMULATOR_TOKEN = "emulator-token"
DEFAULT_GATEWAY = "gateway"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
# How often the port files are looked at while no other event arrives.
PORT_FILE_POLL_S = 0.01
TAIL_BYTES = 4000
PR_SET_PDEATHSIG = 1


class StackError(Exception):
    """Ends the launcher with exit code 1 and this message."""


def _binary(flag_value: str | None, env: str, default: str, what: str) -> Path:
    value = flag_value or os.environ.get(env) or str(REPO_ROOT / default)
    path = Path(value).resolve()
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise StackError(f"{what}: no executable at {path} (build it, or set {env})")
    return path


_LIBC = ctypes.CDLL(None, use_errno=True)


def _die_with_parent() -> None:
    # Runs in the child before exec: if the launcher itself is killed with
    # SIGKILL, the kernel sends the child SIGTERM, so nothing outlives it.
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _target(listen: str, port: int) -> str:
    """Where a client on this host reaches a server listening on `listen`."""
    if listen.startswith("unix:"):
        return listen
    host = listen.rsplit(":", 1)[0]
    # A wildcard address is reachable on loopback.
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "[::]": "[::1]"}.get(host, host)
    return f"{host}:{port}"


class Child:
    """One process of the stack, its port files and its output."""

    def __init__(self, name: str, label: str, args: list[str], env: dict[str, str],
                 port_files: dict[str, Path], log_path: Path | None):
        self.name = name
        self.label = label
        self.port_files = port_files
        self.ports: dict[str, int] = {}
        self.log_path = log_path
        if log_path is None:
            # Never stdout: it carries only the JSON line.
            out = sys.stderr.fileno()
        else:
            out = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            self.popen = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=env,
                # Its own session: a Ctrl-C in a terminal reaches only the
                # launcher, which then stops the stack in order.
                start_new_session=True, preexec_fn=_die_with_parent)
        except OSError as e:
            raise StackError(f"{label}: cannot start {args[0]}: {e}") from e
        finally:
            if log_path is not None:
                os.close(out)
        try:
            self.pidfd: int | None = os.pidfd_open(self.popen.pid)
        except (AttributeError, OSError):
            self.pidfd = None  # Older kernel: exits are noticed by polling.

    def output_tail(self) -> str:
        if self.log_path is None:
            return "(its output is above)"
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - TAIL_BYTES))
                text = f.read().decode(errors="replace")
        except OSError as e:
            return f"(its output is unreadable: {e})"
        return "output tail:\n" + (text if text.strip() else "(no output)")

    def exit_description(self) -> str:
        code = self.popen.returncode
        return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"

    def read_ports(self) -> bool:
        """True once every port file holds a port (each is written atomically)."""
        for key, path in self.port_files.items():
            if key in self.ports:
                continue
            try:
                text = path.read_text().strip()
            except FileNotFoundError:
                return False
            if not text.isdigit() or not 0 <= int(text) < 65536:
                raise StackError(f"{self.label} wrote {text!r} to {path}, not a port")
            self.ports[key] = int(text)
        return True

    def stop(self, timeout: float) -> str | None:
        """SIGTERM, wait, SIGKILL after `timeout`; a warning if it was needed."""
        if self.popen.poll() is not None:
            return None
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
            return None
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            return f"{self.label} did not stop within {timeout:g}s of SIGTERM: killed"
        finally:
            if self.pidfd is not None:
                os.close(self.pidfd)
                self.pidfd = None


class Stack:
    def __init__(self, opts: argparse.Namespace):
        self.opts = opts
        self.children: list[Child] = []
        self.stop_requested = ""
        self.stdin_open = True
        self.own_dir = opts.log_dir is None
        if self.own_dir:
            self.dir = Path(tempfile.mkdtemp(prefix="livestream-stack."))
        else:
            self.dir = Path(opts.log_dir).resolve()
            self.dir.mkdir(parents=True, exist_ok=True)
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum: int, _frame) -> None:
        self.stop_requested = self.stop_requested or signal.Signals(signum).name

    def _start(self, name: str, label: str, args: list[str], env: dict[str, str],
               port_files: dict[str, Path]) -> Child:
        log = None if self.opts.inherit_output else self.dir / f"{name}.log"
        # A --log-dir may hold the port files of an earlier run.
        for path in port_files.values():
            path.unlink(missing_ok=True)
        child = Child(name, label, args, env, port_files, log)
        self.children.append(child)
        return child

    def _wait_events(self, timeout: float | None) -> None:
        """Blocks until a signal, stdin activity, a child exit or `timeout`."""
        fds = [self.wake_r] + [c.pidfd for c in self.children if c.pidfd is not None]
        if self.stdin_open:
            fds.append(sys.stdin.fileno())
        if any(c.pidfd is None for c in self.children):
            timeout = 0.1 if timeout is None else min(timeout, 0.1)
        readable, _, _ = select.select(fds, [], [], timeout)
        if self.wake_r in readable:
            os.read(self.wake_r, 512)
        if self.stdin_open and sys.stdin.fileno() in readable:
            if not os.read(sys.stdin.fileno(), 65536):
                self.stdin_open = False
                self.stop_requested = self.stop_requested or "end of stdin"

    def _check(self, when: str) -> None:
        """Raises if a stop was requested or a child has exited."""
        # A requested stop wins: a service manager may signal the children too.
        if self.stop_requested:
            raise StopRequested(self.stop_requested)
        for child in self.children:
            if child.popen.poll() is not None:
                raise StackError(f"{child.label} exited {when} ({child.exit_description()}); "
                                 f"{child.output_tail()}")

    def _wait_for_ports(self, child: Child) -> None:
        deadline = time.monotonic() + self.opts.timeout
        while not child.read_ports():
            self._check("before listening")
            left = deadline - time.monotonic()
            if left <= 0:
                raise StackError(f"{child.label} wrote no port to {', '.join(map(str, child.port_files.values()))}"
                                 f" within {self.opts.timeout:g}s; {child.output_tail()}")
            self._wait_events(min(PORT_FILE_POLL_S, left))
        self._check("before listening")

    def start(self) -> dict:
        opts = self.opts
        info: dict = {}
        gateway_env = dict(os.environ)
        upstream_flags: list[str] = []
        if not opts.no_emulator:
            emulator_bin = _binary(opts.emulator_bin, "ZOOM_EMULATOR_BIN",
                                   "build/tests/zoom_emulator/zoom_emulator", "zoom_emulator")
            port_file = self.dir / "zoom_emulator.port"
            args = [str(emulator_bin), "--listen=127.0.0.1:0", f"--port_file={port_file}"]
            # Logs in a file are for failures; a person watching sees every request.
            if not opts.inherit_output:
                args.append("--quiet")
            emulator = self._start("zoom_emulator", "zoom_emulator", args + opts.emulator_flag,
                                   dict(os.environ), {"port": port_file})
            self._wait_for_ports(emulator)
            info["emulator"] = f"127.0.0.1:{emulator.ports['port']}"
            info["zoom_api_base_url"] = f"http://{info['emulator']}/v2"
            info.setdefault("pids", {})["zoom_emulator"] = emulator.popen.pid
            gateway_env["ZOOM_ACCESS_TOKEN"] = EMULATOR_TOKEN
            upstream_flags = [f"--zoom_api_base_url={info['zoom_api_base_url']}"]

        gateways = [] if opts.no_gateway else (opts.gateway or [(DEFAULT_GATEWAY, [])])
        if gateways:
            server_bin = _binary(opts.server_bin, "LIVESTREAM_SERVER_BIN",
                                 "build/server/livestream_server", "livestream_server")
            info["gateways"] = {}
        for name, own_flags in gateways:
            port_files = {"port": self.dir / f"{name}.port"}
            flags = [f"--listen={opts.listen}", f"--port_file={port_files['port']}"] + upstream_flags
            if opts.metrics:
                port_files["metrics"] = self.dir / f"{name}.metrics.port"
                flags += ["--metrics_listen=127.0.0.1:0", f"--metrics_port_file={port_files['metrics']}"]
            label = "livestream_server" if name == DEFAULT_GATEWAY else f"livestream_server {name}"
            child = self._start(name, label, opts.wrapper + [str(server_bin)] + flags + opts.server_flags + own_flags,
                                gateway_env, port_files)
            self._wait_for_ports(child)
            entry = {"target": _target(opts.listen, child.ports["port"])}
            if opts.metrics:
                entry["metrics"] = f"127.0.0.1:{child.ports['metrics']}"
            info["gateways"][name] = entry
            info.setdefault("pids", {})[name] = child.popen.pid
            if "gateway" not in info:
                info["gateway"] = entry["target"]
                if opts.metrics:
                    info["metrics"] = entry["metrics"]
        if not opts.inherit_output:
            info["logs"] = str(self.dir)
        return info

    def run(self) -> None:
        """Raises StopRequested once a stop is requested, StackError if a child exits first."""
        while True:
            self._check("unexpectedly")
            self._wait_events(None)

    def stop(self) -> None:
        # Gateways first: they hold connections to the emulator.
        for child in reversed(self.children):
            warning = child.stop(self.opts.stop_timeout)
            if warning:
                print(f"stack: {warning}", file=sys.stderr)
        self.children = []
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


class StopRequested(Exception):
    pass


def _gateway_spec(value: str) -> tuple[str, list[str]]:
    name, _, flags = value.partition(":")
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        raise argparse.ArgumentTypeError(f"gateway name {name!r}: use letters, digits, - and _")
    return name, shlex.split(flags)


def parse_args(argv: list[str]) -> argparse.Namespace:
    own, server_flags = argv, []
    if "--" in argv:
        i = argv.index("--")
        own, server_flags = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(prog="stack.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server-bin", help="livestream_server (default $LIVESTREAM_SERVER_BIN, else build/...)")
    p.add_argument("--emulator-bin", help="zoom_emulator (default $ZOOM_EMULATOR_BIN, else build/...)")
    p.add_argument("--no-emulator", action="store_true",
                   help="no emulator: the gateways' upstream and credentials come from the flags and environment")
    p.add_argument("--no-gateway", action="store_true", help="only the emulator")
    p.add_argument("--gateway", action="append", type=_gateway_spec, metavar="NAME[:FLAGS]",
                   help="start a gateway NAME with extra shell-quoted FLAGS (repeatable; default one named "
                        f"'{DEFAULT_GATEWAY}'); the first is the JSON's \"gateway\"")
    p.add_argument("--emulator-flag", action="append", default=[], metavar="FLAG",
                   help="extra emulator flag (repeatable; e.g. --emulator-flag=--access_token=other)")
    p.add_argument("--listen", default="127.0.0.1:0", help="gateways' --listen (default %(default)s)")
    p.add_argument("--metrics", action="store_true", help="serve metrics on a loopback port 0 too")
    p.add_argument("--wrapper", type=shlex.split, default=[], metavar="CMD",
                   help="run each gateway under CMD (e.g. 'valgrind --tool=massif')")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds each process may take to listen")
    p.add_argument("--stop-timeout", type=float, default=15.0,
                   help="seconds from SIGTERM to SIGKILL when stopping (default %(default)s)")
    p.add_argument("--log-dir", help="write each process's output to DIR/NAME.log and keep it "
                                     "(default: a temporary directory, removed at exit)")
    p.add_argument("--inherit-output", action="store_true",
                   help="the processes write to the launcher's stderr instead of log files")
    opts = p.parse_args(own)
    opts.server_flags = server_flags
    if opts.no_emulator and opts.no_gateway:
        p.error("--no-emulator and --no-gateway leave nothing to start")
    names = [name for name, _ in opts.gateway or []]
    if len(set(names)) != len(names) or "zoom_emulator" in names:
        p.error("--gateway names must differ from each other and from zoom_emulator")
    if len(names) > 1 and not opts.listen.endswith(":0"):
        p.error("several gateways need a --listen with port 0")
    return opts


def main(argv: list[str]) -> int:
    opts = parse_args(argv)
    stack = None
    ready = False
    try:
        stack = Stack(opts)
        info = stack.start()
        ready = True
        try:
            print(json.dumps(info), flush=True)
        except BrokenPipeError:
            # Nobody reads the ports any more: the caller is gone.
            sys.stdout = open(os.devnull, "w")
            return 1
        stack.run()
    except StopRequested as e:
        if not ready:
            print(f"stack: stopped before the stack was ready ({e})", file=sys.stderr, flush=True)
        return 0
    except StackError as e:
        print(f"stack: {e}", file=sys.stderr, flush=True)
        return 1
    finally:
        if stack is not None:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
