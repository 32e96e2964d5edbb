#!/usr/bin/env bash
# Fails when committed generated code has drifted from its sources:
#   - client/go/zoom/**/*.pb.go against protos/ regenerated with the pinned
#     protoc and plugins (client/go/generate.sh into a temp dir);
#   - client/go/serviceconfig/service_config.json against client/service_config.json;
#   - client/go/go.mod and go.sum against `go mod tidy`.
#
#   scripts/check-generated.sh
#
# To fix drift, run client/go/generate.sh (and `go mod tidy` in client/go),
# then commit the result.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GO_DIR="${REPO_ROOT}/client/go"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/check-generated.XXXXXX")"
trap 'rm -rf "${WORK}"' EXIT

"${REPO_ROOT}/client/go/generate.sh" "${WORK}"

status=0
drift() {
  echo "check-generated: DRIFT: $*"
  status=1
}

# Both directions: a stale committed file or a missing one is drift too.
list_pb() { (cd "$1" && find zoom -name '*.pb.go' 2>/dev/null | LC_ALL=C sort); }
if ! diff <(list_pb "${GO_DIR}") <(list_pb "${WORK}") >"${WORK}/files.diff"; then
  drift "the set of generated Go files differs (< committed, > regenerated):"
  cat "${WORK}/files.diff"
fi
while read -r f; do
  [[ -f "${GO_DIR}/${f}" ]] || continue
  if ! diff -u "${GO_DIR}/${f}" "${WORK}/${f}" >"${WORK}/one.diff"; then
    drift "client/go/${f} differs from what the proto generates:"
    head -n 40 "${WORK}/one.diff"
  fi
done < <(list_pb "${WORK}")

if ! cmp -s "${REPO_ROOT}/client/service_config.json" "${GO_DIR}/serviceconfig/service_config.json"; then
  drift "client/go/serviceconfig/service_config.json is not a copy of client/service_config.json"
fi

if ! (cd "${GO_DIR}" && go mod tidy -diff >"${WORK}/tidy.diff" 2>&1); then
  drift "client/go/go.mod or go.sum is not tidy:"
  head -n 40 "${WORK}/tidy.diff"
fi

if [[ ${status} -eq 0 ]]; then
  echo "check-generated: OK (Go stubs, service config copy, go.mod/go.sum match their sources)"
else
  echo "check-generated: FAILED; run client/go/generate.sh and 'go mod tidy' in client/go, then commit"
fi
exit "${status}"
