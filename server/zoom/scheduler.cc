#include "server/zoom/scheduler.h"

#include <utility>

namespace livestream_gateway {

// One entry of the map. `core_->mu` guards everything but the constants.
class ThreadScheduler::Timer final : public Cancellable {
 public:
  Timer(std::shared_ptr<Core> core, Callback done)
      : core_(std::move(core)), done_(std::move(done)) {}

  void Cancel() override {
    absl::MutexLock lock(&core_->mu);
    if (!pending_ || cancelled_) return;
    // Moved to the front, so the timer thread runs it next, with CANCELLED.
    auto node = core_->pending.extract(key_);
    cancelled_ = true;
    key_ = {absl::InfinitePast(), key_.second};
    node.key() = key_;
    core_->pending.insert(std::move(node));
    core_->wake.Signal();
  }

 private:
  friend class ThreadScheduler;

  const std::shared_ptr<Core> core_;
  Callback done_;
  std::pair<absl::Time, uint64_t> key_ ABSL_GUARDED_BY(core_->mu);
  bool pending_ ABSL_GUARDED_BY(core_->mu) = true;
  bool cancelled_ ABSL_GUARDED_BY(core_->mu) = false;
};

ThreadScheduler::ThreadScheduler() : core_(std::make_shared<Core>()) {
  thread_ = std::thread([this] { Run(); });
}

ThreadScheduler::~ThreadScheduler() {
  {
    absl::MutexLock lock(&core_->mu);
    core_->stopping = true;
  }
  core_->wake.Signal();
  thread_.join();
}

std::shared_ptr<Cancellable> ThreadScheduler::RunAt(absl::Time when, Callback done) {
  auto timer = std::make_shared<Timer>(core_, std::move(done));
  {
    absl::MutexLock lock(&core_->mu);
    // The same mutex under another name, which the thread-safety analysis
    // cannot see: the timer's core is this scheduler's.
    timer->core_->mu.AssertHeld();
    if (!core_->exited) {
      timer->key_ = {when, core_->next_sequence++};
      core_->pending.emplace(timer->key_, timer);
      core_->wake.Signal();
      return timer;
    }
    timer->pending_ = false;
  }
  // Only when RunAt() races the destructor.
  Callback callback = std::move(timer->done_);
  std::move(callback)(absl::CancelledError("scheduler is shutting down"));
  return timer;
}

void ThreadScheduler::Run() {
  Core& core = *core_;
  absl::MutexLock lock(&core.mu);
  while (true) {
    if (core.pending.empty()) {
      if (core.stopping) {
        core.exited = true;
        return;
      }
      core.wake.Wait(&core.mu);
      continue;
    }
    auto first = core.pending.begin();
    const absl::Time when = first->first.first;
    std::shared_ptr<Timer> timer = first->second;
    timer->core_->mu.AssertHeld();  // core.mu under the timer's name
    const bool due = when <= absl::Now();
    if (!due && !core.stopping && !timer->cancelled_) {
      core.wake.WaitWithDeadline(&core.mu, when);
      continue;
    }
    core.pending.erase(first);
    timer->pending_ = false;
    absl::Status status = absl::OkStatus();
    if (timer->cancelled_) {
      status = absl::CancelledError("timer cancelled");
    } else if (!due) {
      status = absl::CancelledError("scheduler is shutting down");
    }
    Callback callback = std::move(timer->done_);
    core.mu.Unlock();
    std::move(callback)(std::move(status));
    // Destroyed outside the lock: captured state may cancel other timers.
    callback = nullptr;
    timer.reset();
    core.mu.Lock();
  }
}

}  // namespace livestream_gateway
