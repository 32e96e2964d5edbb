#!/usr/bin/env bash
# Builds the release artifacts of the version in VERSION into dist/ (or --out).
# Uploads nothing: docs/releasing.md gives the commands that publish them.
#
#   scripts/release.sh [--out DIR] [ARTIFACT...]
#
# ARTIFACTs (default: all, in this order):
#   protos   zoom-livestream-gateway-protos-V.tar.gz (protos/zoom/**.proto and
#            LICENSE) and zoom-livestream-gateway-V.binpb, a descriptor set of
#            the API with every import and the source comments
#   go       goproxy/: the Go module client/go at vV as a module proxy
#            directory (scripts/go_module_proxy.py), from committed files
#   python   python/: the wheel and the sdist of client/python
#   npm      npm/: the npm pack tarball of client/node
#   maven    maven/: the jar, sources and javadoc jars and the POM of
#            client/java, in a Maven repository layout (mvn -o when ~/.m2 has
#            every plugin, else online from Maven Central)
#   cpp      cpp/: the C++ install tree, by scripts/release-cpp.sh
# Then SHA256SUMS over every file in the output directory.
#
# Run it from a clean checkout of the release commit: it warns when the work
# tree has changes, because python, npm and maven build from the work tree.
# Installs what it needs as the test scripts do (tools/install.sh; Node, JDK,
# Maven with apt). Output directories of the chosen artifacts are replaced.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"
OUT="${REPO_ROOT}/dist"
ALL=(protos go python npm maven cpp)
ARTIFACTS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --out=*) OUT="${1#--out=}"; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    protos | go | python | npm | maven | cpp) ARTIFACTS+=("$1"); shift ;;
    *) echo "release: unknown argument '$1' (--out DIR, ${ALL[*]})" >&2; exit 2 ;;
  esac
done
[[ ${#ARTIFACTS[@]} -gt 0 ]] || ARTIFACTS=("${ALL[@]}")
mkdir -p "${OUT}"
OUT="$(cd "${OUT}" && pwd)"

log() { printf 'release: %s\n' "$*"; }

# The version and the names come from one place each; refuse to build
# artifacts that disagree (scripts/check_versions.py says which file drifted).
/usr/bin/python3 scripts/check_versions.py >/dev/null || {
  /usr/bin/python3 scripts/check_versions.py
  exit 1
}
VERSION="$(head -n 1 VERSION | tr -d '[:space:]')"
log "version ${VERSION} into ${OUT}"
if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  log "WARNING: the work tree has uncommitted changes; a release is built from a clean checkout"
fi

sudo_cmd=()
[[ "$(id -u)" -eq 0 ]] || sudo_cmd=(sudo)
apt_ensure() {  # apt_ensure COMMAND PACKAGE...
  command -v "$1" >/dev/null 2>&1 && return 0
  shift
  log "apt-get install $*"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

release_protos() {
  tools/install.sh protoc >/dev/null
  local stage
  stage="$(mktemp -d)"
  mkdir -p "${stage}/zoom-livestream-gateway-protos-${VERSION}"
  (cd protos && find zoom -name '*.proto' -print0 | LC_ALL=C sort -z | xargs -0 cp --parents -t "${stage}/zoom-livestream-gateway-protos-${VERSION}")
  cp LICENSE "${stage}/zoom-livestream-gateway-protos-${VERSION}/"
  # Fixed owner, order and times: the same protos give the same tarball.
  tar -C "${stage}" --sort=name --owner=0 --group=0 --numeric-owner --mtime='1980-01-01 00:00Z' \
    -cf - "zoom-livestream-gateway-protos-${VERSION}" | gzip -n >"${OUT}/zoom-livestream-gateway-protos-${VERSION}.tar.gz"
  rm -rf "${stage}"
  local protos
  mapfile -t protos < <(cd protos && find zoom -name '*.proto' | LC_ALL=C sort)
  # google/protobuf/*.proto come with protoc (Debian's /usr/include); google/rpc
  # from the vendored googleapis copy that buf and the Go generator use too.
  protoc -I protos -I third_party/googleapis --include_imports --include_source_info \
    --descriptor_set_out="${OUT}/zoom-livestream-gateway-${VERSION}.binpb" "${protos[@]/#/protos/}"
  log "protos: zoom-livestream-gateway-protos-${VERSION}.tar.gz, zoom-livestream-gateway-${VERSION}.binpb"
}

release_go() {
  tools/install.sh go >/dev/null
  rm -rf "${OUT}/goproxy"
  local files
  mapfile -t files < <(git ls-files client/go | sed 's#^client/go/##')
  [[ ${#files[@]} -gt 0 ]] || { echo "release: git ls-files client/go found nothing (not a git checkout?)" >&2; return 1; }
  /usr/bin/python3 scripts/go_module_proxy.py --module-dir client/go --version "v${VERSION}" \
    --time "$(git log -1 --format=%cI | sed 's/+00:00$/Z/')" --extra-file LICENSE --out "${OUT}/goproxy" \
    "${files[@]}" >/dev/null
  log "go: goproxy/ (module $(cd client/go && go list -m) v${VERSION}; published as the tag client/go/v${VERSION})"
}

release_python() {
  tools/install.sh python >/dev/null
  local venv="${LIVESTREAM_VENV:-${REPO_ROOT}/.venv}"
  rm -rf "${OUT}/python" client/python/build
  mkdir -p "${OUT}/python"
  # The PEP 517 hooks, called in the venv that tools/install.sh filled with the
  # pinned build requirements (what pip's isolated build would install), one
  # process each: in one process the wheel lands where the sdist's options say.
  local hook log="${OUT}/python.log"
  for hook in build_sdist build_wheel; do
    (cd client/python && PYTHONDONTWRITEBYTECODE=1 "${venv}/bin/python" -c \
      "import sys; from setuptools import build_meta; build_meta.${hook}(sys.argv[1])" "${OUT}/python") \
      >"${log}" 2>&1 || { cat "${log}"; rm -f "${log}"; return 1; }
  done
  rm -f "${log}"
  log "python: $(cd "${OUT}/python" && echo *)"
}

release_npm() {
  apt_ensure node nodejs
  apt_ensure npm npm
  apt_ensure protoc protobuf-compiler
  rm -rf "${OUT}/npm"
  mkdir -p "${OUT}/npm"
  (
    cd client/node
    # As client/node/test.sh: npm ci unless node_modules was installed from
    # this package-lock.json (and Node.js) already, which a clean checkout's
    # never was.
    local stamp
    stamp="$(sha256sum package-lock.json | cut -d' ' -f1) $(node --version)"
    if [[ ! -d node_modules || "$(cat .install-stamp 2>/dev/null)" != "${stamp}" ]]; then
      npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
      echo "${stamp}" >.install-stamp
    fi
    npm run --silent build
    npm pack --silent --pack-destination "${OUT}/npm" >/dev/null
  )
  log "npm: $(cd "${OUT}/npm" && echo *)"
}

release_maven() {
  apt_ensure javac openjdk-17-jdk-headless
  apt_ensure mvn maven
  local mvn=(mvn -B -q -Dstyle.color=never -Prelease -DskipTests package)
  rm -rf client/java/target
  if ! (cd client/java && "${mvn[@]}" -o >/dev/null 2>&1); then
    log "maven: not every plugin is in ~/.m2; building online (Maven Central)"
    (cd client/java && "${mvn[@]}")
  fi
  local group artifact dir base
  group="$(sed -n 's#^  <groupId>\(.*\)</groupId>#\1#p' client/java/pom.xml)"
  artifact="$(sed -n 's#^  <artifactId>\(.*\)</artifactId>#\1#p' client/java/pom.xml)"
  rm -rf "${OUT}/maven"
  # The layout of a Maven repository, which is what a Central Portal bundle
  # holds (docs/releasing.md signs and zips it).
  dir="${OUT}/maven/${group//.//}/${artifact}/${VERSION}"
  base="${artifact}-${VERSION}"
  mkdir -p "${dir}"
  cp "client/java/target/${base}.jar" "client/java/target/${base}-sources.jar" \
    "client/java/target/${base}-javadoc.jar" "${dir}/"
  cp client/java/pom.xml "${dir}/${base}.pom"
  local f
  for f in "${dir}"/*; do
    md5sum "${f}" | cut -d' ' -f1 | tr -d '\n' >"${f}.md5"
    sha1sum "${f}" | cut -d' ' -f1 | tr -d '\n' >"${f}.sha1"
  done
  log "maven: maven/${group//.//}/${artifact}/${VERSION}/ (jar, sources, javadoc, pom)"
}

release_cpp() {
  # The C++ install tree (headers, library, CMake package config and version
  # file, pkg-config file); its version is CMake's, read from VERSION.
  scripts/release-cpp.sh --prefix "${OUT}/cpp"
  log "cpp: cpp/"
}

for artifact in "${ARTIFACTS[@]}"; do
  "release_${artifact}"
done

(cd "${OUT}" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs -r -d '\n' sha256sum >SHA256SUMS)
log "done: ${OUT} (SHA256SUMS lists every file)"
