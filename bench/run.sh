#!/bin/sh
# The bench's entry point; the bench itself is the Python package
# bench/gatewaybench (`bench/run.sh --help` for options and environment).
bench_dir="$(cd "$(dirname "$0")" && pwd)"
PYTHONPATH="$bench_dir${PYTHONPATH:+:$PYTHONPATH}" exec /usr/bin/python3 -m gatewaybench "$@"
