#include "server/zoom/retrying_client.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/random/random.h"
#include "gtest/gtest.h"
#include "tests/unit/fake_http_client.h"
#include "tests/unit/fake_scheduler.h"
#include "tests/unit/recording_observer.h"

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::Answer;
using ::livestream_gateway::testing::FakeHttpClient;
using ::livestream_gateway::testing::FakeScheduler;
using ::livestream_gateway::testing::Outcome;
using ::livestream_gateway::testing::RecordingObserver;

HttpRequest Patch() {
  return HttpRequest{
      .method = "PATCH", .url = "http://zoom.test/v2/x", .headers = {}, .body = "payload"};
}

HttpRequest IdempotentPatch() {
  HttpRequest request = Patch();
  request.idempotent = true;
  return request;
}

// A transport failure as the transport reports it: one attempt.
UpstreamResult Failed(absl::Status status, Delivery delivery) {
  return UpstreamResult::Failed(std::move(status), 1, delivery);
}
UpstreamResult NotDelivered(absl::string_view message) {
  return Failed(absl::UnavailableError(message), Delivery::kNotDelivered);
}
UpstreamResult MaybeDelivered(absl::string_view message) {
  return Failed(absl::UnavailableError(message), Delivery::kMaybeDelivered);
}

// ---- classification (pure) -------------------------------------------------

struct RetryableRow {
  std::string name;
  UpstreamResult result;
  bool idempotent;
  bool retryable;
};

class IsRetryableTest : public ::testing::TestWithParam<RetryableRow> {};

TEST_P(IsRetryableTest, OnlyTransientFailuresAreRetried) {
  EXPECT_EQ(IsRetryable(GetParam().result, GetParam().idempotent), GetParam().retryable);
}

UpstreamResult NothingSent(absl::Status status) {
  return UpstreamResult::Failed(std::move(status), 0, Delivery::kNotDelivered);
}

UpstreamResult Answered(int status_code) { return UpstreamResult::Answered(Answer(status_code)); }

INSTANTIATE_TEST_SUITE_P(
    Table, IsRetryableTest,
    ::testing::Values(
        RetryableRow{"Ok204", Answered(204), false, false},
        RetryableRow{"BadRequest400", Answered(400), false, false},
        RetryableRow{"Unauthorized401", Answered(401), false, false},
        RetryableRow{"Forbidden403", Answered(403), false, false},
        RetryableRow{"NotFound404", Answered(404), false, false},
        RetryableRow{"Conflict409", Answered(409), false, false},
        RetryableRow{"TooManyRequests429", Answered(429), false, true},
        RetryableRow{"Internal500", Answered(500), false, false},
        RetryableRow{"NotImplemented501", Answered(501), false, false},
        RetryableRow{"BadGateway502", Answered(502), false, true},
        RetryableRow{"Unavailable503", Answered(503), false, true},
        RetryableRow{"GatewayTimeout504", Answered(504), false, true},
        RetryableRow{"NotDelivered", NotDelivered("Couldn't connect"), false, true},
        RetryableRow{"NotDeliveredIdempotent", NotDelivered("Couldn't connect"), true, true},
        // Zoom may have acted: only a request that is safe to repeat goes again.
        RetryableRow{"MaybeDelivered", MaybeDelivered("reset"), false, false},
        RetryableRow{"MaybeDeliveredIdempotent", MaybeDelivered("reset"), true, true},
        // By default a failure may have sent something: "maybe".
        RetryableRow{"Unmarked", UpstreamResult{absl::UnavailableError("reset")}, false, false},
        RetryableRow{"UnmarkedIdempotent", UpstreamResult{absl::UnavailableError("reset")}, true,
                     true},
        RetryableRow{"TokenEndpointDownNothingSent",
                     NothingSent(absl::UnavailableError("no token")), false, true},
        RetryableRow{"NeverSendable", UpstreamResult{absl::InvalidArgumentError("bad url")}, true,
                     false},
        RetryableRow{"Timeout", UpstreamResult{absl::DeadlineExceededError("late")}, true, false},
        RetryableRow{"Cancelled", UpstreamResult{absl::CancelledError("gone")}, true, false},
        RetryableRow{"RateLimitedLocally", UpstreamResult{absl::ResourceExhaustedError("no slot")},
                     true, false},
        RetryableRow{"CredentialsRejected", UpstreamResult{absl::InternalError("rejected")}, true,
                     false},
        RetryableRow{"OutcomeUnknown",
                     Failed(absl::UnknownError("reset"), Delivery::kMaybeDelivered), true, false}),
    [](const ::testing::TestParamInfo<RetryableRow>& info) { return info.param.name; });

TEST(RetryDelayTest, A429WaitsExactlyItsRetryAfter) {
  absl::BitGen gen;
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  EXPECT_EQ(RetryDelay(Answer(429, "", {{"retry-after", "7"}}), 1, BackoffOptions{}, now, gen),
            absl::Seconds(7));
  EXPECT_EQ(RetryDelay(Answer(429, "", {{"retry-after", "Tue, 14 Nov 2023 22:13:22 GMT"}}), 1,
                       BackoffOptions{}, now, gen),
            absl::Seconds(2));
}

TEST(RetryDelayTest, OthersBackOffWithinTheCeilingButNotBelowARetryAfter) {
  absl::BitGen gen;
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  const BackoffOptions backoff;
  for (int i = 0; i < 200; ++i) {
    EXPECT_LE(RetryDelay(Answer(429), 3, backoff, now, gen), BackoffCeiling(3, backoff));
    EXPECT_LE(RetryDelay(Answer(503), 2, backoff, now, gen), BackoffCeiling(2, backoff));
    EXPECT_LE(RetryDelay(absl::UnavailableError("x"), 1, backoff, now, gen),
              BackoffCeiling(1, backoff));
    EXPECT_GE(RetryDelay(Answer(503, "", {{"retry-after", "5"}}), 1, backoff, now, gen),
              absl::Seconds(5));
  }
}

// ---- the decorator ----------------------------------------------------------

class RetryingClientTest : public ::testing::Test {
 protected:
  RetryingClientTest() { options_.max_attempts = 3; }

  Outcome outcome_;  // outlives the client
  FakeScheduler scheduler_;
  RetryOptions options_;
  std::unique_ptr<RetryingClient> client_;
  FakeHttpClient next_;  // goes first, completing what is still open

  std::shared_ptr<Cancellable> Send(absl::Time deadline = absl::InfiniteFuture(),
                                    HttpRequest request = Patch()) {
    if (client_ == nullptr)
      client_ = std::make_unique<RetryingClient>(&next_, &scheduler_, options_);
    return client_->Send(std::move(request), deadline, outcome_.Callback());
  }
  // Runs backoff timers: full jitter never waits longer than the ceiling.
  void WaitOutBackoff(int retry) { scheduler_.AdvanceBy(BackoffCeiling(retry, options_.backoff)); }
};

TEST_F(RetryingClientTest, Two503sThenSuccessTakesThreeAttempts) {
  Send();
  next_.Reply(0, Answer(503));
  EXPECT_FALSE(outcome_.done());
  WaitOutBackoff(1);
  ASSERT_EQ(next_.sent(), 2);
  next_.Reply(1, Answer(503));
  WaitOutBackoff(2);
  ASSERT_EQ(next_.sent(), 3);
  EXPECT_EQ(next_.request(2).body, "payload");
  next_.Reply(2, Answer(204));
  ASSERT_TRUE(outcome_.done());
  EXPECT_EQ(outcome_.get()->status_code, 204);
  EXPECT_EQ(outcome_.all().attempts, 3);
}

TEST_F(RetryingClientTest, TellsTheObserverOfEveryAttemptAndWhichAreRetries) {
  RecordingObserver observer;  // outlives the client
  options_.observer = &observer;
  Send();
  next_.Reply(0, Answer(503));
  WaitOutBackoff(1);
  next_.Reply(1, Answer(204));
  ASSERT_TRUE(outcome_.done());
  EXPECT_EQ(observer.events(), (std::vector<std::string>{"attempt", "retry"}));
  client_.reset();
}

TEST_F(RetryingClientTest, GivesUpAfterMaxAttemptsWithTheLastAnswer) {
  Send();
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(next_.sent(), i + 1);
    next_.Reply(i, Answer(502));
    WaitOutBackoff(i + 1);
  }
  EXPECT_EQ(next_.sent(), 3);
  ASSERT_TRUE(outcome_.done());
  EXPECT_EQ(outcome_.get()->status_code, 502);
  EXPECT_EQ(outcome_.all().attempts, 3);
}

TEST_F(RetryingClientTest, ConnectionFailuresAreRetriedAndCountedInTheStatus) {
  Send();
  for (int i = 0; i < 3; ++i) {
    next_.Reply(i, NotDelivered("HTTP transport: Couldn't connect to server"));
    WaitOutBackoff(i + 1);
  }
  ASSERT_TRUE(outcome_.done());
  EXPECT_EQ(outcome_.get().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(outcome_.all().attempts, 3);
  EXPECT_EQ(outcome_.all().delivery, Delivery::kNotDelivered);
}

// Zoom may have started the stream: a request not marked idempotent is
// neither sent again nor answered with a code that callers retry on their own.
TEST_F(RetryingClientTest, AMaybeDeliveredFailureOfAnUnsafeRequestIsNotRetriedAndIsUnknown) {
  Send();
  next_.Reply(0, MaybeDelivered("HTTP transport: Connection reset by peer"));
  ASSERT_TRUE(outcome_.done()) << "waiting to retry an unsafe request";
  scheduler_.AdvanceBy(absl::Minutes(1));
  EXPECT_EQ(next_.sent(), 1);
  const absl::Status status = outcome_.get().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(status.message(), "HTTP transport: Connection reset by peer");
  EXPECT_EQ(outcome_.all().delivery, Delivery::kMaybeDelivered);
  EXPECT_EQ(outcome_.all().attempts, 1);
}

TEST_F(RetryingClientTest, AMaybeDeliveredFailureOfAnIdempotentRequestIsRetried) {
  Send(absl::InfiniteFuture(), IdempotentPatch());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(next_.sent(), i + 1);
    next_.Reply(i, MaybeDelivered("HTTP transport: Connection reset by peer"));
    WaitOutBackoff(i + 1);
  }
  ASSERT_TRUE(outcome_.done());
  const absl::Status status = outcome_.get().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(outcome_.all().delivery, Delivery::kMaybeDelivered);
  EXPECT_EQ(outcome_.all().attempts, 3);
}

TEST_F(RetryingClientTest, AMaybeDeliveredTimeoutStaysDeadlineExceeded) {
  Send();
  next_.Reply(0, Failed(absl::DeadlineExceededError("late"), Delivery::kMaybeDelivered));
  ASSERT_TRUE(outcome_.done());
  EXPECT_EQ(outcome_.get().status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(outcome_.all().delivery, Delivery::kMaybeDelivered);
}

// An HTTP answer proves that a request reached Zoom, so a call whose last
// attempt never left is still "maybe" once an earlier one was answered.
TEST_F(RetryingClientTest, DeliveryCoversEveryAttemptOfTheCall) {
  for (const bool idempotent : {false, true}) {
    SCOPED_TRACE(idempotent ? "idempotent" : "unsafe");
    Outcome outcome;
    FakeHttpClient next;
    RetryingClient client(&next, &scheduler_, options_);
    client.Send(idempotent ? IdempotentPatch() : Patch(), absl::InfiniteFuture(),
                outcome.Callback());
    next.Reply(0, Answer(503));
    WaitOutBackoff(1);
    ASSERT_EQ(next.sent(), 2);
    next.Reply(1, NotDelivered("Couldn't connect"));
    WaitOutBackoff(2);
    ASSERT_EQ(next.sent(), 3);
    next.Reply(2, NotDelivered("Couldn't connect"));
    ASSERT_TRUE(outcome.done());
    const absl::Status status = outcome.get().status();
    EXPECT_EQ(outcome.all().delivery, Delivery::kMaybeDelivered);
    EXPECT_EQ(status.code(),
              idempotent ? absl::StatusCode::kUnavailable : absl::StatusCode::kUnknown);
    EXPECT_EQ(outcome.all().attempts, 3);
  }
}

TEST_F(RetryingClientTest, FailuresBeforeSendingKeepTheirDetails) {
  absl::Status refused = absl::ResourceExhaustedError("no slot");
  refused.SetPayload("type.googleapis.com/google.rpc.ErrorInfo", absl::Cord("info"));
  Send();
  next_.Reply(0, UpstreamResult::Failed(refused, 0, Delivery::kNotDelivered));
  ASSERT_TRUE(outcome_.done());
  const absl::Status status = outcome_.get().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(status.GetPayload("type.googleapis.com/google.rpc.ErrorInfo").has_value());
  EXPECT_EQ(outcome_.all().delivery, Delivery::kNotDelivered);
  EXPECT_EQ(outcome_.all().attempts, 0);
}

TEST_F(RetryingClientTest, NeverRetriesOtherAnswers) {
  for (const absl::StatusOr<HttpResponse>& answer :
       {absl::StatusOr<HttpResponse>(Answer(400)), absl::StatusOr<HttpResponse>(Answer(500)),
        absl::StatusOr<HttpResponse>(absl::InvalidArgumentError("malformed URL"))}) {
    Outcome outcome;
    FakeHttpClient next;
    RetryingClient client(&next, &scheduler_, options_);
    client.Send(Patch(), absl::InfiniteFuture(), outcome.Callback());
    next.Reply(0, answer);
    scheduler_.AdvanceBy(absl::Minutes(1));
    EXPECT_EQ(next.sent(), 1);
    ASSERT_TRUE(outcome.done());
    EXPECT_EQ(outcome.all().attempts, 1);
  }
}

TEST_F(RetryingClientTest, A429IsRetriedAfterItsRetryAfter) {
  Send();
  next_.Reply(0, Answer(429, "", {{"retry-after", "1"}}));
  scheduler_.AdvanceBy(absl::Milliseconds(999));
  EXPECT_EQ(next_.sent(), 1);
  scheduler_.AdvanceBy(absl::Milliseconds(1));
  ASSERT_EQ(next_.sent(), 2);
  next_.Reply(1, Answer(204));
  EXPECT_EQ(outcome_.get()->status_code, 204);
  EXPECT_EQ(outcome_.all().attempts, 2);
}

TEST_F(RetryingClientTest, A429WhoseWaitOutlastsTheDeadlineIsPassedOnAtOnce) {
  Send(scheduler_.Now() + absl::Seconds(5));
  next_.Reply(0, Answer(429, "", {{"retry-after", "30"}}));
  ASSERT_TRUE(outcome_.done()) << "must not wait for a retry that cannot happen";
  EXPECT_EQ(outcome_.get()->status_code, 429);
  EXPECT_EQ(next_.sent(), 1);
}

TEST_F(RetryingClientTest, EveryAttemptGetsTheCallersDeadline) {
  const absl::Time deadline = scheduler_.Now() + absl::Seconds(30);
  Send(deadline);
  next_.Reply(0, Answer(503));
  WaitOutBackoff(1);
  ASSERT_EQ(next_.sent(), 2);
  EXPECT_EQ(next_.deadline(0), deadline);
  EXPECT_EQ(next_.deadline(1), deadline);
}

TEST_F(RetryingClientTest, NoAttemptStartsAtOrPastTheDeadline) {
  options_.backoff = BackoffOptions{.initial = absl::Seconds(1), .max = absl::Seconds(1)};
  options_.max_attempts = 10;
  std::vector<absl::Time> sent_at;
  next_.auto_reply = [&](const HttpRequest&) {
    sent_at.push_back(scheduler_.Now());
    return Answer(503);
  };
  const absl::Time deadline = scheduler_.Now() + absl::Milliseconds(1500);
  Send(deadline);
  scheduler_.AdvanceBy(absl::Seconds(20));
  ASSERT_TRUE(outcome_.done());
  EXPECT_EQ(outcome_.get()->status_code, 503);
  ASSERT_FALSE(sent_at.empty());
  for (const absl::Time t : sent_at) EXPECT_LT(t, deadline);
}

TEST_F(RetryingClientTest, TheBudgetStopsRetriesDuringAnOutage) {
  options_.budget = RetryBudgetOptions{.ratio = 0.0, .min_retries = 2};
  next_.auto_reply = [](const HttpRequest&) { return Answer(503); };
  std::vector<std::unique_ptr<Outcome>> outcomes;
  client_ = std::make_unique<RetryingClient>(&next_, &scheduler_, options_);
  for (int i = 0; i < 10; ++i) {
    outcomes.push_back(std::make_unique<Outcome>());
    client_->Send(Patch(), absl::InfiniteFuture(), outcomes.back()->Callback());
  }
  scheduler_.AdvanceBy(absl::Seconds(10));
  for (const auto& outcome : outcomes) ASSERT_TRUE(outcome->done());
  // 10 first attempts and only the 2 retries the floor allows.
  EXPECT_EQ(next_.sent(), 12);
}

TEST_F(RetryingClientTest, CancelDuringBackoffStopsAtOnceWithCancelled) {
  std::shared_ptr<Cancellable> call = Send();
  next_.Reply(0, Answer(503));
  call->Cancel();
  scheduler_.RunReady();
  ASSERT_TRUE(outcome_.done());
  EXPECT_EQ(outcome_.get().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(outcome_.all().attempts, 1);
  scheduler_.AdvanceBy(absl::Minutes(1));
  EXPECT_EQ(next_.sent(), 1);
  EXPECT_EQ(outcome_.count(), 1);
}

TEST_F(RetryingClientTest, CancelDuringATransferAbortsIt) {
  std::shared_ptr<Cancellable> call = Send();
  call->Cancel();
  EXPECT_TRUE(next_.cancelled(0));
  ASSERT_TRUE(outcome_.done());
  EXPECT_EQ(outcome_.get().status().code(), absl::StatusCode::kCancelled);
  scheduler_.AdvanceBy(absl::Minutes(1));
  EXPECT_EQ(next_.sent(), 1);
}

}  // namespace
}  // namespace livestream_gateway
