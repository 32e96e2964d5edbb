#include "server/zoom/retry_budget.h"

#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);

int RetriesAllowed(RetryBudget& budget, absl::Time now, int tries) {
  int allowed = 0;
  for (int i = 0; i < tries; ++i) allowed += budget.TryRetry(now) ? 1 : 0;
  return allowed;
}

TEST(RetryBudgetTest, AQuietServerMayRetryUpToTheFloor) {
  RetryBudget budget(
      RetryBudgetOptions{.window = absl::Seconds(10), .ratio = 0.2, .min_retries = 3});
  budget.RecordCall(kStart);
  EXPECT_EQ(RetriesAllowed(budget, kStart, 10), 3);
}

TEST(RetryBudgetTest, RetriesAreCappedAtTheRatioOfCallsPlusTheFloor) {
  RetryBudget budget(
      RetryBudgetOptions{.window = absl::Seconds(10), .ratio = 0.2, .min_retries = 10});
  for (int i = 0; i < 1000; ++i) budget.RecordCall(kStart);
  // 10 + 0.2 * 1000 = 210 retries, not the 2000 that 3 attempts would make.
  EXPECT_EQ(RetriesAllowed(budget, kStart + absl::Seconds(1), 5000), 210);
}

TEST(RetryBudgetTest, TheWindowSlidesSoOldCallsAndRetriesStopCounting) {
  RetryBudget budget(RetryBudgetOptions{
      .window = absl::Seconds(10), .ratio = 0.5, .min_retries = 0, .buckets = 10});
  for (int i = 0; i < 100; ++i) budget.RecordCall(kStart);
  EXPECT_EQ(RetriesAllowed(budget, kStart, 1000), 50);
  // Nine seconds on, the same window still holds them all.
  EXPECT_EQ(RetriesAllowed(budget, kStart + absl::Seconds(9), 10), 0);
  // Once they slid out, neither the calls nor the retries count.
  EXPECT_EQ(RetriesAllowed(budget, kStart + absl::Seconds(11), 10), 0);
  for (int i = 0; i < 10; ++i) budget.RecordCall(kStart + absl::Seconds(11));
  EXPECT_EQ(RetriesAllowed(budget, kStart + absl::Seconds(11), 10), 5);
}

TEST(RetryBudgetTest, ABucketIsReusedAfterAFullTurnOfTheRing) {
  RetryBudget budget(RetryBudgetOptions{
      .window = absl::Seconds(10), .ratio = 1.0, .min_retries = 0, .buckets = 10});
  for (int i = 0; i < 4; ++i) budget.RecordCall(kStart);
  EXPECT_EQ(RetriesAllowed(budget, kStart, 10), 4);
  // Same slot of the ring, ten seconds later: a fresh count.
  budget.RecordCall(kStart + absl::Seconds(10));
  EXPECT_EQ(RetriesAllowed(budget, kStart + absl::Seconds(10), 10), 1);
}

}  // namespace
}  // namespace livestream_gateway
