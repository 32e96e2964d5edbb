#!/usr/bin/env bash
# Configures and builds with CMake. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
# BUILD_TYPE (default Release), JOBS (default: number of cores) and TARGETS (default: all; e.g.
# "livestream_server" for the container image) may be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
shift || true
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
fi
targets=()
for target in ${TARGETS:-}; do targets+=(--target "$target"); done
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" "${targets[@]}"
