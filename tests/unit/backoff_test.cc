#include "server/zoom/backoff.h"

#include "absl/random/random.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

struct CeilingRow {
  int retry;
  absl::Duration ceiling;
};

class BackoffCeilingTest : public ::testing::TestWithParam<CeilingRow> {};

TEST_P(BackoffCeilingTest, DoublesFromInitialUpToTheCap) {
  const BackoffOptions options{
      .initial = absl::Milliseconds(100), .max = absl::Seconds(2), .multiplier = 2.0};
  EXPECT_EQ(BackoffCeiling(GetParam().retry, options), GetParam().ceiling);
}

INSTANTIATE_TEST_SUITE_P(Table, BackoffCeilingTest,
                         ::testing::Values(CeilingRow{0, absl::Milliseconds(100)},
                                           CeilingRow{1, absl::Milliseconds(100)},
                                           CeilingRow{2, absl::Milliseconds(200)},
                                           CeilingRow{3, absl::Milliseconds(400)},
                                           CeilingRow{5, absl::Milliseconds(1600)},
                                           CeilingRow{6, absl::Seconds(2)},
                                           CeilingRow{60, absl::Seconds(2)},
                                           CeilingRow{100000, absl::Seconds(2)}));

TEST(BackoffTest, MultiplierBelowOneNeverShrinksTheWait) {
  const BackoffOptions options{
      .initial = absl::Milliseconds(100), .max = absl::Seconds(2), .multiplier = 0.5};
  EXPECT_EQ(BackoffCeiling(4, options), absl::Milliseconds(100));
}

TEST(BackoffTest, FullJitterStaysWithinZeroAndTheCeilingAndSpreadsOverIt) {
  const BackoffOptions options;
  absl::BitGen gen(std::seed_seq{42});
  for (int retry = 1; retry <= 8; ++retry) {
    const absl::Duration ceiling = BackoffCeiling(retry, options);
    absl::Duration low = absl::InfiniteDuration();
    absl::Duration high = absl::ZeroDuration();
    for (int i = 0; i < 2000; ++i) {
      const absl::Duration wait = FullJitterBackoff(retry, options, gen);
      ASSERT_GE(wait, absl::ZeroDuration());
      ASSERT_LE(wait, ceiling);
      low = std::min(low, wait);
      high = std::max(high, wait);
    }
    // Full jitter uses the whole interval, not just its upper part.
    EXPECT_LT(low, ceiling * 0.05) << "retry " << retry;
    EXPECT_GT(high, ceiling * 0.95) << "retry " << retry;
  }
}

TEST(BackoffTest, ZeroCeilingMeansNoWait) {
  absl::BitGen gen;
  EXPECT_EQ(FullJitterBackoff(3, BackoffOptions{.initial = absl::ZeroDuration()}, gen),
            absl::ZeroDuration());
}

}  // namespace
}  // namespace livestream_gateway
