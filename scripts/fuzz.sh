#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan + UBSan) in build-fuzz and
# runs each for a fixed time, starting from its seed corpus in
# fuzz/corpus/<target>/. Fails on any crash, broken invariant, leak, timeout
# or out-of-memory, keeping the input in build-fuzz/artifacts/<target>/.
#
# Usage: scripts/fuzz.sh [--seconds N] [--jobs N] [--update-corpus] [target...]
#   --seconds N      time per target (default: FUZZ_SECONDS, else 20; CI uses
#                    the default, long campaigns hours)
#   --jobs N         targets run at the same time (default: FUZZ_JOBS, else
#                    the number of cores); each is one process
#   --update-corpus  afterwards merge what the run found into fuzz/corpus/
#                    (only inputs that add coverage); otherwise new inputs go
#                    to build-fuzz/corpus/<target>/ only, and are reused by the
#                    next run there
#   target...        a subset, e.g. retry_after (default: every fuzz/*_fuzzer.cc)
# BUILD_DIR (default build-fuzz) and JOBS (build parallelism) may be set.
# Closing line: "fuzz: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
jobs="${FUZZ_JOBS:-$(nproc)}"
update_corpus=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --update-corpus) update_corpus=1; shift ;;
    -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for source in fuzz/*_fuzzer.cc; do
    targets+=("$(basename "$source" _fuzzer.cc)")
  done
fi

# Longest input per target: room for what each parser bounds, no more, since
# libFuzzer spends its time in proportion to input length.
max_len() {
  case "$1" in
    retry_after) echo 128 ;;            # dates are at most 64 bytes
    update_status_request) echo 1024 ;; # IDs of 19 digits, names of 50 code points
    multipart_roundtrip) echo 4096 ;;
    zoom_response) echo 8192 ;;         # Zoom's errors[] and 512-byte messages
    token_response) echo 4096 ;;
    *) echo 4096 ;;
  esac
}

build_dir="${BUILD_DIR:-build-fuzz}"
# -O1 as the sanitizers recommend; without NDEBUG, so that the debug checks in
# abseil and protobuf headers stay on.
if ! CC=clang CXX=clang++ BUILD_TYPE=RelWithDebInfo scripts/build.sh "$build_dir" \
  -DLIVESTREAM_FUZZ=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld; then
  echo "fuzz: build failed"
  echo "fuzz: 0 passed, ${#targets[@]} failed"
  exit 1
fi

# malloc_context_size=2: allocation and free stacks of two frames. ASan's fast
# unwinder follows frame pointers, which Debian's gcc-built protobuf and
# abseil do not keep, so deeper stacks of allocations made in them end in
# garbage frames, each one new to ASan's stack depot: it grew by about 250
# bytes per execution (out of memory in 30 minutes). Replaying an artifact
# without these options prints full stacks.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:malloc_context_size=2}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# Runs one target; prints its result line (and the crash report on failure).
run_target() {
  local target="$1"
  local binary="$build_dir/fuzz/${target}_fuzzer"
  local seeds="fuzz/corpus/$target"
  local scratch="$build_dir/corpus/$target"
  local artifacts="$build_dir/artifacts/$target"
  local log="$build_dir/logs/$target.log"
  mkdir -p "$scratch" "$artifacts"
  if [ ! -x "$binary" ] || [ ! -d "$seeds" ]; then
    echo "fuzz target $target: FAILED (no $binary or no $seeds)"
    return 1
  fi
  local args=(-max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/")
  if [ -f "fuzz/$target.dict" ]; then args+=(-dict="fuzz/$target.dict"); fi
  local started=$SECONDS
  # New inputs go to the first corpus directory only: the scratch one.
  "$binary" "${args[@]}" "$scratch" "$seeds" >"$log" 2>&1
  local status=$?
  local elapsed=$((SECONDS - started))
  local execs coverage
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  # From the last status line, e.g. "#9 DONE cov: 170 ft: 403 corp: 99/7077b ...".
  coverage="$(grep -E '^#[0-9]+' "$log" | tail -1 |
    grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*')"
  local summary="${execs:-0} executions in ${elapsed}s, ${coverage:-no coverage reported}"
  if [ $status -eq 0 ] && [ -n "$execs" ]; then
    echo "fuzz target $target: passed, $summary"
    return 0
  fi
  echo "fuzz target $target: FAILED (exit $status), $summary; log $log"
  grep -E -A30 'ERROR: |invariant violated|runtime error|Test unit written' "$log" | head -60
  return 1
}

mkdir -p "$build_dir/logs"
running=0
for target in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  result="$build_dir/logs/$target.result"
  { run_target "$target" >"$result"; echo $? >"$result.status"; } &
  running=$((running + 1))
done
wait

passed=0
failed=0
failures=()
for target in "${targets[@]}"; do
  result="$build_dir/logs/$target.result"
  cat "$result"
  if [ "$(cat "$result.status")" = 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$target")
  fi
done

if [ "$update_corpus" -eq 1 ]; then
  for target in "${targets[@]}"; do
    # -merge=1 adds to the first directory only the inputs of the others that
    # reach new coverage.
    if "$build_dir/fuzz/${target}_fuzzer" -merge=1 -max_len="$(max_len "$target")" \
      "fuzz/corpus/$target" "$build_dir/corpus/$target" >"$build_dir/logs/$target.merge.log" 2>&1; then
      echo "fuzz corpus $target: $(find "fuzz/corpus/$target" -type f | wc -l) files"
    else
      echo "fuzz corpus $target: merge failed, see $build_dir/logs/$target.merge.log"
    fi
  done
fi

if [ ${#failures[@]} -gt 0 ]; then echo "fuzz: failed targets: ${failures[*]}"; fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
