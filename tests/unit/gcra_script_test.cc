// The script's arguments and the checks of its answer; the script's
// arithmetic runs in Redis (tests/redis/gcra_script_redis_test.cc).

#include "server/zoom/gcra_script.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using redis::RedisReply;
using ::testing::ElementsAre;

RedisReply Integers(const std::vector<int64_t>& values) {
  RedisReply reply;
  reply.type = RedisReply::Type::kArray;
  for (int64_t value : values) {
    RedisReply element;
    element.type = RedisReply::Type::kInteger;
    element.integer = value;
    reply.elements.push_back(element);
  }
  return reply;
}

TEST(GcraScriptTest, LimitsFollowTheFlags) {
  struct Case {
    double qps;
    int burst;
    int64_t interval_us;
    int64_t tolerance_us;
  };
  for (const Case& c : std::vector<Case>{{30, 5, 33'333, 133'332},
                                         {1, 1, 1'000'000, 0},
                                         {0.5, 2, 2'000'000, 2'000'000},
                                         {100000, 1, 10, 0},
                                         {1e7, 3, 1, 2}}) {
    const GcraLimits limits = GcraLimitsFor(c.qps, c.burst);
    EXPECT_EQ(limits.interval_us, c.interval_us) << c.qps;
    EXPECT_EQ(limits.tolerance_us, c.tolerance_us) << c.qps;
  }
}

TEST(GcraScriptTest, ArgumentsNameTheOperationAndAmountsInMicroseconds) {
  const GcraLimits limits{.interval_us = 100, .tolerance_us = 400};
  EXPECT_THAT(GcraArgs(GcraOp::kAcquire, limits, absl::Milliseconds(1500)),
              ElementsAre("acquire", "100", "400", "1500000", "", ""));
  EXPECT_THAT(GcraArgs(GcraOp::kConfirm, limits, absl::Seconds(-1), 1234, 99),
              ElementsAre("confirm", "100", "400", "0", "1234", "99"));
  EXPECT_THAT(GcraArgs(GcraOp::kPause, limits, absl::Seconds(2)),
              ElementsAre("pause", "100", "400", "2000000", "", ""));
  // An infinite deadline waits as long as needed, in a number Lua reads.
  EXPECT_EQ(GcraArgs(GcraOp::kAcquire, limits, absl::InfiniteDuration())[3], "4611686018427387903");
}

TEST(GcraScriptTest, ParsesAnAnswer) {
  absl::StatusOr<GcraAnswer> answer =
      ParseGcraAnswer(Integers({1, 2500, 1700000000000000, 5000, 0}));
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_TRUE(answer->granted);
  EXPECT_EQ(answer->wait, absl::Microseconds(2500));
  EXPECT_EQ(answer->slot_us, 1700000000000000);
  EXPECT_EQ(answer->next_wait, absl::Microseconds(5000));
  EXPECT_EQ(answer->pause_left, absl::ZeroDuration());
}

TEST(GcraScriptTest, RefusesAnswersOfAnotherShapeOrOutOfRange) {
  constexpr int64_t kTwoDays = int64_t{172800} * 1000000;
  const std::vector<RedisReply> bad = {
      Integers({1, 0, 0, 0}),     Integers({1, 0, 0, 0, 0, 0}),
      Integers({2, 0, 0, 0, 0}),  Integers({-1, 0, 0, 0, 0}),
      Integers({1, -5, 0, 0, 0}), Integers({1, kTwoDays + 1, 0, 0, 0}),
      Integers({1, 0, -1, 0, 0}), Integers({1, 0, 0, kTwoDays + 1, 0}),
      Integers({1, 0, 0, 0, -1}), Integers({1, 0, 0, 0, kTwoDays + 1}),
  };
  for (const RedisReply& reply : bad) EXPECT_FALSE(ParseGcraAnswer(reply).ok());
  RedisReply text = Integers({1, 0, 0, 0, 0});
  text.elements[2].type = RedisReply::Type::kString;
  EXPECT_FALSE(ParseGcraAnswer(text).ok());
  RedisReply nil;
  EXPECT_FALSE(ParseGcraAnswer(nil).ok());
  RedisReply error;
  error.type = RedisReply::Type::kError;
  error.text = "OOM command not allowed when used memory > 'maxmemory'.";
  absl::StatusOr<GcraAnswer> refused = ParseGcraAnswer(error);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("OOM"));
}

}  // namespace
}  // namespace livestream_gateway
