#include "server/gateway_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "server/logging/logger.h"
#include "server/version.h"
#include "server/zoom/authorizing_client.h"
#include "server/zoom/curl_http_client.h"
#include "server/zoom/rate_limited_client.h"
#include "server/zoom/retrying_client.h"

namespace livestream_gateway {
namespace {

constexpr char kServiceName[] = "zoom.livestream.v1.LiveStreamService";

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
  const std::string rate_limit =
      config.zoom_rate_limit_qps > 0
          ? absl::StrFormat("%g requests/s (burst %d)", config.zoom_rate_limit_qps,
                            config.zoom_rate_limit_burst)
          : std::string("off");
  const std::string max_attempts = absl::StrCat(config.zoom_max_attempts);
  Log(LogLevel::kInfo, "upstream policies",
      {{"credentials", credentials},
       {"caller_tokens", config.allow_caller_token ? "accepted" : "refused"},
       {"rate_limit", rate_limit},
       NumberField("max_attempts", max_attempts)});
}

}  // namespace

absl::StatusOr<std::unique_ptr<GatewayServer>> GatewayServer::Start(const Config& config) {
  LinkDescriptorsForReflection();
  std::unique_ptr<GatewayServer> gateway(new GatewayServer());

  CurlHttpClientOptions transport_options;
  transport_options.max_connections = config.zoom_max_connections;
  transport_options.connect_timeout = config.zoom_connect_timeout;
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
    gateway->token_source_ = OAuthTokenSource::Create(gateway->transport_.get(),
                                                      gateway->scheduler_.get(), std::move(oauth));
  } else if (!config.zoom_access_token.empty()) {
    gateway->token_source_ = std::make_shared<StaticTokenSource>(config.zoom_access_token);
  }
  // Without a token source only callers' own tokens are accepted.
  gateway->authorizing_ =
      std::make_unique<AuthorizingClient>(gateway->transport_.get(), gateway->token_source_);
  AsyncHttpClient* upstream = gateway->authorizing_.get();
  if (config.zoom_rate_limit_qps > 0) {
    gateway->rate_limiter_ =
        RateLimiter::Create(gateway->scheduler_.get(),
                            RateLimiterOptions{.requests_per_second = config.zoom_rate_limit_qps,
                                               .burst = config.zoom_rate_limit_burst,
                                               .max_pause = config.zoom_max_retry_after_pause});
    gateway->rate_limited_ = std::make_unique<RateLimitedClient>(upstream, gateway->rate_limiter_,
                                                                 gateway->scheduler_.get());
    upstream = gateway->rate_limited_.get();
  }
  RetryOptions retry;
  retry.max_attempts = config.zoom_max_attempts;
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
  gateway->service_ =
      std::make_unique<LiveStreamServiceImpl>(gateway->retrying_.get(), service_options);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials(), &gateway->port_);
  builder.RegisterService(gateway->service_.get());
  builder.SetMaxReceiveMessageSize(config.max_request_bytes);
  // gRPC refuses larger metadata before a call starts, for clients that
  // acknowledge the server's HTTP/2 settings; the service checks again for
  // the others (see metadata_limit.h).
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, config.max_metadata_bytes);
  // Keepalive that sidecars and long-lived client channels get along with:
  // we probe idle peers every minute, and clients may ping every 10 s
  // without being told "too_many_pings".
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10 * 1000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  gateway->server_ = builder.BuildAndStart();
  if (gateway->server_ == nullptr || gateway->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen));
  }
  grpc::HealthCheckServiceInterface* health = gateway->server_->GetHealthCheckService();
  health->SetServingStatus(true);
  health->SetServingStatus(kServiceName, true);
  LogUpstreamPolicies(config);
  return gateway;
}

void GatewayServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  server_->GetHealthCheckService()->SetServingStatus(false);
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

GatewayServer::~GatewayServer() {
  if (server_ != nullptr) Shutdown(absl::ZeroDuration());
  // The service's calls are all finished once the server is down. Then each
  // policy goes before what it uses: a token request still in flight is
  // cancelled with the token source, timers with the scheduler, and the
  // transport goes last because every layer holds a pointer into it.
  service_.reset();
  retrying_.reset();
  rate_limited_.reset();
  rate_limiter_.reset();
  authorizing_.reset();
  token_source_.reset();
  scheduler_.reset();
  transport_.reset();
}

}  // namespace livestream_gateway
