#!/usr/bin/env bash
# One entry point for the generated clients: installs every pinned dependency
# they need (tools/install.sh: protoc check, Go plugins, grpcurl, buf from npm,
# the Python venv), then runs each stage and reports it:
#
#   stack             scripts/stack_test.py: the launcher that starts every
#                     test stack (scripts/stack.py)
#   check-generated   committed Go stubs/service config/go.sum match sources;
#                     and scripts/release.sh's fast artifacts (protos,
#                     descriptor set, Go module proxy: scripts/release_test.py,
#                     scripts/go_module_proxy_test.py)
#   python            pytest client/python/tests (unit + against the server)
#   python-package    scripts/test-python-package.sh: the release's wheel in a
#                     fresh venv outside the repository, sync and grpc.aio calls
#   go                gofmt, go vet, go test ./... in client/go
#   go-package        scripts/test-go-package.sh: a module outside the
#                     repository gets the client by path and version from the
#                     release's module proxy directory
#   grpcurl           scripts/test-grpcurl.sh
#   health-probe      scripts/test-health-probe.sh (grpc_health_probe: plaintext,
#                     TLS, mTLS)
#   buf               scripts/test-buf.sh (lint, format, breaking)
#   java, node        client/java/test.sh, client/node/test.sh when present
#   java-package      scripts/test-java-package.sh: builds the Maven artifacts
#                     as scripts/release.sh does and runs a Maven project that
#                     depends on them by coordinates, outside the repository
#                     (offline: from what the java stage left in ~/.m2)
#   node-package      scripts/test-node-package.sh: builds the npm tarball with
#                     scripts/release.sh and installs it into an application
#                     outside the repository (its own @grpc/grpc-js), which
#                     calls a gateway
#   cpp-package       scripts/test-cpp-package.sh: installs the C++ package
#                     from the CMake tree BUILD_DIR (default build/, as built)
#                     and builds and runs consumers outside the repository
#
# For the python, go, java and node stages it also starts a "secure stack"
# (see start_secure_stack): a zoom_emulator and livestream_servers with caller
# authorization (TLS, mTLS, plaintext), certificates made here by the openssl
# CLI, started by scripts/stack.py as every other stack is. The clients' TLS and
# bearer-token tests find them through
# LIVESTREAM_TLS_TARGET, LIVESTREAM_MTLS_TARGET, LIVESTREAM_AUTHZ_PLAINTEXT_TARGET
# and LIVESTREAM_TLS_DIR, and skip when those are unset (a plain `pytest` or
# `go test`). It is reported as the stage "secure-stack" and stopped on exit.
#
#   LIVESTREAM_SERVER_BIN=... ZOOM_EMULATOR_BIN=... scripts/test-clients.sh [STAGE...]
#
# The binaries default to the CMake build under build/; this script does not
# build them. Every stage runs even after a failure; the exit code is non-zero
# if any failed, and the last line is "N passed, M failed" (stages).
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}" || exit 1
ALL_STAGES=(stack check-generated python python-package go go-package grpcurl health-probe buf java java-package node node-package cpp-package)
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
  case "${s}" in stack | python | python-package | go | go-package | grpcurl | health-probe | java | java-package | node | node-package | cpp-package) needs_binaries=1 ;; esac
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

# --- The secure stack -------------------------------------------------------
SECURE_DIR=""
# shellcheck source=scripts/lib/stack.bash
source "${REPO_ROOT}/scripts/lib/stack.bash"
stop_secure_stack() {
  stack_stop || true
  [[ -z "${SECURE_DIR}" ]] || rm -rf "${SECURE_DIR}"
}
trap stop_secure_stack EXIT

# secure_cert NAME CA CN [SAN]: a P-256 leaf signed by CA, as tests/tls/test_pki.cc makes it.
secure_cert() {
  local d="${SECURE_DIR}" name="$1" ca="$2" cn="$3" san="${4:-}"
  printf '[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=%s\n[ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nauthorityKeyIdentifier=keyid\n%s\n' \
    "${cn}" "${san:+subjectAltName=${san}}" >"${d}/${name}.cnf"
  openssl req -new -config "${d}/${name}.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "${d}/${name}.key" -out "${d}/${name}.csr" 2>/dev/null &&
    chmod 600 "${d}/${name}.key" &&
    openssl x509 -req -in "${d}/${name}.csr" -CA "${d}/${ca}.crt" -CAkey "${d}/${ca}.key" \
      -CAcreateserial -CAserial "${d}/${ca}.srl" -days 2 -extfile "${d}/${name}.cnf" \
      -extensions ext -out "${d}/${name}.crt" 2>/dev/null
}

# secure_ca NAME: a self-signed P-256 CA.
secure_ca() {
  local d="${SECURE_DIR}" name="$1"
  printf '[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=%s\n[ext]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' \
    "${name}" >"${d}/${name}.cnf"
  openssl req -x509 -config "${d}/${name}.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "${d}/${name}.key" -out "${d}/${name}.crt" -days 2 2>/dev/null && chmod 600 "${d}/${name}.key"
}

# start_secure_stack: in a temp dir LIVESTREAM_TLS_DIR,
#   ca.crt, other-ca.crt           trusted CA; a CA the servers do not use
#   client.crt, client.key         client certificate (CN "caller") from ca
#   allowed.token, denied.token    bearer tokens of principals "allowed-app"
#                                  and "denied-app" (tokens.txt holds their hashes)
# and a zoom_emulator plus three livestream_servers on loopback port 0
# (scripts/stack.py), all with the policy "allow principals allowed-app and
# caller":
#   LIVESTREAM_TLS_TARGET    TLS (certificate for 127.0.0.1 and localhost)
#   LIVESTREAM_MTLS_TARGET   mTLS (client certificates from ca required)
#   LIVESTREAM_AUTHZ_PLAINTEXT_TARGET  plaintext, for the explicit opt-in to
#                            send a token without TLS (a loopback sidecar)
# So a call with allowed.token succeeds, one without a token is UNAUTHENTICATED
# (no principal) and one with denied.token PERMISSION_DENIED: the token
# arrived. On the mTLS server the client certificate alone is allowed.
start_secure_stack() {
  SECURE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/test-clients-tls.XXXXXX")" || return 1
  local d="${SECURE_DIR}" name token
  secure_ca ca && secure_ca other-ca &&
    secure_cert server ca livestream-gateway "IP:127.0.0.1,IP:::1,DNS:localhost" &&
    secure_cert client ca caller || {
    echo "test-clients: openssl failed making the test certificates" >&2
    return 1
  }
  : >"${d}/tokens.txt"
  for name in allowed denied; do
    # Random tokens, written only to files that the tests read and never print.
    openssl rand -hex 24 | tr -d '\n' >"${d}/${name}.token"
    token="$(cat "${d}/${name}.token")"
    printf 'sha256:%s %s-app\n' "$(printf %s "${token}" | sha256sum | cut -d' ' -f1)" "${name}" >>"${d}/tokens.txt"
  done
  chmod 600 "${d}"/*.token "${d}/tokens.txt"
  cat >"${d}/policy.json" <<'POLICY'
{
  "name": "client-tests",
  "allow_rules": [{"name": "callers", "source": {"principals": ["allowed-app", "caller"]}}]
}
POLICY

  # A gateway's flags are shell-quoted, hence ${d@Q}.
  local tls="--tls_cert_file=${d@Q}/server.crt --tls_key_file=${d@Q}/server.key"
  stack_start "${d}" --gateway=plaintext --gateway="tls:${tls}" \
    --gateway="mtls:${tls} --tls_client_ca_file=${d@Q}/ca.crt" \
    -- --authz_policy_file="${d}/policy.json" --authz_bearer_tokens_file="${d}/tokens.txt" || return 1
  LIVESTREAM_AUTHZ_PLAINTEXT_TARGET="$(stack_get gateways.plaintext.target)" &&
    LIVESTREAM_TLS_TARGET="$(stack_get gateways.tls.target)" &&
    LIVESTREAM_MTLS_TARGET="$(stack_get gateways.mtls.target)" || return 1
  export LIVESTREAM_AUTHZ_PLAINTEXT_TARGET LIVESTREAM_TLS_TARGET LIVESTREAM_MTLS_TARGET
  export LIVESTREAM_TLS_DIR="${d}"
  echo "test-clients: secure stack: TLS ${LIVESTREAM_TLS_TARGET}, mTLS ${LIVESTREAM_MTLS_TARGET}," \
    "plaintext ${LIVESTREAM_AUTHZ_PLAINTEXT_TARGET}, files ${d}"
}

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
      python | python-package) targets+=(python) ;;
      go | go-package) targets+=(go) ;;
      grpcurl) targets+=(grpcurl) ;;
      health-probe) targets+=(grpc-health-probe) ;;
      buf) targets+=(buf) ;;
    esac
  done
  [[ ${#targets[@]} -eq 0 ]] || tools/install.sh "${targets[@]}"
}

run_check_generated() {
  scripts/check-generated.sh &&
    python3 scripts/go_module_proxy_test.py &&
    python3 scripts/release_test.py
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

needs_secure_stack=0
for s in "${STAGES[@]}"; do
  case "${s}" in python | go | java | node) needs_secure_stack=1 ;; esac
done

stage tools install_tools
if [[ ${needs_secure_stack} -eq 1 ]]; then
  # Not through stage(): its subshell would lose the exports and process ids.
  echo "=== secure-stack"
  secure_start=${SECONDS}
  if start_secure_stack; then
    record secure-stack PASS $((SECONDS - secure_start))
  else
    record secure-stack FAIL $((SECONDS - secure_start))
  fi
fi
if [[ "${RESULTS[*]}" == *FAIL* ]]; then
  echo "test-clients: installing tools or starting the secure stack failed; not running the stages"
else
  for s in "${STAGES[@]}"; do
    case "${s}" in
      stack) stage stack python3 scripts/stack_test.py ;;
      check-generated) stage check-generated run_check_generated ;;
      python) stage python run_python ;;
      python-package) stage python-package scripts/test-python-package.sh ;;
      go) stage go run_go ;;
      go-package) stage go-package scripts/test-go-package.sh ;;
      grpcurl) stage grpcurl scripts/test-grpcurl.sh ;;
      health-probe) stage health-probe scripts/test-health-probe.sh ;;
      buf) stage buf scripts/test-buf.sh ;;
      node-package) stage node-package scripts/test-node-package.sh ;;
      cpp-package) stage cpp-package scripts/test-cpp-package.sh ;;
      java-package) stage java-package scripts/test-java-package.sh ;;
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
