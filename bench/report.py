#!/usr/bin/env python3
"""Rewrites a stored run's report and charts, or reports a kept work dir.

    bench/report.py --rerender --results_dir=bench/results --stamp=STAMP \
        --doc=docs/performance.md --repo=.

A thin entry point: the code is bench/gatewaybench/report.py (--help).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gatewaybench.report import main  # noqa: E402  (after the path set-up)

sys.exit(main(sys.argv[1:]))
