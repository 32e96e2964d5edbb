#include "server/zoom/rate_limited_client.h"

#include <memory>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"
#include "server/zoom/rate_limiter.h"
#include "tests/unit/fake_http_client.h"
#include "tests/unit/fake_scheduler.h"

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::Answer;
using ::livestream_gateway::testing::FakeHttpClient;
using ::livestream_gateway::testing::FakeScheduler;
using ::livestream_gateway::testing::Outcome;

HttpRequest Patch() {
  return HttpRequest{.method = "PATCH", .url = "http://zoom.test/v2/x", .headers = {}, .body = ""};
}

class RateLimitedClientTest : public ::testing::Test {
 protected:
  std::vector<std::unique_ptr<Outcome>> outcomes_;  // outlive everything below
  FakeScheduler scheduler_;
  std::shared_ptr<RateLimiter> limiter_ =
      RateLimiter::Create(&scheduler_, {.requests_per_second = 2, .burst = 1});
  RateLimitedClient client_{&next_, limiter_, &scheduler_};
  FakeHttpClient next_;  // goes first, completing what is still open

  Outcome& Send(absl::Time deadline = absl::InfiniteFuture()) {
    outcomes_.push_back(std::make_unique<Outcome>());
    client_.Send(Patch(), deadline, outcomes_.back()->Callback());
    return *outcomes_.back();
  }
};

TEST_F(RateLimitedClientTest, SendsOnlyWhenTheLimiterGrantsASlot) {
  Send();
  Send();
  EXPECT_EQ(next_.sent(), 1);
  scheduler_.AdvanceBy(absl::Milliseconds(499));
  EXPECT_EQ(next_.sent(), 1);
  scheduler_.AdvanceBy(absl::Milliseconds(1));
  EXPECT_EQ(next_.sent(), 2);
}

TEST_F(RateLimitedClientTest, NoSlotBeforeTheDeadlineFailsUnsentWithRetryInfo) {
  Send();
  Outcome& late = Send(scheduler_.Now() + absl::Milliseconds(100));
  ASSERT_TRUE(late.done());
  const absl::Status status = late.get().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(GetDetail<google::rpc::RetryInfo>(status).has_value());
  EXPECT_EQ(late.all().attempts, 0);
  EXPECT_EQ(late.all().delivery, Delivery::kNotDelivered);
  EXPECT_EQ(next_.sent(), 1);
}

TEST_F(RateLimitedClientTest, A429WithRetryAfterPausesEveryCallNotJustThisOne) {
  Send();
  next_.Reply(0, Answer(429, "", {{"retry-after", "3"}}));
  EXPECT_EQ(outcomes_[0]->get()->status_code, 429) << "the 429 itself is passed on";
  Outcome& other = Send();
  scheduler_.AdvanceBy(absl::Milliseconds(2999));
  EXPECT_EQ(next_.sent(), 1);
  scheduler_.AdvanceBy(absl::Milliseconds(1));
  EXPECT_EQ(next_.sent(), 2);
  next_.Reply(1, Answer(204));
  EXPECT_EQ(other.get()->status_code, 204);
}

// Zoom's word on the call it answered is passed on as it is; only the pause
// it imposes on every other call is capped.
TEST_F(RateLimitedClientTest, ADayLongRetryAfterPausesTheOthersOnlyUpToTheCap) {
  Send();
  next_.Reply(0, Answer(429, "", {{"retry-after", "86400"}}));
  EXPECT_EQ(*outcomes_[0]->get()->FindHeader("retry-after"), "86400");
  Outcome& other = Send();
  scheduler_.AdvanceBy(absl::Seconds(60) - absl::Milliseconds(1));  // the documented default
  EXPECT_EQ(next_.sent(), 1);
  scheduler_.AdvanceBy(absl::Milliseconds(1));
  ASSERT_EQ(next_.sent(), 2) << "still paused after --zoom_max_retry_after_pause";
  next_.Reply(1, Answer(204));
  EXPECT_EQ(other.get()->status_code, 204);
}

// What the layer below says about attempts and delivery is passed on as it is.
TEST_F(RateLimitedClientTest, PassesOnTheResultBelowWithItsAttemptsAndDelivery) {
  Send();
  next_.Reply(0, UpstreamResult::Failed(absl::UnavailableError("Couldn't connect"), 1,
                                        Delivery::kNotDelivered));
  EXPECT_EQ(outcomes_[0]->get().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(outcomes_[0]->all().attempts, 1);
  EXPECT_EQ(outcomes_[0]->all().delivery, Delivery::kNotDelivered);

  Send();
  scheduler_.AdvanceBy(absl::Milliseconds(500));
  ASSERT_EQ(next_.sent(), 2);
  next_.Reply(1, UpstreamResult::Answered(Answer(204), 2));
  EXPECT_EQ(outcomes_[1]->get()->status_code, 204);
  EXPECT_EQ(outcomes_[1]->all().attempts, 2);
}

TEST_F(RateLimitedClientTest, A429WithoutRetryAfterDoesNotPause) {
  Send();
  next_.Reply(0, Answer(429));
  scheduler_.AdvanceBy(absl::Milliseconds(500));
  Send();
  EXPECT_EQ(next_.sent(), 2);
}

TEST_F(RateLimitedClientTest, CancelReachesTheSlotWaitAndTheTransfer) {
  Send();
  outcomes_.push_back(std::make_unique<Outcome>());
  std::shared_ptr<Cancellable> waiting =
      client_.Send(Patch(), absl::InfiniteFuture(), outcomes_.back()->Callback());
  waiting->Cancel();
  scheduler_.RunReady();
  ASSERT_TRUE(outcomes_[1]->done());
  EXPECT_EQ(outcomes_[1]->get().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(outcomes_[1]->all().attempts, 0);
  EXPECT_EQ(outcomes_[1]->all().delivery, Delivery::kNotDelivered);
  scheduler_.AdvanceBy(absl::Seconds(5));
  EXPECT_EQ(next_.sent(), 1) << "a cancelled call was sent";

  outcomes_.push_back(std::make_unique<Outcome>());
  std::shared_ptr<Cancellable> sending =
      client_.Send(Patch(), absl::InfiniteFuture(), outcomes_.back()->Callback());
  ASSERT_EQ(next_.sent(), 2);
  sending->Cancel();
  EXPECT_TRUE(next_.cancelled(1));
  EXPECT_EQ(outcomes_[2]->get().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(outcomes_[2]->count(), 1);
}

}  // namespace
}  // namespace livestream_gateway
