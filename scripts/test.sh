#!/usr/bin/env bash
# Sets up everything and runs every test: formatting, the C++ unit and
# integration tests (plain and under ASan+UBSan), the language clients,
# grpcurl and buf checks, the Bazel build, and the benchmark's smoke mode.
# Set ONLY="cpp asan" (stage names below) to run a subset while developing.
set -uo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

stages=(format cpp asan fuzz clients bazel bench)
selected="${ONLY:-${stages[*]}}"
passed=0
failed=0
failures=()

run_stage() {
  local name="$1"
  shift
  case " $selected " in *" $name "*) ;; *) return 0 ;; esac
  echo "=== stage: $name ==="
  local started=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "=== stage $name: PASSED in $((SECONDS - started))s ==="
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "=== stage $name: FAILED in $((SECONDS - started))s ==="
  fi
}

stage_format() {
  local files
  files=$(git ls-files '*.cc' '*.h' | grep -v '^client/go/')
  # shellcheck disable=SC2086
  clang-format --dry-run -Werror $files
}

stage_cpp() {
  BUILD_TYPE=Release scripts/build.sh build &&
    ctest --test-dir build --output-on-failure -j2 --timeout 300
}

stage_asan() {
  # -O1 -g1 as the sanitizers recommend: full stack traces with file:line, and
  # half the compile time of RelWithDebInfo's -O2 -g (this was CI's longest
  # stage).
  BUILD_TYPE=RelWithDebInfo scripts/build.sh build-asan -DLIVESTREAM_SANITIZE=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" &&
    ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j2 --timeout 600
}

stage_fuzz() {
  # Every libFuzzer target for 20 s from its seed corpus (clang, ASan + UBSan,
  # its own build tree build-fuzz); scripts/fuzz.sh --seconds N runs longer.
  scripts/fuzz.sh --seconds 20
}

stage_clients() {
  [ -x scripts/test-clients.sh ] || { echo "no client tests"; return 1; }
  LIVESTREAM_SERVER_BIN="$root/build/server/livestream_server" \
  ZOOM_EMULATOR_BIN="$root/build/tests/zoom_emulator/zoom_emulator" \
    scripts/test-clients.sh
}

stage_bazel() {
  [ -x scripts/test-bazel.sh ] || { echo "no bazel tests"; return 1; }
  scripts/test-bazel.sh
}

stage_bench() {
  [ -x bench/run.sh ] || { echo "no bench"; return 1; }
  BUILD_DIR="$root/build" bench/run.sh --smoke
}

scripts/setup.sh || { echo "setup failed"; exit 1; }
run_stage format stage_format
run_stage cpp stage_cpp
run_stage asan stage_asan
run_stage fuzz stage_fuzz
run_stage clients stage_clients
run_stage bazel stage_bazel
run_stage bench stage_bench

echo
if [ ${#failures[@]} -gt 0 ]; then echo "failed stages: ${failures[*]}"; fi
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
