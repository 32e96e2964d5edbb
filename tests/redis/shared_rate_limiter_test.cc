// SharedRateLimiter against a real redis-server: limiters of two "replicas"
// (each with a Redis connection of its own, as processes have) share one
// limit and one pause; the fallback when Redis stops answering or goes
// away, and the return to shared limiting.

#include "server/zoom/shared_rate_limiter.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"
#include "server/zoom/scheduler.h"
#include "tests/redis/redis_server.h"
#include "tests/redis/redis_test_util.h"

namespace livestream_gateway::testing {
namespace {

using redis::RedisClient;
using ::testing::HasSubstr;

class CountingObserver final : public UpstreamObserver {
 public:
  void OnRateLimitWait() override { waits.fetch_add(1); }
  void OnRateLimitRefusal() override { refusals.fetch_add(1); }
  void OnRateLimitFallback(bool engaged) override { (engaged ? fallbacks : resumes).fetch_add(1); }
  std::atomic<int> waits{0};
  std::atomic<int> refusals{0};
  std::atomic<int> fallbacks{0};
  std::atomic<int> resumes{0};
};

// One call's outcome, and when it came.
struct Outcome {
  absl::Notification done;
  absl::Status status;
  absl::Time at;
};

class SharedRateLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // A replica's limiter, on a connection of its own.
  std::shared_ptr<SharedRateLimiter> Replica(SharedRateLimiterOptions options) {
    redis::RedisClientOptions client_options;
    client_options.endpoint.host = "127.0.0.1";
    client_options.endpoint.port = server_->port();
    client_options.timeout = options.redis_timeout;
    client_options.reconnect_max = absl::Milliseconds(100);
    client_options.log = log_.sink();
    absl::StatusOr<std::unique_ptr<RedisClient>> client = RedisClient::Start(client_options);
    EXPECT_TRUE(client.ok()) << client.status();
    clients_.push_back(*std::move(client));
    options.log = log_.sink();
    options.observer = &observer_;
    return SharedRateLimiter::Create(&scheduler_, clients_.back().get(), std::move(options));
  }

  static SharedRateLimiterOptions Limit(double qps, int burst) {
    SharedRateLimiterOptions options;
    options.requests_per_second = qps;
    options.burst = burst;
    options.redis_timeout = absl::Milliseconds(300);
    options.probe_interval = absl::Milliseconds(50);
    return options;
  }

  std::shared_ptr<Cancellable> Acquire(AccountRateLimiter& limiter, absl::Duration timeout,
                                       Outcome& outcome) {
    return limiter.Acquire(absl::Now() + timeout, [&outcome](absl::Status status) {
      outcome.status = std::move(status);
      outcome.at = absl::Now();
      outcome.done.Notify();
    });
  }

  absl::Status AcquireNow(AccountRateLimiter& limiter, absl::Duration timeout = absl::Seconds(5)) {
    Outcome outcome;
    Acquire(limiter, timeout, outcome);
    outcome.done.WaitForNotification();
    return outcome.status;
  }

  std::unique_ptr<RedisServer> server_;
  CountingObserver observer_;
  LogCapture log_;
  // Declared after what its timers use, so that it goes first.
  ThreadScheduler scheduler_;
  std::vector<std::unique_ptr<RedisClient>> clients_;
};

TEST_F(SharedRateLimiterTest, TwoReplicasTogetherGetOneLimit) {
  // 2/s and a burst of 2 for the account. Each replica alone would let 2 go
  // at once and the 3rd after 500 ms; together the 6th goes at 2 s. Slots
  // half a second apart, so that which calls wait does not depend on how
  // fast a loaded (sanitized, parallel) test run gets the six to Redis: at
  // 10/s a run that took 100 ms to send them saw only 3 of the 4 wait.
  std::shared_ptr<SharedRateLimiter> a = Replica(Limit(2, 2));
  std::shared_ptr<SharedRateLimiter> b = Replica(Limit(2, 2));
  std::vector<std::unique_ptr<Outcome>> outcomes;
  std::vector<std::shared_ptr<Cancellable>> handles;
  const absl::Time start = absl::Now();
  for (int i = 0; i < 6; ++i) {
    outcomes.push_back(std::make_unique<Outcome>());
    handles.push_back(Acquire(i % 2 == 0 ? *a : *b, absl::Seconds(20), *outcomes.back()));
  }
  std::vector<absl::Duration> granted;
  for (auto& outcome : outcomes) {
    outcome->done.WaitForNotification();
    EXPECT_TRUE(outcome->status.ok()) << outcome->status;
    granted.push_back(outcome->at - start);
  }
  std::sort(granted.begin(), granted.end());
  // Slots at 0, 0, 500, 1000, 1500, 2000 ms (a little late, never early).
  for (int i = 2; i < 6; ++i) {
    EXPECT_GE(granted[i], absl::Milliseconds(500 * (i - 1) - 20)) << i;
  }
  EXPECT_LT(granted[5], absl::Seconds(6));
  EXPECT_EQ(observer_.waits.load(), 4);
  EXPECT_TRUE(a->shared());
  EXPECT_TRUE(b->shared());
}

TEST_F(SharedRateLimiterTest, ACallWithNoSlotBeforeItsDeadlineFailsAtOnceWithRetryInfo) {
  std::shared_ptr<SharedRateLimiter> a = Replica(Limit(1, 1));
  std::shared_ptr<SharedRateLimiter> b = Replica(Limit(1, 1));
  ASSERT_TRUE(AcquireNow(*a).ok());
  const absl::Time start = absl::Now();
  const absl::Status refused = AcquireNow(*b, absl::Milliseconds(300));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(250)) << "waited instead of failing at once";
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), HasSubstr("1 requests/s"));
  std::optional<google::rpc::RetryInfo> retry = GetDetail<google::rpc::RetryInfo>(refused);
  ASSERT_TRUE(retry.has_value());
  EXPECT_GE(retry->retry_delay().nanos() / 1'000'000 + retry->retry_delay().seconds() * 1000, 500);
  EXPECT_EQ(observer_.refusals.load(), 1);
  // The dry run of the other replica knows it too, from Redis's last answer.
  EXPECT_EQ(b->Check(absl::Now() + absl::Milliseconds(100), 0).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(b->Check(absl::Now() + absl::Seconds(5), 0).ok());
}

TEST_F(SharedRateLimiterTest, APauseOnOneReplicaHoldsTheOther) {
  std::shared_ptr<SharedRateLimiter> a = Replica(Limit(50, 5));
  std::shared_ptr<SharedRateLimiter> b = Replica(Limit(50, 5));
  ASSERT_TRUE(AcquireNow(*b).ok());
  const absl::Time paused = absl::Now();
  a->PauseFor(absl::Seconds(1));
  // The pause reaches Redis asynchronously: wait for its round trip.
  ASSERT_TRUE(WaitFor([&] {
    return server_->Call({"EXISTS", kGcraPauseKey}).value_or("") == "1";
  }));
  const absl::Status refused = AcquireNow(*b, absl::Milliseconds(300));
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), HasSubstr("pause"));
  const absl::Status waited = AcquireNow(*b, absl::Seconds(5));
  EXPECT_TRUE(waited.ok()) << waited;
  EXPECT_GE(absl::Now() - paused, absl::Milliseconds(950));
  // The replica that got the 429 logs its start (and later its end).
  EXPECT_EQ(log_.Count("Zoom answered HTTP 429"), 1) << log_.All();
}

TEST_F(SharedRateLimiterTest, ACallWaitingForItsSlotIsMovedPastAPauseThatBeganMeanwhile) {
  std::shared_ptr<SharedRateLimiter> a = Replica(Limit(4, 1));
  std::shared_ptr<SharedRateLimiter> b = Replica(Limit(4, 1));
  ASSERT_TRUE(AcquireNow(*a).ok());
  Outcome waiting;
  auto handle = Acquire(*b, absl::Seconds(10), waiting);
  // b's call reserved the slot at +250 ms; a 429 now pauses for 1 s.
  ASSERT_TRUE(WaitFor([&] { return observer_.waits.load() == 1; }));
  const absl::Time paused = absl::Now();
  a->PauseFor(absl::Seconds(1));
  waiting.done.WaitForNotification();
  EXPECT_TRUE(waiting.status.ok()) << waiting.status;
  EXPECT_GE(waiting.at - paused, absl::Milliseconds(950));
}

TEST_F(SharedRateLimiterTest, CancellingAWaitingCallAnswersItCancelledPromptly) {
  std::shared_ptr<SharedRateLimiter> a = Replica(Limit(0.5, 1));
  ASSERT_TRUE(AcquireNow(*a).ok());
  Outcome waiting;
  std::shared_ptr<Cancellable> handle = Acquire(*a, absl::Seconds(30), waiting);
  ASSERT_TRUE(WaitFor([&] { return observer_.waits.load() == 1; }));
  const absl::Time cancelled = absl::Now();
  handle->Cancel();
  waiting.done.WaitForNotification();
  EXPECT_EQ(waiting.status.code(), absl::StatusCode::kCancelled);
  EXPECT_LT(waiting.at - cancelled, absl::Milliseconds(500));
}

TEST_F(SharedRateLimiterTest, FallsBackWhenRedisStopsAnsweringAndResumesWhenItDoes) {
  SharedRateLimiterOptions options = Limit(100, 4);
  options.fallback_share = 0.5;
  std::shared_ptr<SharedRateLimiter> a = Replica(options);
  ASSERT_TRUE(AcquireNow(*a).ok());
  server_->Freeze();
  const absl::Time frozen = absl::Now();
  // Answered by the local share, within --redis_timeout, not the deadline.
  EXPECT_TRUE(AcquireNow(*a, absl::Seconds(10)).ok());
  EXPECT_LT(absl::Now() - frozen, absl::Seconds(2));
  EXPECT_FALSE(a->shared());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(AcquireNow(*a, absl::Seconds(10)).ok());
  EXPECT_EQ(observer_.fallbacks.load(), 1);
  EXPECT_EQ(log_.Count("falls back to 50 requests/s (burst 2)"), 1) << log_.All();
  server_->Thaw();
  // Resume() flips shared() before it logs and tells the observer, so wait
  // for the report, the last of the three.
  ASSERT_TRUE(WaitFor([&] { return observer_.resumes.load() > 0; })) << log_.All();
  EXPECT_TRUE(a->shared());
  EXPECT_EQ(observer_.resumes.load(), 1);
  EXPECT_EQ(log_.Count("share the account's rate limit again"), 1) << log_.All();
  EXPECT_TRUE(AcquireNow(*a).ok());
  EXPECT_TRUE(a->shared());
}

TEST_F(SharedRateLimiterTest, FallsBackAtOnceWhenRedisIsGoneAndResumesAfterARestart) {
  std::shared_ptr<SharedRateLimiter> a = Replica(Limit(100, 4));
  ASSERT_TRUE(AcquireNow(*a).ok());
  server_->Stop();
  ASSERT_TRUE(WaitFor([&] { return !clients_.back()->connected(); }));
  const absl::Time start = absl::Now();
  EXPECT_TRUE(AcquireNow(*a, absl::Seconds(10)).ok());
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
  EXPECT_FALSE(a->shared());
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return a->shared(); })) << log_.All();
  // Redis came back empty: the script is loaded again (NOSCRIPT, EVAL).
  EXPECT_TRUE(AcquireNow(*a).ok());
  EXPECT_TRUE(a->shared());
  EXPECT_EQ(observer_.fallbacks.load(), 1);
}

}  // namespace
}  // namespace livestream_gateway::testing
