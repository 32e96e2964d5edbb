#!/usr/bin/env bash
# Exercises livestream_server with the pinned grpcurl (tools/versions.env) over
# server reflection, against the zoom_emulator: listing, describing, a
# successful call, and two errors whose google.rpc details grpcurl must decode
# (ErrorInfo for an unknown webinar, BadRequest for a validation error), then
# a configuration set with UpdateLiveStream (whole, then one field through an
# update_mask) and read back with GetLiveStream.
#
#   scripts/test-grpcurl.sh
#
# scripts/stack.py starts the processes, from $LIVESTREAM_SERVER_BIN and
# $ZOOM_EMULATOR_BIN (default: the CMake build under build/). Prints PASS/FAIL
# per check and ends with "N passed, M failed"; exits non-zero if any check
# failed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GRPCURL="${REPO_ROOT}/tools/bin/grpcurl"
SERVICE=zoom.livestream.v1.LiveStreamService
KNOWN_WEBINAR=99289110036 # exists in the emulator and accepts start
UNKNOWN_WEBINAR=12345     # the emulator answers Zoom 400, code 3001
UNCONFIGURED_WEBINAR=99289110037 # exists in the emulator, no live stream configuration

"${REPO_ROOT}/tools/install.sh" grpcurl >/dev/null

WORK="$(mktemp -d "${TMPDIR:-/tmp}/test-grpcurl.XXXXXX")"
# shellcheck source=scripts/lib/stack.bash
source "${REPO_ROOT}/scripts/lib/stack.bash"
cleanup() {
  stack_stop || true
  rm -rf "${WORK}"
}
trap cleanup EXIT

stack_start "${WORK}"
ADDR="$(stack_get gateway)"
echo "test-grpcurl: $("${GRPCURL}" --version 2>&1) against livestream_server on ${ADDR}"

PASSED=0
FAILED=0
OUT=""
RC=0

# grpcurl_run ARGS...: runs grpcurl, keeping its combined output in OUT and its
# exit code in RC (errors are expected in some checks).
grpcurl_run() {
  RC=0
  OUT="$("${GRPCURL}" -plaintext -max-time 15 "$@" 2>&1)" || RC=$?
}

# A check is `begin NAME`, expectations on OUT/RC, then `finish [show]`: PASS
# when every expectation held, else FAIL listing the unmet ones and grpcurl's
# output. `finish show` prints the output on PASS too (the decoded details).
CHECK=""
PROBLEMS=()
begin() {
  CHECK="$1"
  PROBLEMS=()
}
want_ok() { [[ ${RC} -eq 0 ]] || PROBLEMS+=("grpcurl exited ${RC}, want 0"); }
want_error() { [[ ${RC} -ne 0 ]] || PROBLEMS+=("grpcurl exited 0, want an error"); }
want_line() { grep -qxF -- "$1" <<<"${OUT}" || PROBLEMS+=("no line '$1'"); }
want_text() { grep -qF -- "$1" <<<"${OUT}" || PROBLEMS+=("no '$1'"); }
want_no_text() { ! grep -qiF -- "$1" <<<"${OUT}" || PROBLEMS+=("unexpected '$1'"); }
finish() {
  if [[ ${#PROBLEMS[@]} -eq 0 ]]; then
    echo "PASS: ${CHECK}"
    [[ "${1:-}" == show ]] && printf '%s\n' "${OUT}" | sed 's/^/    | /'
    PASSED=$((PASSED + 1))
    return 0
  fi
  echo "FAIL: ${CHECK}"
  printf '    - %s\n' "${PROBLEMS[@]}"
  printf '%s\n' "${OUT}" | sed 's/^/    | /'
  FAILED=$((FAILED + 1))
}

begin "list shows ${SERVICE} and grpc.health.v1.Health"
grpcurl_run "${ADDR}" list
want_ok
want_line "${SERVICE}"
want_line grpc.health.v1.Health
finish

begin "describe ${SERVICE}"
grpcurl_run "${ADDR}" describe "${SERVICE}"
want_ok
want_text "${SERVICE} is a service"
want_text "rpc UpdateStatus ( .zoom.livestream.v1.UpdateStatusRequest ) returns ( .zoom.livestream.v1.UpdateStatusResponse );"
want_text "rpc GetLiveStream ( .zoom.livestream.v1.GetLiveStreamRequest ) returns ( .zoom.livestream.v1.GetLiveStreamResponse );"
want_text "rpc UpdateLiveStream ( .zoom.livestream.v1.UpdateLiveStreamRequest ) returns ( .zoom.livestream.v1.UpdateLiveStreamResponse );"
want_text "rpc BatchUpdateStatus ( .zoom.livestream.v1.BatchUpdateStatusRequest ) returns ( .zoom.livestream.v1.BatchUpdateStatusResponse );"
finish

begin "grpc.health.v1.Health/Check is SERVING"
grpcurl_run -d '{}' "${ADDR}" grpc.health.v1.Health/Check
want_ok
want_text '"status": "SERVING"'
finish

grpcurl_run -d "{\"webinar_id\": \"${KNOWN_WEBINAR}\", \"action\": \"LIVE_STREAM_ACTION_START\"}" \
  "${ADDR}" "${SERVICE}/UpdateStatus"
# grpcurl prints proto field names (tracking_id); accept the JSON name too.
TRACKING_ID="$(sed -n 's/^ *"\(tracking_id\|trackingId\)": "\(.*\)",\{0,1\}$/\2/p' <<<"${OUT}")"
begin "UpdateStatus start webinar ${KNOWN_WEBINAR} succeeds (trackingId: ${TRACKING_ID:-<none>})"
want_ok
[[ -n "${TRACKING_ID}" ]] || PROBLEMS+=("no non-empty trackingId in the response")
finish

begin "unknown webinar ${UNKNOWN_WEBINAR}: NotFound with ErrorInfo decoded (reason ZOOM_WEBINAR_NOT_FOUND)"
grpcurl_run -d "{\"webinar_id\": \"${UNKNOWN_WEBINAR}\", \"action\": \"LIVE_STREAM_ACTION_START\"}" \
  "${ADDR}" "${SERVICE}/UpdateStatus"
want_error
want_text "Code: NotFound"
want_text '"@type": "type.googleapis.com/google.rpc.ErrorInfo"'
want_text '"reason": "ZOOM_WEBINAR_NOT_FOUND"'
want_text '"domain": "zoom-livestream-gateway"'
want_text '"zoomCode": "3001"'
want_no_text "@error"
want_no_text "not recognized"
finish show

begin 'validation error (meeting_id "abc"): InvalidArgument with BadRequest decoded'
grpcurl_run -d '{"meeting_id": "abc", "action": "LIVE_STREAM_ACTION_START"}' "${ADDR}" "${SERVICE}/UpdateStatus"
want_error
want_text "Code: InvalidArgument"
want_text '"@type": "type.googleapis.com/google.rpc.BadRequest"'
want_text '"field": "meeting_id"'
want_text '"@type": "type.googleapis.com/google.rpc.ErrorInfo"'
want_no_text "@error"
want_no_text "not recognized"
finish show

begin "UpdateLiveStream configures webinar ${UNCONFIGURED_WEBINAR}"
grpcurl_run -d "{\"webinar_id\": \"${UNCONFIGURED_WEBINAR}\", \"live_stream\": {
    \"stream_url\": \"rtmp://live.example.com/app\", \"stream_key\": \"grpcurl-key-1\",
    \"page_url\": \"https://example.com/watch\", \"resolution\": \"LIVE_STREAM_RESOLUTION_1080P\"}}" \
  "${ADDR}" "${SERVICE}/UpdateLiveStream"
want_ok
want_text '"stream_url": "rtmp://live.example.com/app"'
finish

begin "UpdateLiveStream with update_mask stream_key changes only the key"
grpcurl_run -d "{\"webinar_id\": \"${UNCONFIGURED_WEBINAR}\", \"live_stream\": {\"stream_key\": \"grpcurl-key-2\"},
    \"update_mask\": {\"paths\": [\"stream_key\"]}}" "${ADDR}" "${SERVICE}/UpdateLiveStream"
want_ok
want_text '"stream_key": "grpcurl-key-2"'
want_text '"page_url": "https://example.com/watch"'
finish

begin "GetLiveStream reads the merged configuration back"
grpcurl_run -d "{\"webinar_id\": \"${UNCONFIGURED_WEBINAR}\"}" "${ADDR}" "${SERVICE}/GetLiveStream"
want_ok
want_text '"stream_url": "rtmp://live.example.com/app"'
want_text '"stream_key": "grpcurl-key-2"'
want_text '"resolution": "LIVE_STREAM_RESOLUTION_1080P"'
finish show

begin 'UpdateLiveStream with an http:// stream_url: InvalidArgument naming live_stream.stream_url'
grpcurl_run -d "{\"webinar_id\": \"${UNCONFIGURED_WEBINAR}\", \"live_stream\": {\"stream_url\": \"http://x\"}}" \
  "${ADDR}" "${SERVICE}/UpdateLiveStream"
want_error
want_text "Code: InvalidArgument"
want_text '"field": "live_stream.stream_url"'
want_no_text "@error"
finish

begin "UpdateStatus with validate_only: OK, an empty response, nothing sent"
grpcurl_run -d "{\"webinar_id\": \"${KNOWN_WEBINAR}\", \"action\": \"LIVE_STREAM_ACTION_STOP\", \"validate_only\": true}" \
  "${ADDR}" "${SERVICE}/UpdateStatus"
want_ok
want_no_text "tracking"
finish

REQUEST_ID="5d0c6a1e-3b7f-4c29-8e14-9a2f6b0d7c31"
grpcurl_run -d "{\"webinar_id\": \"${KNOWN_WEBINAR}\", \"action\": \"LIVE_STREAM_ACTION_STOP\", \"request_id\": \"${REQUEST_ID}\"}" \
  "${ADDR}" "${SERVICE}/UpdateStatus"
FIRST_OUT="${OUT}"
grpcurl_run -d "{\"webinar_id\": \"${KNOWN_WEBINAR}\", \"action\": \"LIVE_STREAM_ACTION_STOP\", \"request_id\": \"${REQUEST_ID}\"}" \
  "${ADDR}" "${SERVICE}/UpdateStatus"
begin "UpdateStatus repeated with its request_id: the same answer (Zoom called once)"
want_ok
[[ "${OUT}" == "${FIRST_OUT}" ]] || PROBLEMS+=("the repeat answered ${OUT}, the first ${FIRST_OUT}")
finish

begin "the same request_id with another body: InvalidArgument REQUEST_ID_REUSED"
grpcurl_run -d "{\"webinar_id\": \"${KNOWN_WEBINAR}\", \"action\": \"LIVE_STREAM_ACTION_START\", \"request_id\": \"${REQUEST_ID}\"}" \
  "${ADDR}" "${SERVICE}/UpdateStatus"
want_error
want_text "Code: InvalidArgument"
want_text '"reason": "REQUEST_ID_REUSED"'
finish show

begin "BatchUpdateStatus with a failed item: OK, a result per item in order, the failure with its details"
grpcurl_run -d "{\"requests\": [
    {\"webinar_id\": \"${KNOWN_WEBINAR}\", \"settings\": {\"display_name\": \"Batch\"}},
    {\"webinar_id\": \"12345678901\", \"action\": \"LIVE_STREAM_ACTION_START\"}]}" \
  "${ADDR}" "${SERVICE}/BatchUpdateStatus"
want_ok
want_text '"tracking_id": "v=2.0;'
want_text '"code": 5'
want_text '"@type": "type.googleapis.com/google.rpc.ErrorInfo"'
want_text '"reason": "ZOOM_WEBINAR_NOT_FOUND"'
want_no_text "@error"
[[ "$(grep -n '"tracking_id"' <<<"${OUT}" | head -1 | cut -d: -f1)" -lt "$(grep -n '"code": 5' <<<"${OUT}" | cut -d: -f1)" ]] ||
  PROBLEMS+=("the results are not in request order")
finish show

begin "BatchUpdateStatus with an item's own request_id: InvalidArgument naming requests[0].request_id"
grpcurl_run -d "{\"requests\": [{\"webinar_id\": \"${KNOWN_WEBINAR}\", \"action\": \"LIVE_STREAM_ACTION_STOP\",
    \"request_id\": \"${REQUEST_ID}\"}]}" "${ADDR}" "${SERVICE}/BatchUpdateStatus"
want_error
want_text "Code: InvalidArgument"
want_text '"field": "requests[0].request_id"'
finish

echo "${PASSED} passed, ${FAILED} failed"
[[ ${FAILED} -eq 0 ]]
