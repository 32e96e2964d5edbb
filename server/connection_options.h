#ifndef LIVESTREAM_GATEWAY_SERVER_CONNECTION_OPTIONS_H_
#define LIVESTREAM_GATEWAY_SERVER_CONNECTION_OPTIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace livestream_gateway {

// How long the server keeps a client's HTTP/2 connection, and how it probes
// it. A client channel holds one connection for as long as it can, so without
// an age limit callers never reach replicas added after they connected; and
// without an idle limit a connection nobody uses holds a descriptor for ever
// (docs/reliability.md). Defaults and their reasons: docs/operations.md.
struct ConnectionOptions {
  // After this (gRPC adds up to +-10 % jitter) the server sends GOAWAY: new
  // calls go to a new connection, possibly another replica. Zero: never.
  absl::Duration max_connection_age = absl::Minutes(5);
  // How long calls already on an aged connection may still run before it is
  // closed under them; above the longest call (--zoom_timeout bounds it).
  absl::Duration max_connection_age_grace = absl::Seconds(30);
  // A connection without calls for this long gets GOAWAY. Zero: never.
  absl::Duration max_connection_idle = absl::Minutes(5);
  // The server pings a quiet peer this often, and drops it when the ack
  // takes longer than keepalive_timeout. Zero keepalive_time: no pings.
  absl::Duration keepalive_time = absl::Minutes(1);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // Clients (and sidecars) may ping this often without being told
  // "too_many_pings" and disconnected.
  absl::Duration keepalive_min_ping_interval = absl::Seconds(10);
};

// Zero durations mean "off" where the field says so; everything is at most
// 24 h (gRPC takes milliseconds as an int).
absl::Status ValidateConnectionOptions(const ConnectionOptions& options);

// The gRPC server channel arguments (GRPC_ARG_* name, value) that apply
// `options`; an age or idle limit that is off is left out, which gRPC reads
// as never.
std::vector<std::pair<std::string, int>> ConnectionChannelArgs(const ConnectionOptions& options);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_CONNECTION_OPTIONS_H_
