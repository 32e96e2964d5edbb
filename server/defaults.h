#ifndef LIVESTREAM_GATEWAY_SERVER_DEFAULTS_H_
#define LIVESTREAM_GATEWAY_SERVER_DEFAULTS_H_

// The server's defaults, each written once. The flags (server/config.cc),
// Config's members and the option structs of the libraries that apply a
// setting all start from these, so that a library used on its own (as the
// unit tests do) behaves as in the server. Two groups live beside their
// rules instead: the client connection limits in ConnectionOptions
// (connection_options.h) and the metadata limit in metadata_limit.h.
//
// Text that repeats a default for readers (the flag tables of README.md and
// docs/) is held to `livestream_server --helpfull` by tests/docs; the bench
// reads its pool size from --helpfull too.

#include <cstddef>

#include "absl/time/time.h"

namespace livestream_gateway::defaults {

inline constexpr char kListen[] = "127.0.0.1:50051";
inline constexpr absl::Duration kTlsRefreshInterval = absl::Seconds(60);
inline constexpr char kZoomApiBaseUrl[] = "https://api.zoom.us/v2";
inline constexpr char kZoomOAuthUrl[] = "https://zoom.us/oauth/token";
// Zoom Pro's per-account rate limit for "Light" APIs.
inline constexpr double kZoomRateLimitQps = 30;
inline constexpr int kZoomRateLimitBurst = 5;
inline constexpr absl::Duration kZoomMaxRetryAfterPause = absl::Seconds(60);
inline constexpr int kZoomMaxAttempts = 3;
// Bounds a Zoom call, and a token request, when the caller allows longer.
inline constexpr absl::Duration kZoomTimeout = absl::Seconds(10);
inline constexpr int kZoomMaxConnections = 256;
inline constexpr absl::Duration kZoomConnectTimeout = absl::Seconds(5);
inline constexpr absl::Duration kShutdownGrace = absl::Seconds(10);
inline constexpr bool kLogRequests = true;
inline constexpr absl::Duration kAuthzReloadInterval = absl::Seconds(10);
// How long, and for how many requests, the outcome of a request_id is
// remembered (server/idempotency/request_id_store.h): longer than a caller's
// retries take, and a bound on the memory a flood of distinct ids can take.
inline constexpr absl::Duration kRequestIdTtl = absl::Minutes(10);
inline constexpr size_t kRequestIdMaxEntries = 100'000;
// Bounds a round trip to Redis (--redis_url): on one network a few hundred
// microseconds; far longer means Redis is in trouble and the replica falls
// back to its local share.
inline constexpr absl::Duration kRedisTimeout = absl::Milliseconds(250);
// The share of the account's rate limit one replica allows itself while it
// cannot reach Redis: all of it, as a replica without Redis does. With N
// replicas, 1/N keeps them under the limit together (docs/scaling.md).
inline constexpr double kRedisFallbackShare = 1.0;

}  // namespace livestream_gateway::defaults

#endif  // LIVESTREAM_GATEWAY_SERVER_DEFAULTS_H_
