#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_SHARED_RATE_LIMITER_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_SHARED_RATE_LIMITER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/defaults.h"
#include "server/logging/log_line.h"
#include "server/redis/redis_client.h"
#include "server/redis/redis_script.h"
#include "server/zoom/account_rate_limiter.h"
#include "server/zoom/gcra_script.h"
#include "server/zoom/rate_limiter.h"
#include "server/zoom/scheduler.h"
#include "server/zoom/upstream_observer.h"

namespace livestream_gateway {

struct SharedRateLimiterOptions {
  // The account's limit, for all replicas together (--zoom_rate_limit_qps,
  // --zoom_rate_limit_burst, --zoom_max_retry_after_pause).
  double requests_per_second = defaults::kZoomRateLimitQps;  // > 0
  int burst = defaults::kZoomRateLimitBurst;                 // >= 1
  absl::Duration max_pause = defaults::kZoomMaxRetryAfterPause;
  // While Redis cannot be asked, this replica alone allows this share of the
  // limit (--redis_fallback_share, e.g. 1/N of N replicas); in (0, 1].
  double fallback_share = 1.0;
  // Bounds each round trip to Redis (--redis_timeout), besides the call's
  // own deadline.
  absl::Duration redis_timeout = absl::Milliseconds(250);
  // How often Redis is asked whether it is back, while falling back.
  absl::Duration probe_interval = absl::Milliseconds(500);
  // Receives the lines about falling back and resuming (and the fallback
  // limiter's pause lines); null sends them to the process's logger.
  std::function<void(LogLevel, absl::string_view)> log = nullptr;
  // Told of waits, refusals and fallbacks; null for none. Must outlive the
  // limiter.
  UpstreamObserver* observer = nullptr;
  // The keys of the account's limit (tests give their own).
  std::string tat_key = kGcraTatKey;
  std::string pause_key = kGcraPauseKey;
};

// The account's rate limit shared by every replica through Redis: each call
// asks one Lua script (gcra_script.h) for a slot, atomically and on Redis's
// clock, so N replicas together send no more than the flags allow, and a
// 429's pause seen by one holds for all.
//
// A call told to wait for its slot waits on the Scheduler (no thread), then
// confirms it (a pause may have begun meanwhile). A call whose slot cannot
// come before its deadline fails at once, as with RateLimiter.
//
// When Redis cannot be asked (no connection, no answer within
// `redis_timeout`, a malformed answer), the call, and every call after it
// until Redis answers a probe again, goes to a local RateLimiter at
// `fallback_share` of the limit; one line is logged when that starts and one
// when shared limiting resumes.
//
// Thread-safe. Create with Create(): callbacks hold weak references to it.
class SharedRateLimiter final : public AccountRateLimiter,
                                public std::enable_shared_from_this<SharedRateLimiter> {
 public:
  // `scheduler` and `redis` must outlive the limiter.
  static std::shared_ptr<SharedRateLimiter> Create(Scheduler* scheduler, redis::RedisClient* redis,
                                                   SharedRateLimiterOptions options);
  ~SharedRateLimiter() override;

  std::shared_ptr<Cancellable> Acquire(absl::Time deadline, Callback done) override;
  // From what Redis last said (the next free slot, a pause), as no gRPC
  // thread may wait for Redis: an estimate that other replicas' calls since
  // then make optimistic. While falling back, the local limiter's answer.
  absl::Status Check(absl::Time deadline, int64_t ahead) override;
  // Pauses every replica (through Redis) and this one's fallback limiter,
  // which logs the pause's start and end.
  void PauseFor(absl::Duration retry_after) override;

  // False while the local fallback limiter is in force.
  bool shared() const { return !falling_back_.load(std::memory_order_acquire); }

 private:
  class Call;

  SharedRateLimiter(Scheduler* scheduler, redis::RedisClient* redis,
                    SharedRateLimiterOptions options);

  // Runs the script for `call`: kAcquire, or kConfirm of `reserved_slot_us`.
  void Ask(const std::shared_ptr<Call>& call, GcraOp op, int64_t reserved_slot_us);
  void OnAnswer(const std::shared_ptr<Call>& call, GcraOp op,
                absl::StatusOr<redis::RedisReply> reply);
  // Hands `call` to the local limiter.
  void ToLocal(const std::shared_ptr<Call>& call);
  void FallBack(absl::string_view why);
  void ArmProbe();
  void Probe();
  void Resume();
  void Log(LogLevel level, absl::string_view line) const;

  Scheduler* const scheduler_;
  redis::RedisClient* const redis_;
  const SharedRateLimiterOptions options_;
  const GcraLimits limits_;
  const redis::RedisScript script_;
  // The fallback; also keeps this replica's pause lines and state.
  const std::shared_ptr<RateLimiter> local_;
  std::atomic<bool> falling_back_{false};

  absl::Mutex mu_;
  // Check's estimate, in this process's clock.
  absl::Time next_free_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time pause_end_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::shared_ptr<Cancellable> probe_timer_ ABSL_GUARDED_BY(mu_);
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_SHARED_RATE_LIMITER_H_
