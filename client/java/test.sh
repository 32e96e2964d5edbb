#!/usr/bin/env bash
# Builds the Java client (stubs generated from ../../protos) and runs its JUnit
# tests against the real livestream_server and zoom_emulator.
#
#   LIVESTREAM_SERVER_BIN=... ZOOM_EMULATOR_BIN=... client/java/test.sh [extra mvn args]
#
# Binaries default to build/server/livestream_server and
# build/tests/zoom_emulator/zoom_emulator under the repository root; relative
# paths are taken from the current directory. Installs a JDK (17+) and Maven
# with apt when missing. After the first run fills ~/.m2, Maven needs no
# network (add -o to enforce it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

java_major() {
  # "javac 17.0.15" -> 17; prints 0 when there is no javac.
  local v
  v="$(javac -version 2>&1 | awk '{print $2}')" || true
  echo "${v%%.*}" | grep -E '^[0-9]+$' || echo 0
}

packages=()
if ! command -v javac >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
  packages+=(openjdk-17-jdk-headless)
fi
if ! command -v mvn >/dev/null 2>&1; then packages+=(maven); fi
if [ "${#packages[@]}" -gt 0 ]; then
  echo "java/test.sh: installing ${packages[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}"
fi
if [ "$(java_major)" -lt 17 ]; then
  # An older default JDK stays the system default; point Maven at 17.
  export JAVA_HOME="/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)"
  export PATH="${JAVA_HOME}/bin:${PATH}"
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
    echo "java/test.sh: missing executable ${bin}: build it first (cmake --build build --target livestream_server zoom_emulator) or set LIVESTREAM_SERVER_BIN / ZOOM_EMULATOR_BIN" >&2
    exit 1
  fi
done

# Maven's own JVM (not the tests'): this short build spends much of its CPU in
# the JIT's optimising tier; stopping at C1 saves about a third on 2 cores.
export MAVEN_OPTS="${MAVEN_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"

cd "${here}"
rm -rf target/surefire-reports
status=0
mvn -B -q -Dstyle.color=never "$@" test || status=$?

# -q hides Surefire's totals; print them from the reports.
if compgen -G "target/surefire-reports/TEST-*.xml" >/dev/null; then
  awk '
    /<testsuite / {
      for (i = 1; i <= NF; i++) {
        if (split($i, kv, "=") == 2) { gsub(/[">]/, "", kv[2]); n[kv[1]] += kv[2] }
      }
    }
    END {
      failed = n["failures"] + n["errors"]
      printf "java: %d passed, %d failed, %d skipped\n", n["tests"] - failed - n["skipped"], failed, n["skipped"]
    }' target/surefire-reports/TEST-*.xml
else
  echo "java: no test reports (build failed before tests ran)" >&2
  [ "${status}" -ne 0 ] || status=1
fi
exit "${status}"
