// The decorators stacked as the server stacks them (gateway_server.cc:
// retries over rate limiting over credentials over the transport), checking
// what UpstreamResult guarantees the edge: the attempts and delivery of every
// layer arrive in the result, and a status carries nothing but the error
// details a client may see.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "server/zoom/authorizing_client.h"
#include "server/zoom/http.h"
#include "server/zoom/rate_limited_client.h"
#include "server/zoom/rate_limiter.h"
#include "server/zoom/retrying_client.h"
#include "server/zoom/token_source.h"
#include "tests/unit/fake_http_client.h"
#include "tests/unit/fake_scheduler.h"

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::Answer;
using ::livestream_gateway::testing::FakeHttpClient;
using ::livestream_gateway::testing::FakeScheduler;
using ::livestream_gateway::testing::Outcome;

HttpRequest Patch() {
  return HttpRequest{
      .method = "PATCH", .url = "http://zoom.test/v2/x", .headers = {}, .body = "payload"};
}

// Payload keys other than google.rpc detail types, which only a side channel
// would put there.
std::vector<std::string> NonDetailPayloads(const absl::Status& status) {
  std::vector<std::string> keys;
  status.ForEachPayload([&keys](absl::string_view key, const absl::Cord&) {
    if (!absl::StartsWith(key, "type.googleapis.com/google.rpc.")) keys.emplace_back(key);
  });
  return keys;
}

class UpstreamPipelineTest : public ::testing::Test {
 protected:
  std::vector<std::unique_ptr<Outcome>> outcomes_;  // outlive everything below
  FakeScheduler scheduler_;
  std::shared_ptr<RateLimiter> limiter_ =
      RateLimiter::Create(&scheduler_, {.requests_per_second = 1, .burst = 1});
  AuthorizingClient authorizing_{&transport_, std::make_shared<StaticTokenSource>("tok")};
  RateLimitedClient rate_limited_{&authorizing_, limiter_, &scheduler_};
  RetryingClient retrying_{&rate_limited_, &scheduler_, RetryOptions{.max_attempts = 3}};
  FakeHttpClient transport_;  // goes first, completing what is still open

  Outcome& Send(absl::Time deadline = absl::InfiniteFuture()) {
    outcomes_.push_back(std::make_unique<Outcome>());
    retrying_.Send(Patch(), deadline, outcomes_.back()->Callback());
    return *outcomes_.back();
  }
};

TEST_F(UpstreamPipelineTest, AnAnswerAfterRetriesCountsEveryAttempt) {
  int sent = 0;
  transport_.auto_reply = [&sent](const HttpRequest&) { return Answer(++sent < 3 ? 503 : 204); };
  Outcome& outcome = Send();
  scheduler_.AdvanceBy(absl::Minutes(1));
  ASSERT_TRUE(outcome.done());
  const UpstreamResult result = outcome.all();
  ASSERT_TRUE(result.response.ok()) << result.response.status();
  EXPECT_EQ(result.response->status_code, 204);
  EXPECT_EQ(result.attempts, 3);
  EXPECT_EQ(result.delivery, Delivery::kMaybeDelivered);
}

TEST_F(UpstreamPipelineTest, FailuresThatNeverLeftAreCountedAndNotDelivered) {
  transport_.auto_result = [](const HttpRequest&) {
    return UpstreamResult::Failed(absl::UnavailableError("Couldn't connect"), 1,
                                  Delivery::kNotDelivered);
  };
  Outcome& outcome = Send();
  scheduler_.AdvanceBy(absl::Minutes(1));
  ASSERT_TRUE(outcome.done());
  const UpstreamResult result = outcome.all();
  EXPECT_EQ(result.response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(result.attempts, 3);
  EXPECT_EQ(result.delivery, Delivery::kNotDelivered);
  EXPECT_TRUE(NonDetailPayloads(result.response.status()).empty());
}

// The transport's delivery survives every decorator above it: here it turns
// the unsafe request's UNAVAILABLE into UNKNOWN.
TEST_F(UpstreamPipelineTest, AFailureAfterSendingKeepsItsDeliveryThroughEveryLayer) {
  transport_.auto_result = [](const HttpRequest&) {
    return UpstreamResult::Failed(absl::UnavailableError("reset"), 1, Delivery::kMaybeDelivered);
  };
  Outcome& outcome = Send();
  scheduler_.AdvanceBy(absl::Minutes(1));
  ASSERT_TRUE(outcome.done());
  const UpstreamResult result = outcome.all();
  EXPECT_EQ(result.response.status().code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(result.attempts, 1);
  EXPECT_EQ(result.delivery, Delivery::kMaybeDelivered);
  EXPECT_TRUE(NonDetailPayloads(result.response.status()).empty());
}

TEST_F(UpstreamPipelineTest, ARefusalBeforeSendingIsZeroAttemptsWithOnlyItsDetails) {
  Send();  // takes the one slot; its transfer stays open
  Outcome& late = Send(scheduler_.Now() + absl::Milliseconds(100));
  ASSERT_TRUE(late.done());
  const UpstreamResult result = late.all();
  EXPECT_EQ(result.response.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(result.attempts, 0);
  EXPECT_EQ(result.delivery, Delivery::kNotDelivered);
  EXPECT_TRUE(NonDetailPayloads(result.response.status()).empty());
  EXPECT_EQ(transport_.sent(), 1);
}

}  // namespace
}  // namespace livestream_gateway
