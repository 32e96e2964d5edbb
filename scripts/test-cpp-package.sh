#!/usr/bin/env bash
# Consumer test of the C++ package: installs it (scripts/release-cpp.sh, from
# the already built tree BUILD_DIR, so that nothing is compiled again) into a
# throwaway prefix, copies tests/package/cpp out of the repository, builds its
# program once with CMake (find_package(ZoomLivestreamClient)) and once with a
# plain Makefile (pkg-config), and runs each against a gateway and
# zoom_emulator (scripts/stack.py): each must read ZOOM_WEBINAR_NOT_FOUND
# through the library's helpers.
#
#   BUILD_DIR=build LIVESTREAM_SERVER_BIN=... ZOOM_EMULATOR_BIN=... scripts/test-cpp-package.sh
#
# The binaries default to the CMake build under BUILD_DIR (scripts/stack.py).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"
build_dir="${BUILD_DIR:-build}"
[[ "${build_dir}" == /* ]] || build_dir="${REPO_ROOT}/${build_dir}"
export LIVESTREAM_SERVER_BIN="${LIVESTREAM_SERVER_BIN:-${build_dir}/server/livestream_server}"
export ZOOM_EMULATOR_BIN="${ZOOM_EMULATOR_BIN:-${build_dir}/tests/zoom_emulator/zoom_emulator}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/test-cpp-package.XXXXXX")"
# shellcheck source=scripts/lib/stack.bash
source "${REPO_ROOT}/scripts/lib/stack.bash"
cleanup() {
  stack_stop || true
  rm -rf "${WORK}"
}
trap cleanup EXIT

prefix="${WORK}/prefix"
scripts/release-cpp.sh --build-dir "${build_dir}" --prefix "${prefix}"
version="$(PKG_CONFIG_PATH="${prefix}/lib/pkgconfig" pkg-config --modversion zoom-livestream-client)"
cmp LICENSE "${prefix}/share/doc/zoom-livestream-client/LICENSE" ||
  { echo "test-cpp-package: the install tree lacks the repository's LICENSE" >&2; exit 1; }

# The consumers see only the install tree: no repository path, no GoogleTest
# (it is not in the package's dependencies), no tcmalloc.
for consumer in cmake make; do cp -r tests/package/cpp "${WORK}/${consumer}"; done
cmake -S "${WORK}/cmake" -B "${WORK}/cmake/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="${prefix}" -DZOOM_LIVESTREAM_VERSION="${version}" >"${WORK}/cmake.log" ||
  { cat "${WORK}/cmake.log"; exit 1; }
grep 'ZoomLivestreamClient ' "${WORK}/cmake.log"
# The two builds in parallel (a compile each), both waited for before either
# result counts.
cmake --build "${WORK}/cmake/build" &
cmake_build=$!
make_status=0
PKG_CONFIG_PATH="${prefix}/lib/pkgconfig" make -C "${WORK}/make" --no-print-directory consumer ||
  make_status=$?
wait "${cmake_build}"
[[ ${make_status} -eq 0 ]]

stack_start "${WORK}"
gateway="$(stack_get gateway)"
echo "test-cpp-package: gateway ${gateway}"
echo "--- CMake consumer (find_package)"
"${WORK}/cmake/build/consumer" "${gateway}"
echo "--- Makefile consumer (pkg-config)"
"${WORK}/make/consumer" "${gateway}"
echo "test-cpp-package: both consumers of zoom-livestream-client ${version} passed"
