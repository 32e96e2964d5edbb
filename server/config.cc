#include "server/config.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "server/config_file.h"
#include "server/defaults.h"
#include "server/host_port.h"

ABSL_FLAG(std::string, listen, livestream_gateway::defaults::kListen,
          "Address the gRPC server listens on (host:port; port 0 picks a free port).");
ABSL_FLAG(std::string, port_file, "",
          "If set, the bound port is written to this file (atomically) once the server serves.");
ABSL_FLAG(std::string, metrics_listen, "",
          "Address of the Prometheus metrics endpoint, GET /metrics over plain HTTP (host:port; "
          "port 0 picks a free port). Empty (the default) turns metrics off.");
ABSL_FLAG(std::string, metrics_port_file, "",
          "If set, the bound metrics port is written to this file (atomically) once the server "
          "serves. Needs --metrics_listen.");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain the server presents; with --tls_key_file turns TLS on. Re-read "
          "every --tls_refresh_interval, so certificates rotate without a restart (replace the "
          "files atomically, e.g. by swapping a directory symlink as Kubernetes Secret volumes "
          "do).");
ABSL_FLAG(std::string, tls_key_file, "",
          "PEM private key of --tls_cert_file (a secret: keep it readable by the owner only).");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA bundle for mTLS: every client must present a certificate signed by one of "
          "these CAs, or its handshake fails. Needs --tls_cert_file and --tls_key_file.");
ABSL_FLAG(absl::Duration, tls_refresh_interval, livestream_gateway::defaults::kTlsRefreshInterval,
          "How often the TLS certificate, key and client CA files are checked for changes "
          "(at least 1s).");
ABSL_FLAG(bool, allow_plaintext_non_loopback, false,
          "Allow plaintext on a --listen address other than loopback, for a service-mesh "
          "sidecar that terminates mTLS in front of the server. Without it, a non-loopback "
          "--listen needs --tls_cert_file and --tls_key_file.");
ABSL_FLAG(int32_t, max_metadata_bytes, livestream_gateway::kDefaultMaxMetadataBytes,
          "Most bytes of request metadata (headers) a call may carry, each entry counted as its "
          "name, its value and 32 bytes (as HTTP/2 counts them); larger calls get "
          "RESOURCE_EXHAUSTED. At least 12288, so that an 8 KiB x-zoom-access-token always fits.");
ABSL_FLAG(std::string, zoom_api_base_url, livestream_gateway::defaults::kZoomApiBaseUrl,
          "Base URL of the Zoom REST API (point it at the zoom_emulator for local runs).");
ABSL_FLAG(std::string, zoom_access_token_file, "",
          "File holding the Zoom access token (used when ZOOM_ACCESS_TOKEN is not set).");
ABSL_FLAG(std::string, zoom_client_secret_file, "",
          "File holding the Server-to-Server OAuth client secret (used when ZOOM_CLIENT_SECRET is "
          "not set); ZOOM_ACCOUNT_ID and ZOOM_CLIENT_ID come from the environment.");
ABSL_FLAG(std::string, zoom_oauth_url, livestream_gateway::defaults::kZoomOAuthUrl,
          "Zoom's OAuth token endpoint, for Server-to-Server OAuth (point it at the zoom_emulator "
          "for local runs).");
ABSL_FLAG(bool, allow_caller_token, false,
          "Use the Zoom access token a call sends in its x-zoom-access-token metadata for that "
          "call, instead of the server's credentials (for user-level OAuth apps). Without this "
          "flag such calls are refused.");
ABSL_FLAG(double, zoom_rate_limit_qps, livestream_gateway::defaults::kZoomRateLimitQps,
          "Most requests per second this process sends to Zoom (Zoom Pro's per-account 'Light' "
          "limit is 30); calls wait for a slot within their deadline. 0 turns client-side rate "
          "limiting off, including the account-wide pause after a 429.");
ABSL_FLAG(int32_t, zoom_rate_limit_burst, livestream_gateway::defaults::kZoomRateLimitBurst,
          "Requests that may go to Zoom back to back after a quiet spell, before pacing at "
          "--zoom_rate_limit_qps sets in.");
ABSL_FLAG(absl::Duration, zoom_max_retry_after_pause,
          livestream_gateway::defaults::kZoomMaxRetryAfterPause,
          "Longest pause of every call to Zoom that one HTTP 429's Retry-After may impose "
          "(Zoom's daily limits ask for up to a day); at its end one call probes Zoom again. "
          "0s turns the account-wide pause off. At most 24h.");
ABSL_FLAG(int32_t, zoom_max_attempts, livestream_gateway::defaults::kZoomMaxAttempts,
          "Most attempts per call, the first included, when Zoom answers 429, 502, 503 or 504 or "
          "cannot be reached (1 turns retries off).");
ABSL_FLAG(std::string, zoom_body_encoding, "multipart",
          "Body of the Zoom PATCH: 'multipart' (multipart/form-data, as Zoom's Postman "
          "collection sends) or 'json' (application/json, as Zoom's OpenAPI spec documents).");
ABSL_FLAG(absl::Duration, zoom_timeout, livestream_gateway::defaults::kZoomTimeout,
          "Upper bound of one Zoom call; the caller's deadline applies when it is shorter.");
ABSL_FLAG(int32_t, zoom_max_connections, livestream_gateway::defaults::kZoomMaxConnections,
          "Most concurrent upstream HTTP/1.1 connections (size it as request rate x Zoom "
          "latency); calls beyond it wait in the server's queue within their deadline.");
ABSL_FLAG(absl::Duration, zoom_connect_timeout, livestream_gateway::defaults::kZoomConnectTimeout,
          "Upper bound of establishing one upstream connection.");
ABSL_FLAG(std::string, zoom_ca_file, "",
          "PEM CA bundle that the certificates of the HTTPS upstreams (the Zoom API and OAuth "
          "endpoints) must chain to, instead of the system's CA store (e.g. a private CA of a "
          "TLS-inspecting proxy, or a test upstream).");
ABSL_FLAG(absl::Duration, shutdown_grace, livestream_gateway::defaults::kShutdownGrace,
          "On SIGTERM/SIGINT, how long in-flight calls may take to finish before they are "
          "cancelled.");
ABSL_FLAG(absl::Duration, max_connection_age,
          livestream_gateway::ConnectionOptions{}.max_connection_age,
          "A client connection older than this (+-10 %) is sent GOAWAY: its calls in flight may "
          "finish within --max_connection_age_grace, new calls open a new connection, so clients "
          "spread over replicas added since. 0s: never.");
ABSL_FLAG(absl::Duration, max_connection_age_grace,
          livestream_gateway::ConnectionOptions{}.max_connection_age_grace,
          "How long calls still running on an aged connection may take before it is closed "
          "under them; keep it above --zoom_timeout.");
ABSL_FLAG(absl::Duration, max_connection_idle,
          livestream_gateway::ConnectionOptions{}.max_connection_idle,
          "A client connection without calls for this long is closed (GOAWAY); the client "
          "reconnects when it next calls. 0s: never.");
ABSL_FLAG(absl::Duration, keepalive_time, livestream_gateway::ConnectionOptions{}.keepalive_time,
          "How often the server pings a quiet client connection to find dead peers. 0s: never.");
ABSL_FLAG(absl::Duration, keepalive_timeout,
          livestream_gateway::ConnectionOptions{}.keepalive_timeout,
          "How long the server waits for a ping's acknowledgement before closing the connection.");
ABSL_FLAG(absl::Duration, keepalive_min_ping_interval,
          livestream_gateway::ConnectionOptions{}.keepalive_min_ping_interval,
          "Shortest interval between a client's keepalive pings the server accepts; clients that "
          "ping more often are disconnected (\"too_many_pings\").");
ABSL_FLAG(bool, log_requests, livestream_gateway::defaults::kLogRequests,
          "Write one log line per RPC to stderr.");
ABSL_FLAG(std::string, authz_policy_file, "",
          "Caller authorization policy in gRPC's authorization policy JSON (name, deny_rules, "
          "allow_rules); reloaded when it changes. Unset: every caller is allowed.");
ABSL_FLAG(std::string, authz_bearer_tokens_file, "",
          "Callers' bearer tokens (authorization: Bearer <token>), one 'sha256:<hex of the "
          "token's SHA-256> <principal>' line each. Needs --authz_policy_file.");
ABSL_FLAG(bool, trust_forwarded_client_cert, false,
          "Take the caller's principal from the x-forwarded-client-cert header, which a mesh "
          "sidecar (Envoy, Istio) sets. Only when every call comes through that proxy: anyone "
          "else could write the header. Needs --authz_policy_file.");
ABSL_FLAG(absl::Duration, authz_reload_interval, livestream_gateway::defaults::kAuthzReloadInterval,
          "How often --authz_policy_file is checked for changes.");
ABSL_FLAG(absl::Duration, request_id_ttl, livestream_gateway::defaults::kRequestIdTtl,
          "How long the outcome of a request_id (AIP-155) is remembered after its call ends: a "
          "repeat within it gets the same answer without a call to Zoom. Within 1s..24h.");
ABSL_FLAG(int64_t, request_id_max_entries,
          static_cast<int64_t>(livestream_gateway::defaults::kRequestIdMaxEntries),
          "How many request_ids are remembered at once (in flight and completed); the oldest "
          "completed are forgotten first. Bounds the memory a flood of ids takes (about 0.4 KiB "
          "each). Within 1..10000000.");
ABSL_FLAG(std::string, redis_url, "",
          "Redis shared by the replicas, redis://[[user]:password@]host[:port][/db]: they then "
          "share Zoom's per-account rate limit (--zoom_rate_limit_qps and _burst are the "
          "account's, for all replicas together), the pause after a 429 and the outcomes of "
          "request_ids. rediss:// (TLS) is not supported (docs/scaling.md). Empty (the "
          "default): each process keeps its own.");
ABSL_FLAG(std::string, redis_password_file, "",
          "File holding the password of --redis_url's Redis (instead of one in the URL).");
ABSL_FLAG(absl::Duration, redis_timeout, livestream_gateway::defaults::kRedisTimeout,
          "Upper bound of connecting to Redis and of one round trip to it (a call's own deadline "
          "applies when it is shorter); a Redis slower than this counts as unreachable. Within "
          "10ms..10s.");
ABSL_FLAG(double, redis_fallback_share, livestream_gateway::defaults::kRedisFallbackShare,
          "While Redis cannot be reached, each replica allows itself this share of "
          "--zoom_rate_limit_qps (and of the burst) on its own, e.g. 1/N for N replicas; shared "
          "limiting resumes by itself when Redis answers. Within (0, 1].");
ABSL_FLAG(std::string, log_format, "logfmt",
          "Format of every line written to stderr: 'logfmt' (time=... level=info msg=... "
          "key=value) or 'json' (one JSON object per line).");

namespace livestream_gateway {
namespace {

// An unset and an empty variable mean the same: nothing configured.
std::string EnvOrEmpty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : std::string(absl::StripAsciiWhitespace(value));
}

// Far above any Zoom credential (an access token is a JWT of about 1 KiB).
constexpr size_t kMaxSecretFileBytes = size_t{16} * 1024;

// The file's surrounding whitespace (an editor's final newline) is dropped.
absl::StatusOr<std::string> ReadSecretFile(absl::string_view flag, const std::string& path,
                                           std::vector<std::string>& warnings) {
  absl::StatusOr<ConfigFile> file =
      ReadConfigFile(flag, path, {.max_bytes = kMaxSecretFileBytes, .secret = true});
  if (!file.ok()) return file.status();
  std::string secret(absl::StripAsciiWhitespace(file->contents));
  if (secret.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": ", path, " holds only whitespace"));
  }
  if (!file->warning.empty()) warnings.push_back(std::move(file->warning));
  return secret;
}

// Credentials travel in HTTP headers (Bearer, Basic) and a form body: a
// space, control character or non-ASCII byte inside one is a paste error or
// an injection attempt, never part of a Zoom credential.
bool IsCredentialText(absl::string_view value) {
  return absl::c_all_of(value, [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f;
  });
}

// The messages name settings, never their values: two of them are secrets.
absl::Status ValidateCredentials(const Config& config) {
  const bool static_token = !config.zoom_access_token.empty();
  std::vector<absl::string_view> oauth_missing;
  if (config.zoom_account_id.empty()) oauth_missing.push_back("ZOOM_ACCOUNT_ID");
  if (config.zoom_client_id.empty()) oauth_missing.push_back("ZOOM_CLIENT_ID");
  if (config.zoom_client_secret.empty()) {
    oauth_missing.push_back("ZOOM_CLIENT_SECRET (or --zoom_client_secret_file)");
  }
  const bool oauth_any = oauth_missing.size() < 3;
  if (oauth_any && !oauth_missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Server-to-Server OAuth needs ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and "
                     "ZOOM_CLIENT_SECRET; missing: ",
                     absl::StrJoin(oauth_missing, ", ")));
  }
  if (static_token && oauth_any) {
    return absl::InvalidArgumentError(
        "both a static Zoom access token (ZOOM_ACCESS_TOKEN or --zoom_access_token_file) and "
        "Server-to-Server OAuth (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET) are set: "
        "choose one");
  }
  if (!static_token && !oauth_any && !config.allow_caller_token) {
    return absl::InvalidArgumentError(
        "no Zoom credentials: set ZOOM_ACCESS_TOKEN or --zoom_access_token_file, or "
        "ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET for Server-to-Server OAuth, or "
        "--allow_caller_token");
  }
  if (!IsCredentialText(config.zoom_access_token)) {
    return absl::InvalidArgumentError(
        "the Zoom access token (ZOOM_ACCESS_TOKEN or --zoom_access_token_file) must be a single "
        "line of printable ASCII, without spaces or control characters");
  }
  if (!IsCredentialText(config.zoom_account_id) || !IsCredentialText(config.zoom_client_id) ||
      !IsCredentialText(config.zoom_client_secret)) {
    return absl::InvalidArgumentError(
        "ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET (or --zoom_client_secret_file) "
        "must each be a single line of printable ASCII, without spaces or control characters");
  }
  if (oauth_any && !absl::StartsWith(config.zoom_oauth_url, "https://") &&
      !absl::StartsWith(config.zoom_oauth_url, "http://")) {
    return absl::InvalidArgumentError("--zoom_oauth_url must start with https:// or http://");
  }
  return absl::OkStatus();
}

// Identities without a policy would be checked and then ignored: refused, so
// nobody believes callers are restricted when they are not.
absl::Status ValidateAuthzConfig(const Config& config) {
  if (config.authz_policy == nullptr) {
    if (config.authz_bearer_tokens != nullptr) {
      return absl::InvalidArgumentError(
          "--authz_bearer_tokens_file needs --authz_policy_file (without a policy every caller "
          "is allowed)");
    }
    if (config.trust_forwarded_client_cert) {
      return absl::InvalidArgumentError(
          "--trust_forwarded_client_cert needs --authz_policy_file (without a policy every "
          "caller is allowed)");
    }
  }
  if (config.authz_reload_interval < absl::Milliseconds(10) ||
      config.authz_reload_interval > absl::Hours(1)) {
    return absl::InvalidArgumentError("--authz_reload_interval must be within 10ms..1h");
  }
  return absl::OkStatus();
}

// Reads and parses --authz_policy_file at start-up (FileWatcher reloads it).
absl::StatusOr<std::shared_ptr<const AuthzPolicy>> LoadAuthzPolicy(
    const std::string& path, std::vector<std::string>& warnings) {
  absl::StatusOr<ConfigFile> file =
      ReadConfigFile("authz_policy_file", path, {.max_bytes = kMaxAuthzPolicyBytes});
  if (!file.ok()) return file.status();
  absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(file->contents);
  if (!policy.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--authz_policy_file: ", path, ": ", policy.status().message()));
  }
  if (!file->warning.empty()) warnings.push_back(std::move(file->warning));
  return std::make_shared<const AuthzPolicy>(*std::move(policy));
}

// --redis_url and its password, which may come from the URL or a file, not
// both. No message quotes the URL: it may hold the password.
absl::Status LoadRedisSettings(Config& config) {
  config.redis_timeout = absl::GetFlag(FLAGS_redis_timeout);
  config.redis_fallback_share = absl::GetFlag(FLAGS_redis_fallback_share);
  const std::string url = absl::GetFlag(FLAGS_redis_url);
  const std::string password_file = absl::GetFlag(FLAGS_redis_password_file);
  if (url.empty()) {
    if (!password_file.empty()) {
      return absl::InvalidArgumentError("--redis_password_file needs --redis_url");
    }
    return absl::OkStatus();
  }
  absl::StatusOr<redis::RedisEndpoint> endpoint = redis::ParseRedisUrl(url);
  if (!endpoint.ok()) return endpoint.status();
  if (!password_file.empty()) {
    if (!endpoint->password.empty()) {
      return absl::InvalidArgumentError(
          "--redis_url holds a password and --redis_password_file names another: give one");
    }
    absl::StatusOr<std::string> password =
        ReadSecretFile("redis_password_file", password_file, config.warnings);
    if (!password.ok()) return password.status();
    endpoint->password = *std::move(password);
  }
  config.redis = *std::move(endpoint);
  return absl::OkStatus();
}

// Reads and parses the authorization files named by the flags.
absl::Status LoadAuthzFiles(Config& config) {
  config.authz_policy_file = absl::GetFlag(FLAGS_authz_policy_file);
  if (!config.authz_policy_file.empty()) {
    absl::StatusOr<std::shared_ptr<const AuthzPolicy>> policy =
        LoadAuthzPolicy(config.authz_policy_file, config.warnings);
    if (!policy.ok()) return policy.status();
    config.authz_policy = *std::move(policy);
  }
  if (const std::string path = absl::GetFlag(FLAGS_authz_bearer_tokens_file); !path.empty()) {
    // Hashes, yet of secrets: a weak token could be found from its hash.
    absl::StatusOr<ConfigFile> file = ReadConfigFile(
        "authz_bearer_tokens_file", path, {.max_bytes = kMaxBearerTokensFileBytes, .secret = true});
    if (!file.ok()) return file.status();
    absl::StatusOr<BearerTokens> tokens = BearerTokens::Parse(file->contents);
    if (!tokens.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--authz_bearer_tokens_file: ", path, ": ", tokens.status().message()));
    }
    if (!file->warning.empty()) config.warnings.push_back(std::move(file->warning));
    config.authz_bearer_tokens = std::make_shared<const BearerTokens>(*std::move(tokens));
  }
  config.trust_forwarded_client_cert = absl::GetFlag(FLAGS_trust_forwarded_client_cert);
  config.authz_reload_interval = absl::GetFlag(FLAGS_authz_reload_interval);
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateConfig(const Config& config) {
  if (config.listen.empty()) return absl::InvalidArgumentError("--listen must not be empty");
  // gRPC takes the port modulo 65536 (99999 listens on 34463): refuse it here.
  if (!absl::StartsWith(config.listen, "unix:") &&
      !absl::StartsWith(config.listen, "unix-abstract:")) {
    if (absl::Status address = SplitHostPort(config.listen).status(); !address.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--listen: ", address.message()));
    }
  }
  if (!config.metrics_listen.empty()) {
    if (absl::Status address = SplitHostPort(config.metrics_listen).status(); !address.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--metrics_listen: ", address.message()));
    }
  } else if (!config.metrics_port_file.empty()) {
    return absl::InvalidArgumentError("--metrics_port_file needs --metrics_listen");
  }
  if (config.max_metadata_bytes < kMinMaxMetadataBytes ||
      config.max_metadata_bytes > kMaxMaxMetadataBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max_metadata_bytes must be within ", kMinMaxMetadataBytes, "..", kMaxMaxMetadataBytes,
        " (an x-zoom-access-token may be ", kMaxCallerTokenBytes, " bytes)"));
  }
  if (!absl::StartsWith(config.zoom_api_base_url, "https://") &&
      !absl::StartsWith(config.zoom_api_base_url, "http://")) {
    return absl::InvalidArgumentError("--zoom_api_base_url must start with https:// or http://");
  }
  if (absl::Status status = ValidateListenerSecurity(config.listen, config.listener_security);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = ValidateCredentials(config); !status.ok()) return status;
  if (absl::Status status = ValidateConnectionOptions(config.connections); !status.ok()) {
    return status;
  }
  if (config.zoom_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--zoom_timeout must be positive");
  }
  if (config.zoom_connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--zoom_connect_timeout must be positive");
  }
  if (config.zoom_max_connections < 1 || config.zoom_max_connections > 100000) {
    return absl::InvalidArgumentError("--zoom_max_connections must be within 1..100000");
  }
  if (!(config.zoom_rate_limit_qps >= 0 && config.zoom_rate_limit_qps <= 100000)) {
    return absl::InvalidArgumentError("--zoom_rate_limit_qps must be within 0..100000");
  }
  if (config.zoom_rate_limit_burst < 1 || config.zoom_rate_limit_burst > 100000) {
    return absl::InvalidArgumentError("--zoom_rate_limit_burst must be within 1..100000");
  }
  if (config.zoom_max_retry_after_pause < absl::ZeroDuration() ||
      config.zoom_max_retry_after_pause > absl::Hours(24)) {
    return absl::InvalidArgumentError("--zoom_max_retry_after_pause must be within 0s..24h");
  }
  if (config.redis_timeout < absl::Milliseconds(10) || config.redis_timeout > absl::Seconds(10)) {
    return absl::InvalidArgumentError("--redis_timeout must be within 10ms..10s");
  }
  if (!(config.redis_fallback_share > 0 && config.redis_fallback_share <= 1)) {
    return absl::InvalidArgumentError("--redis_fallback_share must be within (0, 1]");
  }
  if (config.zoom_max_attempts < 1 || config.zoom_max_attempts > 10) {
    return absl::InvalidArgumentError("--zoom_max_attempts must be within 1..10");
  }
  if (config.shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--shutdown_grace must not be negative");
  }
  return ValidateAuthzConfig(config);
}

absl::StatusOr<Config> ConfigFromFlagsAndEnv() {
  Config config;
  config.listen = absl::GetFlag(FLAGS_listen);
  config.port_file = absl::GetFlag(FLAGS_port_file);
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  config.metrics_port_file = absl::GetFlag(FLAGS_metrics_port_file);
  config.listener_security = {
      .cert_file = absl::GetFlag(FLAGS_tls_cert_file),
      .key_file = absl::GetFlag(FLAGS_tls_key_file),
      .client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file),
      .refresh_interval = absl::GetFlag(FLAGS_tls_refresh_interval),
      .allow_plaintext_non_loopback = absl::GetFlag(FLAGS_allow_plaintext_non_loopback)};
  config.max_metadata_bytes = absl::GetFlag(FLAGS_max_metadata_bytes);
  config.zoom_api_base_url =
      std::string(absl::StripSuffix(absl::GetFlag(FLAGS_zoom_api_base_url), "/"));
  const std::string encoding = absl::GetFlag(FLAGS_zoom_body_encoding);
  if (encoding == "multipart") {
    config.zoom_body_encoding = BodyEncoding::kMultipart;
  } else if (encoding == "json") {
    config.zoom_body_encoding = BodyEncoding::kJson;
  } else {
    return absl::InvalidArgumentError("--zoom_body_encoding must be 'multipart' or 'json'");
  }
  config.zoom_timeout = absl::GetFlag(FLAGS_zoom_timeout);
  config.zoom_max_connections = absl::GetFlag(FLAGS_zoom_max_connections);
  config.zoom_connect_timeout = absl::GetFlag(FLAGS_zoom_connect_timeout);
  config.zoom_ca_file = absl::GetFlag(FLAGS_zoom_ca_file);
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.log_requests = absl::GetFlag(FLAGS_log_requests);
  config.connections = {
      .max_connection_age = absl::GetFlag(FLAGS_max_connection_age),
      .max_connection_age_grace = absl::GetFlag(FLAGS_max_connection_age_grace),
      .max_connection_idle = absl::GetFlag(FLAGS_max_connection_idle),
      .keepalive_time = absl::GetFlag(FLAGS_keepalive_time),
      .keepalive_timeout = absl::GetFlag(FLAGS_keepalive_timeout),
      .keepalive_min_ping_interval = absl::GetFlag(FLAGS_keepalive_min_ping_interval),
  };
  if (absl::StatusOr<LogFormat> log_format = LogFormatFromFlags(); !log_format.ok()) {
    return log_format.status();
  }
  config.zoom_oauth_url = absl::GetFlag(FLAGS_zoom_oauth_url);
  config.allow_caller_token = absl::GetFlag(FLAGS_allow_caller_token);
  config.zoom_rate_limit_qps = absl::GetFlag(FLAGS_zoom_rate_limit_qps);
  config.zoom_rate_limit_burst = absl::GetFlag(FLAGS_zoom_rate_limit_burst);
  config.zoom_max_retry_after_pause = absl::GetFlag(FLAGS_zoom_max_retry_after_pause);
  config.zoom_max_attempts = absl::GetFlag(FLAGS_zoom_max_attempts);
  config.request_id_ttl = absl::GetFlag(FLAGS_request_id_ttl);
  if (config.request_id_ttl < absl::Seconds(1) || config.request_id_ttl > absl::Hours(24)) {
    return absl::InvalidArgumentError("--request_id_ttl must be within 1s..24h");
  }
  const int64_t max_entries = absl::GetFlag(FLAGS_request_id_max_entries);
  if (max_entries < 1 || max_entries > 10'000'000) {
    return absl::InvalidArgumentError("--request_id_max_entries must be within 1..10000000");
  }
  config.request_id_max_entries = static_cast<size_t>(max_entries);

  if (const char* token = std::getenv("ZOOM_ACCESS_TOKEN"); token != nullptr && *token != '\0') {
    config.zoom_access_token = std::string(absl::StripAsciiWhitespace(token));
  } else if (const std::string path = absl::GetFlag(FLAGS_zoom_access_token_file); !path.empty()) {
    absl::StatusOr<std::string> token =
        ReadSecretFile("zoom_access_token_file", path, config.warnings);
    if (!token.ok()) return token.status();
    config.zoom_access_token = *std::move(token);
  }
  config.zoom_account_id = EnvOrEmpty("ZOOM_ACCOUNT_ID");
  config.zoom_client_id = EnvOrEmpty("ZOOM_CLIENT_ID");
  config.zoom_client_secret = EnvOrEmpty("ZOOM_CLIENT_SECRET");
  if (const std::string path = absl::GetFlag(FLAGS_zoom_client_secret_file);
      config.zoom_client_secret.empty() && !path.empty()) {
    absl::StatusOr<std::string> secret =
        ReadSecretFile("zoom_client_secret_file", path, config.warnings);
    if (!secret.ok()) return secret.status();
    config.zoom_client_secret = *std::move(secret);
  }
  if (absl::Status status = LoadAuthzFiles(config); !status.ok()) return status;
  if (absl::Status status = LoadRedisSettings(config); !status.ok()) return status;
  if (absl::Status status = ValidateConfig(config); !status.ok()) return status;
  if (absl::Status status = CheckListenerSecurityFiles(config.listener_security, config.warnings);
      !status.ok()) {
    return status;
  }
  return config;
}

absl::StatusOr<LogFormat> LogFormatFromFlags() {
  return ParseLogFormat(absl::GetFlag(FLAGS_log_format));
}

absl::FlagsUsageConfig ServerFlagsUsageConfig() {
  // Spelled as absl reports every flag's file, however the build named the
  // sources (absolute, relative to the build tree, or workspace-relative).
  const std::string config_file = absl::GetFlagReflectionHandle(FLAGS_listen).Filename();
  const std::string directory = config_file.substr(0, config_file.rfind('/') + 1);
  auto is_ours = [directory](absl::string_view file) { return absl::StartsWith(file, directory); };
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = is_ours;
  usage.contains_helpshort_flags = is_ours;
  usage.contains_helppackage_flags = is_ours;
  return usage;
}

}  // namespace livestream_gateway
