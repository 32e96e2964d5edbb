// The rate-limit script's arithmetic, run by a real Redis on a clock the
// test gives it (ARGV[6]), step by step from tables; and the EVALSHA/EVAL
// fallback of RedisScript.

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "server/redis/redis_client.h"
#include "server/redis/redis_script.h"
#include "server/zoom/gcra_script.h"
#include "tests/redis/redis_server.h"
#include "tests/redis/redis_test_util.h"

namespace livestream_gateway::testing {
namespace {

using redis::RedisClient;
using redis::RedisReply;
using redis::RedisScript;

constexpr int64_t kT0 = 1'000'000'000'000;  // microseconds on the test's clock
constexpr int64_t kMs = 1000;

struct Step {
  GcraOp op;
  int64_t at_ms;            // kT0 + this
  int64_t amount_ms;        // the most the call may wait, or the pause
  int64_t reserved_ms = 0;  // kConfirm: the slot reserved, kT0 + this
  // The answer: granted, wait, slot (kT0 + ms; -1 for none), next wait,
  // pause left.
  bool granted;
  int64_t wait_ms;
  int64_t slot_ms;
  int64_t next_wait_ms;
  int64_t pause_left_ms;
};

class GcraScriptRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    redis::RedisClientOptions options;
    options.endpoint.host = "127.0.0.1";
    options.endpoint.port = server_->port();
    options.timeout = absl::Seconds(5);
    absl::StatusOr<std::unique_ptr<RedisClient>> client = RedisClient::Start(options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  absl::StatusOr<RedisReply> Run(const std::vector<std::string>& args) {
    absl::Notification done;
    absl::StatusOr<RedisReply> result;
    script_.Run(client_.get(), {kGcraTatKey, kGcraPauseKey}, args, absl::Now() + absl::Seconds(5),
                [&](absl::StatusOr<RedisReply> reply) {
                  result = std::move(reply);
                  done.Notify();
                });
    done.WaitForNotification();
    return result;
  }

  void RunSteps(const GcraLimits& limits, const std::vector<Step>& steps) {
    for (size_t i = 0; i < steps.size(); ++i) {
      const Step& step = steps[i];
      SCOPED_TRACE(absl::StrCat("step ", i, " at +", step.at_ms, " ms"));
      absl::StatusOr<RedisReply> reply =
          Run(GcraArgs(step.op, limits, absl::Milliseconds(step.amount_ms),
                       kT0 + step.reserved_ms * kMs, kT0 + step.at_ms * kMs));
      ASSERT_TRUE(reply.ok()) << reply.status();
      absl::StatusOr<GcraAnswer> answer = ParseGcraAnswer(*reply);
      ASSERT_TRUE(answer.ok()) << answer.status() << " " << reply->text;
      EXPECT_EQ(answer->granted, step.granted);
      EXPECT_EQ(answer->wait, absl::Milliseconds(step.wait_ms));
      if (step.slot_ms >= 0) EXPECT_EQ(answer->slot_us, kT0 + step.slot_ms * kMs);
      EXPECT_EQ(answer->next_wait, absl::Milliseconds(step.next_wait_ms));
      EXPECT_EQ(answer->pause_left, absl::Milliseconds(step.pause_left_ms));
    }
  }

  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<RedisClient> client_;
  const RedisScript script_{std::string(GcraScriptSource())};
};

constexpr GcraOp kAcquire = GcraOp::kAcquire;
constexpr GcraOp kConfirm = GcraOp::kConfirm;
constexpr GcraOp kPause = GcraOp::kPause;

TEST_F(GcraScriptRedisTest, ABurstThenTheRateAsTheTokenBucketGives) {
  // 10/s, burst 3.
  RunSteps(GcraLimitsFor(10, 3),
           {
               {kAcquire, 0, 0, 0, true, 0, 0, 0, 0},
               {kAcquire, 0, 0, 0, true, 0, 0, 0, 0},
               {kAcquire, 0, 0, 0, true, 0, 0, 100, 0},
               // The 4th has no slot now and may not wait: refused, nothing taken.
               {kAcquire, 0, 0, 0, false, 100, 100, 100, 0},
               {kAcquire, 0, 100, 0, false, 100, 100, 100, 0},
               // One that may wait longer reserves the slot at +100 ms.
               {kAcquire, 0, 101, 0, true, 100, 100, 200, 0},
               {kAcquire, 50, 1000, 0, true, 150, 200, 250, 0},
               // After a quiet spell the burst is back, no more.
               {kAcquire, 2000, 0, 0, true, 0, 2000, 0, 0},
               {kAcquire, 2000, 0, 0, true, 0, 2000, 0, 0},
               {kAcquire, 2000, 0, 0, true, 0, 2000, 100, 0},
               {kAcquire, 2000, 0, 0, false, 100, 2100, 100, 0},
           });
}

TEST_F(GcraScriptRedisTest, APauseHoldsEveryoneThenOneGoesThenTheRateWithoutABurst) {
  RunSteps(GcraLimitsFor(10, 3), {
                                     {kAcquire, 0, 0, 0, true, 0, 0, 0, 0},
                                     // 429 with Retry-After: 2 s.
                                     {kPause, 1000, 2000, 0, true, 0, -1, 2000, 2000},
                                     {kAcquire, 1500, 1000, 0, false, 1500, 3000, 1500, 1500},
                                     {kAcquire, 1500, 2000, 0, true, 1500, 3000, 1600, 1500},
                                     {kAcquire, 3000, 0, 0, false, 100, 3100, 100, 0},
                                     {kAcquire, 3000, 1000, 0, true, 100, 3100, 200, 0},
                                     // A shorter pause never shortens a longer one.
                                     {kPause, 3000, 5000, 0, true, 0, -1, 5000, 5000},
                                     {kPause, 3000, 1000, 0, true, 0, -1, 5000, 5000},
                                     {kAcquire, 3000, 0, 0, false, 5000, 8000, 5000, 5000},
                                 });
}

TEST_F(GcraScriptRedisTest, AReservationInsideAPauseThatBeganAfterItIsMovedPastIt) {
  // 10/s, burst 1.
  RunSteps(GcraLimitsFor(10, 1), {
                                     {kAcquire, 0, 0, 0, true, 0, 0, 100, 0},
                                     {kAcquire, 0, 1000, 0, true, 100, 100, 200, 0},
                                     {kPause, 50, 500, 0, true, 0, -1, 500, 500},
                                     // Its slot (+100) is inside the pause (until +550): a new one.
                                     {kConfirm, 100, 1000, 100, true, 450, 550, 550, 450},
                                     // That one is after the pause: it goes.
                                     {kConfirm, 550, 1000, 550, true, 0, 550, 100, 0},
                                     // A reservation the pause does not cover stands.
                                     {kAcquire, 550, 1000, 0, true, 100, 650, 200, 0},
                                     {kConfirm, 650, 0, 650, true, 0, 650, 100, 0},
                                 });
}

TEST_F(GcraScriptRedisTest, AMovedReservationThatMissesItsDeadlineIsRefused) {
  RunSteps(GcraLimitsFor(10, 1), {
                                     {kAcquire, 0, 0, 0, true, 0, 0, 100, 0},
                                     {kAcquire, 0, 1000, 0, true, 100, 100, 200, 0},
                                     {kPause, 50, 2000, 0, true, 0, -1, 2000, 2000},
                                     {kConfirm, 100, 900, 100, false, 1950, 2050, 1950, 1950},
                                 });
}

TEST_F(GcraScriptRedisTest, StoredValuesAreNotTrusted) {
  const GcraLimits limits = GcraLimitsFor(10, 1);
  ASSERT_TRUE(server_->Call({"SET", kGcraTatKey, "not a number"}).ok());
  ASSERT_TRUE(server_->Call({"SET", kGcraPauseKey, "nan"}).ok());
  RunSteps(limits, {{kAcquire, 0, 0, 0, true, 0, 0, 100, 0}});
  // Far in the future: no further than the script's two-day horizon, so
  // the answer stays within what ParseGcraAnswer accepts.
  ASSERT_TRUE(server_->Call({"SET", kGcraTatKey, "1e30"}).ok());
  absl::StatusOr<RedisReply> reply = Run(GcraArgs(kAcquire, limits, absl::ZeroDuration(), 0, kT0));
  ASSERT_TRUE(reply.ok());
  absl::StatusOr<GcraAnswer> answer = ParseGcraAnswer(*reply);
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_FALSE(answer->granted);
  EXPECT_LE(answer->wait, absl::Hours(48));
}

TEST_F(GcraScriptRedisTest, RunsByHashAfterLoadingItOnceAndAgainAfterAFlush) {
  auto evals = [&] {
    absl::StatusOr<std::string> stats = server_->Call({"INFO", "commandstats"});
    const std::string text = stats.ok() ? *stats : "";
    const size_t at = text.find("cmdstat_eval:calls=");
    if (at == std::string::npos) return 0L;
    return std::strtol(text.c_str() + at + 19, nullptr, 10);
  };
  const GcraLimits limits = GcraLimitsFor(10, 1);
  ASSERT_TRUE(Run(GcraArgs(kAcquire, limits, absl::ZeroDuration(), 0, kT0)).ok());
  ASSERT_TRUE(Run(GcraArgs(kAcquire, limits, absl::Seconds(1), 0, kT0)).ok());
  ASSERT_TRUE(Run(GcraArgs(kAcquire, limits, absl::Seconds(1), 0, kT0)).ok());
  EXPECT_EQ(evals(), 1) << "EVAL once, for the NOSCRIPT of the first EVALSHA";
  ASSERT_TRUE(server_->Call({"SCRIPT", "FLUSH"}).ok());
  absl::StatusOr<RedisReply> again = Run(GcraArgs(kAcquire, limits, absl::Seconds(1), 0, kT0));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(ParseGcraAnswer(*again).ok());
  EXPECT_EQ(evals(), 2);
}

}  // namespace
}  // namespace livestream_gateway::testing
