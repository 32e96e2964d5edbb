"""Stage bursts: many slow calls in flight at once.

A fresh gateway per burst size against the zoom_emulator answering after
BURST_DELAY_MS, one cold and one warm burst each. bench_latency_client
samples the gateway's /proc status (RSS, threads, CPU) during each burst;
the emulator's connection counter around it shows what the gateway dialled.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from .config import BURST_DELAY_MS, BURST_POOL, WEBINAR_ID
from .context import Run
from .launcher import gateway_flags, start_emulator, start_gateway
from .measure import emulator_connections
from .nginx import http_get
from .processes import run_bounded
from .profiling import Perf, heap_profile
from .results import append_jsonl, log


def connections(port: int) -> int:
    """Connections the emulator accepted so far; -1 if it did not say."""
    try:
        return emulator_connections(http_get(f"http://127.0.0.1:{port}/_emulator/stats", 10))
    except (OSError, ValueError, KeyError):
        return -1


def configure_delay(ctx: Run, port: int) -> int:
    """Sets the emulator's answer delay; returns the HTTP status (0: none)."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}/_emulator/config", method="POST",
                                 data=json.dumps({"delay_ms": BURST_DELAY_MS}).encode(),
                                 headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            (ctx.logs / "emulator-config.out").write_bytes(resp.read())
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def burst_case(ctx: Run, emulator_port: int, calls: int) -> bool:
    """One burst size: a fresh gateway, a cold then a warm burst."""
    gw = start_gateway(ctx, f"gw-burst-{calls}", gateway_flags(
        f"http://127.0.0.1:{emulator_port}/v2", BURST_POOL, ctx.has_rate_flag))
    if gw is None:
        return False
    ok = True
    rounds = ["cold", "warm"]
    # perf slows the server down: the profile gets its own, unreported round.
    if ctx.opts.profile and calls == ctx.params.bursts[-1]:
        rounds.append("profiled")
    for rnd in rounds:
        perf = Perf(ctx, f"burst-{calls}", gw.pid, 12) if rnd == "profiled" else None
        c0 = connections(emulator_port)
        rc, out = run_bounded([str(ctx.bins.client), "--mode=burst", f"--target=127.0.0.1:{gw.port}",
                               f"--calls={calls}", "--rounds=1", "--channels=8", "--deadline_s=30",
                               f"--sample_pid={gw.pid}", f"--webinar_id={WEBINAR_ID}"], 120,
                              err=ctx.logs / "client.err")
        ok = ok and rc == 0
        c1 = connections(emulator_port)
        if perf:
            perf.report()
        try:
            result = json.loads(out) if out.strip() else {"ok": 0}
        except json.JSONDecodeError:
            result = {"ok": 0}
        # Minus the stats query between the snapshots.
        append_jsonl(ctx.data / "bursts.jsonl", {"calls": calls, "round": rnd,
                                                 "upstream_connections_opened": c1 - c0 - 1,
                                                 "result": result})
        time.sleep(0.2)
    gw.stop(ctx)
    return ok


def run(ctx: Run) -> bool:
    started = start_emulator(ctx) if ctx.bins.emulator.exists() else None
    if started is None:
        return ctx.stages.result("bursts", False, "emulator did not start (see logs/zoom_emulator.log)")
    stack, emulator = started
    try:
        code = configure_delay(ctx, emulator.port)
        if not 200 <= code < 300 or connections(emulator.port) < 0:
            return ctx.stages.result("bursts", False, f"emulator control API failed (config HTTP {code})")
        ok = True
        # 10 calls first: the thread count must not grow with the load.
        for n in (10, *ctx.params.bursts):
            log(f"burst of {n} calls (cold, then warm)")
            ok = burst_case(ctx, emulator.port, n) and ok
        if ctx.opts.profile:
            heap_profile(ctx, emulator.port, ctx.params.bursts[0])
    finally:
        ctx.reg.stop(stack)
    if not ok:
        return ctx.stages.result("bursts", False, "a burst had failed calls (see data/bursts.jsonl)")
    return ctx.stages.result("bursts", True, f"{' '.join(map(str, (10, *ctx.params.bursts)))} calls, "
                             f"{BURST_DELAY_MS} ms upstream")
