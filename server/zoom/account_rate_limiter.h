#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_ACCOUNT_RATE_LIMITER_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_ACCOUNT_RATE_LIMITER_H_

#include <cstdint>
#include <memory>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/zoom/http.h"

namespace livestream_gateway {

// The limit of Zoom's per-account rate that calls wait for: one process's
// own (RateLimiter), or one shared by every replica through Redis
// (SharedRateLimiter). RateLimitedClient and the dry run (validate_only) use
// it; both implementations answer alike.
//
// Thread-safe.
class AccountRateLimiter {
 public:
  using Callback = absl::AnyInvocable<void(absl::Status) &&>;

  virtual ~AccountRateLimiter() = default;

  // `done` runs exactly once: OK when the call may go, RESOURCE_EXHAUSTED
  // (ErrorInfo ZOOM_RATE_LIMITED, QuotaFailure, RetryInfo) when no slot comes
  // before `deadline`, CANCELLED after the handle's Cancel() (never inside
  // Cancel()). It must not block.
  virtual std::shared_ptr<Cancellable> Acquire(absl::Time deadline, Callback done) = 0;

  // What Acquire would answer now for a call with `deadline` that queues
  // behind `ahead` others, without taking a slot (a dry run). Never waits.
  virtual absl::Status Check(absl::Time deadline, int64_t ahead) = 0;

  // Zoom answered 429 with a Retry-After of `retry_after`: no call goes to
  // Zoom for that long (capped by --zoom_max_retry_after_pause).
  virtual void PauseFor(absl::Duration retry_after) = 0;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_ACCOUNT_RATE_LIMITER_H_
