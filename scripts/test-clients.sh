#!/usr/bin/env bash
# One entry point for the generated clients: installs every pinned dependency
# they need (tools/install.sh: protoc check, Go plugins, grpcurl, buf from npm,
# the Python venv), then runs each stage and reports it:
#
#   check-generated   committed Go stubs/service config/go.sum match sources
#   python            pytest client/python/tests (unit + against the server)
#   go                gofmt, go vet, go test ./... in client/go
#   grpcurl           scripts/test-grpcurl.sh
#   health-probe      scripts/test-health-probe.sh (grpc_health_probe: plaintext,
#                     TLS, mTLS)
#   buf               scripts/test-buf.sh (lint, format, breaking)
#   java, node        client/java/test.sh, client/node/test.sh when present
#
#   LIVESTREAM_SERVER_BIN=... ZOOM_EMULATOR_BIN=... scripts/test-clients.sh [STAGE...]
#
# The binaries default to the CMake build under build/; this script does not
# build them. Every stage runs even after a failure; the exit code is non-zero
# if any failed, and the last line is "N passed, M failed" (stages).
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}" || exit 1
ALL_STAGES=(check-generated python go grpcurl health-probe buf java node)
STAGES=("$@")
[[ ${#STAGES[@]} -eq 0 ]] && STAGES=("${ALL_STAGES[@]}")

abs() { [[ "$1" == /* ]] && echo "$1" || echo "${REPO_ROOT}/$1"; }
LIVESTREAM_SERVER_BIN="$(abs "${LIVESTREAM_SERVER_BIN:-build/server/livestream_server}")"
ZOOM_EMULATOR_BIN="$(abs "${ZOOM_EMULATOR_BIN:-build/tests/zoom_emulator/zoom_emulator}")"
export LIVESTREAM_SERVER_BIN ZOOM_EMULATOR_BIN
export LIVESTREAM_VENV="${LIVESTREAM_VENV:-${REPO_ROOT}/.venv}"
# Python bytecode of the installed package must not land in the source tree.
export PYTHONDONTWRITEBYTECODE=1

needs_binaries=0
for s in "${STAGES[@]}"; do
  case "${s}" in python | go | grpcurl | health-probe | java | node) needs_binaries=1 ;; esac
done
if [[ ${needs_binaries} -eq 1 ]]; then
  missing=0
  for bin in "${LIVESTREAM_SERVER_BIN}" "${ZOOM_EMULATOR_BIN}"; do
    if [[ ! -x "${bin}" ]]; then
      echo "test-clients: ${bin} not found; build it (cmake --build ... --target livestream_server zoom_emulator)" \
        "or set LIVESTREAM_SERVER_BIN / ZOOM_EMULATOR_BIN" >&2
      missing=1
    fi
  done
  [[ ${missing} -eq 0 ]] || exit 1
fi
echo "test-clients: server ${LIVESTREAM_SERVER_BIN}"
echo "test-clients: emulator ${ZOOM_EMULATOR_BIN}"

RESULTS=()
PASSED=0
FAILED=0
record() {
  local stage="$1" result="$2" secs="$3"
  RESULTS+=("$(printf '%-16s %-5s %4ss' "${stage}" "${result}" "${secs}")")
  echo "=== ${stage}: ${result} (${secs}s)"
  case "${result}" in
    PASS) PASSED=$((PASSED + 1)) ;;
    FAIL) FAILED=$((FAILED + 1)) ;;
  esac
}

# stage NAME COMMAND...: runs COMMAND in a subshell and records the result.
stage() {
  local name="$1" start rc=0
  shift
  echo "=== ${name}"
  start=${SECONDS}
  ("$@") || rc=$?
  if [[ ${rc} -eq 0 ]]; then record "${name}" PASS $((SECONDS - start)); else record "${name}" FAIL $((SECONDS - start)); fi
}

install_tools() {
  local targets=()
  for s in "${STAGES[@]}"; do
    case "${s}" in
      check-generated) targets+=(protoc go-plugins) ;;
      python) targets+=(python) ;;
      go) targets+=(go) ;;
      grpcurl) targets+=(grpcurl) ;;
      health-probe) targets+=(grpc-health-probe) ;;
      buf) targets+=(buf) ;;
    esac
  done
  [[ ${#targets[@]} -eq 0 ]] || tools/install.sh "${targets[@]}"
}

run_python() {
  "${LIVESTREAM_VENV}/bin/python" -m pytest -p no:cacheprovider client/python/tests
}

run_go() {
  cd client/go || return 1
  local unformatted
  unformatted="$(gofmt -l .)"
  if [[ -n "${unformatted}" ]]; then
    echo "gofmt would change: ${unformatted}"
    return 1
  fi
  go vet ./... && go test -count=1 ./...
}

stage tools install_tools
if [[ "${RESULTS[0]}" == *FAIL* ]]; then
  echo "test-clients: installing tools failed; not running the stages"
else
  for s in "${STAGES[@]}"; do
    case "${s}" in
      check-generated) stage check-generated scripts/check-generated.sh ;;
      python) stage python run_python ;;
      go) stage go run_go ;;
      grpcurl) stage grpcurl scripts/test-grpcurl.sh ;;
      health-probe) stage health-probe scripts/test-health-probe.sh ;;
      buf) stage buf scripts/test-buf.sh ;;
      java | node)
        if [[ -f "client/${s}/test.sh" ]]; then
          stage "${s}" bash "client/${s}/test.sh"
        else
          record "${s}" SKIP 0
          echo "    (client/${s}/test.sh does not exist)"
        fi
        ;;
      *)
        echo "test-clients: unknown stage '${s}' (${ALL_STAGES[*]})" >&2
        record "${s}" FAIL 0
        ;;
    esac
  done
fi

echo
echo "test-clients summary:"
printf '  %s\n' "${RESULTS[@]}"
echo "${PASSED} passed, ${FAILED} failed"
[[ ${FAILED} -eq 0 ]]
