"""Where a run writes: the progress log, stage verdicts and raw data files.

The raw files under <work>/data are the contract between the stages and
the report (and what KEEP_WORK=1 leaves for a person to read), so each is
one JSON object per line, written as soon as it is known: a stage that dies
half-way leaves what it measured.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def append_jsonl(path: Path, obj: Any) -> None:
    with open(path, "a") as f:
        f.write(compact(obj) + "\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a .jsonl file; a line cut short by a dying stage is skipped."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return rows


class Stages:
    """Records each stage's verdict in data/stages.jsonl and on stderr."""

    def __init__(self, path: Path):
        self.path = path
        path.write_text("")

    def result(self, stage: str, ok: bool, note: str) -> bool:
        # Notes often quote JSON; single quotes keep them readable in the
        # JSON that holds them.
        note = note.replace('"', "'")
        append_jsonl(self.path, {"stage": stage, "ok": ok, "note": note})
        log(f"stage {stage}: {'ok' if ok else 'FAILED'} {note}")
        return ok

    def failed(self) -> list[str]:
        return [s["stage"] for s in read_jsonl(self.path) if not s["ok"]]
