"""Measures what the gateway adds on top of gRPC and of its upstream, on
loopback, in one run. See docs/performance.md for what each stage means.

  bench/run.sh            full run: bench/results/<date>-<commit>.json, PNG
                          charts next to it, and a regenerated
                          docs/performance.md
  bench/run.sh --smoke    short CI run (about a minute once built): every
                          stage with small counts, results in a temp dir,
                          non-zero exit if a stage could not run (targets
                          are not enforced)

Besides the C++ servers, a run builds and measures the Go reference gateway
(bench/go_reference, with the machine's Go; GOGC=400) beside the gateway,
over plain HTTP and over HTTPS to nginx (a throwaway CA made with openssl at
each run, trusted through --zoom_ca_file), and what sharing the rate limit
through a redis-server on loopback adds to a call (docs/scaling.md).

  bench/run.sh --profile  full run plus a `perf record` of the server under
                          load (perf report saved next to the results)
  --wait-idle=SECONDS     wait up to SECONDS for the 1-minute load
                          average to fall below 0.5 (a shared machine),
                          before the run and again after its builds
  --priority              run the bench at nice -10 (needs root), so other
                          work on a shared machine disturbs it less
  --compare=SERVER        instead of the stages: this tree's gateway against
                          SERVER (another build's livestream_server) at
                          c=64 and 256, alternating, --rounds=N rounds
                          (default 6) of 5 s each (1 s with --smoke);
                          prints the medians and ratios and writes
                          <results>/<date>-<commit>-compare.json

Environment: BUILD_DIR (default <repo>/build-bench, configured Release),
RESULTS_DIR (default bench/results; smoke: a temp dir), KEEP_WORK=1 keeps
the temp dir (logs, raw outputs), POOL_SIZE overrides the gateway's upstream
connection pool (default: the server's own default).

All load goes to 127.0.0.1. Every process the bench starts is stopped on
exit; every wait is bounded.
"""
