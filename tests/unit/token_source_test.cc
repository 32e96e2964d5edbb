#include "server/zoom/token_source.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"
#include "tests/unit/fake_http_client.h"
#include "tests/unit/fake_scheduler.h"
#include "tests/unit/recording_observer.h"

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::Answer;
using ::livestream_gateway::testing::FakeHttpClient;
using ::livestream_gateway::testing::FakeScheduler;
using ::livestream_gateway::testing::RecordingObserver;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::StartsWith;

constexpr char kSecret[] = "cl1ent-s3cret-Qx9";
constexpr char kIssued[] = "issued-t0ken-A1";
constexpr char kIssued2[] = "issued-t0ken-B2";

OAuthCredentials Credentials() {
  return OAuthCredentials{.token_url = "http://oauth.test/oauth/token",
                          .account_id = "acc ount/1",
                          .client_id = "client-id",
                          .client_secret = kSecret};
}

std::string TokenBody(absl::string_view token, int expires_in) {
  return absl::StrCat(R"({"access_token":")", token, R"(","token_type":"bearer","expires_in":)",
                      expires_in, R"(,"scope":"meeting:write:admin"})");
}

std::string ReasonOf(const absl::Status& status) {
  auto info = GetDetail<google::rpc::ErrorInfo>(status);
  return info.has_value() ? info->reason() : "<none>";
}

// ---- request and response (pure) -------------------------------------------

TEST(BuildTokenRequestTest, PostsAccountCredentialsWithBasicAuth) {
  const HttpRequest request = BuildTokenRequest(Credentials());
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://oauth.test/oauth/token");
  EXPECT_EQ(request.body, "grant_type=account_credentials&account_id=acc%20ount%2F1");
  EXPECT_THAT(request.headers,
              Contains(Pair("Authorization", absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(
                                                                        "client-id:", kSecret))))));
  EXPECT_THAT(request.headers, Contains(Pair("Content-Type", "application/x-www-form-urlencoded")));
  EXPECT_TRUE(request.idempotent) << "a second token request does no harm";
}

struct ParseRow {
  std::string name;
  HttpResponse response;
  absl::StatusCode code;
  std::string reason;       // for errors
  std::string oauth_error;  // ErrorInfo metadata, "" when absent
};

class ParseTokenResponseTest : public ::testing::TestWithParam<ParseRow> {};

TEST_P(ParseTokenResponseTest, ClassifiesTheAnswer) {
  const ParseRow& row = GetParam();
  absl::StatusOr<AccessToken> token = ParseTokenResponse(row.response, Redactor());
  ASSERT_EQ(token.status().code(), row.code) << token.status();
  if (token.ok()) return;
  EXPECT_EQ(ReasonOf(token.status()), row.reason);
  auto info = GetDetail<google::rpc::ErrorInfo>(token.status());
  ASSERT_TRUE(info.has_value());
  auto found = info->metadata().find("oauthError");
  EXPECT_EQ(found == info->metadata().end() ? "" : found->second, row.oauth_error);
  EXPECT_EQ(info->metadata().at("httpStatus"), absl::StrCat(row.response.status_code));
  // Nothing of the body but the sanitized error code is quoted.
  EXPECT_THAT(std::string(token.status().message()), Not(HasSubstr("Invalid client_id")));
}

HttpResponse Truncated() {
  HttpResponse response = Answer(200, TokenBody(kIssued, 3600));
  response.body_truncated = true;
  return response;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseTokenResponseTest,
    ::testing::Values(
        ParseRow{"Issued", Answer(200, TokenBody(kIssued, 3600)), absl::StatusCode::kOk, "", ""},
        ParseRow{"NotJson", Answer(200, "<html>"), absl::StatusCode::kUnavailable,
                 "ZOOM_OAUTH_UNAVAILABLE", ""},
        ParseRow{"Truncated", Truncated(), absl::StatusCode::kUnavailable, "ZOOM_OAUTH_UNAVAILABLE",
                 ""},
        ParseRow{"NoToken", Answer(200, R"({"expires_in":3600})"), absl::StatusCode::kUnavailable,
                 "ZOOM_OAUTH_UNAVAILABLE", ""},
        ParseRow{"TokenWithNewline", Answer(200, R"({"access_token":"a\nb","expires_in":3600})"),
                 absl::StatusCode::kUnavailable, "ZOOM_OAUTH_UNAVAILABLE", ""},
        ParseRow{"NoExpiry", Answer(200, R"({"access_token":"abc"})"),
                 absl::StatusCode::kUnavailable, "ZOOM_OAUTH_UNAVAILABLE", ""},
        ParseRow{"ZeroExpiry", Answer(200, R"({"access_token":"abc","expires_in":0})"),
                 absl::StatusCode::kUnavailable, "ZOOM_OAUTH_UNAVAILABLE", ""},
        // Found by fuzz/token_response_fuzzer: absl::Seconds(1e-300) is zero,
        // and a token expiring at once was fetched anew for every call.
        ParseRow{"TinyExpiry", Answer(200, R"({"access_token":"abc","expires_in":1e-300})"),
                 absl::StatusCode::kUnavailable, "ZOOM_OAUTH_UNAVAILABLE", ""},
        ParseRow{"SubSecondExpiry", Answer(200, R"({"access_token":"abc","expires_in":0.5})"),
                 absl::StatusCode::kUnavailable, "ZOOM_OAUTH_UNAVAILABLE", ""},
        ParseRow{
            "InvalidClient",
            Answer(401,
                   R"({"reason":"Invalid client_id or client_secret","error":"invalid_client"})"),
            absl::StatusCode::kInternal, "ZOOM_CREDENTIALS_REJECTED", "invalid_client"},
        ParseRow{
            "UnsupportedGrant",
            Answer(400, R"({"reason":"unsupported grant type","error":"unsupported_grant_type"})"),
            absl::StatusCode::kInternal, "ZOOM_CREDENTIALS_REJECTED", "unsupported_grant_type"},
        ParseRow{"HostileErrorCode",
                 Answer(400, R"({"error":"x\r\nSet-Cookie: y","reason":"Invalid client_id"})"),
                 absl::StatusCode::kInternal, "ZOOM_CREDENTIALS_REJECTED", ""},
        ParseRow{"ForbiddenNoBody", Answer(403), absl::StatusCode::kInternal,
                 "ZOOM_CREDENTIALS_REJECTED", ""},
        ParseRow{"TooManyRequests", Answer(429), absl::StatusCode::kUnavailable,
                 "ZOOM_OAUTH_UNAVAILABLE", ""},
        ParseRow{"Timeout408", Answer(408), absl::StatusCode::kUnavailable,
                 "ZOOM_OAUTH_UNAVAILABLE", ""},
        ParseRow{"ServerError", Answer(503), absl::StatusCode::kUnavailable,
                 "ZOOM_OAUTH_UNAVAILABLE", ""},
        ParseRow{"Redirect", Answer(302), absl::StatusCode::kUnavailable, "ZOOM_OAUTH_UNAVAILABLE",
                 ""}),
    [](const ::testing::TestParamInfo<ParseRow>& info) { return info.param.name; });

TEST(ParseTokenResponseTest, KeepsTheTokenAndCapsItsLifetimeAtADay) {
  absl::StatusOr<AccessToken> token =
      ParseTokenResponse(Answer(200, TokenBody(kIssued, 3600)), Redactor());
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->value, kIssued);
  EXPECT_EQ(token->expires_in, absl::Hours(1));
  token = ParseTokenResponse(Answer(200, TokenBody(kIssued, 999999999)), Redactor());
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->expires_in, absl::Hours(24));
  token = ParseTokenResponse(Answer(200, TokenBody(kIssued, 1)), Redactor());
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->expires_in, absl::Seconds(1));
}

TEST(ParseTokenResponseTest, AnErrorCodeHoldingASecretIsNotQuoted) {
  for (const std::string& error : {std::string(kSecret), absl::StrCat("x", kSecret, "x")}) {
    const absl::StatusOr<AccessToken> token = ParseTokenResponse(
        Answer(401, absl::StrCat(R"({"error":")", error, R"("})")), Redactor({kSecret}));
    ASSERT_EQ(token.status().code(), absl::StatusCode::kInternal);
    EXPECT_EQ(token.status().ToString().find(kSecret), std::string::npos);
    auto info = GetDetail<google::rpc::ErrorInfo>(token.status());
    ASSERT_TRUE(info.has_value());
    EXPECT_FALSE(info->metadata().contains("oauthError"));
  }
}

TEST(TokenTransportErrorTest, CancelledStaysCancelledAndTheRestIsUnavailable) {
  EXPECT_EQ(TokenTransportError(absl::CancelledError("x")).code(), absl::StatusCode::kCancelled);
  for (const absl::Status& failure :
       {absl::UnavailableError("connect"), absl::DeadlineExceededError("slow"),
        absl::InvalidArgumentError("url")}) {
    const absl::Status status = TokenTransportError(failure);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << failure;
    EXPECT_EQ(ReasonOf(status), "ZOOM_OAUTH_UNAVAILABLE");
  }
}

TEST(StaticTokenSourceTest, AnswersAtOnceAndCannotRefresh) {
  StaticTokenSource source("fixed");
  std::optional<absl::StatusOr<std::string>> got;
  source.GetToken(absl::InfiniteFuture(),
                  [&](absl::StatusOr<std::string> token) { got = std::move(token); });
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(**got, "fixed");
  EXPECT_FALSE(source.Invalidate("fixed"));
}

// ---- OAuthTokenSource ------------------------------------------------------

struct Tokens {
  std::vector<std::optional<absl::StatusOr<std::string>>> got;
  TokenSource::Callback At(size_t i) {
    if (got.size() <= i) got.resize(i + 1);
    return [this, i](absl::StatusOr<std::string> token) { got[i] = std::move(token); };
  }
  int Completed() const {
    int n = 0;
    for (const auto& g : got) n += g.has_value() ? 1 : 0;
    return n;
  }
};

class OAuthTokenSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OAuthTokenSourceOptions options;
    options.credentials = Credentials();
    options.log = [this](LogLevel level, absl::string_view line) {
      log_.push_back(absl::StrCat(LogLevelName(level), ": ", line));
    };
    options.secrets = secrets_;
    options.observer = &observer_;
    source_ = OAuthTokenSource::Create(&transport_, &scheduler_, options);
  }

  // Every line logged and every error seen so far is free of secrets.
  void ExpectNoSecrets(const std::vector<std::string>& texts) {
    const std::string basic = absl::Base64Escape(absl::StrCat("client-id:", kSecret));
    for (const std::string& text : texts) {
      EXPECT_THAT(text, Not(HasSubstr(kSecret)));
      EXPECT_THAT(text, Not(HasSubstr(basic)));
      EXPECT_THAT(text, Not(HasSubstr(kIssued)));
    }
  }

  Tokens tokens_;               // outlives the source
  RecordingObserver observer_;  // likewise
  std::shared_ptr<KnownSecrets> secrets_ = std::make_shared<KnownSecrets>();
  FakeScheduler scheduler_;
  FakeHttpClient transport_;
  std::vector<std::string> log_;
  std::shared_ptr<OAuthTokenSource> source_;
};

TEST_F(OAuthTokenSourceTest, FiftyCallsOnAColdCacheMakeOneTokenRequest) {
  for (size_t i = 0; i < 50; ++i) source_->GetToken(absl::InfiniteFuture(), tokens_.At(i));
  EXPECT_EQ(transport_.sent(), 1);
  EXPECT_EQ(tokens_.Completed(), 0);
  ASSERT_TRUE(transport_.Reply(0, Answer(200, TokenBody(kIssued, 3600))));
  ASSERT_EQ(tokens_.Completed(), 50);
  for (const auto& got : tokens_.got) EXPECT_EQ(got->value(), kIssued);
  // Cached from now on, answered before GetToken returns.
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(50));
  EXPECT_EQ(tokens_.got[50]->value(), kIssued);
  EXPECT_EQ(transport_.sent(), 1);
  EXPECT_EQ(source_->token_requests(), 1u);
}

TEST_F(OAuthTokenSourceTest, RefreshesInTheBackgroundAtNinetyPercentWithoutStallingCalls) {
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(0));
  transport_.Reply(0, Answer(200, TokenBody(kIssued, 100)));
  scheduler_.AdvanceBy(absl::Seconds(89));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(1));
  EXPECT_EQ(tokens_.got[1]->value(), kIssued);
  EXPECT_EQ(transport_.sent(), 1) << "too early to refresh";
  scheduler_.AdvanceBy(absl::Seconds(1));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(2));
  // The call goes on at once with the current token; one refresh starts.
  ASSERT_TRUE(tokens_.got[2].has_value());
  EXPECT_EQ(tokens_.got[2]->value(), kIssued);
  EXPECT_EQ(transport_.sent(), 2);
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(3));
  EXPECT_EQ(tokens_.got[3]->value(), kIssued);
  EXPECT_EQ(transport_.sent(), 2) << "a refresh is already in flight";
  transport_.Reply(1, Answer(200, TokenBody(kIssued2, 100)));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(4));
  EXPECT_EQ(tokens_.got[4]->value(), kIssued2);
}

TEST_F(OAuthTokenSourceTest, AnExpiredTokenIsNeverHandedOut) {
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(0));
  transport_.Reply(0, Answer(200, TokenBody(kIssued, 100)));
  scheduler_.AdvanceBy(absl::Seconds(100));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(1));
  EXPECT_FALSE(tokens_.got[1].has_value());
  EXPECT_EQ(transport_.sent(), 2);
  transport_.Reply(1, Answer(200, TokenBody(kIssued2, 100)));
  EXPECT_EQ(tokens_.got[1]->value(), kIssued2);
}

TEST_F(OAuthTokenSourceTest, InvalidateDropsOnlyTheTokenZoomRefused) {
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(0));
  transport_.Reply(0, Answer(200, TokenBody(kIssued, 3600)));
  EXPECT_TRUE(source_->Invalidate(kIssued));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(1));
  EXPECT_EQ(transport_.sent(), 2);
  transport_.Reply(1, Answer(200, TokenBody(kIssued2, 3600)));
  // A call that still held the old token reports it late: the new one stays.
  EXPECT_TRUE(source_->Invalidate(kIssued));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(2));
  EXPECT_EQ(tokens_.got[2]->value(), kIssued2);
  EXPECT_EQ(transport_.sent(), 2);
}

TEST_F(OAuthTokenSourceTest, AWaiterGivesUpAtItsDeadlineAndTheRequestGoesOn) {
  const absl::Time now = scheduler_.Now();
  source_->GetToken(now + absl::Seconds(1), tokens_.At(0));
  source_->GetToken(now + absl::Seconds(5), tokens_.At(1));
  scheduler_.AdvanceBy(absl::Seconds(1));
  ASSERT_TRUE(tokens_.got[0].has_value());
  EXPECT_EQ(tokens_.got[0]->status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(tokens_.got[1].has_value());
  EXPECT_FALSE(transport_.cancelled(0));
  transport_.Reply(0, Answer(200, TokenBody(kIssued, 3600)));
  EXPECT_EQ(tokens_.got[1]->value(), kIssued);
  // The first waiter's callback ran once only.
  EXPECT_EQ(tokens_.got[0]->status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(OAuthTokenSourceTest, CancellingAWaitCompletesItWithCancelledButNotInsideCancel) {
  std::shared_ptr<Cancellable> wait = source_->GetToken(absl::InfiniteFuture(), tokens_.At(0));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(1));
  wait->Cancel();
  EXPECT_FALSE(tokens_.got[0].has_value());
  scheduler_.RunReady();
  ASSERT_TRUE(tokens_.got[0].has_value());
  EXPECT_EQ(tokens_.got[0]->status().code(), absl::StatusCode::kCancelled);
  // The shared request is not the cancelled call's to abort.
  EXPECT_FALSE(transport_.cancelled(0));
  transport_.Reply(0, Answer(200, TokenBody(kIssued, 3600)));
  EXPECT_EQ(tokens_.got[1]->value(), kIssued);
  EXPECT_EQ(tokens_.got[0]->status().code(), absl::StatusCode::kCancelled);
}

TEST_F(OAuthTokenSourceTest, RejectedCredentialsFailLoudlyAndAreNotAskedAgainAtOnce) {
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(0));
  transport_.Reply(
      0,
      Answer(401, R"({"reason":"Invalid client_id or client_secret","error":"invalid_client"})"));
  ASSERT_TRUE(tokens_.got[0].has_value());
  const absl::Status status = tokens_.got[0]->status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ReasonOf(status), "ZOOM_CREDENTIALS_REJECTED");
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_THAT(log_[0], StartsWith("error: "));
  EXPECT_THAT(log_[0], HasSubstr("invalid_client"));
  // Within the holdoff the same error comes at once, with no request.
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(1));
  EXPECT_EQ(ReasonOf(tokens_.got[1]->status()), "ZOOM_CREDENTIALS_REJECTED");
  EXPECT_EQ(transport_.sent(), 1);
  scheduler_.AdvanceBy(absl::Seconds(5));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(2));
  EXPECT_EQ(transport_.sent(), 2);
  ExpectNoSecrets({log_[0], std::string(status.message()), status.ToString()});
}

TEST_F(OAuthTokenSourceTest, RegistersItsSecretAndEveryIssuedTokenForRedaction) {
  const std::string basic = absl::Base64Escape(absl::StrCat("client-id:", kSecret));
  EXPECT_EQ(secrets_->redactor().Redact(absl::StrCat(kSecret, " ", basic)),
            "[REDACTED] [REDACTED]");
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(0));
  transport_.Reply(0, Answer(200, TokenBody(kIssued, 3600)));
  source_->Invalidate(kIssued);
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(1));
  transport_.Reply(1, Answer(200, TokenBody(kIssued2, 3600)));
  ASSERT_EQ(tokens_.got[1]->value(), kIssued2);
  // The replaced token too: a call in flight may have sent it.
  EXPECT_EQ(secrets_->redactor().Redact(absl::StrCat(kIssued, " ", kIssued2)),
            "[REDACTED] [REDACTED]");
}

// The token endpoint (or a proxy) echoes a credential as its `error` code,
// which is otherwise quoted in the status and the log line.
TEST_F(OAuthTokenSourceTest, ACredentialEchoedAsTheErrorCodeIsNeitherQuotedNorLogged) {
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(0));
  transport_.Reply(0, Answer(200, TokenBody(kIssued, 3600)));
  source_->Invalidate(kIssued);
  const std::string basic = absl::Base64Escape(absl::StrCat("client-id:", kSecret));
  std::vector<std::string> texts;
  size_t call = 1;
  for (const std::string& echoed : {std::string(kSecret), basic, std::string(kIssued)}) {
    scheduler_.AdvanceBy(absl::Seconds(5));  // past the holdoff of the last rejection
    source_->GetToken(absl::InfiniteFuture(), tokens_.At(call));
    ASSERT_EQ(transport_.sent(), static_cast<int>(call + 1));
    transport_.Reply(static_cast<int>(call),
                     Answer(401, absl::StrCat(R"({"error":")", echoed, R"("})")));
    ASSERT_TRUE(tokens_.got[call].has_value());
    EXPECT_EQ(ReasonOf(tokens_.got[call]->status()), "ZOOM_CREDENTIALS_REJECTED");
    texts.push_back(tokens_.got[call]->status().ToString());
    ++call;
  }
  ASSERT_EQ(log_.size(), 3u);
  texts.insert(texts.end(), log_.begin(), log_.end());
  ExpectNoSecrets(texts);
}

TEST_F(OAuthTokenSourceTest, AnUnreachableEndpointIsUnavailableAndAskedAgainByTheNextCall) {
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(0));
  transport_.Reply(0, absl::UnavailableError("HTTP transport: Couldn't connect to server"));
  EXPECT_EQ(tokens_.got[0]->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(tokens_.got[0]->status()), "ZOOM_OAUTH_UNAVAILABLE");
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_THAT(log_[0], StartsWith("warn: "));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(1));
  EXPECT_EQ(transport_.sent(), 2);
  transport_.Reply(1, Answer(200, TokenBody(kIssued, 3600)));
  EXPECT_EQ(tokens_.got[1]->value(), kIssued);
  ExpectNoSecrets(log_);
}

TEST_F(OAuthTokenSourceTest, TellsTheObserverOfEachTokenRequestAndWhetherItBroughtAToken) {
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(0));
  transport_.Reply(0, absl::UnavailableError("HTTP transport: Couldn't connect to server"));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(1));
  transport_.Reply(1, Answer(401, R"({"error":"invalid_client"})"));
  scheduler_.AdvanceBy(absl::Seconds(5));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(2));
  transport_.Reply(2, Answer(200, TokenBody(kIssued, 3600)));
  EXPECT_EQ(observer_.events(),
            (std::vector<std::string>{"token_failure", "token_failure", "token"}));
}

TEST_F(OAuthTokenSourceTest, AFailedBackgroundRefreshKeepsTheTokenAndWaitsBeforeTryingAgain) {
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(0));
  transport_.Reply(0, Answer(200, TokenBody(kIssued, 100)));
  scheduler_.AdvanceBy(absl::Seconds(91));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(1));
  ASSERT_EQ(transport_.sent(), 2);
  transport_.Reply(1, Answer(503));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(2));
  EXPECT_EQ(tokens_.got[2]->value(), kIssued);
  EXPECT_EQ(transport_.sent(), 2) << "retried the refresh at once";
  scheduler_.AdvanceBy(absl::Seconds(5));
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(3));
  EXPECT_EQ(tokens_.got[3]->value(), kIssued);
  EXPECT_EQ(transport_.sent(), 3);
}

TEST_F(OAuthTokenSourceTest, TheTokenRequestHasItsOwnTimeoutNotTheFirstCallersDeadline) {
  source_->GetToken(scheduler_.Now() + absl::Milliseconds(10), tokens_.At(0));
  EXPECT_EQ(transport_.deadline(0), scheduler_.Now() + absl::Seconds(10));
}

TEST_F(OAuthTokenSourceTest, DestructionCancelsWaitersAndTheRequestInFlight) {
  source_->GetToken(absl::InfiniteFuture(), tokens_.At(0));
  source_.reset();
  ASSERT_TRUE(tokens_.got[0].has_value());
  EXPECT_EQ(tokens_.got[0]->status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(transport_.cancelled(0));
}

}  // namespace
}  // namespace livestream_gateway
