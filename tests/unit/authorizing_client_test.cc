#include "server/zoom/authorizing_client.h"

#include <memory>
#include <optional>
#include <string>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"
#include "tests/unit/fake_http_client.h"
#include "tests/unit/fake_scheduler.h"

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::Answer;
using ::livestream_gateway::testing::FakeHttpClient;
using ::livestream_gateway::testing::FakeScheduler;
using ::livestream_gateway::testing::Outcome;
using ::testing::Contains;
using ::testing::Pair;

HttpRequest Patch() {
  return HttpRequest{.method = "PATCH",
                     .url = "http://zoom.test/v2/webinars/1/livestream/status",
                     .headers = {{"Accept", "application/json"}},
                     .body = "b"};
}

// A token source the test drives: GetToken waits until Give().
class ManualTokenSource final : public TokenSource {
 public:
  std::shared_ptr<Cancellable> GetToken(absl::Time deadline, Callback done) override {
    ++requests;
    pending = std::move(done);
    return std::make_shared<Handle>(this);
  }
  bool Invalidate(absl::string_view token) override {
    invalidated.emplace_back(token);
    return refreshable;
  }
  void Give(absl::StatusOr<std::string> token) {
    Callback done = std::move(pending);
    pending = nullptr;
    std::move(done)(std::move(token));
  }

  int requests = 0;
  bool refreshable = true;
  std::vector<std::string> invalidated;
  Callback pending;

 private:
  struct Handle final : Cancellable {
    explicit Handle(ManualTokenSource* source) : source(source) {}
    void Cancel() override {
      if (source->pending) source->Give(absl::CancelledError("token wait cancelled"));
    }
    ManualTokenSource* source;
  };
};

TEST(AuthorizingClientTest, AddsTheBearerTokenAndPassesEverythingElseThrough) {
  FakeHttpClient next;
  auto tokens = std::make_shared<ManualTokenSource>();
  AuthorizingClient client(&next, tokens);
  Outcome outcome;
  const absl::Time deadline = absl::FromUnixSeconds(1000);
  client.Send(Patch(), deadline, outcome.Callback());
  EXPECT_EQ(next.sent(), 0) << "sent before the token came";
  tokens->Give(std::string("tok"));
  ASSERT_EQ(next.sent(), 1);
  const HttpRequest sent = next.request(0);
  EXPECT_EQ(sent.method, "PATCH");
  EXPECT_EQ(sent.url, "http://zoom.test/v2/webinars/1/livestream/status");
  EXPECT_EQ(sent.body, "b");
  EXPECT_THAT(sent.headers, Contains(Pair("Accept", "application/json")));
  EXPECT_THAT(sent.headers, Contains(Pair("Authorization", "Bearer tok")));
  EXPECT_EQ(next.deadline(0), deadline);
  next.Reply(0, Answer(204));
  ASSERT_TRUE(outcome.done());
  EXPECT_EQ(outcome.get()->status_code, 204);
  EXPECT_EQ(outcome.all().attempts, 1);
}

// The transport gives a request that is not idempotent a connection of its
// own; losing the marker here would cost every call a new connection.
TEST(AuthorizingClientTest, KeepsTheIdempotencyMarker) {
  for (const bool idempotent : {false, true}) {
    FakeHttpClient next;
    auto tokens = std::make_shared<ManualTokenSource>();
    AuthorizingClient client(&next, tokens);
    Outcome outcome;
    HttpRequest request = Patch();
    request.idempotent = idempotent;
    client.Send(std::move(request), absl::InfiniteFuture(), outcome.Callback());
    tokens->Give(std::string("tok"));
    ASSERT_EQ(next.sent(), 1);
    EXPECT_EQ(next.request(0).idempotent, idempotent);
    next.Reply(0, Answer(204));
  }
}

TEST(AuthorizingClientTest, A401DropsTheTokenAndResendsOnceWithAFreshOne) {
  FakeHttpClient next;
  auto tokens = std::make_shared<ManualTokenSource>();
  AuthorizingClient client(&next, tokens);
  Outcome outcome;
  client.Send(Patch(), absl::InfiniteFuture(), outcome.Callback());
  tokens->Give(std::string("old"));
  next.Reply(0, Answer(401, R"({"code":124,"message":"Invalid access token."})"));
  EXPECT_THAT(tokens->invalidated, ::testing::ElementsAre("old"));
  EXPECT_EQ(tokens->requests, 2);
  tokens->Give(std::string("new"));
  ASSERT_EQ(next.sent(), 2);
  EXPECT_EQ(next.Header(1, "Authorization"), "Bearer new");
  // A second 401 is Zoom's final word.
  next.Reply(1, Answer(401, R"({"code":124,"message":"Invalid access token."})"));
  ASSERT_TRUE(outcome.done());
  EXPECT_EQ(outcome.get()->status_code, 401);
  EXPECT_EQ(outcome.all().attempts, 2);
  EXPECT_EQ(tokens->requests, 2);
}

TEST(AuthorizingClientTest, AFixedTokenIsNotRefreshedOn401) {
  FakeHttpClient next;
  next.auto_reply = [](const HttpRequest&) { return Answer(401); };
  AuthorizingClient client(&next, std::make_shared<StaticTokenSource>("fixed"));
  Outcome outcome;
  client.Send(Patch(), absl::InfiniteFuture(), outcome.Callback());
  ASSERT_TRUE(outcome.done());
  EXPECT_EQ(outcome.get()->status_code, 401);
  EXPECT_EQ(next.sent(), 1);
}

TEST(AuthorizingClientTest, ACallersOwnTokenIsSentAsItIsAndItsA401PassedOn) {
  FakeHttpClient next;
  next.auto_reply = [](const HttpRequest&) { return Answer(401); };
  auto tokens = std::make_shared<ManualTokenSource>();
  AuthorizingClient client(&next, tokens);
  HttpRequest request = Patch();
  request.headers.emplace_back("Authorization", "Bearer callers");
  Outcome outcome;
  client.Send(request, absl::InfiniteFuture(), outcome.Callback());
  ASSERT_TRUE(outcome.done());
  EXPECT_EQ(outcome.get()->status_code, 401);
  EXPECT_EQ(next.sent(), 1);
  EXPECT_EQ(next.Header(0, "Authorization"), "Bearer callers");
  EXPECT_EQ(tokens->requests, 0);
  EXPECT_TRUE(tokens->invalidated.empty());
}

TEST(AuthorizingClientTest, WithoutServerCredentialsACallWithoutTokenIsRefusedUnsent) {
  FakeHttpClient next;
  AuthorizingClient client(&next, nullptr);
  Outcome outcome;
  std::shared_ptr<Cancellable> call =
      client.Send(Patch(), absl::InfiniteFuture(), outcome.Callback());
  ASSERT_NE(call, nullptr);
  call->Cancel();  // harmless
  ASSERT_TRUE(outcome.done());
  const absl::Status status = outcome.get().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(status)->reason(), "CALLER_TOKEN_REQUIRED");
  EXPECT_EQ(outcome.all().attempts, 0);
  EXPECT_EQ(outcome.all().delivery, Delivery::kNotDelivered);
  EXPECT_EQ(next.sent(), 0);
}

TEST(AuthorizingClientTest, TokenErrorsPassThroughWithNothingSent) {
  FakeHttpClient next;
  auto tokens = std::make_shared<ManualTokenSource>();
  AuthorizingClient client(&next, tokens);
  Outcome outcome;
  client.Send(Patch(), absl::InfiniteFuture(), outcome.Callback());
  tokens->Give(absl::UnavailableError("token endpoint down"));
  ASSERT_TRUE(outcome.done());
  EXPECT_EQ(outcome.get().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(outcome.all().attempts, 0);
  EXPECT_EQ(outcome.all().delivery, Delivery::kNotDelivered);
  EXPECT_EQ(next.sent(), 0);
}

// The transport knows whether the request left; this layer only counts its
// own sends.
TEST(AuthorizingClientTest, ATransferFailureKeepsItsDeliveryAndCountsTheSends) {
  for (const Delivery delivery : {Delivery::kNotDelivered, Delivery::kMaybeDelivered}) {
    SCOPED_TRACE(DeliveryName(delivery));
    FakeHttpClient next;
    auto tokens = std::make_shared<ManualTokenSource>();
    AuthorizingClient client(&next, tokens);
    Outcome outcome;
    client.Send(Patch(), absl::InfiniteFuture(), outcome.Callback());
    tokens->Give(std::string("tok"));
    ASSERT_EQ(next.sent(), 1);
    next.Reply(0, UpstreamResult::Failed(absl::UnavailableError("x"), 1, delivery));
    ASSERT_TRUE(outcome.done());
    EXPECT_EQ(outcome.get().status().code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(outcome.all().attempts, 1);
    EXPECT_EQ(outcome.all().delivery, delivery);
  }
}

TEST(AuthorizingClientTest, CancelReachesTheTokenWaitAndTheTransfer) {
  FakeHttpClient next;
  auto tokens = std::make_shared<ManualTokenSource>();
  AuthorizingClient client(&next, tokens);

  Outcome waiting;
  client.Send(Patch(), absl::InfiniteFuture(), waiting.Callback())->Cancel();
  ASSERT_TRUE(waiting.done());
  EXPECT_EQ(waiting.get().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(next.sent(), 0);

  Outcome transferring;
  std::shared_ptr<Cancellable> call =
      client.Send(Patch(), absl::InfiniteFuture(), transferring.Callback());
  tokens->Give(std::string("tok"));
  ASSERT_EQ(next.sent(), 1);
  call->Cancel();
  EXPECT_TRUE(next.cancelled(0));
  ASSERT_TRUE(transferring.done());
  EXPECT_EQ(transferring.get().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(transferring.count(), 1);
}

TEST(AuthorizingClientTest, WorksWithTheOAuthSourceEndToEnd) {
  FakeScheduler scheduler;
  FakeHttpClient next;
  int token_posts = 0;
  next.auto_reply = [&](const HttpRequest& request) -> absl::StatusOr<HttpResponse> {
    if (request.method == "POST") {
      ++token_posts;
      return Answer(200,
                    absl::StrCat(R"({"access_token":"t)", token_posts, R"(","expires_in":3600})"));
    }
    for (const auto& [name, value] : request.headers) {
      if (name == "Authorization" && value == "Bearer t2") return Answer(204);
    }
    return Answer(401, R"({"code":124,"message":"Access token is expired."})");
  };
  OAuthTokenSourceOptions options;
  options.credentials.client_id = "id";
  options.credentials.client_secret = "secret";
  options.credentials.account_id = "acct";
  AuthorizingClient client(&next, OAuthTokenSource::Create(&next, &scheduler, options));
  Outcome outcome;
  client.Send(Patch(), absl::InfiniteFuture(), outcome.Callback());
  ASSERT_TRUE(outcome.done());
  EXPECT_EQ(outcome.get()->status_code, 204);
  EXPECT_EQ(outcome.all().attempts, 2);
  EXPECT_EQ(token_posts, 2);
}

}  // namespace
}  // namespace livestream_gateway
