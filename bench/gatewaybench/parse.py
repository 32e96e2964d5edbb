"""Pure readers of the tools' text output and the rows the stages record.

Kept free of processes and files so each rule is unit-tested on captured
output (bench/tests/test_parse.py).
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from typing import Any


def awk_number(value: float) -> float | int:
    """A number as awk's "%s" printed it ("%.6g", integers without ".0"), so
    the raw rows keep the form the results always had."""
    value = float(f"{value:.6g}")
    return int(value) if value.is_integer() else value


def _leading_number(text: str) -> float:
    """awk's string-to-number rule: the longest numeric prefix, else 0."""
    m = re.match(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text)
    return float(m.group(0)) if m else 0.0


def _field(fields: list[str], n: int) -> str:
    """awk's $n (1-based), empty when the line is shorter."""
    return fields[n - 1] if len(fields) >= n else ""


def parse_h2load(out: str) -> dict[str, float]:
    """The counts of an h2load run's summary ("finished in", "requests:",
    "status codes:"); missing lines leave zeros, as a failed run has."""
    r = dict.fromkeys(("seconds", "rps", "done", "succeeded", "failed", "errored", "timeout",
                       "http_2xx"), 0.0)
    for line in out.splitlines():
        f = line.split()
        if line.startswith("finished in"):
            r["seconds"] = _leading_number(_field(f, 3).replace("s,", ""))
            r["rps"] = _leading_number(_field(f, 4))
        elif line.startswith("requests:"):
            for key, n in (("done", 6), ("succeeded", 8), ("failed", 10), ("errored", 12),
                           ("timeout", 14)):
                r[key] = _leading_number(_field(f, n))
        elif line.startswith("status codes:"):
            r["http_2xx"] = _leading_number(_field(f, 3))
    return r


def throughput_row(target: str, concurrency: int, shape: tuple[int, int], rc: int,
                   counts: dict[str, float], cpu_s: float, ctx_switches: int,
                   nginx: tuple[float, int] | None) -> dict[str, Any]:
    """One line of data/throughput.jsonl. `nginx` is (nginx worker CPU
    seconds, upstream requests counted) when the run went through nginx."""
    done = int(counts["done"])
    row: dict[str, Any] = {
        "target": target, "concurrency": concurrency, "h2load_c": shape[0], "h2load_m": shape[1],
        "rc": rc, "seconds": awk_number(counts["seconds"]), "rps": awk_number(counts["rps"]),
        "done": done, "succeeded": int(counts["succeeded"]), "failed": int(counts["failed"]),
        "errored": int(counts["errored"]), "timeout": int(counts["timeout"]),
        "http_2xx": int(counts["http_2xx"]),
        "server_cpu_s": round(cpu_s, 3),
        "server_cpu_us_per_req": round(cpu_s * 1e6 / done, 2) if done > 0 else 0,
        "server_ctx_switches_per_req": round(ctx_switches / done, 2) if done > 0 else 0,
    }
    if nginx is not None:
        nginx_cpu_s, upstream = nginx
        row["nginx_cpu_us_per_req"] = round(nginx_cpu_s * 1e6 / done, 2) if done > 0 else 0
        row["upstream_requests"] = upstream
    return row


def statuses_ok(row: dict[str, Any]) -> bool:
    """Every call done got HTTP 200. h2load counts a status when the headers
    arrive, and a timed run (-D) stops with streams in flight: up to one per
    stream (c x m) may have its 200 counted but not be done."""
    unfinished = row["http_2xx"] - row["done"]
    streams = row.get("h2load_c", 0) * row.get("h2load_m", 0)
    return 0 <= unfinished <= streams


def bad_throughput_runs(rows: list[dict[str, Any]], target: str) -> list[dict[str, Any]] | None:
    """The failed runs of `target`, or None when it has runs and all passed."""
    runs = [r for r in rows if r["target"] == target]
    bad = [r for r in runs if r["rc"] != 0 or r["done"] == 0 or r["failed"] or r["errored"]
           or not statuses_ok(r)
           # Every successful gRPC call must have reached nginx: catches calls
           # the gateway refused locally (h2load sees only HTTP 200).
           or ("upstream_requests" in r and r["upstream_requests"] < r["done"])]
    return bad if not runs or bad else None


def parse_wrk(out: str, run: int) -> dict[str, Any]:
    """One line of data/wrk.jsonl from wrk's report."""
    rps, total, bad, errs = 0.0, 0.0, 0.0, ""
    for line in out.splitlines():
        f = line.split()
        if "Requests/sec:" in line:
            rps = _leading_number(_field(f, 2))
        if "requests in" in line:
            total = _leading_number(_field(f, 1))
        if "Non-2xx or 3xx responses:" in line:
            bad = _leading_number(_field(f, 5))
        if "Socket errors:" in line:
            errs = line
    return {"run": run, "rps": awk_number(rps), "requests": int(total), "non_2xx": int(bad),
            "socket_errors": errs}


def wrk_ok(runs: list[dict[str, Any]]) -> bool:
    return bool(runs) and all(r["rps"] > 0 and r["non_2xx"] == 0 and not r["socket_errors"]
                              for r in runs)


def parse_stub_status(text: str) -> tuple[int, int]:
    """(accepted connections, requests) from nginx's stub_status page."""
    lines = text.splitlines()
    fields = lines[2].split() if len(lines) >= 3 else []
    if len(fields) < 3:
        raise ValueError(f"not a stub_status page: {text[:80]!r}")
    return int(fields[0]), int(fields[2])


def has_flag(helpfull: str, flag: str) -> bool:
    return f"--{flag}" in helpfull


def flag_default(helpfull: str, flag: str) -> int | None:
    """The numeric default of `--flag` in abseil's --helpfull (printed on the
    flag's line or one of the two after it), so the bench measures what users
    run without keeping a copy of the default."""
    lines = helpfull.splitlines()
    for i, line in enumerate(lines):
        if f"--{flag}" in line:
            m = re.search(r'default: "?(\d+)"?;', " ".join(lines[i:i + 3]))
            if m:
                return int(m.group(1))
    return None


def grpc_status_ok(nghttp_log: str) -> bool:
    """Whether nghttp -v saw trailers with grpc-status 0."""
    return re.search(r"grpc-status: 0$", nghttp_log, re.MULTILINE) is not None


def parse_captured_headers(text: str) -> list[tuple[str, str]]:
    """capture_upstream.py's headers.txt: one "Name: value" per line."""
    out = []
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            out.append((name.strip(), value.strip()))
    return out


def multipart_fields(content_type: str, body: bytes) -> list[tuple[str, str]] | None:
    """The (name, value) form fields of a multipart/form-data body, in
    order; None if it is not one."""
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    if msg.get_content_type() != "multipart/form-data" or not msg.is_multipart():
        return None
    fields = []
    for part in msg.iter_parts():
        payload = part.get_payload(decode=True)
        fields.append((str(part.get_param("name", header="content-disposition")),
                       payload.decode(errors="replace") if isinstance(payload, bytes) else ""))
    return fields


# Headers whose values may differ between two implementations of the
# contract: the product name, and the boundary (checked through the fields).
FREE_HEADERS = {"user-agent", "content-type"}


def request_differences(want: tuple[str, str, bytes], got: tuple[str, str, bytes]) -> list[str]:
    """How a captured upstream request `got` differs from `want` (each the
    request line, headers.txt and the body), as the gateway's contract with
    Zoom sees it: the same method and path, the same header names, the same
    values but for FREE_HEADERS, and a multipart body with the same fields
    in the same order. Empty when they agree."""
    problems = []
    if want[0].strip() != got[0].strip():
        problems.append(f"request line {got[0].strip()!r}, not {want[0].strip()!r}")
    want_headers = {n.lower(): v for n, v in parse_captured_headers(want[1])}
    got_headers = {n.lower(): v for n, v in parse_captured_headers(got[1])}
    for name in sorted(want_headers.keys() - got_headers.keys()):
        problems.append(f"no {name} header")
    for name in sorted(got_headers.keys() - want_headers.keys()):
        problems.append(f"extra {name} header")
    for name in sorted(want_headers.keys() & got_headers.keys() - FREE_HEADERS):
        if want_headers[name] != got_headers[name]:
            # Values are not quoted: Authorization holds a token.
            problems.append(f"another {name} value")
    want_fields = multipart_fields(want_headers.get("content-type", ""), want[2])
    got_fields = multipart_fields(got_headers.get("content-type", ""), got[2])
    if want_fields is None:
        problems.append("the reference request is not multipart/form-data")
    elif got_fields is None:
        problems.append("the body is not multipart/form-data")
    elif want_fields != got_fields:
        problems.append(f"form fields {got_fields}, not {want_fields}")
    return problems
