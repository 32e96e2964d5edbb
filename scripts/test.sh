#!/usr/bin/env bash
# Sets up everything and runs every test: formatting, the optimised build,
# the C++ unit and integration tests (under ASan+UBSan, under TSan, and plain
# in the Bazel build), a 60 s soak with injected faults, the language
# clients, grpcurl and buf checks, and the benchmark's smoke mode.
# Set ONLY="cpp asan" (stage names below) to run a subset while developing.
set -uo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

stages=(format cpp asan tsan fuzz soak clients bazel bench)
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
  clang-format --dry-run -Werror $files || return 1
  # The release metadata, as static as the formatting: every package's version
  # equals VERSION and its distribution name is the project's own (a second).
  /usr/bin/python3 scripts/check_versions_test.py 2>&1 | tail -n 3 &&
    /usr/bin/python3 scripts/check_versions.py
}

stage_cpp() {
  # The optimised build that users run, and that the soak, clients and bench
  # stages run here. Its tests are not built: they run under ASan + UBSan,
  # under TSan, and plain in the bazel stage, and a fourth compile of every
  # test would cost CI minutes (`ctest --test-dir build` after a full
  # `scripts/build.sh` runs them optimised).
  BUILD_TYPE=Release TARGETS="livestream_server zoom_emulator livestreamctl" scripts/build.sh build
}

# Tests run two per core: they mostly wait (on servers they start, on
# deadlines), and at two in all the sanitized test runs kept 0.9 (ASan) and
# 1.3 (TSan) of the 2 cores busy; at four, 100 s became 66 s and 130 s 90 s.
# The tests that load the machine are RUN_SERIAL and run alone.
ctest_jobs=$(($(nproc) * 2))

# The sanitized trees link about a hundred test executables: lld links one in a
# sixth of GNU ld's time (0.17 s against 1.06 s for livestream_service_test).
lld_flags=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld)

stage_asan() {
  # -O1 -g1 as the sanitizers recommend: full stack traces with file:line, and
  # half the compile time of RelWithDebInfo's -O2 -g. Only what ctest runs is
  # built (not bench/). clang, as for tsan and fuzz: it compiled this tree in
  # two thirds of GCC's time, and its UBSan checks more (vptr, function).
  local dir=build-asan
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIVESTREAM_SANITIZE=ON \
      -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
      "${lld_flags[@]}" >/dev/null || return 1
  fi
  cmake --build "$dir" -j "$(nproc)" --target server/all client/cpp/all tests/all || return 1
  ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
    LSAN_OPTIONS="suppressions=$root/tests/lsan_suppressions.txt" \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" --output-on-failure -j"$ctest_jobs" --timeout 600
}

stage_tsan() {
  # ThreadSanitizer (docs/building.md): clang, as GCC's -fsanitize=thread
  # changes protobuf's map layout; instrumented stand-ins for Debian's abseil
  # locks (tsan/CMakeLists.txt); -O1 -g1 like asan; only what ctest runs is
  # built. Reports go to files, so that those of the processes the tests
  # start (livestream_server, zoom_emulator, livestreamctl) count too: a test
  # that kills its server would otherwise drop them with its stderr.
  local dir=build-tsan
  local reports="$root/$dir/tsan-reports"
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIVESTREAM_SANITIZE=thread \
      -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
      "${lld_flags[@]}" >/dev/null || return 1
  fi
  cmake --build "$dir" -j "$(nproc)" --target tsan/all server/all client/cpp/all tests/all || return 1
  rm -rf "$reports" && mkdir -p "$reports"
  local status=0
  TSAN_OPTIONS="suppressions=$root/tsan/suppressions.txt log_path=$reports/report second_deadlock_stack=1" \
    ctest --test-dir "$dir" --output-on-failure -j"$ctest_jobs" --timeout 600 || status=1
  if compgen -G "$reports/report.*" >/dev/null; then
    cat "$reports"/report.*
    echo "ThreadSanitizer reported the races above (in $reports)"
    status=1
  fi
  return $status
}

stage_soak() {
  # The Release server at a steady rate with injected faults (tests/soak/);
  # scripts/soak.sh --duration=30m is the long run (docs/building.md).
  scripts/soak.sh --duration=60s
}

stage_fuzz() {
  # Every libFuzzer target for 20 s from its seed corpus (clang, ASan + UBSan,
  # its own build tree build-fuzz); scripts/fuzz.sh --seconds N runs longer.
  scripts/fuzz.sh --seconds 20
}

# The clients stage's tools (Go plugins, grpcurl, grpc-health-probe, buf, the
# Python venv) and the Go client's modules come mostly from the network: they
# are fetched in the background, at low priority, while the C++ stages
# compile. The clients stage waits for them; its own tools/install.sh then
# finds them installed (and reports, and retries, what the fetch failed to get).
prefetch_pid=""
prefetch_log=""
start_prefetch() {
  case " $selected " in *" clients "*) ;; *) return 0 ;; esac
  prefetch_log="$(mktemp "${TMPDIR:-/tmp}/livestream-prefetch.XXXXXX")"
  (
    nice -n 10 tools/install.sh all &&
      (cd client/go && nice -n 10 go mod download)
  ) >"$prefetch_log" 2>&1 &
  prefetch_pid=$!
}

stage_clients() {
  [ -x scripts/test-clients.sh ] || { echo "no client tests"; return 1; }
  if [ -n "$prefetch_pid" ]; then
    local started=$SECONDS fetched=0
    wait "$prefetch_pid" && fetched=1
    sed 's/^/prefetch: /' "$prefetch_log"
    rm -f "$prefetch_log"
    prefetch_pid=""
    echo "prefetch: $([ "$fetched" -eq 1 ] && echo done || echo FAILED), waited $((SECONDS - started))s"
  fi
  LIVESTREAM_SERVER_BIN="$root/build/server/livestream_server" \
  ZOOM_EMULATOR_BIN="$root/build/tests/zoom_emulator/zoom_emulator" \
    scripts/test-clients.sh
}

stage_bazel() {
  [ -x scripts/test-bazel.sh ] || { echo "no bazel tests"; return 1; }
  # Unoptimised: this stage proves that the Bazel build and its test targets
  # work, and at -O0 it compiles in far less time; the cpp stage tests the
  # optimised code. clang and lld (.bazelrc's config clang) compile and link
  # faster than gcc; gcc compiles the same sources in the cpp stage.
  scripts/test-bazel.sh --compilation_mode=fastbuild --config=clang
}

stage_bench() {
  [ -x bench/run.sh ] || { echo "no bench"; return 1; }
  # The bench's unit tests first (parsers, options, the results' structure):
  # a second, and a broken parser would otherwise show as a wrong number.
  (cd bench && /usr/bin/python3 -m unittest --quiet) || return 1
  BUILD_DIR="$root/build" bench/run.sh --smoke
}

scripts/setup.sh || { echo "setup failed"; exit 1; }
start_prefetch
run_stage format stage_format
run_stage cpp stage_cpp
run_stage asan stage_asan
run_stage tsan stage_tsan
run_stage fuzz stage_fuzz
run_stage soak stage_soak
run_stage clients stage_clients
run_stage bazel stage_bazel
run_stage bench stage_bench

echo
if [ ${#failures[@]} -gt 0 ]; then echo "failed stages: ${failures[*]}"; fi
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
