#!/usr/bin/env bash
# Runs the pinned grpc_health_probe (tools/versions.env; tools/install.sh
# installs it as tools/bin/grpc-health-probe) against livestream_server's
# health service, as a Kubernetes exec probe or a load balancer would:
# plaintext on loopback, TLS, and mTLS with certificates made here by the
# openssl CLI. Each mode checks the overall status and the service's, and the
# TLS modes check that probes without TLS or without a client certificate
# fail.
#
#   scripts/test-health-probe.sh
#
# Binaries: $LIVESTREAM_SERVER_BIN and $ZOOM_EMULATOR_BIN (default: the CMake
# build under build/). Prints PASS/FAIL per check and ends with
# "N passed, M failed"; exits non-zero if any check failed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVER_BIN="${LIVESTREAM_SERVER_BIN:-${REPO_ROOT}/build/server/livestream_server}"
EMULATOR_BIN="${ZOOM_EMULATOR_BIN:-${REPO_ROOT}/build/tests/zoom_emulator/zoom_emulator}"
PROBE="${REPO_ROOT}/tools/bin/grpc-health-probe"
SERVICE=zoom.livestream.v1.LiveStreamService
STARTUP_POLLS=1500 # x 20 ms = 30 s per process

for bin in "${SERVER_BIN}" "${EMULATOR_BIN}"; do
  [[ -x "${bin}" ]] || {
    echo "test-health-probe: ${bin} not found; build it or set LIVESTREAM_SERVER_BIN / ZOOM_EMULATOR_BIN" >&2
    exit 1
  }
done
"${REPO_ROOT}/tools/install.sh" grpc-health-probe >/dev/null

WORK="$(mktemp -d "${TMPDIR:-/tmp}/test-health-probe.XXXXXX")"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "${pid}" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "${pid}" 2>/dev/null || true
  done
  rm -rf "${WORK}"
}
trap cleanup EXIT

# wait_for_port NAME PID FILE: polls FILE (bounded) for the decimal port the
# process writes once it listens; fails early if the process dies.
wait_for_port() {
  local name="$1" pid="$2" file="$3" port i
  for ((i = 0; i < STARTUP_POLLS; i++)); do
    if [[ -s "${file}" ]]; then
      port="$(tr -d '[:space:]' <"${file}")"
      if [[ "${port}" =~ ^[0-9]+$ ]]; then
        echo "${port}"
        return 0
      fi
    fi
    if ! kill -0 "${pid}" 2>/dev/null; then
      echo "test-health-probe: ${name} exited before listening; its output:" >&2
      cat "${WORK}/${name}.log" >&2
      return 1
    fi
    sleep 0.02
  done
  echo "test-health-probe: ${name} did not write ${file} within 30 s; its output:" >&2
  cat "${WORK}/${name}.log" >&2
  return 1
}

# A CA, a server certificate for 127.0.0.1 and localhost, and a client
# certificate, as tests/tls/test_pki.cc makes them.
make_pki() {
  local dir="${WORK}/pki"
  mkdir -p "${dir}"
  printf '[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=probe-ca\n[ext]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n' >"${dir}/ca.cnf"
  openssl req -x509 -config "${dir}/ca.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "${dir}/ca.key" -out "${dir}/ca.crt" -days 2 2>/dev/null
  local name san
  for name in server client; do
    san=""
    [[ "${name}" == server ]] && san="subjectAltName=IP:127.0.0.1,DNS:localhost"
    printf '[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=%s\n[ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n%s\n' \
      "${name}" "${san}" >"${dir}/${name}.cnf"
    openssl req -new -config "${dir}/${name}.cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "${dir}/${name}.key" -out "${dir}/${name}.csr" 2>/dev/null
    openssl x509 -req -in "${dir}/${name}.csr" -CA "${dir}/ca.crt" -CAkey "${dir}/ca.key" \
      -CAcreateserial -CAserial "${dir}/ca.srl" -days 2 -extfile "${dir}/${name}.cnf" \
      -extensions ext -out "${dir}/${name}.crt" 2>/dev/null
    chmod 600 "${dir}/${name}.key"
  done
}
make_pki
PKI="${WORK}/pki"

"${EMULATOR_BIN}" --listen=127.0.0.1:0 --port_file="${WORK}/emulator.port" --quiet \
  >"${WORK}/zoom_emulator.log" 2>&1 &
PIDS+=($!)
EMULATOR_PORT="$(wait_for_port zoom_emulator "${PIDS[0]}" "${WORK}/emulator.port")"

# start_server NAME ARGS...: starts livestream_server with ARGS; sets PORT.
PORT=""
start_server() {
  local name="$1"
  shift
  ZOOM_ACCESS_TOKEN=emulator-token "${SERVER_BIN}" --listen=127.0.0.1:0 \
    --port_file="${WORK}/${name}.port" --zoom_api_base_url="http://127.0.0.1:${EMULATOR_PORT}/v2" \
    "$@" >"${WORK}/${name}.log" 2>&1 &
  PIDS+=($!)
  PORT="$(wait_for_port "${name}" "$!" "${WORK}/${name}.port")"
}

PASSED=0
FAILED=0
# check NAME WANT PROBE_ARGS...: WANT is "serving" (exit 0 and SERVING) or
# "refused" (a non-zero exit).
check() {
  local name="$1" want="$2" out rc=0
  shift 2
  out="$("${PROBE}" -connect-timeout 5s -rpc-timeout 5s "$@" 2>&1)" || rc=$?
  if { [[ "${want}" == serving && ${rc} -eq 0 && "${out}" == *"status: SERVING"* ]]; } ||
    { [[ "${want}" == refused && ${rc} -ne 0 ]]; }; then
    echo "PASS ${name}"
    PASSED=$((PASSED + 1))
  else
    echo "FAIL ${name}: want ${want}, exit ${rc}: ${out}"
    FAILED=$((FAILED + 1))
  fi
}

echo "test-health-probe: $("${PROBE}" -version 2>&1 | head -n1)"

start_server plaintext
check "plaintext: overall" serving -addr "127.0.0.1:${PORT}"
check "plaintext: ${SERVICE}" serving -addr "127.0.0.1:${PORT}" -service "${SERVICE}"

start_server tls --tls_cert_file="${PKI}/server.crt" --tls_key_file="${PKI}/server.key"
check "tls: overall" serving -addr "127.0.0.1:${PORT}" -tls -tls-ca-cert "${PKI}/ca.crt"
check "tls: ${SERVICE} via localhost" serving -addr "localhost:${PORT}" -tls \
  -tls-ca-cert "${PKI}/ca.crt" -service "${SERVICE}"
check "tls: a plaintext probe fails" refused -addr "127.0.0.1:${PORT}"

start_server mtls --tls_cert_file="${PKI}/server.crt" --tls_key_file="${PKI}/server.key" \
  --tls_client_ca_file="${PKI}/ca.crt"
check "mtls: ${SERVICE} with a client certificate" serving -addr "127.0.0.1:${PORT}" -tls \
  -tls-ca-cert "${PKI}/ca.crt" -tls-client-cert "${PKI}/client.crt" \
  -tls-client-key "${PKI}/client.key" -service "${SERVICE}"
check "mtls: a probe without a client certificate fails" refused -addr "127.0.0.1:${PORT}" \
  -tls -tls-ca-cert "${PKI}/ca.crt"

echo "${PASSED} passed, ${FAILED} failed"
[[ ${FAILED} -eq 0 ]]
