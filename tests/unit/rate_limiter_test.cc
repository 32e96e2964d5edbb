#include "server/zoom/rate_limiter.h"

#include <memory>
#include <optional>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"
#include "tests/unit/fake_scheduler.h"

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::FakeScheduler;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

// ---- TokenBucket arithmetic -------------------------------------------------

TEST(TokenBucketTest, StartsFullAndRefillsAtTheRateUpToTheBurst) {
  TokenBucket bucket(/*rate=*/10, /*burst=*/3, kT0);
  EXPECT_TRUE(bucket.TryTake(kT0));
  EXPECT_TRUE(bucket.TryTake(kT0));
  EXPECT_TRUE(bucket.TryTake(kT0));
  EXPECT_FALSE(bucket.TryTake(kT0));
  EXPECT_FALSE(bucket.TryTake(kT0 + absl::Milliseconds(99)));
  EXPECT_TRUE(bucket.TryTake(kT0 + absl::Milliseconds(100)));
  EXPECT_DOUBLE_EQ(bucket.TokensAt(kT0 + absl::Hours(1)), 3.0);
}

struct SlotRow {
  std::string name;
  int taken_at_t0;  // tokens taken at kT0 first
  int ahead;
  absl::Duration slot;  // after kT0
};

class TokenBucketSlotTest : public ::testing::TestWithParam<SlotRow> {};

TEST_P(TokenBucketSlotTest, SlotTimeIsWhenTheQueuedDeficitHasAccrued) {
  TokenBucket bucket(/*rate=*/5, /*burst=*/2, kT0);
  for (int i = 0; i < GetParam().taken_at_t0; ++i) ASSERT_TRUE(bucket.TryTake(kT0));
  EXPECT_EQ(bucket.SlotTime(kT0, GetParam().ahead), kT0 + GetParam().slot);
}

INSTANTIATE_TEST_SUITE_P(
    Table, TokenBucketSlotTest,
    ::testing::Values(SlotRow{"FullBucket", 0, 0, absl::ZeroDuration()},
                      SlotRow{"SecondOfTheBurst", 0, 1, absl::ZeroDuration()},
                      SlotRow{"JustPastTheBurst", 0, 2, absl::Milliseconds(200)},
                      SlotRow{"Empty", 2, 0, absl::Milliseconds(200)},
                      SlotRow{"EmptyWithQueue", 2, 4, absl::Seconds(1)},
                      SlotRow{"HalfEmpty", 1, 0, absl::ZeroDuration()},
                      SlotRow{"HalfEmptyWithQueue", 1, 3, absl::Milliseconds(600)}),
    [](const ::testing::TestParamInfo<SlotRow>& info) { return info.param.name; });

TEST(TokenBucketTest, PauseBlocksUntilItsEndAndResumesWithoutABurst) {
  TokenBucket bucket(/*rate=*/10, /*burst=*/5, kT0);
  bucket.PauseUntil(kT0, kT0 + absl::Seconds(2));
  EXPECT_FALSE(bucket.TryTake(kT0 + absl::Milliseconds(1999)));
  EXPECT_EQ(bucket.SlotTime(kT0, 0), kT0 + absl::Seconds(2));
  // One token at the end of the pause, then the steady rate: no burst of 5.
  EXPECT_EQ(bucket.SlotTime(kT0, 1), kT0 + absl::Seconds(2) + absl::Milliseconds(100));
  EXPECT_TRUE(bucket.TryTake(kT0 + absl::Seconds(2)));
  EXPECT_FALSE(bucket.TryTake(kT0 + absl::Seconds(2)));
}

TEST(TokenBucketTest, AShorterPauseNeverCutsALongerOne) {
  TokenBucket bucket(/*rate=*/10, /*burst=*/5, kT0);
  bucket.PauseUntil(kT0, kT0 + absl::Seconds(5));
  bucket.PauseUntil(kT0, kT0 + absl::Seconds(1));
  EXPECT_EQ(bucket.paused_until(), kT0 + absl::Seconds(5));
  EXPECT_FALSE(bucket.TryTake(kT0 + absl::Seconds(2)));
}

// ---- RateLimiter ------------------------------------------------------------

struct Grants {
  std::vector<std::pair<int, absl::Status>> seen;
  RateLimiter::Callback For(int id) {
    return [this, id](absl::Status status) { seen.emplace_back(id, std::move(status)); };
  }
  std::optional<absl::Status> Of(int id) const {
    for (const auto& [i, status] : seen) {
      if (i == id) return status;
    }
    return std::nullopt;
  }
};

TEST(RateLimiterTest, GrantsTheBurstAtOnceThenPacesInArrivalOrder) {
  Grants grants;  // outlives the limiter, which may still call it
  FakeScheduler scheduler(kT0);
  auto limiter = RateLimiter::Create(&scheduler, {.requests_per_second = 5, .burst = 2});
  for (int i = 0; i < 5; ++i) limiter->Acquire(absl::InfiniteFuture(), grants.For(i));
  ASSERT_EQ(grants.seen.size(), 2u);  // the burst, before Acquire returned
  scheduler.AdvanceBy(absl::Milliseconds(199));
  EXPECT_EQ(grants.seen.size(), 2u);
  scheduler.AdvanceBy(absl::Milliseconds(1));
  EXPECT_EQ(grants.seen.size(), 3u);
  scheduler.AdvanceBy(absl::Milliseconds(400));
  ASSERT_EQ(grants.seen.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(grants.seen[static_cast<size_t>(i)].first, i);
    EXPECT_TRUE(grants.seen[static_cast<size_t>(i)].second.ok());
  }
}

TEST(RateLimiterTest, ACallWhoseSlotComesAfterItsDeadlineFailsAtOnceWithRetryInfo) {
  Grants grants;  // outlives the limiter, which may still call it
  FakeScheduler scheduler(kT0);
  auto limiter = RateLimiter::Create(&scheduler, {.requests_per_second = 2, .burst = 1});
  limiter->Acquire(absl::InfiniteFuture(), grants.For(0));
  // The next slot is 500 ms away; a 400 ms deadline cannot make it.
  limiter->Acquire(kT0 + absl::Milliseconds(400), grants.For(1));
  ASSERT_TRUE(grants.Of(1).has_value()) << "must fail at once, not wait";
  const absl::Status status = *grants.Of(1);
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  auto info = GetDetail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "ZOOM_RATE_LIMITED");
  auto retry = GetDetail<google::rpc::RetryInfo>(status);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 0);
  EXPECT_EQ(retry->retry_delay().nanos(), 500'000'000);
  EXPECT_TRUE(GetDetail<google::rpc::QuotaFailure>(status).has_value());
  EXPECT_EQ(AttemptsOf(status), 0);
  // A deadline the slot fits waits instead.
  limiter->Acquire(kT0 + absl::Milliseconds(600), grants.For(2));
  EXPECT_FALSE(grants.Of(2).has_value());
  scheduler.AdvanceBy(absl::Milliseconds(500));
  ASSERT_TRUE(grants.Of(2).has_value());
  EXPECT_TRUE(grants.Of(2)->ok());
}

TEST(RateLimiterTest, CancelledWaitCompletesWithCancelledOffTheCallersStackAndFreesItsTurn) {
  Grants grants;  // outlives the limiter, which may still call it
  FakeScheduler scheduler(kT0);
  auto limiter = RateLimiter::Create(&scheduler, {.requests_per_second = 1, .burst = 1});
  limiter->Acquire(absl::InfiniteFuture(), grants.For(0));
  std::shared_ptr<HttpCall> second = limiter->Acquire(absl::InfiniteFuture(), grants.For(1));
  limiter->Acquire(absl::InfiniteFuture(), grants.For(2));
  second->Cancel();
  EXPECT_FALSE(grants.Of(1).has_value()) << "completion must not run inside Cancel()";
  scheduler.RunReady();
  ASSERT_TRUE(grants.Of(1).has_value());
  EXPECT_EQ(grants.Of(1)->code(), absl::StatusCode::kCancelled);
  second->Cancel();  // idempotent
  // The third call moves up into the freed turn: one second, not two.
  scheduler.AdvanceBy(absl::Seconds(1));
  ASSERT_TRUE(grants.Of(2).has_value());
  EXPECT_TRUE(grants.Of(2)->ok());
  EXPECT_EQ(grants.seen.size(), 3u);
}

TEST(RateLimiterTest, PauseHoldsEveryoneAndRefusesWaitersItPushesPastTheirDeadline) {
  Grants grants;  // outlives the limiter, which may still call it
  FakeScheduler scheduler(kT0);
  auto limiter = RateLimiter::Create(&scheduler, {.requests_per_second = 10, .burst = 1});
  limiter->Acquire(absl::InfiniteFuture(), grants.For(0));
  limiter->Acquire(kT0 + absl::Seconds(10), grants.For(1));        // slot at 100 ms
  limiter->Acquire(kT0 + absl::Milliseconds(500), grants.For(2));  // slot at 200 ms
  limiter->PauseUntil(kT0 + absl::Seconds(1));
  // Call 2's turn is now after its deadline: it fails at once.
  ASSERT_TRUE(grants.Of(2).has_value());
  EXPECT_EQ(grants.Of(2)->code(), absl::StatusCode::kResourceExhausted);
  EXPECT_FALSE(grants.Of(1).has_value());
  scheduler.AdvanceBy(absl::Milliseconds(999));
  EXPECT_FALSE(grants.Of(1).has_value());
  scheduler.AdvanceBy(absl::Milliseconds(1));
  ASSERT_TRUE(grants.Of(1).has_value());
  EXPECT_TRUE(grants.Of(1)->ok());
  // New calls during a pause learn how long it lasts.
  limiter->PauseUntil(scheduler.Now() + absl::Seconds(30));
  limiter->Acquire(scheduler.Now() + absl::Seconds(5), grants.For(3));
  ASSERT_TRUE(grants.Of(3).has_value());
  auto retry = GetDetail<google::rpc::RetryInfo>(*grants.Of(3));
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 30);
}

TEST(RateLimiterTest, DestructionCancelsWaitingCalls) {
  Grants grants;  // outlives the limiter, which may still call it
  FakeScheduler scheduler(kT0);
  auto limiter = RateLimiter::Create(&scheduler, {.requests_per_second = 1, .burst = 1});
  limiter->Acquire(absl::InfiniteFuture(), grants.For(0));
  std::shared_ptr<HttpCall> waiting = limiter->Acquire(absl::InfiniteFuture(), grants.For(1));
  limiter.reset();
  ASSERT_TRUE(grants.Of(1).has_value());
  EXPECT_EQ(grants.Of(1)->code(), absl::StatusCode::kCancelled);
  waiting->Cancel();  // the limiter is gone: a no-op
  scheduler.AdvanceBy(absl::Seconds(5));
  EXPECT_EQ(grants.seen.size(), 2u);
}

}  // namespace
}  // namespace livestream_gateway
