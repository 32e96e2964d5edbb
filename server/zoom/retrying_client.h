#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_RETRYING_CLIENT_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_RETRYING_CLIENT_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/random/bit_gen_ref.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/defaults.h"
#include "server/zoom/backoff.h"
#include "server/zoom/http.h"
#include "server/zoom/retry_budget.h"
#include "server/zoom/scheduler.h"
#include "server/zoom/upstream_observer.h"

namespace livestream_gateway {

struct RetryOptions {
  // All attempts of one call, the first included (--zoom_max_attempts).
  int max_attempts = defaults::kZoomMaxAttempts;
  BackoffOptions backoff;
  RetryBudgetOptions budget;
  // Told of each attempt; null for none. Must outlive the client.
  UpstreamObserver* observer = nullptr;
};

// Whether another attempt may help, and may be made: HTTP 429, 502, 503 or
// 504, or an UNAVAILABLE error (connection failure, reset, token endpoint
// unavailable) that either was not delivered or is of an `idempotent` request
// (see Delivery in http.h). Never INVALID_ARGUMENT (a request that can never
// be sent), DEADLINE_EXCEEDED, CANCELLED, a rate-limit refusal or any other
// answer.
bool IsRetryable(const UpstreamResult& result, bool idempotent);

// The wait before retry number `retry` (1-based) of a retryable result: for
// 429 the Retry-After when it parses (Zoom asked for exactly that), otherwise
// full-jitter backoff, but never less than a Retry-After that came with it.
absl::Duration RetryDelay(const absl::StatusOr<HttpResponse>& result, int retry,
                          const BackoffOptions& backoff, absl::Time now, absl::BitGenRef gen);

// Decorator that sends a call again when IsRetryable(), after RetryDelay(),
// for at most `max_attempts` attempts, only while the wait ends before the
// call's deadline (each attempt gets the remaining time up to that same
// deadline), and only within the retry budget. Otherwise the last result is
// passed on, with UpstreamResult::attempts counting every request sent. Cancel() reaches the
// transfer or the wait in progress.
//
// A failure passed on carries the call's Delivery: "maybe" when any attempt
// may have reached the server (an HTTP answer proves one did). When that is
// so and the request is not idempotent, an UNAVAILABLE failure is passed on
// as UNKNOWN instead: its outcome is unknown, and UNAVAILABLE would invite
// callers to repeat it automatically (AIP-194).
class RetryingClient final : public AsyncHttpClient {
 public:
  // `next` and `scheduler` must outlive this client.
  RetryingClient(AsyncHttpClient* next, Scheduler* scheduler, RetryOptions options);

  std::shared_ptr<Cancellable> Send(HttpRequest request, absl::Time deadline,
                                    HttpCallback done) override;

 private:
  class Call;

  absl::Duration Delay(const absl::StatusOr<HttpResponse>& result, int retry, absl::Time now);

  AsyncHttpClient* const next_;
  Scheduler* const scheduler_;
  const RetryOptions options_;
  RetryBudget budget_;
  absl::Mutex gen_mu_;
  absl::BitGen gen_ ABSL_GUARDED_BY(gen_mu_);
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_RETRYING_CLIENT_H_
