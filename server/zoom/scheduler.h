#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_SCHEDULER_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_SCHEDULER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/zoom/http.h"

namespace livestream_gateway {

// The clock and timers of the upstream policies (token refresh, rate-limit
// slots, backoff). Injected so that tests drive time by hand.
class Scheduler {
 public:
  using Callback = absl::AnyInvocable<void(absl::Status) &&>;

  virtual ~Scheduler() = default;

  virtual absl::Time Now() = 0;

  // Runs `done` exactly once, never before RunAt() returns: with OK at or
  // after `when`, or with CANCELLED soon after the handle's Cancel() or the
  // scheduler's destruction. Callbacks run one at a time and must not block.
  virtual std::shared_ptr<Cancellable> RunAt(absl::Time when, Callback done) = 0;
};

// Scheduler with one timer thread for the whole process, however many calls
// are waiting: a waiting call is an entry in a map, not a thread.
class ThreadScheduler final : public Scheduler {
 public:
  ThreadScheduler();
  // Runs every pending callback with CANCELLED (on the timer thread), then
  // joins it. Must not be called from a callback.
  ~ThreadScheduler() override;

  ThreadScheduler(const ThreadScheduler&) = delete;
  ThreadScheduler& operator=(const ThreadScheduler&) = delete;

  absl::Time Now() override { return absl::Now(); }
  std::shared_ptr<Cancellable> RunAt(absl::Time when, Callback done) override;

 private:
  class Timer;
  // What timers point at: it outlives the scheduler while a handle is held,
  // so a late Cancel() is safe.
  struct Core {
    absl::Mutex mu;
    // Only the timer thread waits on it.
    absl::CondVar wake;
    // Keyed by (time, sequence) so that equal times run in arrival order.
    std::map<std::pair<absl::Time, uint64_t>, std::shared_ptr<Timer>> pending ABSL_GUARDED_BY(mu);
    uint64_t next_sequence ABSL_GUARDED_BY(mu) = 0;
    bool stopping ABSL_GUARDED_BY(mu) = false;
    // The thread has finished; RunAt() then completes callbacks itself.
    bool exited ABSL_GUARDED_BY(mu) = false;
  };

  void Run();

  const std::shared_ptr<Core> core_;
  std::thread thread_;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_SCHEDULER_H_
