#ifndef LIVESTREAM_GATEWAY_TESTS_UNIT_FAKE_SCHEDULER_H_
#define LIVESTREAM_GATEWAY_TESTS_UNIT_FAKE_SCHEDULER_H_

// A Scheduler whose clock only moves when the test says so. Timers run on the
// test's thread, inside AdvanceBy() and RunReady(), in time order.

#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "server/zoom/scheduler.h"

namespace livestream_gateway::testing {

class FakeScheduler final : public Scheduler {
 public:
  explicit FakeScheduler(absl::Time start = absl::FromUnixSeconds(1'700'000'000))
      : state_(std::make_shared<State>()) {
    state_->now = start;
  }

  // Pending timers run with CANCELLED, as a real scheduler's would.
  ~FakeScheduler() override {
    while (true) {
      std::shared_ptr<Timer> timer;
      {
        absl::MutexLock lock(&state_->mu);
        if (state_->pending.empty()) return;
        timer = state_->pending.begin()->second;
        state_->pending.erase(state_->pending.begin());
        timer->pending = false;
      }
      Callback callback = std::move(timer->done);
      std::move(callback)(absl::CancelledError("scheduler destroyed"));
    }
  }

  absl::Time Now() override {
    absl::MutexLock lock(&state_->mu);
    return state_->now;
  }

  std::shared_ptr<Cancellable> RunAt(absl::Time when, Callback done) override {
    auto timer = std::make_shared<Timer>(state_, std::move(done));
    absl::MutexLock lock(&state_->mu);
    timer->key = {when, state_->next_sequence++};
    state_->pending.emplace(timer->key, timer);
    return timer;
  }

  // Runs every timer that is due or cancelled, including ones they schedule.
  void RunReady() { AdvanceBy(absl::ZeroDuration()); }

  // Moves the clock forward, running timers at their times on the way.
  void AdvanceBy(absl::Duration duration) {
    absl::Time target;
    {
      absl::MutexLock lock(&state_->mu);
      target = state_->now + duration;
    }
    while (true) {
      std::shared_ptr<Timer> timer;
      bool cancelled = false;
      {
        absl::MutexLock lock(&state_->mu);
        if (state_->pending.empty() || state_->pending.begin()->first.first > target) {
          state_->now = target;
          return;
        }
        auto first = state_->pending.begin();
        timer = first->second;
        state_->pending.erase(first);
        timer->pending = false;
        cancelled = timer->cancelled;
        if (!cancelled) state_->now = std::max(state_->now, timer->key.first);
      }
      Callback callback = std::move(timer->done);
      std::move(callback)(cancelled ? absl::CancelledError("timer cancelled") : absl::OkStatus());
    }
  }

  // Timers not yet run (cancelled ones included until RunReady()).
  int PendingCount() {
    absl::MutexLock lock(&state_->mu);
    return static_cast<int>(state_->pending.size());
  }

  // Time of the earliest timer not cancelled, or InfiniteFuture.
  absl::Time NextTimer() {
    absl::MutexLock lock(&state_->mu);
    for (const auto& [key, timer] : state_->pending) {
      if (!timer->cancelled) return key.first;
    }
    return absl::InfiniteFuture();
  }

 private:
  struct Timer;
  struct State {
    absl::Mutex mu;
    absl::Time now;
    uint64_t next_sequence = 0;
    std::map<std::pair<absl::Time, uint64_t>, std::shared_ptr<Timer>> pending;
  };
  struct Timer final : Cancellable {
    Timer(std::shared_ptr<State> state, Callback done)
        : state(std::move(state)), done(std::move(done)) {}
    void Cancel() override {
      absl::MutexLock lock(&state->mu);
      if (!pending || cancelled) return;
      auto node = state->pending.extract(key);
      cancelled = true;
      key = {absl::InfinitePast(), key.second};
      node.key() = key;
      state->pending.insert(std::move(node));
    }
    std::shared_ptr<State> state;
    Callback done;
    std::pair<absl::Time, uint64_t> key;
    bool pending = true;
    bool cancelled = false;
  };

  std::shared_ptr<State> state_;
};

}  // namespace livestream_gateway::testing

#endif  // LIVESTREAM_GATEWAY_TESTS_UNIT_FAKE_SCHEDULER_H_
