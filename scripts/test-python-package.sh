#!/usr/bin/env bash
# Consumer test of the Python package: builds the wheel and the sdist
# (scripts/release.sh python) into a throwaway directory, checks that the sdist
# carries LICENSE and the licence metadata, pip-installs the wheel into a fresh
# virtual environment outside the repository on the oldest Python its
# Requires-Python claims, and runs tests/package/python/consumer.py (copied out
# of the repository) there against a gateway and zoom_emulator
# (scripts/stack.py): sync and grpc.aio calls read ZOOM_WEBINAR_NOT_FOUND
# through the error helper, the packaged retry policy is on by default and
# service_config=None turns it off, and the wheel names its licence.
#
#   PYTHON=python3 LIVESTREAM_SERVER_BIN=... ZOOM_EMULATOR_BIN=... scripts/test-python-package.sh
#
# PYTHON (default python3) must be the Python version Requires-Python starts
# at. The wheel's dependencies are installed with --no-index from a wheelhouse
# of the versions client/python/constraints.txt pins, downloaded once per
# change of those pins into ~/.cache/zoom-livestream-gateway (XDG_CACHE_HOME),
# so that runs after the first need no network.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO_ROOT}"
export LIVESTREAM_SERVER_BIN="${LIVESTREAM_SERVER_BIN:-${REPO_ROOT}/build/server/livestream_server}"
export ZOOM_EMULATOR_BIN="${ZOOM_EMULATOR_BIN:-${REPO_ROOT}/build/tests/zoom_emulator/zoom_emulator}"
PYTHON="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1 PYTHONNOUSERSITE=1
unset PIP_CONSTRAINT PIP_REQUIREMENT PYTHONPATH

WORK="$(mktemp -d "${TMPDIR:-/tmp}/test-python-package.XXXXXX")"
# shellcheck source=scripts/lib/stack.bash
source "${REPO_ROOT}/scripts/lib/stack.bash"
cleanup() {
  stack_stop || true
  rm -rf "${WORK}"
}
trap cleanup EXIT

scripts/release.sh python --out "${WORK}/dist"
wheel="$(echo "${WORK}"/dist/python/*.whl)"
sdist="$(echo "${WORK}"/dist/python/*.tar.gz)"

# The sdist: LICENSE at its root and the licence in PKG-INFO. The wheel's are
# checked by the consumer, from the installed distribution.
"${PYTHON}" - "${sdist}" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1]) as sdist:
    root = sdist.getnames()[0].split("/")[0]
    licence = sdist.extractfile(f"{root}/LICENSE").read().decode()
    pkg_info = sdist.extractfile(f"{root}/PKG-INFO").read().decode().splitlines()
if "Apache License" not in licence:
    sys.exit(f"test-python-package: {root}/LICENSE is not the Apache licence")
for line in ("License-Expression: Apache-2.0", "License-File: LICENSE"):
    if line not in pkg_info:
        sys.exit(f"test-python-package: the sdist's PKG-INFO lacks '{line}'")
print(f"test-python-package: sdist {root}: LICENSE, License-Expression: Apache-2.0")
PY

# The oldest Python the wheel claims is the one to test on.
floor="$("${PYTHON}" - "${wheel}" <<'PY'
import re, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    meta = wheel.read(name).decode()
match = re.search(r"^Requires-Python: >=(\d+\.\d+)$", meta, re.M)
if not match:
    sys.exit("test-python-package: the wheel's Requires-Python is not '>=X.Y'")
print(match.group(1))
PY
)"
have="$("${PYTHON}" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "${have}" != "${floor}" ]]; then
  echo "test-python-package: ${PYTHON} is Python ${have}; the wheel claims >=${floor}: set PYTHON to a Python ${floor}" >&2
  exit 1
fi

"${PYTHON}" -m venv "${WORK}/venv"
pip=("${WORK}/venv/bin/python" -m pip)

wheelhouse="${XDG_CACHE_HOME:-${HOME}/.cache}/zoom-livestream-gateway/wheelhouse/py${have}-$(
  cat client/python/constraints.txt client/python/pyproject.toml | sha256sum | cut -c1-16)"
if [[ ! -d "${wheelhouse}" ]]; then
  echo "test-python-package: downloading the dependencies' wheels into ${wheelhouse}"
  rm -rf "${wheelhouse}.tmp"
  "${pip[@]}" download -q --only-binary=:all: -c client/python/constraints.txt -d "${wheelhouse}.tmp" "${wheel}"
  rm -f "${wheelhouse}.tmp/$(basename "${wheel}")"
  mv "${wheelhouse}.tmp" "${wheelhouse}"
fi
"${pip[@]}" install -q --no-index --find-links "${wheelhouse}" "${wheel}"
"${pip[@]}" check

mkdir "${WORK}/app"
cp tests/package/python/consumer.py "${WORK}/app/"
stack_start "${WORK}"
gateway="$(stack_get gateway)"
echo "test-python-package: gateway ${gateway}"
(cd "${WORK}/app" && "${WORK}/venv/bin/python" consumer.py "${gateway}")
echo "test-python-package: the consumer of $(basename "${wheel}") passed"
