// Text a hostile or broken upstream sends back (bytes that are not UTF-8,
// controls, credentials it echoes) through the real server: every reply a
// client decodes, and no credential reaches a status, a detail or the log.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/log_lines.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::HasSubstr;
using ::zoom::livestream::v1::UpdateStatusResponse;

struct Outcome {
  grpc::Status status;
  UpdateStatusResponse response;
};

Outcome CallOnce(Server& server, const std::string& caller_token = "") {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  if (!caller_token.empty()) context.AddMetadata("x-zoom-access-token", caller_token);
  Outcome outcome;
  outcome.status = server.NewStub()->UpdateStatus(&context, StartRequest(), &outcome.response);
  return outcome;
}

std::string JsonString(const std::string& text) {
  return absl::StrCat("\"", absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\"");
}

// The server's log lines for UpdateStatus calls, as written, once there are
// `count`; a line that does not parse fails the test.
std::vector<std::string> RpcLogLines(Server& server, size_t count) {
  std::vector<std::string> lines;
  WaitFor([&] {
    lines.clear();
    for (absl::string_view line :
         absl::StrSplit(server.process().Stderr(), '\n', absl::SkipEmpty())) {
      absl::StatusOr<LogRecord> record = ParseLogfmtLine(line);
      EXPECT_TRUE(record.ok()) << record.status();
      if (record.ok() && record->at("msg") == "rpc" &&
          record->at("method") == "/zoom.livestream.v1.LiveStreamService/UpdateStatus") {
        lines.emplace_back(line);
      }
    }
    return lines.size() >= count;
  });
  return lines;
}

// Compared by position, so that a failure prints no secret.
void ExpectNoSecret(const std::vector<std::string>& texts,
                    const std::vector<std::string>& secrets) {
  for (size_t t = 0; t < texts.size(); ++t) {
    for (size_t s = 0; s < secrets.size(); ++s) {
      EXPECT_EQ(texts[t].find(secrets[s]), std::string::npos)
          << "secret " << s << " leaked into text " << t;
    }
  }
}

std::vector<std::string> TextsOf(const grpc::Status& status) {
  return {status.error_message(), status.error_details()};
}

// Zoom's answers quoting `echo` wherever Zoom puts text: the message,
// errors[] and a header, for each detail that carries Zoom's text (BadRequest,
// ResourceInfo, PreconditionFailure, QuotaFailure) and one without.
std::string EchoingAnswers(const std::string& echo) {
  std::string answers;
  for (const auto& [status, body] : std::vector<std::pair<int, std::string>>{
           {400, R"({"code":300,"message":"$E","errors":[{"field":"$E","message":"$E"}]})"},
           {404, R"({"code":3001,"message":"$E"})"},
           {400, R"({"code":200,"message":"$E"})"},
           {429, R"({"code":429,"message":"$E"})"},
           {503, R"({"message":"$E"})"}}) {
    absl::StrAppend(&answers, answers.empty() ? "[" : ",", R"({"status":)", status, R"(,"body":)",
                    JsonString(absl::StrReplaceAll(body, {{"$E", echo}})),
                    R"(,"headers":{"x-zm-trackingid":)", JsonString(echo), "}}");
  }
  return answers + "]";
}
constexpr int kEchoingAnswers = 5;

// Sends kEchoingAnswers calls, each answered with one of EchoingAnswers();
// returns every status message, detail and the server's log.
std::vector<std::string> CallsAnsweredWithEchoes(Emulator& emulator, Server& server,
                                                 const std::string& echo,
                                                 const std::string& caller_token = "") {
  const double sent_before = StatsField(emulator, "api_requests");
  emulator.Script(EchoingAnswers(echo));
  std::vector<std::string> texts;
  for (int i = 0; i < kEchoingAnswers; ++i) {
    const Outcome outcome = CallOnce(server, caller_token);
    EXPECT_FALSE(outcome.status.ok());
    EXPECT_NE(outcome.status.error_message().find("[REDACTED]"), std::string::npos)
        << "Zoom's text is not quoted";
    const std::vector<std::string> status_texts = TextsOf(outcome.status);
    texts.insert(texts.end(), status_texts.begin(), status_texts.end());
  }
  EXPECT_EQ(StatsField(emulator, "api_requests") - sent_before, kEchoingAnswers)
      << "a call was retried";
  RpcLogLines(server, static_cast<size_t>(sent_before) + kEchoingAnswers);
  texts.push_back(server.process().Stderr());
  return texts;
}

// One attempt per call and no client-side rate limit: each call takes one
// scripted answer.
std::vector<std::string> OneAttempt() {
  return {"--zoom_max_attempts=1", "--zoom_rate_limit_qps=0"};
}

// Fake credentials.
constexpr char kStaticToken[] = "fake-Static-T0ken-Pq8";
constexpr char kCallerToken[] = "fake-Caller-T0ken-Rr5";

TEST(UpstreamTextTest, ATrackingIdThatIsNotUtf8StillAnswersOkWithADecodableTrackingId) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(), OneAttempt());
  ASSERT_TRUE(server.ok()) << server.status();
  // A stray byte, an overlong '/', and a C1 control (NEL).
  const std::string raw = "v=2.0;rid=\xFFWEB\xC0\xAF_1\xC2\x85z";
  (*emulator)->Script(absl::StrCat(R"([{"status":204,"headers_base64":{"x-zm-trackingid":")",
                                   absl::Base64Escape(raw), R"("}}])"));

  const Outcome outcome = CallOnce(**server);
  ASSERT_TRUE(outcome.status.ok())
      << outcome.status.error_code() << ": " << outcome.status.error_message();
  EXPECT_EQ(outcome.response.tracking_id(),
            "v=2.0;rid=\xEF\xBF\xBDWEB\xEF\xBF\xBD\xEF\xBF\xBD_1 z");
  // The log line quotes it too, as one line of ASCII (U+FFFD escaped).
  const std::vector<std::string> lines = RpcLogLines(**server, 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr(R"( tracking_id="v=2.0;rid=\ufffdWEB\ufffd\ufffd_1 z")"));
  const absl::StatusOr<LogRecord> record = ParseLogfmtLine(lines[0]);
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->at("outcome"), "OK");
  EXPECT_EQ(record->at("tracking_id"), outcome.response.tracking_id());
  EXPECT_TRUE(
      std::all_of(lines[0].begin(), lines[0].end(), [](char c) { return c >= ' ' && c < 0x7F; }));
}

TEST(UpstreamTextTest, TheServersStaticTokenEchoedByZoomIsRedacted) {
  auto emulator = Emulator::Start({absl::StrCat("--access_token=", kStaticToken)});
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(), OneAttempt(),
                              {absl::StrCat("ZOOM_ACCESS_TOKEN=", kStaticToken)});
  ASSERT_TRUE(server.ok()) << server.status();
  ExpectNoSecret(CallsAnsweredWithEchoes(**emulator, **server,
                                         absl::StrCat("Authorization: Bearer ", kStaticToken)),
                 {kStaticToken});
}

TEST(UpstreamTextTest, OAuthCredentialsAndIssuedTokensEchoedByZoomAreRedacted) {
  auto emulator = Emulator::Start({"--access_token="});
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  std::vector<std::string> args = OneAttempt();
  args.push_back("--zoom_oauth_url=" + (*emulator)->oauth_url());
  auto server = Server::Start((*emulator)->base_url(), args, OAuthEnv());
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(CallOnce(**server).status.ok());
  const auto requests = (*emulator)->Requests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string authorization =
      requests[0].fields().at("headers").struct_value().fields().at("authorization").string_value();
  ASSERT_TRUE(absl::StartsWith(authorization, "Bearer "));
  const std::string issued = authorization.substr(7);
  const std::string basic =
      absl::Base64Escape(absl::StrCat(kEmulatorClientId, ":", kEmulatorClientSecret));

  const std::string echo =
      absl::StrCat("Bearer ", issued, " Basic ", basic, " secret=", kEmulatorClientSecret);
  std::vector<std::string> texts = CallsAnsweredWithEchoes(**emulator, **server, echo);
  ExpectNoSecret(texts, {issued, basic, kEmulatorClientSecret});
}

TEST(UpstreamTextTest, TheCallersOwnTokenEchoedByZoomIsRedacted) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  std::vector<std::string> args = OneAttempt();
  args.push_back("--allow_caller_token");
  auto server = Server::Start((*emulator)->base_url(), args);
  ASSERT_TRUE(server.ok()) << server.status();
  ExpectNoSecret(
      CallsAnsweredWithEchoes(**emulator, **server,
                              absl::StrCat("Authorization: Bearer ", kCallerToken), kCallerToken),
      {kCallerToken});
}

TEST(UpstreamTextTest, TheClientSecretEchoedByTheTokenEndpointIsRedacted) {
  auto emulator = Emulator::Start({"--access_token="});
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  const std::string basic =
      absl::Base64Escape(absl::StrCat(kEmulatorClientId, ":", kEmulatorClientSecret));
  // Each is a well-formed OAuth error code, which the server quotes.
  (*emulator)->ScriptOAuth(
      absl::StrCat(R"([{"status":401,"body":"{\"error\":\")", kEmulatorClientSecret, R"(\"}"}])"));
  auto server = Server::Start((*emulator)->base_url(),
                              {"--zoom_oauth_url=" + (*emulator)->oauth_url()}, OAuthEnv());
  ASSERT_TRUE(server.ok()) << server.status();

  const Outcome outcome = CallOnce(**server);
  EXPECT_EQ(outcome.status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(ReasonOf(outcome.status), "ZOOM_CREDENTIALS_REJECTED");
  Process& process = (*server)->process();
  ASSERT_TRUE(WaitFor([&] { return absl::StrContains(process.Stderr(), " level=error "); }));
  RpcLogLines(**server, 1);
  std::vector<std::string> texts = TextsOf(outcome.status);
  texts.push_back(process.Stderr());
  ExpectNoSecret(texts, {kEmulatorClientSecret, basic});
}

}  // namespace
}  // namespace livestream_gateway::testing
