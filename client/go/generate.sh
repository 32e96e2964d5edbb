#!/usr/bin/env bash
# Generates the Go stubs of protos/zoom/livestream/v1/*.proto with the pinned
# protoc, protoc-gen-go and protoc-gen-go-grpc (tools/versions.env).
#
#   client/go/generate.sh            rewrite the committed stubs in client/go
#   client/go/generate.sh OUT_DIR    write the tree to OUT_DIR instead (used by
#                                    scripts/check-generated.sh to detect drift)
#
# The stubs are committed because Go modules are consumed from source. Output
# paths follow the go_package option, relative to this module's path.
# client/go/serviceconfig/service_config.json is a copy of
# client/service_config.json (go:embed cannot reach outside the module), so it
# is produced here too.
#
# google/rpc/status.proto (imported by the service) is found in the vendored
# third_party/googleapis; only protos/zoom is generated, and its go_package
# makes the stubs refer to google.golang.org/genproto/googleapis/rpc/status.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GO_DIR="${REPO_ROOT}/client/go"
OUT="${1:-${GO_DIR}}"
MODULE="$(cd "${GO_DIR}" && go list -m)"

"${REPO_ROOT}/tools/install.sh" protoc go-plugins >/dev/null

mkdir -p "${OUT}"
# Stale files from a renamed or deleted proto must not survive a rewrite.
find "${OUT}/zoom" -name '*.pb.go' -delete 2>/dev/null || true

cd "${REPO_ROOT}/protos"
mapfile -t PROTOS < <(find zoom -name '*.proto' | LC_ALL=C sort)
protoc \
  --plugin=protoc-gen-go="${REPO_ROOT}/tools/bin/protoc-gen-go" \
  --plugin=protoc-gen-go-grpc="${REPO_ROOT}/tools/bin/protoc-gen-go-grpc" \
  -I . \
  -I "${REPO_ROOT}/third_party/googleapis" \
  --go_out="${OUT}" --go_opt=module="${MODULE}" \
  --go-grpc_out="${OUT}" --go-grpc_opt=module="${MODULE}" \
  "${PROTOS[@]}"

mkdir -p "${OUT}/serviceconfig"
cp "${REPO_ROOT}/client/service_config.json" "${OUT}/serviceconfig/service_config.json"
