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
# Only what runs here; the tests are built by the test command.
TARGETS="livestream_server zoom_emulator livestreamctl" scripts/build.sh build

listen="${LISTEN:-127.0.0.1:50051}"
# scripts/stack.py starts the server, and before it the emulator unless real
# credentials are set; their output goes to this terminal.
stack_args=(--listen="$listen" --inherit-output --server-bin=build/server/livestream_server
  --emulator-bin=build/tests/zoom_emulator/zoom_emulator)
server_args=()

if [ -n "${ZOOM_CLIENT_ID:-}" ] && [ -n "${ZOOM_ACCOUNT_ID:-}" ]; then
  echo "run: using Server-to-Server OAuth against the real Zoom API" >&2
  stack_args+=(--no-emulator)
elif [ -n "${ZOOM_ACCESS_TOKEN:-}" ]; then
  echo "run: using ZOOM_ACCESS_TOKEN against the real Zoom API" >&2
  stack_args+=(--no-emulator)
elif [ -n "${ZOOM_ACCESS_TOKEN_FILE:-}" ]; then
  echo "run: using the token in $ZOOM_ACCESS_TOKEN_FILE against the real Zoom API" >&2
  stack_args+=(--no-emulator)
  server_args+=("--zoom_access_token_file=$ZOOM_ACCESS_TOKEN_FILE")
fi

stack_dir="$(mktemp -d)"
# shellcheck source=scripts/lib/stack.bash
source scripts/lib/stack.bash
cleanup() {
  stack_stop || true
  rm -rf "$stack_dir"
}
trap cleanup EXIT
# Ctrl-C reaches the launcher too; either way it stops the server, then the emulator.
trap 'kill -TERM $STACK_PID 2>/dev/null || true' INT TERM
stack_start "$stack_dir" "${stack_args[@]}" -- "${server_args[@]}" "$@"
if emulator="$(stack_get emulator 2>/dev/null)"; then
  echo "run: no Zoom credentials set: using the Zoom emulator on $emulator" >&2
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
wait "$STACK_PID" || true
wait "$STACK_PID" 2>/dev/null || true
