#ifndef LIVESTREAM_GATEWAY_SERVER_METRICS_GATEWAY_METRICS_H_
#define LIVESTREAM_GATEWAY_SERVER_METRICS_GATEWAY_METRICS_H_

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/metrics/registry.h"
#include "server/zoom/upstream_observer.h"

namespace livestream_gateway::metrics {

// Every metric of the gateway's own starts with this.
inline constexpr absl::string_view kPrefix = "livestream_gateway_";

// The label value of an HTTP status code's class: "1xx" to "5xx", or "other"
// for a code outside 100..599.
absl::string_view HttpStatusClass(int status_code);

// A counter per label value, resolved on first use and kept: after that an
// event costs an atomic load and a relaxed increment, with no lock and no
// allocation. Values are indexes into a fixed table the caller defines.
template <size_t N>
class CounterTable {
 public:
  CounterTable() {
    for (auto& slot : slots_) slot.store(nullptr, std::memory_order_relaxed);
  }
  // `labels` builds the label values; it runs only the first time.
  template <typename LabelsFn>
  Counter& At(size_t index, CounterFamily& family, LabelsFn labels) {
    Counter* counter = slots_[index].load(std::memory_order_acquire);
    if (counter == nullptr) {
      // Racing threads get the same child from the family.
      counter = &family.WithLabels(labels());
      slots_[index].store(counter, std::memory_order_release);
    }
    return *counter;
  }

 private:
  std::array<std::atomic<Counter*>, N> slots_;
};

class GatewayMetrics;

// The metrics of one gRPC method, resolved once (GatewayMetrics::Method).
class RpcMetrics {
 public:
  void Started() { in_flight_.Increment(); }
  // Once per Started(), with the call's final code.
  void Finished(absl::StatusCode code, absl::Duration latency);

 private:
  friend class GatewayMetrics;
  RpcMetrics(std::string method, CounterFamily& calls, Histogram& latency, Gauge& in_flight);

  static constexpr size_t kCodes = 17;  // OK .. UNAUTHENTICATED
  const std::string method_;
  CounterFamily& calls_;
  CounterTable<kCodes> by_code_;
  Histogram& latency_;
  Gauge& in_flight_;
};

// The gateway's metrics (docs/operations.md lists them): RPCs, the upstream
// layers (as their UpstreamObserver), and the process. Thread-safe.
class GatewayMetrics final : public UpstreamObserver {
 public:
  GatewayMetrics();

  // Registers `method` (a full gRPC method name); set-up time only.
  RpcMetrics& Method(const std::string& method);

  void OnHttpResponse(absl::string_view method, int status_code) override;
  void OnHttpTransportError(absl::string_view method) override;
  void OnConnectionOpened() override { open_connections_.Increment(); }
  void OnConnectionClosed() override { open_connections_.Decrement(); }
  void OnAttempt(bool retry) override;
  void OnRateLimitWait() override { rate_limit_waits_.Increment(); }
  void OnRateLimitRefusal() override { rate_limit_refusals_.Increment(); }
  void OnRateLimitFallback(bool engaged) override {
    if (engaged) rate_limit_fallbacks_.Increment();
    rate_limit_fallback_.Set(engaged ? 1 : 0);
  }
  void OnTokenFetch(bool ok) override;

  // A validate_only call passed admission (whatever its answer then).
  void OnDryRun() { dry_runs_.Increment(); }
  // A call was answered with the outcome of the first call of its
  // request_id, stored or awaited, without calling Zoom.
  void OnRequestIdReplay() { request_id_replays_.Increment(); }

  const Registry& registry() const { return registry_; }

 private:
  // HTTP methods the gateway sends, and a bucket for any other.
  static constexpr size_t kHttpMethods = 3;  // PATCH, POST, other
  // HttpStatusClass's values, then transport_error.
  static constexpr size_t kOutcomes = 7;
  void CountUpstream(absl::string_view method, size_t outcome);

  Registry registry_;
  CounterFamily& rpcs_;
  HistogramFamily& rpc_latency_;
  GaugeFamily& rpcs_in_flight_;
  CounterFamily& upstream_requests_;
  CounterTable<kHttpMethods * kOutcomes> upstream_by_outcome_;
  Counter& attempts_;
  Counter& retries_;
  Counter& rate_limit_waits_;
  Counter& rate_limit_refusals_;
  Counter& rate_limit_fallbacks_;
  Gauge& rate_limit_fallback_;
  Counter& token_fetches_;
  Counter& token_fetch_failures_;
  Counter& dry_runs_;
  Counter& request_id_replays_;
  Gauge& open_connections_;

  absl::Mutex mu_;
  std::vector<std::unique_ptr<RpcMetrics>> methods_ ABSL_GUARDED_BY(mu_);
};

}  // namespace livestream_gateway::metrics

#endif  // LIVESTREAM_GATEWAY_SERVER_METRICS_GATEWAY_METRICS_H_
