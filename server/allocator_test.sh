#!/usr/bin/env bash
# Usage: allocator_test.sh LIVESTREAM_SERVER tcmalloc|glibc
# Checks which malloc the server binary runs with. The choice is a build
# setting (CMake's LIVESTREAM_TCMALLOC, Bazel's sanitize config) whose loss
# would show only as a slower server.
set -euo pipefail
binary=$1
expected=$2
libraries=$(ldd "$binary")
if grep -q 'libtcmalloc' <<<"$libraries"; then actual=tcmalloc; else actual=glibc; fi
if [[ $actual != "$expected" ]]; then
  echo "FAIL: $binary runs with $actual's malloc, expected $expected" >&2
  echo "$libraries" >&2
  exit 1
fi
echo "PASS: $binary runs with $actual's malloc"
