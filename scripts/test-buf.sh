#!/usr/bin/env bash
# API hygiene of protos/ with the pinned buf (tools/versions.env, from npm):
#   1. buf lint                          (buf.yaml: STANDARD)
#   2. buf format --diff --exit-code     (canonical formatting)
#   3. buf breaking                      (buf.yaml: PACKAGE) against the
#      previous commit, HEAD~1, or $BUF_AGAINST_REF (e.g. origin/main).
#      Skipped, with a message, when there is nothing to compare against: no
#      git checkout, a single commit, a shallow clone without that commit, or
#      a commit that predates buf.yaml/protos.
#
#   scripts/test-buf.sh
#
# Prints PASS/FAIL/SKIP per check, ends with "N passed, M failed"; exits
# non-zero if any check failed (a skip is not a failure).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"${REPO_ROOT}/tools/install.sh" buf >/dev/null
BUF="${REPO_ROOT}/tools/node_modules/.bin/buf"
AGAINST_REF="${BUF_AGAINST_REF:-HEAD~1}"
cd "${REPO_ROOT}"

PASSED=0
FAILED=0
WORK="$(mktemp -d "${TMPDIR:-/tmp}/test-buf.XXXXXX")"
trap 'rm -rf "${WORK}"' EXIT

# run NAME COMMAND...: PASS if COMMAND exits 0, else FAIL with its output.
run() {
  local name="$1" out rc=0
  shift
  out="$("$@" 2>&1)" || rc=$?
  if [[ ${rc} -eq 0 ]]; then
    echo "PASS: ${name}"
    PASSED=$((PASSED + 1))
  else
    echo "FAIL: ${name} (exit ${rc})"
    printf '%s\n' "${out}" | sed 's/^/    | /'
    FAILED=$((FAILED + 1))
  fi
}

echo "test-buf: buf $("${BUF}" --version)"
run "buf lint" "${BUF}" lint
# Only our protos: the vendored ones stay byte for byte as upstream wrote them.
run "buf format --diff --exit-code" "${BUF}" format protos --diff --exit-code

# The baseline is exported with git archive rather than given to buf as a
# .git input: that works the same in shallow clones and worktrees and never
# makes buf clone anything.
skip_reason=""
if ! git -C "${REPO_ROOT}" rev-parse --git-dir >/dev/null 2>&1; then
  skip_reason="not a git checkout"
elif ! against_sha="$(git rev-parse --verify -q "${AGAINST_REF}^{commit}")"; then
  if [[ "$(git rev-parse --is-shallow-repository 2>/dev/null)" == "true" ]]; then
    skip_reason="${AGAINST_REF} is not in this shallow clone (fetch more history to compare)"
  else
    skip_reason="${AGAINST_REF} does not exist (single-commit history)"
  fi
elif ! git cat-file -e "${against_sha}:buf.yaml" 2>/dev/null ||
  ! git cat-file -e "${against_sha}:protos" 2>/dev/null; then
  skip_reason="${AGAINST_REF} (${against_sha:0:12}) has no buf.yaml or protos/ to compare against"
fi

if [[ -n "${skip_reason}" ]]; then
  echo "SKIP: buf breaking: ${skip_reason}"
else
  paths=(buf.yaml protos)
  git cat-file -e "${against_sha}:buf.lock" 2>/dev/null && paths+=(buf.lock)
  git archive "${against_sha}" "${paths[@]}" | tar -x -C "${WORK}"
  # buf compares workspaces module by module: the baseline gets today's
  # module list and vendored imports (which the checks ignore), so that a
  # baseline from before third_party/googleapis existed still compares.
  cp buf.yaml "${WORK}/buf.yaml"
  mkdir -p "${WORK}/third_party"
  rm -rf "${WORK}/third_party/googleapis"
  cp -R third_party/googleapis "${WORK}/third_party/googleapis"
  run "buf breaking against ${AGAINST_REF} (${against_sha:0:12})" "${BUF}" breaking --against "${WORK}"
fi

echo "${PASSED} passed, ${FAILED} failed"
[[ ${FAILED} -eq 0 ]]
