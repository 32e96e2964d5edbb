#!/usr/bin/env bash
# Builds the Node.js client (ts-proto stubs generated from ../../protos and
# google-proto-files) and runs its tests (node --test) against the real
# livestream_server and zoom_emulator.
#
#   LIVESTREAM_SERVER_BIN=... ZOOM_EMULATOR_BIN=... client/node/test.sh
#
# Binaries default to build/server/livestream_server and
# build/tests/zoom_emulator/zoom_emulator under the repository root; relative
# paths are taken from the current directory. Installs Node.js (18+), npm and
# protoc with apt when missing; `npm ci` runs only when package-lock.json
# changed since the last install.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

node_major() {
  local v
  v="$(node --version 2>/dev/null)" || { echo 0; return; }
  v="${v#v}"
  echo "${v%%.*}"
}

packages=()
# A Node.js from another source (e.g. NodeSource) bundles npm: only add Debian's
# npm when there is none, as the two packages conflict.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi
if ! command -v protoc >/dev/null 2>&1; then packages+=(protobuf-compiler); fi
if [ "${#packages[@]}" -gt 0 ]; then
  echo "node/test.sh: installing ${packages[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi
if [ "$(node_major)" -lt 18 ]; then
  echo "node/test.sh: Node.js 18 or newer is required (found $(node --version))" >&2
  exit 1
fi

abs_bin() {  # abs_bin VALUE DEFAULT_UNDER_REPO
  local p="${1:-}"
  if [ -z "${p}" ]; then p="${repo}/$2"; fi
  case "${p}" in /*) ;; *) p="$(pwd)/${p}" ;; esac
  echo "${p}"
}
LIVESTREAM_SERVER_BIN="$(abs_bin "${LIVESTREAM_SERVER_BIN:-}" build/server/livestream_server)"
ZOOM_EMULATOR_BIN="$(abs_bin "${ZOOM_EMULATOR_BIN:-}" build/tests/zoom_emulator/zoom_emulator)"
export LIVESTREAM_SERVER_BIN ZOOM_EMULATOR_BIN
for bin in "${LIVESTREAM_SERVER_BIN}" "${ZOOM_EMULATOR_BIN}"; do
  if [ ! -x "${bin}" ]; then
    echo "node/test.sh: missing executable ${bin}: build it first (cmake --build build --target livestream_server zoom_emulator) or set LIVESTREAM_SERVER_BIN / ZOOM_EMULATOR_BIN" >&2
    exit 1
  fi
done

cd "${here}"
# No dependency needs an install script (protobufjs's only prints a notice), so
# none run. The stamp records which lockfile node_modules was built from.
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1) $(node --version)"
if [ ! -d node_modules ] || [ "$(cat .install-stamp 2>/dev/null)" != "${lock_sum}" ]; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "${lock_sum}" > .install-stamp
fi

npm run --silent build
node --test dist/test/*.test.js
