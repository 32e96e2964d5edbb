"""Checks that the flag tables in README.md and docs/ agree with the server.

The defaults are defined once, in code (server/defaults.h and the structs it
names); the tables repeat them for readers. In a table whose second column
is headed "default", a row names one or more flags in its first cell (`--a`,
`--b` or `--a` / `--b`) and their defaults in its second (`x`, or `x` / `y`
for one each; "none" for an empty string).
flag_tables_test.py runs these checks on the repository and on broken copies.
"""

import os
import re
import subprocess

# Where the server's flags are documented with their defaults.
DOCUMENTS = ("README.md", "docs/operations.md", "docs/resilience.md")
# The table that lists every flag of the server (`livestream_server --help`).
COMPLETE_TABLE = "README.md"

_FLAG_START = re.compile(r"^ {4}--([A-Za-z0-9_]+) \(")
# The last one: a description may say "default: " too.
_DEFAULT = re.compile(r".*;\s+default: (.*?);\s*$", re.DOTALL)
_DURATION_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


def parse_help(text):
    """{flag: default} from abseil's --help/--helpfull text, the default as
    abseil prints it (strings unquoted)."""
    blocks, name = {}, None
    for line in text.splitlines():
        match = _FLAG_START.match(line)
        if match:
            name = match.group(1)
            blocks[name] = line
        elif name is not None and line.startswith("      "):
            blocks[name] += "\n" + line
        else:
            name = None
    defaults = {}
    for name, block in blocks.items():
        match = _DEFAULT.search(block)
        if match is None:
            raise ValueError(f"--{name}: no default in the help text: {block!r}")
        value = match.group(1)
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        defaults[name] = value
    return defaults


def server_help(server_binary, which):
    """{flag: default} of `livestream_server --help` or `--helpfull`."""
    result = subprocess.run([server_binary, f"--{which}"], capture_output=True, text=True,
                            check=False, timeout=60)
    flags = parse_help(result.stdout + result.stderr)
    if not flags:
        raise RuntimeError(f"{server_binary} --{which} listed no flags")
    return flags


def table_rows(text):
    """(line number, [flags], [documented defaults]) of every row that names
    flags in a table whose second column is headed "default"."""
    rows, header = [], None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if len(header) < 2 or header[1] != "default" or len(cells) < 2:
            continue
        flags = re.findall(r"`--([A-Za-z0-9_]+)`", cells[0])
        if not flags:
            continue
        defaults = [documented_value(d) for d in cells[1].split(" / ")]
        if len(defaults) == 1:
            defaults *= len(flags)
        rows.append((number, flags, defaults))
    return rows


def documented_value(cell):
    """The value a table cell documents: `x` is x; "none" (with any remark in
    parentheses) is the empty string; anything else as written."""
    cell = cell.strip()
    quoted = re.fullmatch(r"`([^`]*)`", cell)
    if quoted:
        return quoted.group(1)
    if re.fullmatch(r"none( \(.*\))?", cell):
        return ""
    return cell


def same_value(documented, actual):
    """Whether a documented default is the server's: durations and numbers
    by value (60s is 1m), the rest as text."""
    if documented == actual:
        return True
    for parse in (duration_seconds, float):
        try:
            return parse(documented) == parse(actual)
        except ValueError:
            continue
    return False


def duration_seconds(text):
    """An abseil duration ("1m", "90s", "1h30m", "250ms", "0") in seconds."""
    if text == "0":
        return 0.0
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a duration: {text}")
    return sum(float(n) * _DURATION_UNITS[u] for n, u in parts)


def check_defaults(documents, helpfull):
    """Every flag a table names exists, with the default the table gives.
    documents: {path: text}; helpfull: {flag: default}."""
    problems = []
    for path, text in sorted(documents.items()):
        for number, flags, defaults in table_rows(text):
            if len(defaults) != len(flags):
                problems.append(f"{path}:{number}: {len(flags)} flags but {len(defaults)} "
                                f"defaults")
                continue
            for flag, documented in zip(flags, defaults):
                if flag not in helpfull:
                    problems.append(f"{path}:{number}: --{flag} is not a flag of the server")
                elif not same_value(documented, helpfull[flag]):
                    problems.append(f"{path}:{number}: --{flag} defaults to "
                                    f"{helpfull[flag] or 'nothing'!r}, not {documented!r}")
    return problems


def check_complete(documents, server_flags):
    """The complete table lists every flag of the server's own --help."""
    listed = {f for _, flags, _ in table_rows(documents.get(COMPLETE_TABLE, "")) for f in flags}
    return [f"{COMPLETE_TABLE}: --{flag} is missing from the flag table"
            for flag in sorted(set(server_flags) - listed)]


def load_documents(root):
    documents = {}
    for path in DOCUMENTS:
        with open(os.path.join(root, path), encoding="utf-8") as f:
            documents[path] = f.read()
    return documents
