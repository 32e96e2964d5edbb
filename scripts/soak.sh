#!/usr/bin/env bash
# Soaks the Release livestream_server against the zoom_emulator with injected
# faults (tests/soak/soak_main.cc): a steady call rate, the server's RSS,
# descriptors and threads sampled every second, every call's code checked.
#
#   scripts/soak.sh                    # 60 s, as CI runs it
#   scripts/soak.sh --duration=30m     # the long run (docs/reliability.md, "Soak")
#   scripts/soak.sh --help             # every flag (rate, concurrency, fault mix, limits)
#
# Builds what it needs in BUILD_DIR (default build, Release) first.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  generator=()
  if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build_dir/CMakeCache.txt"; then
  echo "soak: $build_dir is not a Release build; the soak measures the production build" >&2
  exit 2
fi
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}" --target livestream_soak
exec "$build_dir/tests/soak/livestream_soak" "$@"
