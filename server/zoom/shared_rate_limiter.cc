#include "server/zoom/shared_rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "server/logging/logger.h"

namespace livestream_gateway {
namespace {

RateLimiterOptions FallbackOptions(const SharedRateLimiterOptions& options) {
  RateLimiterOptions local;
  local.requests_per_second = options.requests_per_second * options.fallback_share;
  // The burst shrinks with the rate, but one request may always go.
  local.burst = std::max(1, static_cast<int>(std::floor(options.burst * options.fallback_share)));
  local.max_pause = options.max_pause;
  local.log = options.log;
  local.observer = options.observer;
  return local;
}

}  // namespace

// One call's way to a slot: the script's answer, a timer until a reserved
// slot, its confirmation, or the local limiter. Its handle.
class SharedRateLimiter::Call final : public Cancellable,
                                      public std::enable_shared_from_this<Call> {
 public:
  Call(Scheduler* scheduler, absl::Time deadline, Callback done)
      : scheduler_(scheduler), deadline(deadline), done_(std::move(done)) {}

  void Cancel() override {
    Callback done;
    std::shared_ptr<Cancellable> stage;
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
      done = std::move(done_);
      stage = std::move(stage_);
    }
    if (stage != nullptr) stage->Cancel();
    // Never inline: Cancel() is called from places that cannot take a
    // completion (see RateLimiter::CancelWaiter).
    scheduler_->RunAt(absl::InfinitePast(), [done = std::move(done)](const absl::Status&) mutable {
      std::move(done)(absl::CancelledError("rate-limit wait cancelled"));
    });
  }

  // Runs the callback with `status`, unless the call is over already.
  void Complete(absl::Status status) {
    Callback done;
    std::shared_ptr<Cancellable> stage;
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
      done = std::move(done_);
      stage = std::move(stage_);
    }
    std::move(done)(std::move(status));
  }

  // What Cancel() must reach now: a timer or the local limiter's wait.
  void SetStage(std::shared_ptr<Cancellable> stage) {
    {
      absl::MutexLock lock(&mu_);
      if (!finished_) {
        stage_ = std::move(stage);
        return;
      }
    }
    stage->Cancel();
  }

  bool finished() {
    absl::MutexLock lock(&mu_);
    return finished_;
  }

  Scheduler* const scheduler_;
  const absl::Time deadline;

 private:
  absl::Mutex mu_;
  Callback done_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<Cancellable> stage_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

std::shared_ptr<SharedRateLimiter> SharedRateLimiter::Create(Scheduler* scheduler,
                                                             redis::RedisClient* redis,
                                                             SharedRateLimiterOptions options) {
  return std::shared_ptr<SharedRateLimiter>(
      new SharedRateLimiter(scheduler, redis, std::move(options)));
}

SharedRateLimiter::SharedRateLimiter(Scheduler* scheduler, redis::RedisClient* redis,
                                     SharedRateLimiterOptions options)
    : scheduler_(scheduler),
      redis_(redis),
      options_(std::move(options)),
      limits_(GcraLimitsFor(options_.requests_per_second, options_.burst)),
      script_(std::string(GcraScriptSource())),
      local_(RateLimiter::Create(scheduler, FallbackOptions(options_))) {}

SharedRateLimiter::~SharedRateLimiter() {
  std::shared_ptr<Cancellable> probe;
  {
    absl::MutexLock lock(&mu_);
    probe = std::move(probe_timer_);
  }
  if (probe != nullptr) probe->Cancel();
}

std::shared_ptr<Cancellable> SharedRateLimiter::Acquire(absl::Time deadline, Callback done) {
  if (!shared()) return local_->Acquire(deadline, std::move(done));
  auto call = std::make_shared<Call>(scheduler_, deadline, std::move(done));
  Ask(call, GcraOp::kAcquire, 0);
  return call;
}

void SharedRateLimiter::Ask(const std::shared_ptr<Call>& call, GcraOp op,
                            int64_t reserved_slot_us) {
  const absl::Time now = scheduler_->Now();
  script_.Run(redis_, {options_.tat_key, options_.pause_key},
              GcraArgs(op, limits_, call->deadline - now, reserved_slot_us),
              std::min(call->deadline, now + options_.redis_timeout),
              [weak = weak_from_this(), call, op](absl::StatusOr<redis::RedisReply> reply) {
                if (std::shared_ptr<SharedRateLimiter> self = weak.lock()) {
                  self->OnAnswer(call, op, std::move(reply));
                } else {
                  call->Complete(absl::CancelledError("rate limiter shutting down"));
                }
              });
}

void SharedRateLimiter::OnAnswer(const std::shared_ptr<Call>& call, GcraOp op,
                                 absl::StatusOr<redis::RedisReply> reply) {
  if (call->finished()) return;
  absl::StatusOr<GcraAnswer> answer =
      reply.ok() ? ParseGcraAnswer(*reply) : absl::StatusOr<GcraAnswer>(reply.status());
  const absl::Time now = scheduler_->Now();
  if (!answer.ok()) {
    if (absl::IsCancelled(answer.status())) {
      // The client is shutting down with the server.
      call->Complete(answer.status());
      return;
    }
    // A Redis slower than the call's own deadline is no reason to stop
    // asking it: only the call is answered by the local limiter.
    if (!(absl::IsDeadlineExceeded(answer.status()) && now >= call->deadline)) {
      FallBack(answer.status().message());
    }
    ToLocal(call);
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    next_free_ = now + answer->next_wait;
    pause_end_ = std::max(pause_end_, now + answer->pause_left);
  }
  if (!answer->granted) {
    if (options_.observer != nullptr) options_.observer->OnRateLimitRefusal();
    call->Complete(RateLimitRefusal(options_.requests_per_second, answer->wait,
                                    answer->pause_left > absl::ZeroDuration()));
    return;
  }
  if (answer->wait <= absl::ZeroDuration()) {
    call->Complete(absl::OkStatus());
    return;
  }
  if (op == GcraOp::kAcquire && options_.observer != nullptr) options_.observer->OnRateLimitWait();
  // The slot is this call's: wait for it here, then make sure no pause
  // began over it meanwhile.
  call->SetStage(scheduler_->RunAt(
      now + answer->wait,
      [weak = weak_from_this(), call, slot = answer->slot_us](const absl::Status& status) {
        if (!status.ok()) return;  // cancelled (Call::Cancel answers), or shutting down
        if (std::shared_ptr<SharedRateLimiter> self = weak.lock()) {
          self->Ask(call, GcraOp::kConfirm, slot);
        } else {
          call->Complete(absl::CancelledError("rate limiter shutting down"));
        }
      }));
}

void SharedRateLimiter::ToLocal(const std::shared_ptr<Call>& call) {
  call->SetStage(local_->Acquire(
      call->deadline, [call](absl::Status status) { call->Complete(std::move(status)); }));
}

absl::Status SharedRateLimiter::Check(absl::Time deadline, int64_t ahead) {
  if (!shared()) return local_->Check(deadline, ahead);
  const absl::Time now = scheduler_->Now();
  absl::Time slot;
  bool paused = false;
  {
    absl::MutexLock lock(&mu_);
    slot = std::max(next_free_, now) + absl::Microseconds(limits_.interval_us) * ahead;
    paused = pause_end_ > now;
  }
  if (slot <= now || slot < deadline) return absl::OkStatus();
  return RateLimitRefusal(options_.requests_per_second, slot - now, paused);
}

void SharedRateLimiter::PauseFor(absl::Duration retry_after) {
  local_->PauseFor(retry_after);
  if (options_.max_pause <= absl::ZeroDuration()) return;
  const absl::Duration length = std::min(retry_after, options_.max_pause);
  const absl::Time now = scheduler_->Now();
  {
    absl::MutexLock lock(&mu_);
    pause_end_ = std::max(pause_end_, now + length);
    next_free_ = std::max(next_free_, now + length);
  }
  if (!shared()) return;
  script_.Run(redis_, {options_.tat_key, options_.pause_key},
              GcraArgs(GcraOp::kPause, limits_, length), now + options_.redis_timeout,
              [weak = weak_from_this()](absl::StatusOr<redis::RedisReply> reply) {
                std::shared_ptr<SharedRateLimiter> self = weak.lock();
                if (self == nullptr) return;
                absl::StatusOr<GcraAnswer> answer =
                    reply.ok() ? ParseGcraAnswer(*reply)
                               : absl::StatusOr<GcraAnswer>(reply.status());
                if (!answer.ok() && !absl::IsCancelled(answer.status())) {
                  self->FallBack(answer.status().message());
                }
              });
}

void SharedRateLimiter::FallBack(absl::string_view why) {
  if (falling_back_.exchange(true, std::memory_order_acq_rel)) return;
  const RateLimiterOptions& local = local_->options();
  Log(LogLevel::kWarning,
      absl::StrFormat("cannot use Redis for the account's rate limit (%s): this replica falls "
                      "back to %g requests/s (burst %d), --redis_fallback_share=%g of the limit, "
                      "until Redis answers again",
                      why, local.requests_per_second, local.burst, options_.fallback_share));
  if (options_.observer != nullptr) options_.observer->OnRateLimitFallback(true);
  ArmProbe();
}

void SharedRateLimiter::ArmProbe() {
  std::shared_ptr<Cancellable> timer =
      scheduler_->RunAt(scheduler_->Now() + options_.probe_interval,
                        [weak = weak_from_this()](const absl::Status& status) {
                          if (!status.ok()) return;
                          if (std::shared_ptr<SharedRateLimiter> self = weak.lock()) self->Probe();
                        });
  absl::MutexLock lock(&mu_);
  probe_timer_ = std::move(timer);
}

void SharedRateLimiter::Probe() {
  // PING answers PONG only on a connection that is authenticated too.
  redis_->Command({"PING"}, scheduler_->Now() + options_.redis_timeout,
                  [weak = weak_from_this()](absl::StatusOr<redis::RedisReply> reply) {
                    std::shared_ptr<SharedRateLimiter> self = weak.lock();
                    if (self == nullptr) return;
                    if (reply.ok() && reply->type == redis::RedisReply::Type::kStatus &&
                        reply->text == "PONG") {
                      self->Resume();
                    } else if (!reply.ok() && absl::IsCancelled(reply.status())) {
                      return;
                    } else {
                      self->ArmProbe();
                    }
                  });
}

void SharedRateLimiter::Resume() {
  if (!falling_back_.exchange(false, std::memory_order_acq_rel)) return;
  Log(LogLevel::kWarning, "Redis answers again: the replicas share the account's rate limit again");
  if (options_.observer != nullptr) options_.observer->OnRateLimitFallback(false);
}

void SharedRateLimiter::Log(LogLevel level, absl::string_view line) const {
  if (options_.log) {
    options_.log(level, line);
  } else {
    livestream_gateway::Log(level, line);
  }
}

}  // namespace livestream_gateway
