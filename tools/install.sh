#!/usr/bin/env bash
# Installs the pinned tools that the generated clients and their checks need,
# into repo-local, gitignored places, and skips whatever is already installed at
# the pinned version (so repeated runs cost a few version checks).
#
#   tools/install.sh [protoc] [go] [go-plugins] [grpcurl] [grpc-health-probe] [buf] [python] [all]
#
#   protoc      Debian's protobuf-compiler (must report $PROTOC_VERSION)
#   go          checks that `go` is at least $GO_MIN_VERSION (the machine's Go)
#   go-plugins  protoc-gen-go, protoc-gen-go-grpc -> tools/bin/
#   grpcurl     grpcurl                           -> tools/bin/
#   grpc-health-probe  grpc-health-probe          -> tools/bin/
#   buf         @bufbuild/buf via `npm ci`        -> tools/node_modules/.bin/buf
#   python      venv filled from client/python/constraints.txt (runtime, build
#               and test packages) -> $LIVESTREAM_VENV (.venv/), then
#               `pip install ./client/python` into it (rebuilt every time)
#
# Versions live in tools/versions.env. Needs network access only to the package
# registries (Debian, PyPI, npm, the Go module proxy), and only when something
# is missing.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=versions.env disable=SC1091
source "${REPO_ROOT}/tools/versions.env"
TOOLS_BIN="${REPO_ROOT}/tools/bin"
VENV="${LIVESTREAM_VENV:-${REPO_ROOT}/.venv}"
PYTHON="${PYTHON:-python3}"

log() { printf 'tools: %s\n' "$*"; }
die() { printf 'tools: ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "${pkg}" 2>/dev/null | grep -q 'install ok installed' || missing+=("${pkg}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  command -v apt-get >/dev/null || die "need ${missing[*]} but apt-get is not available"
  if [[ ${APT_UPDATED} -eq 0 ]]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# version_ge A B: true when dotted version A >= B.
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]; }

install_protoc() {
  command -v protoc >/dev/null || apt_install protobuf-compiler
  local have
  have="$(protoc --version | awk '{print $2}')"
  [[ "${have}" == "${PROTOC_VERSION}" ]] ||
    die "protoc ${have} found, ${PROTOC_VERSION} pinned (Debian 12 protobuf-compiler); the committed Go stubs depend on it"
  log "protoc ${have}"
}

check_go() {
  command -v go >/dev/null || die "Go >= ${GO_MIN_VERSION} is required (not found on PATH)"
  local have
  have="$(go env GOVERSION)"
  have="${have#go}"
  version_ge "${have}" "${GO_MIN_VERSION}" || die "Go ${have} found, >= ${GO_MIN_VERSION} required"
  log "go ${have}"
}

# go_tool BINARY PACKAGE MODULE VERSION [LDFLAGS]: `go install PACKAGE@VERSION`
# into tools/bin unless the binary there was already built from MODULE@VERSION.
go_tool() {
  local bin="$1" pkg="$2" mod="$3" version="$4" ldflags="${5:-}"
  if [[ -x "${TOOLS_BIN}/${bin}" ]] &&
    go version -m "${TOOLS_BIN}/${bin}" 2>/dev/null | awk -v m="${mod}" -v v="${version}" \
      '$1 == "mod" && $2 == m && $3 == v { found = 1 } END { exit !found }'; then
    log "${bin} ${version} (cached)"
    return 0
  fi
  log "go install ${pkg}@${version}"
  mkdir -p "${TOOLS_BIN}"
  GOBIN="${TOOLS_BIN}" GOFLAGS=-mod=mod go install -ldflags="${ldflags}" "${pkg}@${version}"
}

install_go_plugins() {
  check_go
  go_tool protoc-gen-go google.golang.org/protobuf/cmd/protoc-gen-go \
    google.golang.org/protobuf "${PROTOC_GEN_GO_VERSION}"
  go_tool protoc-gen-go-grpc google.golang.org/grpc/cmd/protoc-gen-go-grpc \
    google.golang.org/grpc/cmd/protoc-gen-go-grpc "${PROTOC_GEN_GO_GRPC_VERSION}"
}

install_grpcurl() {
  check_go
  go_tool grpcurl github.com/fullstorydev/grpcurl/cmd/grpcurl \
    github.com/fullstorydev/grpcurl "${GRPCURL_VERSION}" "-X main.version=${GRPCURL_VERSION}"
}

install_grpc_health_probe() {
  check_go
  go_tool grpc-health-probe github.com/grpc-ecosystem/grpc-health-probe \
    github.com/grpc-ecosystem/grpc-health-probe "${GRPC_HEALTH_PROBE_VERSION}"
}

install_buf() {
  command -v npm >/dev/null || apt_install nodejs npm
  local buf="${REPO_ROOT}/tools/node_modules/.bin/buf"
  if [[ -x "${buf}" ]] && [[ "$("${buf}" --version 2>/dev/null)" == "${BUF_VERSION}" ]]; then
    log "buf ${BUF_VERSION} (cached)"
    return 0
  fi
  grep -q "\"@bufbuild/buf\": \"${BUF_VERSION}\"" "${REPO_ROOT}/tools/package.json" ||
    die "tools/package.json does not pin @bufbuild/buf ${BUF_VERSION} (tools/versions.env)"
  log "npm ci (tools/package-lock.json)"
  npm ci --prefix "${REPO_ROOT}/tools" --no-audit --no-fund --loglevel=error >/dev/null
  [[ "$("${buf}" --version)" == "${BUF_VERSION}" ]] || die "buf --version is not ${BUF_VERSION} after npm ci"
}

install_python() {
  local pydir="${REPO_ROOT}/client/python"
  command -v "${PYTHON}" >/dev/null || apt_install python3 python3-venv
  # client/python/pyproject.toml's requires-python.
  "${PYTHON}" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "${PYTHON} is older than 3.11"
  if [[ ! -x "${VENV}/bin/python" ]]; then
    log "creating venv ${VENV}"
    if ! "${PYTHON}" -m venv "${VENV}" 2>/dev/null; then
      rm -rf "${VENV}"
      apt_install python3-venv
      "${PYTHON}" -m venv "${VENV}"
    fi
  fi
  # The stamp records what the venv was filled from, so an unchanged lock costs
  # nothing and a changed one reinstalls.
  local stamp="${VENV}/.constraints.sha256" want
  want="$(cat "${pydir}/constraints.txt" "${pydir}/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  export PIP_CONSTRAINT="${pydir}/constraints.txt"
  export PIP_DISABLE_PIP_VERSION_CHECK=1
  if [[ "$(cat "${stamp}" 2>/dev/null)" != "${want}" ]]; then
    log "pip install -r constraints.txt into ${VENV}"
    "${VENV}/bin/python" -m pip install -q -r "${pydir}/constraints.txt"
    echo "${want}" >"${stamp}"
  else
    log "python venv ${VENV} (cached)"
  fi
  # The package itself is rebuilt every time: its stubs come from the current
  # proto. Build dependencies are already in the venv at their pinned versions.
  log "pip install ./client/python"
  # A venv made before the PyPI project was renamed holds the same modules
  # under the old name; a stale copy must not linger beside the new one.
  if "${VENV}/bin/python" -m pip show -q zoom-livestream-client >/dev/null 2>&1; then
    "${VENV}/bin/python" -m pip uninstall -q -y zoom-livestream-client
  fi
  "${VENV}/bin/python" -m pip install -q --no-index --no-deps --no-build-isolation --force-reinstall "${pydir}"
  "${VENV}/bin/python" -m pip check >/dev/null || { "${VENV}/bin/python" -m pip check; die "pip check failed"; }
}

main() {
  local targets=("$@")
  [[ ${#targets[@]} -eq 0 ]] && targets=(all)
  local t
  for t in "${targets[@]}"; do
    case "${t}" in
      protoc) install_protoc ;;
      go) check_go ;;
      go-plugins) install_go_plugins ;;
      grpcurl) install_grpcurl ;;
      grpc-health-probe) install_grpc_health_probe ;;
      buf) install_buf ;;
      python) install_python ;;
      all)
        install_protoc
        install_go_plugins
        install_grpcurl
        install_grpc_health_probe
        install_buf
        install_python
        ;;
      *) die "unknown target '${t}' (protoc go go-plugins grpcurl grpc-health-probe buf python all)" ;;
    esac
  done
}

main "$@"
