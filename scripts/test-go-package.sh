#!/usr/bin/env bash
# Consumer test of the Go module: writes the release's module proxy directory
# (scripts/release.sh go) into a throwaway directory, copies tests/package/go
# (a module of its own) out of the repository, adds the client module there by
# its path and release version (`go get MODULE@vVERSION`, no replace
# directive), checks that the module zip carries LICENSE, and runs the program
# against a gateway and zoom_emulator (scripts/stack.py): it must read
# ZOOM_WEBINAR_NOT_FOUND through package richerr.
#
#   LIVESTREAM_SERVER_BIN=... ZOOM_EMULATOR_BIN=... scripts/test-go-package.sh
#
# Offline once the go stage has filled the module cache: GOPROXY is the
# release directory, then the module cache's download directory (which is laid
# out as a module proxy); the client module is exempt from the checksum
# database (it is not public yet), and the consumer's go.sum starts as a copy
# of client/go/go.sum, so its dependencies are verified against the sums the
# repository already trusts without asking sum.golang.org.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"
export LIVESTREAM_SERVER_BIN="${LIVESTREAM_SERVER_BIN:-${REPO_ROOT}/build/server/livestream_server}"
export ZOOM_EMULATOR_BIN="${ZOOM_EMULATOR_BIN:-${REPO_ROOT}/build/tests/zoom_emulator/zoom_emulator}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/test-go-package.XXXXXX")"
# shellcheck source=scripts/lib/stack.bash
source "${REPO_ROOT}/scripts/lib/stack.bash"

module="$(cd client/go && go list -m)"
version="v$(head -n 1 VERSION | tr -d '[:space:]')"
modcache="$(go env GOMODCACHE)"
# The shared module cache keeps a module version once fetched, whatever the
# proxy serves later: drop this version of the client (it is rebuilt by every
# run, and never published from here) before and after the test, so that the
# consumer gets exactly the zip written below.
forget_module() {
  local path
  for path in "${modcache}/${module}@${version}" "${modcache}/cache/download/${module}/@v/${version}".*; do
    [[ -e "${path}" ]] || continue
    chmod -R u+w "${path}"
    rm -rf "${path}"
  done
}
cleanup() {
  stack_stop || true
  forget_module
  rm -rf "${WORK}"
}
trap cleanup EXIT
forget_module

scripts/release.sh go --out "${WORK}/dist"
# What the go stage has fetched already; from the network only on a fresh machine.
(cd client/go && go mod download)

consumer="${WORK}/consumer"
cp -r tests/package/go "${consumer}"
cp client/go/go.sum "${consumer}/go.sum"
export GOPROXY="file://${WORK}/dist/goproxy,file://${modcache}/cache/download"
export GONOSUMDB="${module}" GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:+${GOFLAGS} }-mod=mod"
(
  cd "${consumer}"
  go get "${module}@${version}"
  go mod tidy
  grep -q "^require ${module} ${version}\$\|^	${module} ${version}\$" go.mod ||
    { echo "test-go-package: go.mod does not require ${module} ${version}:" >&2; cat go.mod >&2; exit 1; }
  ! grep -q '^replace\|^	replace' go.mod
  dir="$(go list -m -f '{{.Dir}}' "${module}")"
  [[ -f "${dir}/LICENSE" ]] || { echo "test-go-package: no LICENSE in ${module}@${version}" >&2; exit 1; }
  grep -q 'Apache License' "${dir}/LICENSE"
  go build -o livestream-consumer .
)

stack_start "${WORK}"
gateway="$(stack_get gateway)"
echo "test-go-package: gateway ${gateway}"
"${consumer}/livestream-consumer" "${gateway}"
echo "test-go-package: the consumer of ${module} ${version} passed"
