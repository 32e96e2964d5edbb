#include "server/gateway_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <algorithm>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "server/authz/authorizer.h"
#include "server/authz/authz_policy.h"
#include "server/connection_options.h"
#include "server/listener_security.h"
#include "server/logging/logger.h"
#include "server/version.h"
#include "server/zoom/authorizing_client.h"
#include "server/zoom/curl_http_client.h"
#include "server/zoom/rate_limited_client.h"
#include "server/zoom/retrying_client.h"
#include "server/zoom/shared_rate_limiter.h"

namespace livestream_gateway {
namespace {

constexpr char kServiceName[] = "zoom.livestream.v1.LiveStreamService";
// How long before the shutdown deadline the service ends the calls still
// waiting on Zoom (at most half the grace): answering thousands of calls
// takes a while on a loaded (or sanitized) server.
constexpr absl::Duration kShutdownAnswerMargin = absl::Seconds(3);

// Reflection serves descriptors from the generated pool; touching them here
// keeps the linker from dropping the google.rpc and health descriptors, so
// grpcurl can decode error details and describe the health service.
void LinkDescriptorsForReflection() {
  (void)google::rpc::Status::descriptor();
  (void)google::rpc::ErrorInfo::descriptor();
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
}

// One line for the operator: which credentials and limits are in force.
// Names the kind of credentials only, never a value.
void LogUpstreamPolicies(const Config& config) {
  std::string credentials = "callers' tokens only";
  if (UsesOAuth(config)) {
    credentials = absl::StrCat("Server-to-Server OAuth via ", config.zoom_oauth_url);
  } else if (!config.zoom_access_token.empty()) {
    credentials = "static access token";
  }
  std::string rate_limit =
      config.zoom_rate_limit_qps > 0
          ? absl::StrFormat("%g requests/s (burst %d)", config.zoom_rate_limit_qps,
                            config.zoom_rate_limit_burst)
          : std::string("off");
  if (config.zoom_rate_limit_qps > 0 && config.redis.has_value()) {
    // The endpoint only: never the password.
    absl::StrAppendFormat(&rate_limit, " shared through Redis at %s (fallback share %g)",
                          redis::DescribeEndpoint(*config.redis), config.redis_fallback_share);
  }
  const std::string max_attempts = absl::StrCat(config.zoom_max_attempts);
  Log(LogLevel::kInfo, "upstream policies",
      {{"credentials", credentials},
       {"caller_tokens", config.allow_caller_token ? "accepted" : "refused"},
       {"rate_limit", rate_limit},
       NumberField("max_attempts", max_attempts)});
}

// One line for the operator: who may call. Names files and counts, never a
// token or its hash.
void LogAuthorization(const Config& config) {
  if (config.authz_policy == nullptr) {
    Log(LogLevel::kInfo, "authorization off",
        {{"reason", "no --authz_policy_file"}, {"callers", "every caller may call"}});
    return;
  }
  std::string principals = "TLS client certificates";
  if (config.trust_forwarded_client_cert) {
    principals = absl::StrCat("x-forwarded-client-cert (trusted), ", principals);
  }
  if (config.authz_bearer_tokens != nullptr) {
    principals =
        absl::StrCat("bearer tokens (", config.authz_bearer_tokens->size(), "), ", principals);
  }
  const std::string deny_rules = absl::StrCat(config.authz_policy->deny_rules.size());
  const std::string allow_rules = absl::StrCat(config.authz_policy->allow_rules.size());
  Log(LogLevel::kInfo, "authorization on",
      {{"policy", config.authz_policy->name},
       {"policy_file", config.authz_policy_file},
       NumberField("deny_rules", deny_rules),
       NumberField("allow_rules", allow_rules),
       {"reload_interval", absl::FormatDuration(config.authz_reload_interval)},
       {"principals", principals},
       {"open", "health, reflection"}});
}

}  // namespace

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Start(const Config& config) {
  LinkDescriptorsForReflection();
  std::unique_ptr<GatewayServer> gateway(new GatewayServer());
  // Without --metrics_listen nothing is counted: every hook stays null.
  metrics::GatewayMetrics* observer = nullptr;
  if (!config.metrics_listen.empty()) {
    gateway->metrics_ = std::make_unique<metrics::GatewayMetrics>();
    observer = gateway->metrics_.get();
  }

  CurlHttpClientOptions transport_options;
  transport_options.observer = observer;
  transport_options.max_connections = config.zoom_max_connections;
  transport_options.connect_timeout = config.zoom_connect_timeout;
  transport_options.ca_file = config.zoom_ca_file;
  absl::StatusOr<std::unique_ptr<CurlHttpClient>> transport =
      CurlHttpClient::Create(transport_options);
  if (!transport.ok()) return transport.status();
  gateway->transport_ = *std::move(transport);
  gateway->scheduler_ = std::make_unique<ThreadScheduler>();

  // Every credential the process holds, so that no upstream answer can quote
  // one back to a caller or into a log; the OAuth source adds its own.
  auto secrets = std::make_shared<KnownSecrets>();
  secrets->Add(config.zoom_access_token);
  if (UsesOAuth(config)) {
    OAuthTokenSourceOptions oauth;
    oauth.credentials.token_url = config.zoom_oauth_url;
    oauth.credentials.account_id = config.zoom_account_id;
    oauth.credentials.client_id = config.zoom_client_id;
    oauth.credentials.client_secret = config.zoom_client_secret;
    oauth.request_timeout = config.zoom_timeout;
    oauth.secrets = secrets;
    oauth.observer = observer;
    gateway->token_source_ = OAuthTokenSource::Create(gateway->transport_.get(),
                                                      gateway->scheduler_.get(), std::move(oauth));
  } else if (!config.zoom_access_token.empty()) {
    gateway->token_source_ = std::make_shared<StaticTokenSource>(config.zoom_access_token);
  }
  // Without a token source only callers' own tokens are accepted.
  gateway->authorizing_ =
      std::make_unique<AuthorizingClient>(gateway->transport_.get(), gateway->token_source_);
  AsyncHttpClient* upstream = gateway->authorizing_.get();
  if (config.redis.has_value()) {
    absl::StatusOr<std::unique_ptr<redis::RedisClient>> redis = redis::RedisClient::Start(
        redis::RedisClientOptions{.endpoint = *config.redis, .timeout = config.redis_timeout});
    if (!redis.ok()) return redis.status();
    gateway->redis_ = *std::move(redis);
  }
  if (config.zoom_rate_limit_qps > 0 && gateway->redis_ != nullptr) {
    gateway->rate_limiter_ = SharedRateLimiter::Create(
        gateway->scheduler_.get(), gateway->redis_.get(),
        SharedRateLimiterOptions{.requests_per_second = config.zoom_rate_limit_qps,
                                 .burst = config.zoom_rate_limit_burst,
                                 .max_pause = config.zoom_max_retry_after_pause,
                                 .fallback_share = config.redis_fallback_share,
                                 .redis_timeout = config.redis_timeout,
                                 .observer = observer});
  } else if (config.zoom_rate_limit_qps > 0) {
    gateway->rate_limiter_ =
        RateLimiter::Create(gateway->scheduler_.get(),
                            RateLimiterOptions{.requests_per_second = config.zoom_rate_limit_qps,
                                               .burst = config.zoom_rate_limit_burst,
                                               .max_pause = config.zoom_max_retry_after_pause,
                                               .observer = observer});
  }
  if (gateway->rate_limiter_ != nullptr) {
    gateway->rate_limited_ = std::make_unique<RateLimitedClient>(upstream, gateway->rate_limiter_,
                                                                 gateway->scheduler_.get());
    upstream = gateway->rate_limited_.get();
  }
  RetryOptions retry;
  retry.max_attempts = config.zoom_max_attempts;
  retry.observer = observer;
  gateway->retrying_ = std::make_unique<RetryingClient>(upstream, gateway->scheduler_.get(), retry);

  LiveStreamServiceOptions service_options;
  service_options.request.api_base_url = config.zoom_api_base_url;
  service_options.request.encoding = config.zoom_body_encoding;
  service_options.request.user_agent = std::string(kUserAgent);
  service_options.zoom_timeout = config.zoom_timeout;
  service_options.log_requests = config.log_requests;
  service_options.allow_caller_token = config.allow_caller_token;
  service_options.secrets = secrets;
  service_options.max_metadata_bytes = static_cast<size_t>(config.max_metadata_bytes);
  service_options.metrics = gateway->metrics_.get();
  service_options.rate_limiter = gateway->rate_limiter_;
  service_options.request_id_ttl = config.request_id_ttl;
  service_options.request_id_max_entries = config.request_id_max_entries;
  if (gateway->redis_ != nullptr) {
    service_options.shared_request_ids = idempotency::SharedRequestIds::Create(
        gateway->scheduler_.get(), gateway->redis_.get(),
        idempotency::SharedRequestIdsOptions{.ttl = config.request_id_ttl,
                                             .redis_timeout = config.redis_timeout});
  }
  auto authorizer = std::make_shared<Authorizer>(
      AuthorizerOptions{.policy = config.authz_policy,
                        .bearer_tokens = config.authz_bearer_tokens,
                        .trust_forwarded_client_cert = config.trust_forwarded_client_cert});
  service_options.authorizer = authorizer;
  if (config.authz_policy != nullptr) {
    gateway->policy_watcher_ = std::make_unique<FileWatcher>(
        gateway->scheduler_.get(),
        FileWatcherOptions{.flag = "authz_policy_file",
                           .path = config.authz_policy_file,
                           .read = {.max_bytes = kMaxAuthzPolicyBytes},
                           .interval = config.authz_reload_interval},
        [authorizer](const std::string& contents) -> absl::StatusOr<std::string> {
          absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(contents);
          if (!policy.ok()) return policy.status();
          const std::string summary =
              absl::StrFormat("policy \"%s\" (%d deny, %d allow rules)", policy->name,
                              policy->deny_rules.size(), policy->allow_rules.size());
          authorizer->SetPolicy(std::make_shared<const AuthzPolicy>(*std::move(policy)));
          return summary;
        },
        [](LogLevel level, absl::string_view message) { Log(level, message); });
  }
  gateway->service_ =
      std::make_unique<LiveStreamServiceImpl>(gateway->retrying_.get(), service_options);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, ServerCredentialsFor(config.listener_security),
                           &gateway->port_);
  builder.RegisterService(gateway->service_.get());
  builder.SetMaxReceiveMessageSize(config.max_request_bytes);
  // gRPC refuses larger metadata before a call starts, for clients that
  // acknowledge the server's HTTP/2 settings; the service checks again for
  // the others (see metadata_limit.h).
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, config.max_metadata_bytes);
  for (const auto& [name, value] : ConnectionChannelArgs(config.connections)) {
    builder.AddChannelArgument(name, value);
  }
  gateway->server_ = builder.BuildAndStart();
  if (gateway->server_ == nullptr || gateway->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen));
  }
  grpc::HealthCheckServiceInterface* health = gateway->server_->GetHealthCheckService();
  health->SetServingStatus(true);
  health->SetServingStatus(kServiceName, true);
  if (gateway->metrics_ != nullptr) {
    const metrics::Registry* registry = &gateway->metrics_->registry();
    absl::StatusOr<std::unique_ptr<metrics::MetricsServer>> metrics_server =
        metrics::MetricsServer::Start(config.metrics_listen,
                                      [registry] { return registry->Render(); });
    if (!metrics_server.ok()) return metrics_server.status();
    gateway->metrics_server_ = *std::move(metrics_server);
  }
  LogUpstreamPolicies(config);
  LogAuthorization(config);
  return gateway;
}

void GatewayServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  server_->GetHealthCheckService()->SetServingStatus(false);
  const absl::Time deadline = absl::Now() + grace;
  // At the deadline gRPC cancels every call left, and its callers get a bare
  // UNAVAILABLE. Shortly before, the service ends them itself, so that each
  // says why and whether Zoom may have received it; the margin leaves time
  // for those answers to be sent.
  const absl::Time end_calls_at = deadline - std::min(grace / 2, kShutdownAnswerMargin);
  absl::Notification drained;
  std::thread ender([&] {
    if (drained.WaitForNotificationWithDeadline(end_calls_at)) return;
    if (const int ended = service_->AbortCallsForShutdown(); ended > 0) {
      Log(LogLevel::kWarning, "ending calls that outlast the shutdown grace",
          {{"calls", absl::StrCat(ended)}});
    }
  });
  server_->Shutdown(absl::ToChronoTime(deadline));
  drained.Notify();
  ender.join();
  server_->Wait();
}

GatewayServer::~GatewayServer() {
  if (server_ != nullptr) Shutdown(absl::ZeroDuration());
  // Scrapes stop before the metrics they read go.
  metrics_server_.reset();
  // The service's calls are all finished once the server is down. Then each
  // policy goes before what it uses: a token request still in flight is
  // cancelled with the token source, timers with the scheduler, and the
  // transport goes last because every layer holds a pointer into it.
  policy_watcher_.reset();
  service_.reset();
  retrying_.reset();
  rate_limited_.reset();
  rate_limiter_.reset();
  // After the limiter (whose calls it answers, CANCELLED, if any are left)
  // and before the scheduler its answers may use.
  redis_.reset();
  authorizing_.reset();
  token_source_.reset();
  scheduler_.reset();
  transport_.reset();
  metrics_.reset();
}

}  // namespace livestream_gateway
