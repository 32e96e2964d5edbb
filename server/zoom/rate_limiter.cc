#include "server/zoom/rate_limiter.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/rpc/error_details.pb.h"
#include "server/error_details.h"
#include "server/logging/logger.h"
#include "server/zoom/call_stage.h"

namespace livestream_gateway {
namespace {

// Floating-point slack: a timer set for a slot must find its token there.
constexpr double kTokenEpsilon = 1e-9;

}  // namespace

TokenBucket::TokenBucket(double rate, double burst, absl::Time now)
    : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

double TokenBucket::TokensAt(absl::Time t) const {
  if (t <= last_) return tokens_;
  return std::min(burst_, tokens_ + absl::ToDoubleSeconds(t - last_) * rate_);
}

bool TokenBucket::TryTake(absl::Time now) {
  if (now < paused_until_) return false;
  const double available = TokensAt(now);
  if (available < 1.0 - kTokenEpsilon) return false;
  tokens_ = std::max(0.0, available - 1.0);
  last_ = std::max(last_, now);
  return true;
}

absl::Time TokenBucket::SlotTime(absl::Time now, int64_t ahead) const {
  const absl::Time base = std::max(now, paused_until_);
  const double available = TokensAt(base);
  const double needed = static_cast<double>(ahead) + 1.0;
  if (available >= needed - kTokenEpsilon) return base;
  // The bucket cannot fill past `burst` while calls queue: they take each
  // token as it comes, so the deficit accrues at `rate`.
  return base + absl::Seconds((needed - available) / rate_);
}

void TokenBucket::PauseUntil(absl::Time now, absl::Time until) {
  if (until <= paused_until_) return;
  // Exactly one call may go at `until` (Zoom said it may), then the rate.
  tokens_ = 1.0;
  last_ = std::max(now, until);
  paused_until_ = until;
}

// A call waiting in the queue; its handle. Fields other than the constants
// are guarded by the owner's mu_.
class RateLimiter::Waiter final : public Cancellable {
 public:
  Waiter(std::weak_ptr<RateLimiter> owner, absl::Time deadline, Callback done)
      : owner_(std::move(owner)), deadline(deadline), done(std::move(done)) {}

  void Cancel() override {
    if (std::shared_ptr<RateLimiter> owner = owner_.lock()) owner->CancelWaiter(this);
  }

  const std::weak_ptr<RateLimiter> owner_;
  const absl::Time deadline;
  Callback done;
  bool queued = false;
  std::list<std::shared_ptr<Waiter>>::iterator position;
};

std::shared_ptr<RateLimiter> RateLimiter::Create(Scheduler* scheduler, RateLimiterOptions options) {
  return std::shared_ptr<RateLimiter>(new RateLimiter(scheduler, std::move(options)));
}

RateLimiter::RateLimiter(Scheduler* scheduler, RateLimiterOptions options)
    : scheduler_(scheduler),
      options_(std::move(options)),
      bucket_(options_.requests_per_second, options_.burst, scheduler->Now()) {}

RateLimiter::~RateLimiter() {
  std::vector<Callback> waiting;
  std::shared_ptr<Cancellable> timer;
  std::shared_ptr<Cancellable> pause_timer;
  {
    absl::MutexLock lock(&mu_);
    for (const std::shared_ptr<Waiter>& waiter : queue_) {
      waiter->queued = false;
      waiting.push_back(std::move(waiter->done));
    }
    queue_.clear();
    timer = std::move(timer_);
    pause_timer = std::move(pause_timer_);
  }
  if (timer != nullptr) timer->Cancel();
  if (pause_timer != nullptr) pause_timer->Cancel();
  for (Callback& done : waiting) {
    std::move(done)(absl::CancelledError("rate limiter shutting down"));
  }
}

std::shared_ptr<Cancellable> RateLimiter::Acquire(absl::Time deadline, Callback done) {
  const absl::Time now = scheduler_->Now();
  absl::Status result;
  {
    absl::MutexLock lock(&mu_);
    // Arrival order: nobody overtakes a waiting call.
    if (!queue_.empty() || !bucket_.TryTake(now)) {
      const absl::Time slot = bucket_.SlotTime(now, static_cast<int64_t>(queue_.size()));
      if (slot < deadline) {
        auto waiter = std::make_shared<Waiter>(weak_from_this(), deadline, std::move(done));
        waiter->queued = true;
        waiter->position = queue_.insert(queue_.end(), waiter);
        ArmLocked(now);
        if (options_.observer != nullptr) options_.observer->OnRateLimitWait();
        return waiter;
      }
      result = NoSlotError(now, slot, bucket_.paused_until() > now);
      if (options_.observer != nullptr) options_.observer->OnRateLimitRefusal();
    }
  }
  std::move(done)(std::move(result));
  return SharedCompletedOperation();
}

absl::Status RateLimiter::Check(absl::Time deadline, int64_t ahead) {
  const absl::Time now = scheduler_->Now();
  absl::MutexLock lock(&mu_);
  const int64_t queued = static_cast<int64_t>(queue_.size()) + ahead;
  const absl::Time slot = bucket_.SlotTime(now, queued);
  // As Acquire: a free token now (which SlotTime puts at `now`) is granted
  // whatever the deadline; a later slot must come before it.
  if (slot <= now || slot < deadline) return absl::OkStatus();
  return NoSlotError(now, slot, bucket_.paused_until() > now);
}

void RateLimiter::PauseFor(absl::Duration retry_after) {
  if (options_.max_pause <= absl::ZeroDuration()) return;
  const absl::Time now = scheduler_->Now();
  const absl::Duration length = std::min(retry_after, options_.max_pause);
  const absl::Time until = now + length;
  std::vector<std::pair<Callback, absl::Status>> refused;
  std::vector<std::string> lines;
  {
    absl::MutexLock lock(&mu_);
    // A pause can be over before its timer has run; it is logged as over
    // before another one starts.
    if (pause_started_.has_value() && bucket_.paused_until() <= now) {
      lines.push_back(EndPauseLocked());
    }
    bucket_.PauseUntil(now, until);
    if (!pause_started_.has_value() && bucket_.paused_until() > now) {
      pause_started_ = now;
      lines.push_back(absl::StrFormat(
          "Zoom answered HTTP 429 with a Retry-After of %s: no call goes to Zoom for "
          "%s%s",
          absl::FormatDuration(retry_after), absl::FormatDuration(length),
          length < retry_after ? " (capped by --zoom_max_retry_after_pause)" : ""));
      ArmPauseEndLocked();
    }
    int64_t ahead = 0;
    for (auto it = queue_.begin(); it != queue_.end();) {
      const absl::Time slot = bucket_.SlotTime(now, ahead);
      Waiter& waiter = **it;
      if (slot < waiter.deadline) {
        ++ahead;
        ++it;
        continue;
      }
      waiter.queued = false;
      refused.emplace_back(std::move(waiter.done), NoSlotError(now, slot, /*paused=*/true));
      if (options_.observer != nullptr) options_.observer->OnRateLimitRefusal();
      it = queue_.erase(it);
    }
    if (!queue_.empty()) ArmLocked(now);
  }
  for (const std::string& line : lines) Log(line);
  for (auto& [done, status] : refused) std::move(done)(std::move(status));
}

void RateLimiter::ArmPauseEndLocked() {
  if (pause_timer_ != nullptr) pause_timer_->Cancel();
  const uint64_t generation = ++pause_timer_generation_;
  pause_timer_ = scheduler_->RunAt(
      bucket_.paused_until(), [weak = weak_from_this(), generation](const absl::Status& status) {
        if (!status.ok()) return;  // superseded, or the scheduler is stopping
        if (std::shared_ptr<RateLimiter> self = weak.lock()) self->OnPauseTimer(generation);
      });
}

void RateLimiter::OnPauseTimer(uint64_t generation) {
  std::string line;
  {
    absl::MutexLock lock(&mu_);
    if (generation != pause_timer_generation_ || !pause_started_.has_value()) return;
    if (bucket_.paused_until() > scheduler_->Now()) {
      ArmPauseEndLocked();  // a later 429 made it longer
      return;
    }
    pause_timer_ = nullptr;
    line = EndPauseLocked();
  }
  Log(line);
}

std::string RateLimiter::EndPauseLocked() {
  const absl::Duration length = bucket_.paused_until() - *pause_started_;
  pause_started_.reset();
  return absl::StrFormat("calls to Zoom resume after a pause of %s (HTTP 429)",
                         absl::FormatDuration(length));
}

void RateLimiter::Log(absl::string_view line) const {
  if (options_.log) {
    options_.log(LogLevel::kWarning, line);
  } else {
    livestream_gateway::Log(LogLevel::kWarning, line);
  }
}

std::vector<RateLimiter::Callback> RateLimiter::DispatchLocked(absl::Time now) {
  std::vector<Callback> granted;
  while (!queue_.empty() && bucket_.TryTake(now)) {
    std::shared_ptr<Waiter> waiter = std::move(queue_.front());
    queue_.pop_front();
    waiter->queued = false;
    granted.push_back(std::move(waiter->done));
  }
  if (!queue_.empty()) ArmLocked(now);
  return granted;
}

void RateLimiter::ArmLocked(absl::Time now) {
  const absl::Time next = bucket_.SlotTime(now, 0);
  // An earlier timer fires first and re-arms; one timer is enough.
  if (timer_ != nullptr && timer_at_ <= next) return;
  if (timer_ != nullptr) timer_->Cancel();
  const uint64_t generation = ++timer_generation_;
  timer_at_ = next;
  timer_ =
      scheduler_->RunAt(next, [weak = weak_from_this(), generation](const absl::Status& status) {
        if (!status.ok()) return;  // superseded, or the scheduler is stopping
        if (std::shared_ptr<RateLimiter> self = weak.lock()) self->OnTimer(generation);
      });
}

void RateLimiter::OnTimer(uint64_t generation) {
  std::vector<Callback> granted;
  std::shared_ptr<Cancellable> spent;
  {
    absl::MutexLock lock(&mu_);
    if (generation == timer_generation_) {
      spent = std::move(timer_);
      timer_at_ = absl::InfiniteFuture();
    }
    granted = DispatchLocked(scheduler_->Now());
  }
  for (Callback& done : granted) std::move(done)(absl::OkStatus());
}

void RateLimiter::CancelWaiter(Waiter* waiter) {
  Callback done;
  {
    absl::MutexLock lock(&mu_);
    if (!waiter->queued) return;
    waiter->queued = false;
    done = std::move(waiter->done);
    // The head's slot depends on tokens only, so the timer stays as it is.
    queue_.erase(waiter->position);
  }
  // Never inline: Cancel() is called from places that cannot take a
  // completion (e.g. a reactor's constructor holding its own lock).
  scheduler_->RunAt(absl::InfinitePast(), [done = std::move(done)](const absl::Status&) mutable {
    std::move(done)(absl::CancelledError("rate-limit wait cancelled"));
  });
}

absl::Status RateLimiter::NoSlotError(absl::Time now, absl::Time slot, bool paused) const {
  return RateLimitRefusal(options_.requests_per_second, slot - now, paused);
}

absl::Status RateLimitRefusal(double requests_per_second, absl::Duration wait, bool paused) {
  wait = absl::Ceil(std::max(wait, absl::ZeroDuration()), absl::Milliseconds(1));
  const std::string message =
      paused ? absl::StrFormat(
                   "Zoom asked for a pause (HTTP 429 with Retry-After) that outlasts the call's "
                   "deadline: no call to Zoom for %s",
                   absl::FormatDuration(wait))
             : absl::StrFormat(
                   "the gateway's limit of %g requests/s to Zoom has no free slot before the "
                   "call's deadline (next slot in %s)",
                   requests_per_second, absl::FormatDuration(wait));
  absl::Status status = MakeError(absl::StatusCode::kResourceExhausted, message,
                                  ErrorReason::ZOOM_RATE_LIMITED, {{"limitedBy", "gateway"}});
  google::rpc::QuotaFailure quota;
  auto* violation = quota.add_violations();
  violation->set_subject("zoom.us/account");
  violation->set_description(
      absl::StrFormat("the gateway paces calls to Zoom at %g requests/s (--zoom_rate_limit_qps)",
                      requests_per_second));
  SetDetail(status, quota);
  google::rpc::RetryInfo retry;
  absl::Duration nanos;
  retry.mutable_retry_delay()->set_seconds(absl::IDivDuration(wait, absl::Seconds(1), &nanos));
  retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(nanos)));
  SetDetail(status, retry);
  return status;
}

}  // namespace livestream_gateway
