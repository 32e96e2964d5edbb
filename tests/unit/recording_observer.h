#ifndef LIVESTREAM_GATEWAY_TESTS_UNIT_RECORDING_OBSERVER_H_
#define LIVESTREAM_GATEWAY_TESTS_UNIT_RECORDING_OBSERVER_H_

// An UpstreamObserver that records what the layers report, for tests of the
// hooks. Thread-safe, as the real one must be.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/zoom/upstream_observer.h"

namespace livestream_gateway::testing {

class RecordingObserver final : public UpstreamObserver {
 public:
  void OnHttpResponse(absl::string_view method, int status_code) override {
    Add(absl::StrCat(method, " ", status_code));
  }
  void OnHttpTransportError(absl::string_view method) override {
    Add(absl::StrCat(method, " transport_error"));
  }
  void OnConnectionOpened() override {
    absl::MutexLock lock(&mu_);
    ++opened_;
  }
  void OnConnectionClosed() override {
    absl::MutexLock lock(&mu_);
    ++closed_;
  }
  void OnAttempt(bool retry) override { Add(retry ? "retry" : "attempt"); }
  void OnRateLimitWait() override { Add("wait"); }
  void OnRateLimitRefusal() override { Add("refusal"); }
  void OnTokenFetch(bool ok) override { Add(ok ? "token" : "token_failure"); }

  // Everything but connections, in order.
  std::vector<std::string> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  int opened() {
    absl::MutexLock lock(&mu_);
    return opened_;
  }
  int closed() {
    absl::MutexLock lock(&mu_);
    return closed_;
  }

 private:
  void Add(std::string event) {
    absl::MutexLock lock(&mu_);
    events_.push_back(std::move(event));
  }

  absl::Mutex mu_;
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
  int opened_ ABSL_GUARDED_BY(mu_) = 0;
  int closed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace livestream_gateway::testing

#endif  // LIVESTREAM_GATEWAY_TESTS_UNIT_RECORDING_OBSERVER_H_
