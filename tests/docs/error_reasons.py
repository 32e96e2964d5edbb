"""Checks that the error contract is written the same everywhere.

`enum ErrorReason` (protos/zoom/livestream/v1/error_reason.proto) defines
every ErrorInfo.reason, and its comments say with which gRPC codes each is
sent. Others repeat it for readers or for rules:
- README.md's error table: one or more rows per reason, the codes in the
  "gRPC code" column;
- tests/soak/soak_rules.cc: the code -> reasons table the soak judges by;
- server/: each reason is sent by some code (`ErrorReason::NAME`);
- the ErrorInfo domain: defined once for C++ (protos/error_domain.h), copied
  by each language's client.
error_reasons_test.py runs these checks on the repository and on broken
copies.
"""

import glob
import os
import re

PROTO = "protos/zoom/livestream/v1/error_reason.proto"
README = "README.md"
SOAK_RULES = "tests/soak/soak_rules.cc"
DOMAIN_HEADER = "protos/error_domain.h"
# Where each client defines the domain, and how (one capture group).
CLIENT_DOMAINS = {
    "client/go/richerr/richerr.go": r'const Domain = "([^"]*)"',
    "client/java/src/main/java/com/zoom/livestream/client/RichError.java":
        r'String DOMAIN = "([^"]*)"',
    "client/python/src/zoom_livestream/errors.py": r'^DOMAIN = "([^"]*)"',
    "client/node/src/errors.ts": r"export const ERROR_DOMAIN = '([^']*)'",
}
UNSPECIFIED = "ERROR_REASON_UNSPECIFIED"

CODES = ("OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
         "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
         "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
         "UNAUTHENTICATED")
_CODE_WORD = re.compile(r"\b(" + "|".join(CODES) + r")\b")


def proto_reasons(text):
    """{reason: set of codes} of enum ErrorReason: the codes are the code
    names after "Code:" in the value's leading comment."""
    body = re.search(r"enum ErrorReason \{(.*?)\n\}", text, re.DOTALL)
    if body is None:
        raise ValueError(f"{PROTO}: no enum ErrorReason")
    reasons, comment = {}, []
    for line in body.group(1).splitlines():
        line = line.strip()
        if line.startswith("//"):
            comment.append(line[2:].strip())
            continue
        value = re.fullmatch(r"([A-Z][A-Z0-9_]*) = \d+;", line)
        if value:
            text_after = " ".join(comment).partition("Code:")[2]
            reasons[value.group(1)] = set(_CODE_WORD.findall(text_after))
        comment = []
    return reasons


def readme_reasons(text):
    """{reason: set of codes} of the README's error table (the table whose
    header has "ErrorInfo reason"): backquoted names in the reason column,
    backquoted code names in the "gRPC code" column."""
    reasons, header = {}, None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if "ErrorInfo reason" not in header or "gRPC code" not in header:
            continue
        code_cell = cells[header.index("gRPC code")]
        codes = {c for c in re.findall(r"`([A-Z_]+)`", code_cell) if c in CODES}
        for reason in re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[header.index("ErrorInfo reason")]):
            reasons.setdefault(reason, set()).update(codes)
    return reasons


def soak_reasons(text):
    """{reason: set of codes} of the soak's table ({C::kNotFound, {"A", ...}})."""
    reasons = {}
    for code, names in re.findall(r"\{C::k([A-Za-z]+),\s*\{([^}]*)\}\}", text):
        code = re.sub(r"(?<!^)(?=[A-Z])", "_", code).upper()
        for reason in re.findall(r'"([A-Z0-9_]+)"', names):
            reasons.setdefault(reason, set()).add(code)
    return reasons


def check_documented(proto, readme):
    """The README's table lists exactly the enum's reasons (but UNSPECIFIED),
    each with the codes its proto comment gives."""
    problems = []
    for reason in sorted(set(proto) - set(readme) - {UNSPECIFIED}):
        problems.append(f"{README}: ErrorReason {reason} is missing from the error table")
    for reason in sorted(set(readme) - set(proto)):
        problems.append(f"{README}: reason {reason} is not a value of enum ErrorReason")
    if UNSPECIFIED in readme:
        problems.append(f"{README}: {UNSPECIFIED} is never sent")
    for reason in sorted(set(proto) & set(readme)):
        if proto[reason] != readme[reason]:
            problems.append(f"{reason}: codes {sorted(proto[reason])} in {PROTO}, "
                            f"{sorted(readme[reason])} in {README}")
    return problems


def check_soak(readme, soak):
    """The soak accepts exactly the codes and reasons of the README's table.
    (A reason listed without a code, INTERNAL, "the error's own", is a server
    bug to the soak.)"""
    problems = []
    for reason in sorted(set(soak) | set(readme)):
        documented, accepted = readme.get(reason, set()), soak.get(reason, set())
        if accepted - documented:
            problems.append(f"{SOAK_RULES}: accepts {reason} with "
                            f"{sorted(accepted - documented)}, which {README}'s error table "
                            f"does not list")
        if documented - accepted:
            problems.append(f"{SOAK_RULES}: refuses {reason} with "
                            f"{sorted(documented - accepted)}, which {README}'s error table "
                            f"lists")
    return problems


def check_sent(proto, sources):
    """Every reason but UNSPECIFIED is sent by some server code.
    sources: {path: text} of the server's .cc files."""
    used = set()
    for text in sources.values():
        used.update(re.findall(r"\bErrorReason::([A-Z][A-Z0-9_]*)\b", text))
    return [f"server/: nothing sends ErrorReason {reason}"
            for reason in sorted(set(proto) - used - {UNSPECIFIED})]


def check_domains(header, clients):
    """The clients' domains equal the one C++ definition.
    clients: {path: text}."""
    problems = []
    defined = re.findall(r'kErrorDomain = "([^"]*)"', header)
    if len(defined) != 1:
        return [f"{DOMAIN_HEADER}: {len(defined)} definitions of kErrorDomain"]
    for path, pattern in sorted(CLIENT_DOMAINS.items()):
        found = re.findall(pattern, clients.get(path, ""), re.MULTILINE)
        if found != defined:
            problems.append(f"{path}: domain {found or 'not found'}, not {defined[0]!r}")
    return problems


def read(root, path):
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return f.read()


def check_repository(root):
    proto = proto_reasons(read(root, PROTO))
    readme = readme_reasons(read(root, README))
    sources = {p: read(root, p) for p in
               glob.glob("server/**/*.cc", root_dir=root, recursive=True)}
    clients = {p: read(root, p) for p in CLIENT_DOMAINS}
    return (check_documented(proto, readme) + check_soak(readme, soak_reasons(read(root, SOAK_RULES)))
            + check_sent(proto, sources) + check_domains(read(root, DOMAIN_HEADER), clients))
