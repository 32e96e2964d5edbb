#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_RATE_LIMITER_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_RATE_LIMITER_H_

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/defaults.h"
#include "server/logging/log_line.h"
#include "server/zoom/account_rate_limiter.h"
#include "server/zoom/http.h"
#include "server/zoom/scheduler.h"
#include "server/zoom/upstream_observer.h"

namespace livestream_gateway {

// The arithmetic of a token bucket, with no clock or locking of its own:
// `rate` tokens a second accrue up to `burst`, and each request takes one.
// Zoom's rate limits are per account, so one bucket serves the process.
class TokenBucket {
 public:
  // Starts full at `now`.
  TokenBucket(double rate, double burst, absl::Time now);

  // Takes a token if one is available at `now`.
  bool TryTake(absl::Time now);

  // When a request would get its token if `ahead` requests queued before it
  // take theirs first, provided nothing else changes: the bucket is drained
  // in order, so this is exact until a pause.
  absl::Time SlotTime(absl::Time now, int64_t ahead) const;

  // Zoom answered 429 with Retry-After: no token before `until`, then one,
  // and no burst after it either, so traffic resumes at `rate`. A pause
  // never shortens an earlier one.
  void PauseUntil(absl::Time now, absl::Time until);

  double TokensAt(absl::Time t) const;
  absl::Time paused_until() const { return paused_until_; }

 private:
  const double rate_;
  const double burst_;
  double tokens_;    // the count at last_
  absl::Time last_;  // tokens accrue only after it (a pause moves it ahead)
  absl::Time paused_until_ = absl::InfinitePast();
};

// The RESOURCE_EXHAUSTED of a call that gets no slot of a limit of
// `requests_per_second`: the next is `wait` away, or the account is paused
// (a 429's Retry-After) for that long. ErrorInfo ZOOM_RATE_LIMITED
// (limitedBy: gateway), QuotaFailure and RetryInfo.
absl::Status RateLimitRefusal(double requests_per_second, absl::Duration wait, bool paused);

struct RateLimiterOptions {
  double requests_per_second = defaults::kZoomRateLimitQps;  // > 0
  int burst = defaults::kZoomRateLimitBurst;                 // >= 1
  // Longest account-wide pause a Retry-After may impose
  // (--zoom_max_retry_after_pause): a bogus or day-long one must not stop
  // every call for that long. 0 turns the account-wide pause off.
  absl::Duration max_pause = defaults::kZoomMaxRetryAfterPause;
  // Receives one warning when a pause starts and one when it ends; null
  // sends them to the process's logger. (Initialized so that a designated
  // initializer may leave it out without a warning.)
  std::function<void(LogLevel, absl::string_view)> log = nullptr;
  // Told of each call that queues and each that is refused; null for none.
  // Must outlive the limiter.
  UpstreamObserver* observer = nullptr;
};

// A token bucket that calls wait for, in arrival order. A call whose turn
// cannot come before its deadline fails at once with RESOURCE_EXHAUSTED and a
// RetryInfo, rather than waiting only to fail. Waiting calls are entries in a
// queue served by one timer on the Scheduler.
//
// Thread-safe. Create with Create(): timers hold weak references to it.
class RateLimiter final : public AccountRateLimiter,
                          public std::enable_shared_from_this<RateLimiter> {
 public:
  // `scheduler` must outlive the limiter.
  static std::shared_ptr<RateLimiter> Create(Scheduler* scheduler, RateLimiterOptions options);

  // Calls still waiting complete with CANCELLED.
  ~RateLimiter() override;

  // `done` runs exactly once: OK when the call may go (possibly before
  // Acquire() returns), RESOURCE_EXHAUSTED (ErrorInfo ZOOM_RATE_LIMITED,
  // QuotaFailure, RetryInfo; before Acquire() returns) when no slot comes
  // before `deadline`, CANCELLED after the handle's Cancel().
  std::shared_ptr<Cancellable> Acquire(absl::Time deadline, Callback done) override;

  // What Acquire would answer now for a call with `deadline`, without taking
  // a token or joining the queue (a dry run, validate_only): OK when a slot
  // is free now or comes before `deadline`, else the RESOURCE_EXHAUSTED
  // Acquire would give. Tells the observer nothing: no call waited or was
  // refused. With `ahead`, for the request that would queue behind `ahead`
  // others starting now (the items of a batch, in order).
  absl::Status Check(absl::Time deadline, int64_t ahead) override;

  // Zoom answered 429 with a Retry-After of `retry_after`: pauses the whole
  // bucket (see TokenBucket::PauseUntil) for that long, or for `max_pause` if
  // that is shorter. Waiting calls whose turn now falls after their deadline
  // fail with RESOURCE_EXHAUSTED. A pause that starts logs one line (its
  // length, and whether it was capped); when it is over, a timer logs one
  // more, whether or not a call comes. A pause that lengthens one in progress
  // logs nothing.
  void PauseFor(absl::Duration retry_after) override;

  const RateLimiterOptions& options() const { return options_; }

 private:
  class Waiter;

  RateLimiter(Scheduler* scheduler, RateLimiterOptions options);

  // Grants waiting calls whose tokens are there, and re-arms the timer for
  // the next one. Returns the callbacks to run, outside the lock.
  std::vector<Callback> DispatchLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ArmLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnTimer(uint64_t generation);
  void CancelWaiter(Waiter* waiter);
  absl::Status NoSlotError(absl::Time now, absl::Time slot, bool paused) const;
  // Watches for the end of the pause in progress.
  void ArmPauseEndLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnPauseTimer(uint64_t generation);
  // The line for the end of the pause in progress, which it closes.
  std::string EndPauseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Log(absl::string_view line) const;

  Scheduler* const scheduler_;
  const RateLimiterOptions options_;

  absl::Mutex mu_;
  TokenBucket bucket_ ABSL_GUARDED_BY(mu_);
  std::list<std::shared_ptr<Waiter>> queue_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<Cancellable> timer_ ABSL_GUARDED_BY(mu_);
  absl::Time timer_at_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  uint64_t timer_generation_ ABSL_GUARDED_BY(mu_) = 0;
  // When the pause in progress started, until its end is logged.
  std::optional<absl::Time> pause_started_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<Cancellable> pause_timer_ ABSL_GUARDED_BY(mu_);
  uint64_t pause_timer_generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_RATE_LIMITER_H_
