#!/usr/bin/env bash
# Installs the Debian 12 packages that building, running and testing the C++
# service needs. Idempotent: does nothing when everything is present.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libcurl4-openssl-dev libgtest-dev libgmock-dev
  # libcrypto: SHA-256 of callers' bearer tokens (server/authz/bearer_tokens.h).
  libssl-dev
  # Unicode general categories for validating display names.
  libicu-dev
  # The /metrics HTTP server; and the Prometheus text parser its tests check
  # the output with.
  libmicrohttpd-dev python3-prometheus-client
  # libcrypto: the TLS key and certificate checks at start-up; openssl: the TLS
  # tests make their certificates with it.
  libssl-dev openssl
  # Replicas share Zoom's rate limit through Redis (--redis_url): hiredis's
  # async client (server/redis/), and the real redis-server the Redis tests
  # start on loopback (tests/redis/).
  libhiredis-dev redis-server
  # tcmalloc_minimal for livestream_server (see CMakeLists.txt).
  libgoogle-perftools-dev
  # google/rpc/*.proto (status, error_details, code) and grpc/health/v1/health.proto,
  # compiled at build time rather than copied into the repository.
  golang-github-gogo-googleapis-dev grpc-proto
  clang-format clang-tidy
  # tests/deploy (manifests parsed with PyYAML) and the nginx integration test
  # (nginx proxying gRPC, a certificate made with the openssl CLI).
  python3 python3-yaml nginx-light openssl
  # The tsan stage: clang 14 and its TSan runtime (docs/building.md); dpkg-dev
  # unpacks Debian's abseil source for it (tsan/abseil-source.sh). The fuzz
  # stage: clang (14) with its sanitizer and libFuzzer runtimes.
  clang clang-14 libclang-rt-14-dev dpkg-dev
  # lld links the sanitized trees' test executables (scripts/test.sh).
  lld-14
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
