#!/usr/bin/python3
"""Reads Prometheus text (file argv[1]) with prometheus_client's own parser.

Fails (exit 1, reason on stderr) if the parser rejects any line, or if a
family lacks its HELP or TYPE. Otherwise prints each sample as the parser
read it, one per line: name{label="value",...} value, labels sorted by name,
so the caller checks values as a real Prometheus client sees them.
Debian's python3-prometheus-client (scripts/setup.sh).
"""

import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    with open(sys.argv[1], encoding="utf-8") as text_file:
        text = text_file.read()
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as error:  # the parser raises ValueError and others
        print(f"parse error: {error!r}", file=sys.stderr)
        return 1
    if not families:
        print("no metric families", file=sys.stderr)
        return 1
    for family in families:
        # A sample without a TYPE line would make an "unknown" family, and
        # one without HELP an empty documentation.
        if family.type not in ("counter", "gauge", "histogram"):
            print(f"{family.name}: type {family.type}", file=sys.stderr)
            return 1
        if not family.documentation:
            print(f"{family.name}: no HELP", file=sys.stderr)
            return 1
        for sample in family.samples:
            labels = ",".join(
                f'{name}="{value}"' for name, value in sorted(sample.labels.items()))
            print(f"{sample.name}{{{labels}}} {sample.value!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
