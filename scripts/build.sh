#!/usr/bin/env bash
# Configures and builds with CMake. Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
# BUILD_TYPE (default Release) and JOBS (default: number of cores) may be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
shift || true
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
fi
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}"
