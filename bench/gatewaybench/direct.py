"""Stage wrk: the upstream's own limit, wrk sending the captured PATCH
straight to nginx (what the gateway could reach at best)."""

from __future__ import annotations

from .config import WRK_CONNECTIONS
from .context import Run
from .parse import parse_wrk, wrk_ok
from .processes import run_bounded
from .results import append_jsonl, compact, read_jsonl

LUA = """local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end
wrk.method = "PATCH"
wrk.body = slurp("{capture}/body.bin")
for line in io.lines("{capture}/headers.txt") do
  local name, value = line:match("^([^:]+):%s*(.-)%s*$")
  if name then wrk.headers[name] = value end
end
"""


def run(ctx: Run) -> bool:
    lua = ctx.work / "patch.lua"
    lua.write_text(LUA.replace("{capture}", str(ctx.capture)))
    data = ctx.data / "wrk.jsonl"
    duration = ctx.params.duration_s
    for i in range(1, ctx.params.runs + 1):
        _, out = run_bounded(["wrk", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{duration}s", "-s", str(lua),
                              ctx.direct_url()], duration + 60, out=ctx.logs / "wrk.log",
                             err=ctx.logs / "wrk.log")
        append_jsonl(data, parse_wrk(out, i))
    runs = read_jsonl(data)
    if not wrk_ok(runs):
        return ctx.stages.result("wrk", False, "wrk failed or got non-2xx (see logs/wrk.log)")
    return ctx.stages.result("wrk", True, compact(runs[-1]))
