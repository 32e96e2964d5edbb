#!/usr/bin/env bash
# Consumer test of the Java package: builds the Maven artifacts as a release
# does (scripts/release.sh maven, into a throwaway dist/), checks the POM names
# the licence, copies tests/package/java out of the repository and runs its
# JUnit tests against a gateway and zoom_emulator (scripts/stack.py). That
# project depends on io.github.zoom-livestream-gateway:livestream-client by
# coordinates only, and reads ZOOM_WEBINAR_NOT_FOUND and its metadata through
# RichError, the packaged retry policy and the jar's META-INF/LICENSE.
#
#   LIVESTREAM_SERVER_BIN=... ZOOM_EMULATOR_BIN=... scripts/test-java-package.sh
#
# The consumer resolves the client from the release's Maven repository layout
# and everything else from ~/.m2/repository (LIVESTREAM_M2_REPOSITORY), both as
# file:// repositories, into a throwaway local repository: nothing is
# downloaded, nothing of this test stays in ~/.m2, and a rebuilt jar is never
# hidden by a cached one. So ~/.m2 must hold what client/java/test.sh (the java
# stage) and the release build fetched; release.sh fetches the sources and
# javadoc plugins from Maven Central when they are missing.
# The binaries default to the CMake build under build/ (scripts/stack.py).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"
export LIVESTREAM_SERVER_BIN="${LIVESTREAM_SERVER_BIN:-${REPO_ROOT}/build/server/livestream_server}"
export ZOOM_EMULATOR_BIN="${ZOOM_EMULATOR_BIN:-${REPO_ROOT}/build/tests/zoom_emulator/zoom_emulator}"
m2="${LIVESTREAM_M2_REPOSITORY:-${HOME}/.m2/repository}"
# Maven's own JVM (not the tests'): these short builds spend much of their CPU
# in the JIT's optimising tier; stopping at C1 saves about a third on 2 cores.
export MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/test-java-package.XXXXXX")"
# shellcheck source=scripts/lib/stack.bash
source "${REPO_ROOT}/scripts/lib/stack.bash"
cleanup() {
  stack_stop || true
  rm -rf "${WORK}"
}
trap cleanup EXIT

scripts/release.sh maven --out "${WORK}/dist"
version="$(head -n 1 VERSION | tr -d '[:space:]')"
pom="${WORK}/dist/maven/io/github/zoom-livestream-gateway/livestream-client/${version}/livestream-client-${version}.pom"

# A public repository wants the licence named in the POM (the jar's copy is
# checked by the consumer, from the jar it resolved).
python3 - "${pom}" <<'PY'
import sys
import xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
names = [e.text for e in ET.parse(sys.argv[1]).getroot().findall("m:licenses/m:license/m:name", ns)]
if names != ["Apache-2.0"]:
    sys.exit(f"test-java-package: the POM names the licences {names}, not ['Apache-2.0']")
PY

cp -r tests/package/java "${WORK}/consumer"
cat >"${WORK}/settings.xml" <<XML
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <mirrors>
    <mirror>
      <id>warm-cache</id>
      <mirrorOf>*,!livestream-release</mirrorOf>
      <url>file://${m2}</url>
    </mirror>
  </mirrors>
  <profiles>
    <profile>
      <id>livestream-release</id>
      <repositories>
        <repository>
          <id>livestream-release</id>
          <url>file://${WORK}/dist/maven</url>
          <!-- Also checks the .sha1 and .md5 files that release.sh writes. -->
          <releases><checksumPolicy>fail</checksumPolicy></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </repository>
      </repositories>
    </profile>
  </profiles>
  <activeProfiles>
    <activeProfile>livestream-release</activeProfile>
  </activeProfiles>
</settings>
XML

stack_start "${WORK}"
gateway="$(stack_get gateway)"
echo "test-java-package: gateway ${gateway}"
cd "${WORK}/consumer"
status=0
LIVESTREAM_GATEWAY="${gateway}" mvn -B -q -Dstyle.color=never -s "${WORK}/settings.xml" \
  -Dmaven.repo.local="${WORK}/m2" -Dlivestream.version="${version}" test || status=$?
# -q hides Surefire's totals; a run without reports failed before its tests.
tests=0
for report in target/surefire-reports/TEST-*.xml; do
  [[ -f "${report}" ]] || continue
  tests=$((tests + $(sed -n 's/.*<testsuite [^>]*tests="\([0-9]*\)".*/\1/p' "${report}")))
done
if [[ ${status} -ne 0 || ${tests} -eq 0 ]]; then
  echo "test-java-package: the consumer of livestream-client ${version} failed" >&2
  exit 1
fi
echo "test-java-package: the consumer of livestream-client ${version} passed (${tests} tests)"
