#!/usr/bin/env bash
# Usage: version_test.sh VERSION_FROM_BZL VERSION_FILE server/version.h
# Fails when the Bazel version (bazel/version.bzl) differs from the repository's
# VERSION file (which CMake's project(VERSION) reads) or from kVersion and
# kUserAgent in server/version.h. scripts/check_versions.py checks the client
# packages' copies as well.
set -euo pipefail
version="$1" version_file="$2" header="$3"
file_version="$(head -n 1 "$version_file" | tr -d '[:space:]')"
header_version="$(sed -n 's/.*kVersion = "\([^"]*\)".*/\1/p' "$header")"
agent_version="$(sed -n 's/.*kUserAgent = "zoom-livestream-gateway\/\([^"]*\)".*/\1/p' "$header")"
status=0
if [[ "$file_version" != "$version" ]]; then
  echo "FAIL: bazel/version.bzl says $version, VERSION says '$file_version'"
  status=1
fi
if [[ "$header_version" != "$version" ]]; then
  echo "FAIL: bazel/version.bzl says $version, server/version.h kVersion says '$header_version'"
  status=1
fi
if [[ "$agent_version" != "$version" ]]; then
  echo "FAIL: bazel/version.bzl says $version, server/version.h kUserAgent says '$agent_version'"
  status=1
fi
[[ $status -eq 0 ]] && echo "version $version agrees in bazel/version.bzl, VERSION, server/version.h"
exit $status
