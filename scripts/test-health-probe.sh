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
# scripts/stack.py starts the processes, from $LIVESTREAM_SERVER_BIN and
# $ZOOM_EMULATOR_BIN (default: the CMake build under build/). Prints PASS/FAIL
# per check and ends with "N passed, M failed"; exits non-zero if any check
# failed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROBE="${REPO_ROOT}/tools/bin/grpc-health-probe"
SERVICE=zoom.livestream.v1.LiveStreamService

"${REPO_ROOT}/tools/install.sh" grpc-health-probe >/dev/null

WORK="$(mktemp -d "${TMPDIR:-/tmp}/test-health-probe.XXXXXX")"
# shellcheck source=scripts/lib/stack.bash
source "${REPO_ROOT}/scripts/lib/stack.bash"
cleanup() {
  stack_stop || true
  rm -rf "${WORK}"
}
trap cleanup EXIT

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

# One emulator and three servers: plaintext, TLS, and mTLS (a gateway's flags
# are shell-quoted, hence ${PKI@Q}).
tls_flags="--tls_cert_file=${PKI@Q}/server.crt --tls_key_file=${PKI@Q}/server.key"
stack_start "${WORK}" --gateway=plaintext --gateway="tls:${tls_flags}" \
  --gateway="mtls:${tls_flags} --tls_client_ca_file=${PKI@Q}/ca.crt"
# port NAME: the port of server NAME.
port() { stack_get "gateways.$1.target" | sed 's/.*://'; }

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

PORT="$(port plaintext)"
check "plaintext: overall" serving -addr "127.0.0.1:${PORT}"
check "plaintext: ${SERVICE}" serving -addr "127.0.0.1:${PORT}" -service "${SERVICE}"

PORT="$(port tls)"
check "tls: overall" serving -addr "127.0.0.1:${PORT}" -tls -tls-ca-cert "${PKI}/ca.crt"
check "tls: ${SERVICE} via localhost" serving -addr "localhost:${PORT}" -tls \
  -tls-ca-cert "${PKI}/ca.crt" -service "${SERVICE}"
check "tls: a plaintext probe fails" refused -addr "127.0.0.1:${PORT}"

PORT="$(port mtls)"
check "mtls: ${SERVICE} with a client certificate" serving -addr "127.0.0.1:${PORT}" -tls \
  -tls-ca-cert "${PKI}/ca.crt" -tls-client-cert "${PKI}/client.crt" \
  -tls-client-key "${PKI}/client.key" -service "${SERVICE}"
check "mtls: a probe without a client certificate fails" refused -addr "127.0.0.1:${PORT}" \
  -tls -tls-ca-cert "${PKI}/ca.crt"

echo "${PASSED} passed, ${FAILED} failed"
[[ ${FAILED} -eq 0 ]]
