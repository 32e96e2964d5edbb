#!/usr/bin/env bash
# Regenerates the binary seeds of fuzz/corpus/ (the text ones are written by
# hand): UpdateStatusRequest messages encoded by protoc from text format, and
# multipart_roundtrip inputs in FuzzedDataProvider's layout.
set -euo pipefail
cd "$(dirname "$0")/.."

out=fuzz/corpus/update_status_request
request() {  # name, text-format UpdateStatusRequest
  printf '%s\n' "$2" | protoc --encode=zoom.livestream.v1.UpdateStatusRequest -Iprotos \
    protos/zoom/livestream/v1/livestream_service.proto >"$out/$1"
}
request start_webinar 'webinar_id: "99289110036" action: LIVE_STREAM_ACTION_START
  settings { display_name: "Town hall" active_speaker_name: true }'
request stop_meeting 'meeting_id: "85746065" action: LIVE_STREAM_ACTION_STOP'
request settings_only 'webinar_id: "9223372036854775807"
  settings { display_name: "Caf\303\251 \"quoted\" \\ back\\slash" }'
request speaker_only 'meeting_id: "1" settings { active_speaker_name: false }'
request int64_overflow 'webinar_id: "9223372036854775808" action: LIVE_STREAM_ACTION_START'
request path_tricks 'meeting_id: "1/../2%2F" action: 7 settings { display_name: "" }'
request bidi_display_name 'webinar_id: "12345" action: LIVE_STREAM_ACTION_START
  settings { display_name: "evil\342\200\256gpj.exe" }'
request no_target 'action: LIVE_STREAM_ACTION_START settings { display_name: "a\nb" }'
request request_ids 'webinar_id: "12345" action: LIVE_STREAM_ACTION_START
  request_id: "8F14E45F-CEEA-467A-9575-9A3D4C6B0A21" validate_only: true'
request bad_request_id 'meeting_id: "1" settings { active_speaker_name: false } request_id: "1"'

# FuzzedDataProvider reads strings from the front (a backslash followed by
# another byte ends one; "\\" is a backslash) and integers from the back: the
# last byte picks the boundary mode (even: the input's own; odd: ChooseBoundary),
# the one before it the number of fields (modulo 9).
out=fuzz/corpus/multipart_roundtrip
printf 'XyZ\\ action\\ start\\ settings\\ {"display_name":"Town hall"}\\ \x02\x00' >"$out/zoom_form"
printf 'a:b=c/d e\\ na"me\\ v\r\n--a:b=c/d ex\\ \x01\x00' >"$out/quoted_boundary"
printf '\\ \r\n\\ \r\n------------------------0\r\n--\\ \\\\\\ \x02\x01' >"$out/chosen_boundary"
