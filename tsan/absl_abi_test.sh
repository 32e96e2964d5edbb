#!/usr/bin/env bash
# Usage: absl_abi_test.sh INSTRUMENTED_LIB DEBIAN_LIB BINARY
# The TSan build's libabsl_synchronization (tsan/CMakeLists.txt) must stand in
# for Debian's: the same soname, every symbol Debian's exports, and BINARY
# (which links gRPC) must load it rather than Debian's.
set -euo pipefail
ours=$1
debian=$2
binary=$3
soname() { readelf -d "$1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'; }
exports() { nm -D --defined-only "$1" | awk '{print $3}' | sort -u; }
if [[ $(soname "$ours") != "$(soname "$debian")" ]]; then
  echo "FAIL: soname $(soname "$ours") differs from Debian's $(soname "$debian")" >&2
  exit 1
fi
missing=$(comm -23 <(exports "$debian") <(exports "$ours"))
if [[ -n $missing ]]; then
  echo "FAIL: $ours lacks symbols that Debian's library exports:" >&2
  echo "$missing" >&2
  exit 1
fi
loaded=$(ldd "$binary" | awk -v name="$(soname "$ours")" '$1 == name {print $3}')
if [[ $(readlink -f "$loaded") != "$(readlink -f "$ours")" ]]; then
  echo "FAIL: $binary loads ${loaded:-no} $(soname "$ours"), not $ours" >&2
  exit 1
fi
echo "PASS: $binary runs on the instrumented $(soname "$ours") ($(exports "$debian" | wc -l) symbols)"
