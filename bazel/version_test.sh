#!/usr/bin/env bash
# Usage: version_test.sh VERSION CMakeLists.txt server/version.h
# Fails when the Bazel version (bazel/version.bzl) differs from CMake's
# project(VERSION) or from kVersion in server/version.h.
set -euo pipefail
version="$1" cmakelists="$2" header="$3"
cmake_version="$(sed -n 's/^project([^)]*VERSION \([0-9.]*\).*/\1/p' "$cmakelists")"
header_version="$(sed -n 's/.*kVersion = "\([^"]*\)".*/\1/p' "$header")"
status=0
if [[ "$cmake_version" != "$version" ]]; then
  echo "FAIL: bazel/version.bzl says $version, CMakeLists.txt project() says '$cmake_version'"
  status=1
fi
if [[ "$header_version" != "$version" ]]; then
  echo "FAIL: bazel/version.bzl says $version, server/version.h kVersion says '$header_version'"
  status=1
fi
[[ $status -eq 0 ]] && echo "version $version agrees in bazel/version.bzl, CMakeLists.txt, server/version.h"
exit $status
