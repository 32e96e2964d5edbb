#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_RATE_LIMITED_CLIENT_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_RATE_LIMITED_CLIENT_H_

#include <memory>

#include "server/zoom/account_rate_limiter.h"
#include "server/zoom/http.h"
#include "server/zoom/scheduler.h"

namespace livestream_gateway {

// Decorator that sends each request only once the account's rate limiter
// (RateLimiter, or SharedRateLimiter across replicas) grants it a slot, and pauses the limiter for
// the whole account when Zoom answers 429 with a Retry-After. The 429 itself is passed on: retrying
// is RetryingClient's decision.
//
// A call that gets no slot before its deadline completes with the limiter's
// RESOURCE_EXHAUSTED (attempts 0); Cancel() reaches the wait or the transfer.
class RateLimitedClient final : public AsyncHttpClient {
 public:
  // `next` and `scheduler` must outlive this client.
  RateLimitedClient(AsyncHttpClient* next, std::shared_ptr<AccountRateLimiter> limiter,
                    Scheduler* scheduler);

  std::shared_ptr<Cancellable> Send(HttpRequest request, absl::Time deadline,
                                    HttpCallback done) override;

 private:
  class Call;

  AsyncHttpClient* const next_;
  const std::shared_ptr<AccountRateLimiter> limiter_;
  Scheduler* const scheduler_;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_RATE_LIMITED_CLIENT_H_
