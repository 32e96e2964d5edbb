#!/usr/bin/env bash
# Builds the C++ client package and installs it into an install tree
# (client/cpp/README.md, "Installing the package"):
#
#   PREFIX/include/zoom_livestream/...        the headers (the library's, the
#                                             generated API and google.rpc ones)
#   PREFIX/lib/libzoom_livestream_client.a    the library and generated code
#   PREFIX/lib/cmake/ZoomLivestreamClient/    find_package(ZoomLivestreamClient CONFIG)
#   PREFIX/lib/pkgconfig/zoom-livestream-client.pc
#
#   scripts/release-cpp.sh [--build-dir DIR] [--prefix DIR]
#
# --build-dir  default build-release-cpp, configured here (Release, position-
#              independent code so the archive links into shared libraries
#              too) unless DIR is configured already: then it is used as it
#              is, e.g. the cpp stage's build/ (scripts/test-cpp-package.sh).
# --prefix     default dist/cpp, emptied first; another prefix is installed
#              over.
# Only the library is built, with the system's gRPC, protobuf and abseil
# (scripts/setup.sh); the archive accepts only their major.minor.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

build_dir="build-release-cpp"
prefix=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    --build-dir=*) build_dir="${1#*=}"; shift ;;
    --prefix) prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    *) echo "usage: $0 [--build-dir DIR] [--prefix DIR]" >&2; exit 2 ;;
  esac
done
if [[ -z "${prefix}" ]]; then
  prefix="${root}/dist/cpp"
  rm -rf "${prefix}"
fi

if [[ ! -f "${build_dir}/CMakeCache.txt" ]]; then
  generator=()
  if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
  cmake -S . -B "${build_dir}" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DLIVESTREAM_TCMALLOC=OFF >/dev/null
fi
cmake --build "${build_dir}" -j "${JOBS:-$(nproc)}" --target zoom_livestream_client
cmake --install "${build_dir}" --component zoom_livestream_client --prefix "${prefix}" >/dev/null
version="$(sed -n 's/^Version: //p' "${build_dir}/client/cpp/package/zoom-livestream-client.pc")"
echo "release-cpp: zoom-livestream-client ${version} installed in ${prefix}"
