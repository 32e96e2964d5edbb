#ifndef LIVESTREAM_GATEWAY_SERVER_GATEWAY_SERVER_H_
#define LIVESTREAM_GATEWAY_SERVER_GATEWAY_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/authz/file_watcher.h"
#include "server/config.h"
#include "server/livestream_service.h"
#include "server/metrics/gateway_metrics.h"
#include "server/metrics/metrics_server.h"
#include "server/redis/redis_client.h"
#include "server/zoom/account_rate_limiter.h"
#include "server/zoom/http.h"
#include "server/zoom/scheduler.h"
#include "server/zoom/token_source.h"

namespace livestream_gateway {

// The assembled process: upstream client and its decorators, the service,
// health and reflection, on a started gRPC server.
class GatewayServer {
 public:
  static absl::StatusOr<std::unique_ptr<GatewayServer>> Start(const Config& config);
  ~GatewayServer();

  int port() const { return port_; }
  // The /metrics port; 0 when --metrics_listen is off.
  int metrics_port() const { return metrics_server_ == nullptr ? 0 : metrics_server_->port(); }

  // Health turns NOT_SERVING, new calls are refused, in-flight calls get
  // `grace` to finish and are cancelled after it. Returns when all are done.
  void Shutdown(absl::Duration grace);

 private:
  GatewayServer() = default;

  // First in, last out: every layer below reports to it, the transport
  // until its last socket closes.
  std::unique_ptr<metrics::GatewayMetrics> metrics_;
  // The upstream chain, in the order calls go through it (the reverse of
  // construction): retrying_ -> rate_limited_ (when on) -> authorizing_ ->
  // transport_. Torn down from the service end, the transport last.
  std::unique_ptr<AsyncHttpClient> transport_;
  std::unique_ptr<Scheduler> scheduler_;
  std::shared_ptr<TokenSource> token_source_;
  std::unique_ptr<AsyncHttpClient> authorizing_;
  // With --redis_url: the connection the shared rate limit asks.
  std::unique_ptr<redis::RedisClient> redis_;
  std::shared_ptr<AccountRateLimiter> rate_limiter_;
  std::unique_ptr<AsyncHttpClient> rate_limited_;
  std::unique_ptr<AsyncHttpClient> retrying_;
  std::unique_ptr<FileWatcher> policy_watcher_;  // with --authz_policy_file
  std::unique_ptr<LiveStreamServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<metrics::MetricsServer> metrics_server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_GATEWAY_SERVER_H_
