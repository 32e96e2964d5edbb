#!/usr/bin/env bash
# Sets up, builds and runs livestream_server. Without Zoom credentials in the
# environment it starts the bundled Zoom emulator and points the server at it.
#   LISTEN (default 127.0.0.1:50051)   where the gRPC server listens; any address
#                                      but loopback also needs TLS flags
#                                      (--tls_cert_file=... --tls_key_file=...) or
#                                      --allow_plaintext_non_loopback as arguments
#   ZOOM_ACCOUNT_ID + ZOOM_CLIENT_ID + ZOOM_CLIENT_SECRET, or ZOOM_ACCESS_TOKEN /
#   ZOOM_ACCESS_TOKEN_FILE   real Zoom credentials
# Extra arguments go to livestream_server (see `build/server/livestream_server --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build

listen="${LISTEN:-127.0.0.1:50051}"
server_args=("--listen=$listen")
emulator_pid=""
cleanup() { if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

if [ -n "${ZOOM_CLIENT_ID:-}" ] && [ -n "${ZOOM_ACCOUNT_ID:-}" ]; then
  echo "run: using Server-to-Server OAuth against the real Zoom API" >&2
elif [ -n "${ZOOM_ACCESS_TOKEN:-}" ]; then
  echo "run: using ZOOM_ACCESS_TOKEN against the real Zoom API" >&2
elif [ -n "${ZOOM_ACCESS_TOKEN_FILE:-}" ]; then
  echo "run: using the token in $ZOOM_ACCESS_TOKEN_FILE against the real Zoom API" >&2
  server_args+=("--zoom_access_token_file=$ZOOM_ACCESS_TOKEN_FILE")
else
  port_file="$(mktemp)"
  rm -f "$port_file"
  build/tests/zoom_emulator/zoom_emulator --listen=127.0.0.1:0 --port_file="$port_file" &
  emulator_pid=$!
  for _ in $(seq 1 100); do [ -s "$port_file" ] && break; sleep 0.1; done
  emulator_port="$(cat "$port_file")"
  rm -f "$port_file"
  echo "run: no Zoom credentials set: using the Zoom emulator on 127.0.0.1:$emulator_port" >&2
  export ZOOM_ACCESS_TOKEN=emulator-token
  server_args+=("--zoom_api_base_url=http://127.0.0.1:$emulator_port/v2")
fi

# shellcheck source=tools/versions.env
source tools/versions.env
cat >&2 <<MSG

Try it (grpcurl, or the bundled CLI):
  grpcurl -plaintext -d '{"webinar_id":"99289110036","action":"LIVE_STREAM_ACTION_START"}' \\
    $listen zoom.livestream.v1.LiveStreamService/UpdateStatus
  build/client/cpp/livestreamctl --target=$listen start --webinar 99289110036
(grpcurl: \`go install github.com/fullstorydev/grpcurl/cmd/grpcurl@${GRPCURL_VERSION}\`; the test command installs it in tools/bin.)
Stop with Ctrl-C.

MSG
build/server/livestream_server "${server_args[@]}" "$@" &
server_pid=$!
trap 'kill -TERM $server_pid 2>/dev/null || true' INT TERM
wait "$server_pid" || true
wait "$server_pid" 2>/dev/null || true
