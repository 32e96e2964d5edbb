// Credentials (Server-to-Server OAuth, callers' tokens), rate limiting and
// retries, end to end: the real server against the emulator.

#include <grpcpp/grpcpp.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/log_lines.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

#ifndef CLIENT_SERVICE_CONFIG_FILE
// Runfiles-relative, for Bazel (which sets LIVESTREAM_CLIENT_SERVICE_CONFIG).
#define CLIENT_SERVICE_CONFIG_FILE "client/service_config.json"
#endif

namespace livestream_gateway::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

std::string AttemptsOf(const grpc::Status& status) {
  auto info = Detail<google::rpc::ErrorInfo>(status);
  return info.has_value() ? MetadataOf(*info, "attempts") : "<no ErrorInfo>";
}

struct Call {
  grpc::Status status;
  absl::Duration latency;
};

using Metadata = std::vector<std::pair<std::string, std::string>>;

Call CallOnce(Server& server, absl::Duration timeout = absl::Seconds(10),
              const Metadata& metadata = {}) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
  UpdateStatusResponse response;
  const absl::Time start = absl::Now();
  grpc::Status status = server.NewStub()->UpdateStatus(&context, StartRequest(), &response);
  return Call{status, absl::Now() - start};
}

// `n` calls in flight at once; returns their statuses and the time until the
// last one finished.
struct Batch {
  std::vector<grpc::Status> statuses;
  absl::Duration elapsed;
  int ok() const {
    int count = 0;
    for (const grpc::Status& status : statuses) count += status.ok() ? 1 : 0;
    return count;
  }
  std::string FirstError() const {
    for (const grpc::Status& status : statuses) {
      if (!status.ok()) return absl::StrCat(status.error_code(), ": ", status.error_message());
    }
    return "";
  }
};

Batch CallConcurrently(Server& server, int n, absl::Duration timeout = absl::Seconds(20)) {
  struct Pending {
    grpc::ClientContext context;
    UpdateStatusResponse response;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<UpdateStatusResponse>> reader;
  };
  auto stub = server.NewStub();
  grpc::CompletionQueue queue;
  std::vector<std::unique_ptr<Pending>> calls;
  const absl::Time start = absl::Now();
  for (int i = 0; i < n; ++i) {
    calls.push_back(std::make_unique<Pending>());
    Pending& call = *calls.back();
    call.context.set_deadline(absl::ToChronoTime(start + timeout));
    call.reader = stub->AsyncUpdateStatus(&call.context, StartRequest(), &queue);
    call.reader->Finish(&call.response, &call.status, &call);
  }
  for (int i = 0; i < n; ++i) {
    void* tag = nullptr;
    bool ok = false;
    EXPECT_TRUE(queue.Next(&tag, &ok));
  }
  Batch batch;
  batch.elapsed = absl::Now() - start;
  queue.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue.Next(&tag, &ok)) {
  }
  for (const auto& call : calls) batch.statuses.push_back(call->status);
  return batch;
}

std::vector<std::string> OAuthArgs(const Emulator& emulator, std::vector<std::string> more = {}) {
  more.push_back("--zoom_oauth_url=" + emulator.oauth_url());
  return more;
}

TEST(ResilienceTest, FiftyCallsOnAColdCacheShareOneTokenRequest) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  // A slow token endpoint, so that all 50 calls arrive while it answers. The
  // token it hands out is one the API accepts.
  (*emulator)->ScriptOAuth(
      absl::StrCat(R"([{"status":200,"delay_ms":500,"body":"{\"access_token\":\")", kEmulatorToken,
                   R"(\",\"token_type\":\"bearer\",\"expires_in\":3600}"}])"));
  auto server = Server::Start((*emulator)->base_url(),
                              OAuthArgs(**emulator, {"--zoom_rate_limit_qps=0"}), OAuthEnv());
  ASSERT_TRUE(server.ok()) << server.status();

  Batch batch = CallConcurrently(**server, 50);
  EXPECT_EQ(batch.ok(), 50) << batch.FirstError();
  EXPECT_EQ(StatsField(**emulator, "token_requests"), 1);
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 50);

  // What was asked: account_credentials for the account, with Basic auth.
  google::protobuf::Struct records =
      ParseJson(HttpCall("GET", absl::StrCat("http://127.0.0.1:", (*emulator)->port(),
                                             "/_emulator/oauth/requests"))
                    .body);
  const auto& requests = records.fields().at("requests").list_value().values();
  ASSERT_EQ(requests.size(), 1);
  const auto& request = requests[0].struct_value().fields();
  EXPECT_EQ(request.at("method").string_value(), "POST");
  const auto& form = request.at("form").struct_value().fields();
  EXPECT_EQ(form.at("grant_type").string_value(), "account_credentials");
  EXPECT_EQ(form.at("account_id").string_value(), kEmulatorAccountId);
  EXPECT_EQ(request.at("headers").struct_value().fields().at("authorization").string_value(),
            absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(kEmulatorClientId, ":",
                                                                   kEmulatorClientSecret))));
}

TEST(ResilienceTest, ARevokedTokenIsRefreshedAndTheCallSentAgainOnce) {
  // Only issued tokens are accepted, so the server must use OAuth's.
  auto emulator = Emulator::Start({"--access_token="});
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(), OAuthArgs(**emulator), OAuthEnv());
  ASSERT_TRUE(server.ok()) << server.status();

  Call first = CallOnce(**server);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(StatsField(**emulator, "token_requests"), 1);
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 1);

  (*emulator)->RevokeTokens();
  Call second = CallOnce(**server);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  // 401 code 124, a new token, the same call again.
  EXPECT_EQ(StatsField(**emulator, "token_requests"), 2);
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 3);
}

TEST(ResilienceTest, Two503sThenSuccessIsOkInThreeAttempts) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->Script(R"([{"status":503},{"status":503}])");
  Call call = CallOnce(**server);
  EXPECT_TRUE(call.status.ok()) << call.status.error_message();
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 3);
}

TEST(ResilienceTest, AnOutageLastingEveryAttemptIsUnavailableWithTheAttemptCount) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->Script(R"([{"status":502},{"status":503},{"status":504},{"status":503}])");
  Call call = CallOnce(**server);
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(call.status), "ZOOM_UNAVAILABLE");
  EXPECT_EQ(AttemptsOf(call.status), "3");
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 3);
}

// A channel configured as callers are told to configure theirs: with the
// shipped client/service_config.json, which retries UNAVAILABLE.
std::unique_ptr<zoom::livestream::v1::LiveStreamService::Stub> StubWithShippedRetryPolicy(
    const Server& server) {
  const char* from_env = std::getenv("LIVESTREAM_CLIENT_SERVICE_CONFIG");
  const std::string config =
      ReadFileOrFail(from_env != nullptr ? from_env : CLIENT_SERVICE_CONFIG_FILE);
  // Else the tests below would pass without the server's help.
  EXPECT_THAT(config, HasSubstr(R"("retryableStatusCodes": ["UNAVAILABLE"])"));
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(config);
  return zoom::livestream::v1::LiveStreamService::NewStub(
      grpc::CreateCustomChannel(server.target(), grpc::InsecureChannelCredentials(), args));
}

// Client retries multiply the server's own attempts (docs/operations.md,
// "Retry amplification"): after them, the server tells the client not to
// retry, so an outage costs Zoom 3 requests per call, not 3 x 3.
TEST(ResilienceTest, TheShippedClientRetryPolicyAddsNoZoomRequestsToTheServersAttempts) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->Script(R"([{"status":503},{"status":503},{"status":503},{"status":503},)"
                      R"({"status":503},{"status":503},{"status":503},{"status":503},)"
                      R"({"status":503}])");
  auto stub = StubWithShippedRetryPolicy(**server);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  UpdateStatusResponse response;
  grpc::Status status = stub->UpdateStatus(&context, StartRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(status), "ZOOM_UNAVAILABLE");
  EXPECT_EQ(AttemptsOf(status), "3");
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 3);
}

// A call that failed before it reached Zoom (here: no token) costs Zoom
// nothing, so the client's retry stays allowed, and succeeds.
TEST(ResilienceTest, TheShippedClientRetryPolicyStillRetriesWhatNeverReachedZoom) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  (*emulator)->ScriptOAuth(R"([{"status":503}])");
  auto server = Server::Start((*emulator)->base_url(), OAuthArgs(**emulator), OAuthEnv());
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = StubWithShippedRetryPolicy(**server);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  UpdateStatusResponse response;
  grpc::Status status = stub->UpdateStatus(&context, StartRequest(), &response);
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(StatsField(**emulator, "token_requests"), 2);
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 1);
}

TEST(ResilienceTest, A429WithRetryAfterIsRetriedOnceItHasPassed) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->Script(
      R"([{"status":429,"headers":{"Retry-After":"1"},)"
      R"("body":"{\"code\":429,\"message\":\"You have reached the maximum per-second rate limit for this API.\"}"}])");
  Call call = CallOnce(**server);
  EXPECT_TRUE(call.status.ok()) << call.status.error_message();
  EXPECT_GE(call.latency, absl::Seconds(1));
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 2);
}

TEST(ResilienceTest, A429PausesTheAccountAndCallsThatCannotWaitFailAtOnce) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->Script(R"([{"status":429,"headers":{"Retry-After":"30"}}])");

  Call first = CallOnce(**server, absl::Seconds(5));
  EXPECT_EQ(first.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(first.status), "ZOOM_RATE_LIMITED");
  auto retry = Detail<google::rpc::RetryInfo>(first.status);
  ASSERT_TRUE(retry.has_value());
  EXPECT_GE(retry->retry_delay().seconds(), 29);
  EXPECT_LT(first.latency, absl::Seconds(3)) << "waited for a retry that could not fit";
  EXPECT_EQ(AttemptsOf(first.status), "1");

  // The whole account is paused: the next call is refused without asking Zoom.
  Call second = CallOnce(**server, absl::Seconds(5));
  EXPECT_EQ(second.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(second.status), "ZOOM_RATE_LIMITED");
  EXPECT_TRUE(Detail<google::rpc::RetryInfo>(second.status).has_value());
  EXPECT_EQ(AttemptsOf(second.status), "0");
  EXPECT_LT(second.latency, absl::Seconds(2));
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 1);
}

TEST(ResilienceTest, TheClientSideRateLimitPacesCalls) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(), {"--zoom_rate_limit_qps=5"});
  ASSERT_TRUE(server.ok()) << server.status();
  Batch batch = CallConcurrently(**server, 20);
  EXPECT_EQ(batch.ok(), 20) << batch.FirstError();
  // A burst of 5 at most, then 5 a second: the 20th goes 3 s after the 1st.
  EXPECT_GE(batch.elapsed, absl::Seconds(3));
  EXPECT_LT(batch.elapsed, absl::Seconds(10));
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 20);
}

TEST(ResilienceTest, ADeadlineShorterThanZoomsDelayEndsPromptlyWithoutRetries) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->SetDelay(absl::Seconds(5));
  Call call = CallOnce(**server, absl::Milliseconds(300));
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(call.latency, absl::Seconds(2));
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 1);
}

TEST(ResilienceTest, RejectedCredentialsAreTheOperatorsProblemAndSaidSoLoudly) {
  constexpr char kWrongSecret[] = "wr0ng-Secret-Zz7q";
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(), OAuthArgs(**emulator),
                              OAuthEnv(kEmulatorAccountId, kEmulatorClientId, kWrongSecret));
  ASSERT_TRUE(server.ok()) << server.status();

  Call call = CallOnce(**server);
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(ReasonOf(call.status), "ZOOM_CREDENTIALS_REJECTED");
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 0);
  Process& process = (*server)->process();
  // One error line: the operator's credentials, not the caller, are wrong.
  std::vector<std::string> errors;
  ASSERT_TRUE(WaitFor([&] {
    errors.clear();
    for (const LogRecord& record : ExpectLogfmtLines(process.Stderr())) {
      if (record.at("level") == "error") errors.push_back(record.at("msg"));
    }
    return !errors.empty();
  })) << process.Stderr();
  ASSERT_EQ(errors.size(), 1U) << process.Stderr();
  EXPECT_THAT(errors[0],
              StartsWith("Zoom rejected this server's Server-to-Server OAuth credentials (HTTP "));
  EXPECT_THAT(errors[0], HasSubstr("invalid_client"));
  // Compared by position, so that a failure does not print the secret.
  const std::string basic = absl::Base64Escape(absl::StrCat(kEmulatorClientId, ":", kWrongSecret));
  for (const std::string& text :
       {process.Stderr(), call.status.error_message(), call.status.error_details()}) {
    EXPECT_EQ(text.find(kWrongSecret), std::string::npos);
    EXPECT_EQ(text.find(basic), std::string::npos);
  }
}

TEST(ResilienceTest, ACallersOwnTokenIsUsedForItsCallAndItsRejectionIsNotRetried) {
  constexpr char kWrongCallerToken[] = "caller-wr0ng-T0ken";
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  // No credentials of its own: only callers' tokens.
  auto server =
      Server::Start((*emulator)->base_url(), {"--allow_caller_token"}, {"ZOOM_ACCESS_TOKEN="});
  ASSERT_TRUE(server.ok()) << server.status();

  Call good = CallOnce(**server, absl::Seconds(10), {{"x-zoom-access-token", kEmulatorToken}});
  EXPECT_TRUE(good.status.ok()) << good.status.error_message();
  auto requests = (*emulator)->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(
      requests[0].fields().at("headers").struct_value().fields().at("authorization").string_value(),
      absl::StrCat("Bearer ", kEmulatorToken));

  Call rejected =
      CallOnce(**server, absl::Seconds(10), {{"x-zoom-access-token", kWrongCallerToken}});
  EXPECT_EQ(rejected.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(rejected.status), "ZOOM_UNAUTHENTICATED");
  EXPECT_EQ(AttemptsOf(rejected.status), "1");
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 2) << "a caller's 401 was retried";
  EXPECT_EQ(StatsField(**emulator, "token_requests"), 0);

  Call without = CallOnce(**server);
  EXPECT_EQ(without.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(without.status), "CALLER_TOKEN_REQUIRED");
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 2);

  for (const std::string& text : {(*server)->process().Stderr(), rejected.status.error_message(),
                                  rejected.status.error_details()}) {
    EXPECT_EQ(text.find(kWrongCallerToken), std::string::npos);
  }
}

TEST(ResilienceTest, CallersTokensAreRefusedUnlessAllowed) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  Call call = CallOnce(**server, absl::Seconds(10), {{"x-zoom-access-token", kEmulatorToken}});
  EXPECT_EQ(call.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(call.status), "CALLER_TOKEN_NOT_ALLOWED");
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 0);
}

TEST(ResilienceTest, SecretsNeverAppearInLogsOrErrors) {
  constexpr char kSecret[] = "s3cret-Cl1ent-Secret-Ww4";
  constexpr char kCallerToken[] = "s3cret-Caller-T0ken-Kk2";
  auto emulator =
      Emulator::Start({"--access_token=", absl::StrCat("--oauth_client_secret=", kSecret)});
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  TempDir dir;
  const std::string secret_file = dir.path("client_secret");
  {
    std::FILE* f = std::fopen(secret_file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(kSecret, f);
    std::fclose(f);
  }
  // The secret comes from --zoom_client_secret_file this time.
  auto server = Server::Start(
      (*emulator)->base_url(),
      OAuthArgs(**emulator, {"--allow_caller_token", "--zoom_client_secret_file=" + secret_file}),
      {absl::StrCat("ZOOM_ACCOUNT_ID=", kEmulatorAccountId),
       absl::StrCat("ZOOM_CLIENT_ID=", kEmulatorClientId)});
  ASSERT_TRUE(server.ok()) << server.status();

  std::vector<grpc::Status> statuses;
  statuses.push_back(CallOnce(**server).status);  // OAuth token
  (*emulator)->RevokeTokens();
  statuses.push_back(CallOnce(**server).status);  // refreshed after a 401
  ASSERT_TRUE(statuses[0].ok()) << statuses[0].error_message();
  ASSERT_TRUE(statuses[1].ok()) << statuses[1].error_message();
  statuses.push_back(
      CallOnce(**server, absl::Seconds(10), {{"x-zoom-access-token", kCallerToken}}).status);
  (*emulator)->Script(R"([{"status":503},{"status":503},{"status":503}])");
  statuses.push_back(CallOnce(**server).status);
  EXPECT_EQ(statuses[2].error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(statuses[3].error_code(), grpc::StatusCode::UNAVAILABLE);

  std::vector<std::string> secrets = {
      kSecret, kCallerToken, absl::Base64Escape(absl::StrCat(kEmulatorClientId, ":", kSecret))};
  // Every token the server was issued and used.
  for (const auto& request : (*emulator)->Requests()) {
    const std::string authorization =
        request.fields().at("headers").struct_value().fields().at("authorization").string_value();
    ASSERT_TRUE(absl::StartsWith(authorization, "Bearer "));
    if (authorization != absl::StrCat("Bearer ", kCallerToken)) {
      secrets.push_back(authorization.substr(7));
    }
  }
  ASSERT_GE(secrets.size(), 5u) << "expected two issued tokens";

  (*server)->process().Signal(SIGTERM);
  EXPECT_EQ((*server)->process().Wait(), 0);
  std::vector<std::string> texts = {(*server)->process().Stderr()};
  for (const grpc::Status& status : statuses) {
    texts.push_back(status.error_message());
    texts.push_back(status.error_details());
  }
  for (const std::string& text : texts) {
    for (const std::string& secret : secrets) {
      EXPECT_EQ(text.find(secret), std::string::npos) << "a secret leaked";
    }
  }
}

}  // namespace
}  // namespace livestream_gateway::testing
