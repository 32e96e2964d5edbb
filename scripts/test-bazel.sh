#!/usr/bin/env bash
# Builds and tests every C++ target with Bazel, fully offline: Debian's
# bazel-bootstrap 4.2.3 and the same Debian libraries as the CMake build (see
# WORKSPACE and bazel/repositories.bzl). Installs what it needs (idempotent).
#
# Usage: scripts/test-bazel.sh [--clean] [BAZEL_TEST_ARGS...]
#   --clean   cold run: a fresh output root in a temporary directory, deleted
#             afterwards (otherwise Bazel's default, ~/.cache/bazel, so that
#             later runs are incremental).
#   Extra arguments go to `bazel build` and `bazel test`, e.g.
#   `scripts/test-bazel.sh --config=sanitize`.
# Environment: BAZEL_JOBS (default 2), BAZEL_TEST_JOBS (tests at once, default
# two per core), BAZEL_OUTPUT_USER_ROOT (an output root
# to use instead of the default; ignored with --clean).
set -euo pipefail
cd "$(dirname "$0")/.."

BAZEL_DEBIAN_VERSION="4.2.3"
PACKAGES=(
  bazel-bootstrap g++ pkg-config
  # --config=clang (.bazelrc), as the CI stage builds.
  clang-14 lld-14
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libcurl4-openssl-dev libgtest-dev libgmock-dev
  # Unicode general categories for validating display names.
  libicu-dev
  # The /metrics server, and the Prometheus text parser its integration test
  # reads the scrape with.
  libmicrohttpd-dev python3-prometheus-client
  # libcrypto (@system_libs//:crypto): SHA-256 of callers' bearer tokens.
  libssl-dev
  # --redis_url's client (server/redis/) and the redis-server its tests start.
  libhiredis-dev redis-server
  golang-github-gogo-googleapis-dev grpc-proto
  # The drift check configures a CMake tree with its defaults (tcmalloc).
  cmake libgoogle-perftools-dev
)

install_packages() {
  local missing=() package
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "test-bazel: installing ${missing[*]}" >&2
    # Another apt run (a parallel setup script) may hold the lock for a while.
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  fi
  local installed
  installed="$(dpkg-query -W -f='${Version}' bazel-bootstrap)"
  if [[ "$installed" != "$BAZEL_DEBIAN_VERSION"+* ]]; then
    echo "test-bazel: bazel-bootstrap $installed installed, this workspace is tested with" \
      "$BAZEL_DEBIAN_VERSION" >&2
    exit 1
  fi
}

clean=0
args=()
for arg in "$@"; do
  case "$arg" in
    --clean) clean=1 ;;
    *) args+=("$arg") ;;
  esac
done

install_packages

startup=()
cleanup_root=""
if [ "$clean" -eq 1 ]; then
  cleanup_root="$(mktemp -d /tmp/livestream-bazel-XXXXXX)"
  startup+=("--output_user_root=$cleanup_root")
elif [ -n "${BAZEL_OUTPUT_USER_ROOT:-}" ]; then
  startup+=("--output_user_root=$BAZEL_OUTPUT_USER_ROOT")
fi

bazel() { command bazel "${startup[@]}" "$@"; }

# Bazel skips its bazel-* convenience symlinks only while they point into its
# own output root; left over from another root, //... would walk into them.
# Bazel re-creates them after the build.
find . -maxdepth 1 -type l -name 'bazel-*' -delete

finish() {
  local status=$?
  bazel shutdown || true
  if [ -n "$cleanup_root" ]; then
    chmod -R u+w "$cleanup_root" 2>/dev/null || true
    rm -rf "$cleanup_root"
    find . -maxdepth 1 -type l -name 'bazel-*' -delete # they pointed into it
  fi
  exit "$status"
}
trap finish EXIT

# Both builds list their sources: a C++ file or .proto that no Bazel target
# uses was added to CMake only (see docs/building.md). tests/package/ is in
# neither build: consumers of the installed packages, built outside the
# repository by their own build files (scripts/test-cpp-package.sh).
check_sources_listed() {
  local labels used on_disk missing
  labels="$(bazel query --color=no --curses=no 'kind("source file", deps(//...))')" || return 1
  used="$(echo "$labels" | sed -n 's|^//\([^:]*\):\(.*\)$|\1/\2|p' | sed 's|^/||' | sort -u)"
  on_disk="$(find server client/cpp tests bench protos -path tests/package -prune -o -type f \
    \( -name '*.cc' -o -name '*.h' -o -name '*.proto' \) -print 2>/dev/null | sort -u)"
  missing="$(comm -23 <(echo "$on_disk") <(echo "$used"))"
  if [ -n "$missing" ]; then
    echo "test-bazel: these files are in no Bazel target (add them to the BUILD.bazel beside them):" >&2
    echo "$missing" >&2
    return 1
  fi
  echo "test-bazel: every C++ source, header and .proto is in a Bazel target"
}

# And list the same sources and link the same libraries per target, and the
# gRPC-free libraries link no gRPC (scripts/check_build_drift.py reads both
# builds' own models; its tests run first).
check_build_drift() {
  /usr/bin/python3 scripts/check_build_drift_test.py
  /usr/bin/python3 scripts/check_build_drift.py "${startup[@]/#/--bazel-startup-option=}"
}

common=(--jobs="${BAZEL_JOBS:-2}" --show_progress_rate_limit=15 --color=no --curses=no)
started=$SECONDS
check_sources_listed
check_build_drift
bazel build "${common[@]}" "${args[@]}" //...
echo "test-bazel: build finished in $((SECONDS - started))s"
# Tests mostly wait (on the servers they start, on deadlines): two per core
# took the test step from 75 s to 48 s on 2 cores. Bazel counts a test as one
# core unless told otherwise, so --local_test_jobs alone would not.
test_jobs="${BAZEL_TEST_JOBS:-$(($(nproc) * 2))}"
bazel test "${common[@]}" --jobs="$test_jobs" --local_test_jobs="$test_jobs" --test_output=errors \
  "${args[@]}" //...
echo "test-bazel: build and test finished in $((SECONDS - started))s"
