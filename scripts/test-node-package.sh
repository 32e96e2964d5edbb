#!/usr/bin/env bash
# Consumer test of the npm package: builds its tarball as a release does
# (scripts/release.sh npm, into a throwaway directory), checks what it holds
# (LICENSE, licence metadata, the packaged service config, @grpc/grpc-js as a
# peer dependency), installs it into a copy of tests/package/node taken out of
# the repository (an application with its own, locked @grpc/grpc-js of another
# minor version than the client's, plus a second copy of grpc-js under an
# alias), type checks the application with its own strict tsconfig and runs it
# against a gateway and zoom_emulator (scripts/stack.py): it reads
# ZOOM_WEBINAR_NOT_FOUND through the package's RichError, from its own copy of
# grpc-js and from the other, and checks the default retry policy.
#
#   LIVESTREAM_SERVER_BIN=... ZOOM_EMULATOR_BIN=... scripts/test-node-package.sh
#
# The binaries default to the CMake build under build/ (scripts/stack.py).
# npm installs with --prefer-offline: after the node stage (client/node/test.sh)
# the npm cache holds nearly everything.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/test-node-package.XXXXXX")"
# shellcheck source=scripts/lib/stack.bash
source "${REPO_ROOT}/scripts/lib/stack.bash"
cleanup() {
  stack_stop || true
  rm -rf "${WORK}"
}
trap cleanup EXIT
fail() {
  echo "test-node-package: $*" >&2
  exit 1
}

scripts/release.sh --out "${WORK}/dist" npm
tarballs=("${WORK}"/dist/npm/*.tgz)
[[ ${#tarballs[@]} -eq 1 ]] || fail "expected one tarball in dist/npm, found ${tarballs[*]}"
tarball="${tarballs[0]}"

# What a registry would publish, read from the tarball itself.
tar -xzf "${tarball}" -C "${WORK}" package/package.json package/LICENSE package/dist/src/gen/service_config.json ||
  fail "the tarball lacks LICENSE, package.json or dist/src/gen/service_config.json"
cmp -s "${WORK}/package/LICENSE" LICENSE || fail "the tarball's LICENSE is not the repository's"
node - "${WORK}/package" "${REPO_ROOT}/client/service_config.json" <<'NODE'
const assert = require('node:assert/strict');
const path = require('node:path');
// tsc re-indents the JSON it emits: the same config, not the same bytes.
assert.deepEqual(
  require(path.join(process.argv[2], 'dist/src/gen/service_config.json')),
  require(process.argv[3]),
  "the tarball's service_config.json is client/service_config.json",
);
const pkg = require(path.join(process.argv[2], 'package.json'));
assert.equal(pkg.license, 'Apache-2.0', 'license');
assert.match(pkg.peerDependencies?.['@grpc/grpc-js'] ?? '', /^\^1\.\d+\.\d+$/, 'peerDependencies @grpc/grpc-js');
assert.equal(pkg.dependencies?.['@grpc/grpc-js'], undefined, '@grpc/grpc-js is not a dependency');
for (const [name, version] of Object.entries(pkg.dependencies ?? {})) {
  assert.match(version, /^\d+\.\d+\.\d+$/, `${name} is pinned exactly`);
}
NODE

# The application sees only the tarball: no path into the repository.
app="${WORK}/app"
mkdir -p "${app}"
cp -r tests/package/node/package.json tests/package/node/package-lock.json tests/package/node/tsconfig.json \
  tests/package/node/src "${app}/"
cp "${tarball}" "${app}/"
cd "${app}"
npm_flags=(--ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
npm ci "${npm_flags[@]}"
npm install --no-save "${npm_flags[@]}" "./$(basename "${tarball}")"

# Another minor version of @grpc/grpc-js than the client's own development pin,
# and the only copy the package resolves (npm ls fails on an unmet peer).
npm ls --all @grpc/grpc-js >/dev/null || { npm ls --all @grpc/grpc-js; fail "npm ls @grpc/grpc-js failed"; }
app_grpc="$(node -p "require('@grpc/grpc-js/package.json').version")"
client_grpc="$(node -p "require(process.argv[1]).devDependencies['@grpc/grpc-js']" "${REPO_ROOT}/client/node/package.json")"
[[ "${app_grpc%.*}" != "${client_grpc%.*}" ]] ||
  fail "the application's @grpc/grpc-js ${app_grpc} has the client's minor (${client_grpc})"
[[ ! -e node_modules/@zoom-livestream-gateway/client/node_modules/@grpc/grpc-js ]] ||
  fail "the package got its own copy of @grpc/grpc-js"
echo "test-node-package: application @grpc/grpc-js ${app_grpc}, client developed with ${client_grpc}"

npm run --silent build
cd "${REPO_ROOT}"
stack_start "${WORK}"
gateway="$(stack_get gateway)"
echo "test-node-package: gateway ${gateway}"
node "${app}/build/app.js" "${gateway}"
echo "test-node-package: $(basename "${tarball}") passed"
