#include "server/zoom/scheduler.h"

#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fake_scheduler.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAre;

// What the callbacks saw, in order.
struct Log {
  absl::Mutex mu;
  std::vector<std::pair<int, absl::StatusCode>> entries;
  std::thread::id thread;

  Scheduler::Callback Record(int id) {
    return [this, id](absl::Status status) {
      absl::MutexLock lock(&mu);
      entries.emplace_back(id, status.code());
      thread = std::this_thread::get_id();
    };
  }
  size_t size() {
    absl::MutexLock lock(&mu);
    return entries.size();
  }
  bool WaitForSize(size_t n, absl::Duration timeout = absl::Seconds(10)) {
    absl::MutexLock lock(&mu);
    auto reached = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return entries.size() >= n; };
    return mu.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }
};

TEST(ThreadSchedulerTest, RunsTimersInTimeOrderOnItsOwnThread) {
  ThreadScheduler scheduler;
  Log log;
  const absl::Time now = scheduler.Now();
  scheduler.RunAt(now + absl::Milliseconds(60), log.Record(3));
  scheduler.RunAt(now + absl::Milliseconds(20), log.Record(1));
  scheduler.RunAt(now + absl::Milliseconds(40), log.Record(2));
  ASSERT_TRUE(log.WaitForSize(3));
  EXPECT_GE(scheduler.Now(), now + absl::Milliseconds(60));
  absl::MutexLock lock(&log.mu);
  EXPECT_THAT(log.entries,
              ElementsAre(std::pair(1, absl::StatusCode::kOk), std::pair(2, absl::StatusCode::kOk),
                          std::pair(3, absl::StatusCode::kOk)));
  EXPECT_NE(log.thread, std::this_thread::get_id());
}

TEST(ThreadSchedulerTest, PastTimesRunSoonButNeverInsideRunAt) {
  ThreadScheduler scheduler;
  Log log;
  scheduler.RunAt(absl::InfinitePast(), log.Record(1));
  ASSERT_TRUE(log.WaitForSize(1));
  absl::MutexLock lock(&log.mu);
  EXPECT_THAT(log.entries, ElementsAre(std::pair(1, absl::StatusCode::kOk)));
  EXPECT_NE(log.thread, std::this_thread::get_id());
}

TEST(ThreadSchedulerTest, CancelRunsTheCallbackPromptlyWithCancelled) {
  ThreadScheduler scheduler;
  Log log;
  std::shared_ptr<Cancellable> timer =
      scheduler.RunAt(scheduler.Now() + absl::Hours(1), log.Record(1));
  const absl::Time before = absl::Now();
  timer->Cancel();
  timer->Cancel();  // idempotent
  ASSERT_TRUE(log.WaitForSize(1));
  EXPECT_LT(absl::Now() - before, absl::Seconds(5));
  absl::MutexLock lock(&log.mu);
  EXPECT_THAT(log.entries, ElementsAre(std::pair(1, absl::StatusCode::kCancelled)));
}

TEST(ThreadSchedulerTest, CancelAfterRunningIsANoOp) {
  ThreadScheduler scheduler;
  Log log;
  std::shared_ptr<Cancellable> timer = scheduler.RunAt(absl::InfinitePast(), log.Record(1));
  ASSERT_TRUE(log.WaitForSize(1));
  timer->Cancel();
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(log.size(), 1u);
}

TEST(ThreadSchedulerTest, DestructionCancelsPendingTimersAndOutlivingHandlesStaySafe) {
  Log log;
  std::shared_ptr<Cancellable> handle;
  {
    ThreadScheduler scheduler;
    handle = scheduler.RunAt(scheduler.Now() + absl::Hours(1), log.Record(1));
    scheduler.RunAt(scheduler.Now() + absl::Hours(2), log.Record(2));
  }
  {
    absl::MutexLock lock(&log.mu);
    EXPECT_THAT(log.entries, ElementsAre(std::pair(1, absl::StatusCode::kCancelled),
                                         std::pair(2, absl::StatusCode::kCancelled)));
  }
  handle->Cancel();  // after the scheduler is gone
  EXPECT_EQ(log.size(), 2u);
}

TEST(ThreadSchedulerTest, ManyWaitingTimersShareOneThread) {
  ThreadScheduler scheduler;
  Log log;
  std::vector<std::shared_ptr<Cancellable>> timers;
  const absl::Time when = scheduler.Now() + absl::Milliseconds(50);
  for (int i = 0; i < 1000; ++i) timers.push_back(scheduler.RunAt(when, log.Record(i)));
  ASSERT_TRUE(log.WaitForSize(1000));
  absl::MutexLock lock(&log.mu);
  // Equal times run in the order they were set.
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(log.entries[static_cast<size_t>(i)].first, i);
}

TEST(ThreadSchedulerTest, CallbacksMayScheduleAndCancelOtherTimers) {
  ThreadScheduler scheduler;
  Log log;
  std::shared_ptr<Cancellable> far =
      scheduler.RunAt(scheduler.Now() + absl::Hours(1), log.Record(2));
  scheduler.RunAt(absl::InfinitePast(), [&](absl::Status) {
    far->Cancel();
    scheduler.RunAt(absl::InfinitePast(), log.Record(3));
  });
  ASSERT_TRUE(log.WaitForSize(2));
  absl::MutexLock lock(&log.mu);
  EXPECT_THAT(log.entries, ElementsAre(std::pair(2, absl::StatusCode::kCancelled),
                                       std::pair(3, absl::StatusCode::kOk)));
}

TEST(FakeSchedulerTest, AdvanceRunsDueTimersAtTheirTimes) {
  testing::FakeScheduler scheduler;
  const absl::Time start = scheduler.Now();
  std::vector<absl::Duration> seen;
  scheduler.RunAt(start + absl::Seconds(2),
                  [&](absl::Status) { seen.push_back(scheduler.Now() - start); });
  scheduler.RunAt(start + absl::Seconds(1),
                  [&](absl::Status) { seen.push_back(scheduler.Now() - start); });
  scheduler.AdvanceBy(absl::Milliseconds(999));
  EXPECT_TRUE(seen.empty());
  scheduler.AdvanceBy(absl::Seconds(5));
  EXPECT_THAT(seen, ElementsAre(absl::Seconds(1), absl::Seconds(2)));
  EXPECT_EQ(scheduler.Now() - start, absl::Milliseconds(5999));
}

}  // namespace
}  // namespace livestream_gateway
