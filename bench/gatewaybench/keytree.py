"""The shape of a results JSON without its values, to prove that two runs
(say, before and after a change to the bench) wrote the same structure.

    python3 -m gatewaybench.keytree BEFORE.json AFTER.json

prints the paths only one of them has and exits 1 if there are any. A path
is the keys from the root ("throughput.gateway.64.rps_median"); list items
are "[]", their shapes merged; a leaf is its JSON type, with int and float
both "number" (awk printed 1.00 as 1).
"""

from __future__ import annotations

import json
import sys
from typing import Any


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def key_paths(obj: Any, prefix: str = "") -> set[str]:
    """Every path of `obj` with its leaf type ("a.b[].c: number")."""
    if isinstance(obj, dict):
        paths = {f"{prefix}: object"} if prefix else set()
        for key, value in obj.items():
            paths |= key_paths(value, f"{prefix}.{key}" if prefix else str(key))
        return paths
    if isinstance(obj, list):
        paths = {f"{prefix}: list"}
        for item in obj:
            paths |= key_paths(item, f"{prefix}[]")
        return paths
    return {f"{prefix}: {_kind(obj)}"}


def diff(before: Any, after: Any) -> tuple[list[str], list[str]]:
    """(paths only in `before`, paths only in `after`), sorted."""
    a, b = key_paths(before), key_paths(after)
    return sorted(a - b), sorted(b - a)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0]) as f:
        before = json.load(f)
    with open(argv[1]) as f:
        after = json.load(f)
    gone, new = diff(before, after)
    for path in gone:
        print(f"- {path}")
    for path in new:
        print(f"+ {path}")
    print(f"{len(key_paths(before))} paths before, {len(key_paths(after))} after, "
          f"{len(gone) + len(new)} different")
    return 1 if gone or new else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
