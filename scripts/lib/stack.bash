# Sourced by the bash scripts that need a running stack: runs scripts/stack.py
# with its stdin on a pipe this shell holds, so the stack stops when the script
# ends, even when the script is killed.
#
#   stack_start DIR ARGS...  starts `scripts/stack.py ARGS...` (a FIFO in DIR
#                            carries its JSON line) and waits until it is
#                            ready: STACK_JSON holds the line. Returns the
#                            launcher's exit code (1 when it did not start);
#                            the launcher has said why on stderr.
#   stack_get KEY[.KEY...]   prints one value of STACK_JSON
#                            (stack_get gateway, stack_get gateways.tls.target)
#   stack_stop               closes the launcher's stdin and waits until it
#                            has stopped every process
# shellcheck shell=bash

STACK_LAUNCHER="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/stack.py"
STACK_PID=""
STACK_IN=""
STACK_JSON=""

stack_start() {
  local dir="$1" fifo out rc=0
  shift
  fifo="${dir}/stack.json.fifo"
  rm -f "${fifo}"
  mkfifo "${fifo}" || return 1
  # Not a coprocess: bash closes a coprocess's descriptors when it exits,
  # which would race with reading its error.
  exec {STACK_IN}> >(exec "${STACK_LAUNCHER}" "$@" >"${fifo}")
  STACK_PID=$!
  exec {out}<"${fifo}"
  IFS= read -r STACK_JSON <&"${out}" || true
  exec {out}<&-
  rm -f "${fifo}"
  if [[ -z "${STACK_JSON}" ]]; then
    stack_stop || rc=$?
    return $((rc == 0 ? 1 : rc))
  fi
}

stack_get() {
  python3 -c '
import json, sys
value = json.loads(sys.argv[1])
for key in sys.argv[2].split("."):
    value = value[key]
print(value)' "${STACK_JSON}" "$1"
}

stack_stop() {
  local rc=0
  [[ -n "${STACK_IN}" ]] || return 0
  exec {STACK_IN}>&-
  STACK_IN=""
  wait "${STACK_PID}" || rc=$?
  STACK_PID=""
  return "${rc}"
}
