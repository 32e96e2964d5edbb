#ifndef LIVESTREAM_GATEWAY_SERVER_METRICS_METRICS_SERVER_H_
#define LIVESTREAM_GATEWAY_SERVER_METRICS_METRICS_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct MHD_Daemon;

namespace livestream_gateway::metrics {

// An HTTP/1.1 server (libmicrohttpd, on a thread of its own) that answers
// GET or HEAD /metrics with `render()` as Prometheus text, 405 for any other
// method there, and 404 for any other path. `render` runs on that thread
// only, never on a gRPC or libcurl thread, so a scrape cannot delay a call;
// it must be thread-safe against the recording threads (Registry is).
class MetricsServer {
 public:
  // `listen` as SplitHostPort() (server/host_port.h) takes it; the host may be
  // a name.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(const std::string& listen,
                                                              std::function<std::string()> render);
  // Stops listening and waits for the thread (a scrape in progress finishes).
  ~MetricsServer();

  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The bound port (the chosen one when the address said 0).
  int port() const { return port_; }

 private:
  explicit MetricsServer(std::function<std::string()> render) : render_(std::move(render)) {}

  const std::function<std::string()> render_;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
};

}  // namespace livestream_gateway::metrics

#endif  // LIVESTREAM_GATEWAY_SERVER_METRICS_METRICS_SERVER_H_
