#ifndef LIVESTREAM_GATEWAY_SERVER_CONFIG_H_
#define LIVESTREAM_GATEWAY_SERVER_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/usage_config.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/authz/authz_policy.h"
#include "server/authz/bearer_tokens.h"
#include "server/connection_options.h"
#include "server/defaults.h"
#include "server/listener_security.h"
#include "server/logging/log_line.h"
#include "server/metadata_limit.h"
#include "server/redis/redis_url.h"
#include "server/zoom/zoom_request.h"

namespace livestream_gateway {

// Everything the process is configured with, validated once at startup.
struct Config {
  std::string listen = defaults::kListen;
  std::string port_file;
  // Prometheus /metrics (host:port; port 0 picks one); empty turns it off.
  std::string metrics_listen;
  std::string metrics_port_file;
  // TLS or mTLS on the listener; plaintext only on loopback unless allowed.
  ListenerSecurity listener_security;
  std::string zoom_api_base_url = defaults::kZoomApiBaseUrl;
  // Secret: never log it, never put it in an error message.
  std::string zoom_access_token;
  // Server-to-Server OAuth (all three, or none).
  std::string zoom_account_id;
  std::string zoom_client_id;
  // Secret, like the access token.
  std::string zoom_client_secret;
  std::string zoom_oauth_url = defaults::kZoomOAuthUrl;
  // Calls may bring their own token in the x-zoom-access-token metadata.
  bool allow_caller_token = false;
  // 0 turns client-side rate limiting off (and with it the pause on 429).
  double zoom_rate_limit_qps = defaults::kZoomRateLimitQps;
  int zoom_rate_limit_burst = defaults::kZoomRateLimitBurst;
  // Longest account-wide pause a 429's Retry-After may impose; 0 turns it off.
  absl::Duration zoom_max_retry_after_pause = defaults::kZoomMaxRetryAfterPause;
  int zoom_max_attempts = defaults::kZoomMaxAttempts;
  BodyEncoding zoom_body_encoding = ZoomRequestOptions{}.encoding;
  absl::Duration zoom_timeout = defaults::kZoomTimeout;
  int zoom_max_connections = defaults::kZoomMaxConnections;
  absl::Duration zoom_connect_timeout = defaults::kZoomConnectTimeout;
  // PEM CA bundle upstream HTTPS certificates must chain to instead of the
  // system's; empty for the system's.
  std::string zoom_ca_file;
  absl::Duration shutdown_grace = defaults::kShutdownGrace;
  // Connection age, idle limit and keepalive (--max_connection_age etc.).
  ConnectionOptions connections;
  int max_request_bytes = 64 * 1024;
  // Request metadata at most, counted as HTTP/2 counts a header list (see
  // server/metadata_limit.h).
  int max_metadata_bytes = kDefaultMaxMetadataBytes;
  bool log_requests = defaults::kLogRequests;
  // Caller authorization (server/authz/). Without a policy every caller is
  // allowed; the tokens and the forwarded certificate need one.
  std::string authz_policy_file;
  std::shared_ptr<const AuthzPolicy> authz_policy;
  std::shared_ptr<const BearerTokens> authz_bearer_tokens;
  bool trust_forwarded_client_cert = false;
  // How often the policy file is checked for changes.
  absl::Duration authz_reload_interval = defaults::kAuthzReloadInterval;
  // How long and how many request_id outcomes are remembered.
  absl::Duration request_id_ttl = defaults::kRequestIdTtl;
  size_t request_id_max_entries = defaults::kRequestIdMaxEntries;
  // Replicas share the account's rate limit through this Redis
  // (--redis_url; its password is a secret); unset, the limit is this
  // process's own.
  std::optional<redis::RedisEndpoint> redis;
  absl::Duration redis_timeout = defaults::kRedisTimeout;
  double redis_fallback_share = defaults::kRedisFallbackShare;
  // For stderr once at start-up (e.g. a secret file others can read); never
  // hold a secret.
  std::vector<std::string> warnings;
};

// Reads the absl flags defined in config.cc and the environment
// (ZOOM_ACCESS_TOKEN; ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET).
// The error names the offending flag or variable (and file), never a secret.
absl::StatusOr<Config> ConfigFromFlagsAndEnv();

// --log_format. Read apart from the rest (which ConfigFromFlagsAndEnv
// checks, this flag included) so that the process logs in its format before
// the configuration is known, and even when it is refused.
absl::StatusOr<LogFormat> LogFormatFromFlags();

// The environment ConfigFromFlagsAndEnv reads, for --help (absl lists flags
// only).
inline constexpr char kEnvironmentUsage[] =
    "Zoom credentials, exactly one kind (or none with --allow_caller_token), from the "
    "environment:\n"
    "  ZOOM_ACCESS_TOKEN    a static access token (or --zoom_access_token_file)\n"
    "  ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET\n"
    "                       Server-to-Server OAuth (the secret may come from "
    "--zoom_client_secret_file)";

// What absl's --help, --helpshort and --helppackage list: every flag defined
// in the directory of config.cc or below (server/). absl's default lists only
// flags of a file named after the binary, which ours are not. --helpfull
// still lists every linked flag.
absl::FlagsUsageConfig ServerFlagsUsageConfig();

// The rules ConfigFromFlagsAndEnv applies, separated for tests. Credentials:
// a static token, or the OAuth triple, or --allow_caller_token (alone or with
// either of the others); never both a static token and OAuth.
absl::Status ValidateConfig(const Config& config);

// Whether the server authenticates with Server-to-Server OAuth.
inline bool UsesOAuth(const Config& config) { return !config.zoom_client_id.empty(); }

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_CONFIG_H_
