#include "server/zoom/rate_limiter.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"
#include "tests/unit/fake_scheduler.h"
#include "tests/unit/recording_observer.h"

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::FakeScheduler;
using ::livestream_gateway::testing::RecordingObserver;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

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
  // Those three details and nothing else: that nothing was sent is the
  // RateLimitedClient's UpstreamResult to say (attempts 0).
  int payloads = 0;
  status.ForEachPayload([&payloads](absl::string_view, const absl::Cord&) { ++payloads; });
  EXPECT_EQ(payloads, 3);
  // A deadline the slot fits waits instead.
  limiter->Acquire(kT0 + absl::Milliseconds(600), grants.For(2));
  EXPECT_FALSE(grants.Of(2).has_value());
  scheduler.AdvanceBy(absl::Milliseconds(500));
  ASSERT_TRUE(grants.Of(2).has_value());
  EXPECT_TRUE(grants.Of(2)->ok());
}

// A batch's dry run checks its items in order: the k-th waits behind k.
TEST(RateLimiterTest, CheckWithRequestsAheadAnswersForALaterPlaceInTheQueue) {
  FakeScheduler scheduler(kT0);
  auto limiter = RateLimiter::Create(
      &scheduler,
      {.requests_per_second = 2, .burst = 2, .log = [](LogLevel, absl::string_view) {}});
  // Two tokens now; the third 500 ms away, the fourth 1 s away.
  EXPECT_TRUE(limiter->Check(kT0, 0).ok());
  EXPECT_TRUE(limiter->Check(kT0, 1).ok());
  EXPECT_EQ(limiter->Check(kT0 + absl::Milliseconds(400), 2).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(limiter->Check(kT0 + absl::Milliseconds(600), 2).ok());
  EXPECT_EQ(limiter->Check(kT0 + absl::Milliseconds(900), 3).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(limiter->Check(kT0 + absl::Milliseconds(1100), 3).ok());
}

TEST(RateLimiterTest, CheckAnswersAsAcquireWouldWithoutTakingASlot) {
  Grants grants;  // outlives the limiter, which may still call it
  FakeScheduler scheduler(kT0);
  auto limiter = RateLimiter::Create(
      &scheduler,
      {.requests_per_second = 2, .burst = 1, .log = [](LogLevel, absl::string_view) {}});
  // A free token: OK however near the deadline, and as often as asked.
  EXPECT_TRUE(limiter->Check(kT0, 0).ok());
  EXPECT_TRUE(limiter->Check(kT0, 0).ok());
  limiter->Acquire(kT0, grants.For(0));
  ASSERT_TRUE(grants.Of(0).has_value());
  EXPECT_TRUE(grants.Of(0)->ok()) << "Check took the token";
  // The next slot is 500 ms away.
  const absl::Status refused = limiter->Check(kT0 + absl::Milliseconds(400), 0);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  limiter->Acquire(kT0 + absl::Milliseconds(400), grants.For(1));
  ASSERT_TRUE(grants.Of(1).has_value());
  EXPECT_EQ(refused, *grants.Of(1)) << "not the error Acquire gives";
  EXPECT_TRUE(limiter->Check(kT0 + absl::Milliseconds(600), 0).ok());
  // A queued call is ahead of a checked one, as of an acquiring one.
  limiter->Acquire(absl::InfiniteFuture(), grants.For(2));
  EXPECT_FALSE(grants.Of(2).has_value());
  EXPECT_EQ(limiter->Check(kT0 + absl::Milliseconds(600), 0).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(limiter->Check(kT0 + absl::Milliseconds(1100), 0).ok());
  // A pause refuses a check it outlasts.
  scheduler.AdvanceBy(absl::Milliseconds(500));
  ASSERT_TRUE(grants.Of(2).has_value());
  limiter->PauseFor(absl::Seconds(5));
  EXPECT_EQ(limiter->Check(scheduler.Now() + absl::Seconds(4), 0).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(limiter->Check(scheduler.Now() + absl::Seconds(6), 0).ok());
}

TEST(RateLimiterTest, CancelledWaitCompletesWithCancelledOffTheCallersStackAndFreesItsTurn) {
  Grants grants;  // outlives the limiter, which may still call it
  FakeScheduler scheduler(kT0);
  auto limiter = RateLimiter::Create(&scheduler, {.requests_per_second = 1, .burst = 1});
  limiter->Acquire(absl::InfiniteFuture(), grants.For(0));
  std::shared_ptr<Cancellable> second = limiter->Acquire(absl::InfiniteFuture(), grants.For(1));
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
  limiter->PauseFor(absl::Seconds(1));
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
  limiter->PauseFor(absl::Seconds(30));
  limiter->Acquire(scheduler.Now() + absl::Seconds(5), grants.For(3));
  ASSERT_TRUE(grants.Of(3).has_value());
  auto retry = GetDetail<google::rpc::RetryInfo>(*grants.Of(3));
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 30);
}

TEST(RateLimiterTest, TellsTheObserverOfWaitsAndRefusalsButNotOfImmediateGrants) {
  Grants grants;               // outlives the limiter, which may still call it
  RecordingObserver observer;  // likewise
  FakeScheduler scheduler(kT0);
  auto limiter = RateLimiter::Create(
      &scheduler, {.requests_per_second = 10, .burst = 1, .observer = &observer});
  limiter->Acquire(absl::InfiniteFuture(), grants.For(0));         // the burst
  limiter->Acquire(kT0 + absl::Seconds(10), grants.For(1));        // waits 100 ms
  limiter->Acquire(kT0 + absl::Milliseconds(150), grants.For(2));  // cannot make it
  limiter->Acquire(kT0 + absl::Milliseconds(500), grants.For(3));  // waits 200 ms
  EXPECT_EQ(observer.events(), (std::vector<std::string>{"wait", "refusal", "wait"}));
  // A pause that pushes a waiter past its deadline refuses it too.
  limiter->PauseFor(absl::Seconds(1));
  EXPECT_EQ(observer.events(), (std::vector<std::string>{"wait", "refusal", "wait", "refusal"}));
  scheduler.AdvanceBy(absl::Seconds(2));
  EXPECT_TRUE(grants.Of(1).has_value() && grants.Of(1)->ok());
  limiter.reset();
}

// ---- the account-wide pause: its cap and its two log lines ------------------

struct Lines {
  std::vector<std::string> seen;
  // Each line as "<level>: <line>".
  std::function<void(LogLevel, absl::string_view)> Sink() {
    return [this](LogLevel level, absl::string_view line) {
      seen.push_back(absl::StrCat(LogLevelName(level), ": ", line));
    };
  }
};

struct PauseRow {
  std::string name;
  absl::Duration max_pause;
  absl::Duration retry_after;
  absl::Duration pause;  // how long calls are held
  std::vector<std::string> lines;
};

class PauseTest : public ::testing::TestWithParam<PauseRow> {};

// A call waits out exactly the (capped) pause; the start is logged at once,
// the end when the pause is over, without waiting for a call to notice.
TEST_P(PauseTest, IsCappedAndLoggedOnceWhenItStartsAndOnceWhenItEnds) {
  const PauseRow& row = GetParam();
  Grants grants;
  Lines lines;
  FakeScheduler scheduler(kT0);
  auto limiter = RateLimiter::Create(
      &scheduler,
      {.requests_per_second = 10, .burst = 1, .max_pause = row.max_pause, .log = lines.Sink()});
  limiter->PauseFor(row.retry_after);
  if (row.lines.empty()) {
    EXPECT_TRUE(lines.seen.empty());
  } else {
    EXPECT_THAT(lines.seen, ElementsAre(row.lines[0]));
  }
  limiter->Acquire(absl::InfiniteFuture(), grants.For(0));
  if (row.pause > absl::ZeroDuration()) {
    scheduler.AdvanceBy(row.pause - absl::Milliseconds(1));
    EXPECT_FALSE(grants.Of(0).has_value()) << "let through before the pause ended";
    EXPECT_EQ(lines.seen.size(), row.lines.empty() ? 0u : 1u) << "the end came early";
    scheduler.AdvanceBy(absl::Milliseconds(1));
  }
  ASSERT_TRUE(grants.Of(0).has_value()) << "still held after the pause";
  EXPECT_TRUE(grants.Of(0)->ok());
  scheduler.AdvanceBy(absl::Hours(48));
  EXPECT_EQ(lines.seen, row.lines);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PauseTest,
    ::testing::Values(
        PauseRow{"ShortRetryAfter",
                 absl::Seconds(60),
                 absl::Seconds(3),
                 absl::Seconds(3),
                 {"warn: Zoom answered HTTP 429 with a Retry-After of 3s: no call goes to Zoom "
                  "for 3s",
                  "warn: calls to Zoom resume after a pause of 3s (HTTP 429)"}},
        PauseRow{"ExactlyTheCap",
                 absl::Seconds(60),
                 absl::Seconds(60),
                 absl::Seconds(60),
                 {"warn: Zoom answered HTTP 429 with a Retry-After of 1m: no call goes to Zoom "
                  "for 1m",
                  "warn: calls to Zoom resume after a pause of 1m (HTTP 429)"}},
        PauseRow{"DayLongIsCapped",
                 absl::Seconds(60),
                 absl::Hours(24),
                 absl::Seconds(60),
                 {"warn: Zoom answered HTTP 429 with a Retry-After of 24h: no call goes to Zoom "
                  "for 1m (capped by --zoom_max_retry_after_pause)",
                  "warn: calls to Zoom resume after a pause of 1m (HTTP 429)"}},
        PauseRow{"OtherCap",
                 absl::Milliseconds(1500),
                 absl::Seconds(86400),
                 absl::Milliseconds(1500),
                 {"warn: Zoom answered HTTP 429 with a Retry-After of 24h: no call goes to Zoom "
                  "for 1.5s (capped by --zoom_max_retry_after_pause)",
                  "warn: calls to Zoom resume after a pause of 1.5s (HTTP 429)"}},
        PauseRow{"CapZeroTurnsThePauseOff",
                 absl::ZeroDuration(),
                 absl::Hours(24),
                 absl::ZeroDuration(),
                 {}},
        PauseRow{"RetryAfterZeroIsNoPause",
                 absl::Seconds(60),
                 absl::ZeroDuration(),
                 absl::ZeroDuration(),
                 {}}),
    [](const ::testing::TestParamInfo<PauseRow>& info) { return info.param.name; });

// Every call in flight when Zoom starts answering 429 gets one: that is one
// pause and one pair of lines, not a line per call.
TEST(RateLimiterPauseTest, ManyAnswersDuringAPauseLogNothingMore) {
  Lines lines;
  FakeScheduler scheduler(kT0);
  auto limiter =
      RateLimiter::Create(&scheduler, {.requests_per_second = 10, .burst = 1, .log = lines.Sink()});
  for (int i = 0; i < 100; ++i) {
    limiter->PauseFor(absl::Seconds(2));
    scheduler.AdvanceBy(absl::Milliseconds(10));
  }
  EXPECT_EQ(lines.seen.size(), 1u);
  scheduler.AdvanceBy(absl::Minutes(5));
  // Lengthened by each answer: 2 s after the last one, at 0.99 s.
  EXPECT_THAT(lines.seen,
              ElementsAre(HasSubstr("for 2s"),
                          "warn: calls to Zoom resume after a pause of 2.99s (HTTP 429)"));
}

// The pause's timer follows a longer pause, so the end is logged once, when
// calls really resume.
TEST(RateLimiterPauseTest, ALongerPauseMovesTheEnd) {
  Grants grants;
  Lines lines;
  FakeScheduler scheduler(kT0);
  auto limiter =
      RateLimiter::Create(&scheduler, {.requests_per_second = 10, .burst = 1, .log = lines.Sink()});
  limiter->PauseFor(absl::Seconds(3));
  scheduler.AdvanceBy(absl::Seconds(1));
  limiter->PauseFor(absl::Seconds(9));
  limiter->Acquire(absl::InfiniteFuture(), grants.For(0));
  scheduler.AdvanceBy(absl::Seconds(8));  // to 9 s
  EXPECT_EQ(lines.seen.size(), 1u);
  EXPECT_FALSE(grants.Of(0).has_value());
  scheduler.AdvanceBy(absl::Seconds(1));
  EXPECT_TRUE(grants.Of(0).has_value());
  EXPECT_THAT(lines.seen, ElementsAre(HasSubstr("for 3s"),
                                      "warn: calls to Zoom resume after a pause of 10s (HTTP "
                                      "429)"));
}

// A 429 that comes when a pause is over but its timer has not yet run (the
// real scheduler's thread may be late) logs the end before the new start.
TEST(RateLimiterPauseTest, APauseThatEndedIsLoggedBeforeTheNextStarts) {
  Lines lines;
  FakeScheduler scheduler(kT0);
  std::shared_ptr<RateLimiter> limiter;
  // Runs at 1 s before the limiter's own timer (set later, for the same time).
  scheduler.RunAt(kT0 + absl::Seconds(1),
                  [&](const absl::Status&) { limiter->PauseFor(absl::Seconds(2)); });
  limiter =
      RateLimiter::Create(&scheduler, {.requests_per_second = 10, .burst = 1, .log = lines.Sink()});
  limiter->PauseFor(absl::Seconds(1));
  scheduler.AdvanceBy(absl::Seconds(10));
  EXPECT_THAT(lines.seen, ElementsAre(HasSubstr("for 1s"), HasSubstr("pause of 1s"),
                                      HasSubstr("for 2s"), HasSubstr("pause of 2s")));
}

TEST(RateLimiterPauseTest, DestructionDuringAPauseLogsNoEnd) {
  Lines lines;
  FakeScheduler scheduler(kT0);
  auto limiter =
      RateLimiter::Create(&scheduler, {.requests_per_second = 10, .burst = 1, .log = lines.Sink()});
  limiter->PauseFor(absl::Seconds(5));
  limiter.reset();
  scheduler.AdvanceBy(absl::Seconds(10));
  EXPECT_EQ(lines.seen.size(), 1u);
  EXPECT_EQ(scheduler.PendingCount(), 0);
}

TEST(RateLimiterTest, DestructionCancelsWaitingCalls) {
  Grants grants;  // outlives the limiter, which may still call it
  FakeScheduler scheduler(kT0);
  auto limiter = RateLimiter::Create(&scheduler, {.requests_per_second = 1, .burst = 1});
  limiter->Acquire(absl::InfiniteFuture(), grants.For(0));
  std::shared_ptr<Cancellable> waiting = limiter->Acquire(absl::InfiniteFuture(), grants.For(1));
  limiter.reset();
  ASSERT_TRUE(grants.Of(1).has_value());
  EXPECT_EQ(grants.Of(1)->code(), absl::StatusCode::kCancelled);
  waiting->Cancel();  // the limiter is gone: a no-op
  scheduler.AdvanceBy(absl::Seconds(5));
  EXPECT_EQ(grants.seen.size(), 2u);
}

}  // namespace
}  // namespace livestream_gateway
