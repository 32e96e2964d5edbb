// Caller authorization end to end (server/authz/): bearer principals allowed,
// denied and unknown; mTLS peers named by their certificate's SPIFFE ID or
// common name; the forwarded client certificate trusted or not; the policy
// reloaded while the server runs; a bad policy refused at start-up.

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/substitute.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/log_lines.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

constexpr char kMethod[] = "/zoom.livestream.v1.LiveStreamService/UpdateStatus";
// With their SHA-256 as the README's `printf %s "$TOKEN" | sha256sum` gives
// it, which is what the tokens file holds.
constexpr char kBillingToken[] = "billing-7f3a9c2e51d84b06";
constexpr char kBillingHash[] = "af342bdf12a8f142939a97aa589c1cb9b344d8b6d7f0abc04440f05a5554f023";
constexpr char kInternToken[] = "intern-2b8e4d1f60a97c35";
constexpr char kInternHash[] = "f0f3d605eb1aa67513d30952443cb05aec0e945775fe46e24f39385b12f4ccc6";
constexpr char kUnknownToken[] = "unknown-5c1d9e7a3f28b406";

// Allows billing, and the events namespace of the mesh; interns are denied
// even though the allow rule names them.
constexpr char kPolicy[] = R"json({
  "name": "gateway",
  "deny_rules": [{"name": "no-interns", "source": {"principals": ["intern"]}}],
  "allow_rules": [{
    "name": "schedulers",
    "source": {"principals": ["billing", "intern", "spiffe://mesh.example/ns/events/*"]},
    "request": {"paths": ["/zoom.livestream.v1.LiveStreamService/UpdateStatus"]}
  }]
})json";

constexpr char kDenyBillingPolicy[] = R"json({
  "name": "gateway-v2",
  "deny_rules": [{"name": "billing-paused", "source": {"principals": ["billing"]}}],
  "allow_rules": [{"name": "everyone-known", "source": {"principals": ["*"]}}]
})json";

// Written beside and renamed over, as a ConfigMap update replaces a file, so
// the server never reads half a file.
std::string WriteFile(const std::string& path, const std::string& contents) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << contents;
  }
  chmod(temp.c_str(), 0600);
  EXPECT_EQ(std::rename(temp.c_str(), path.c_str()), 0);
  return path;
}

std::string TokensFile(const TempDir& dir) {
  return WriteFile(dir.path("tokens"),
                   absl::StrCat("# gateway callers\n", "sha256:", kBillingHash, " billing\n",
                                "sha256:", kInternHash, " intern\n"));
}

grpc::Status Call(Server& server, const std::vector<std::pair<std::string, std::string>>& metadata,
                  const UpdateStatusRequest& request = StartRequest()) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
  UpdateStatusResponse response;
  return server.NewStub()->UpdateStatus(&context, request, &response);
}

grpc::Status CallWithToken(Server& server, const std::string& token) {
  return Call(server, {{"authorization", absl::StrCat("Bearer ", token)}});
}

// Every line the server has written so far, each of which must parse.
std::vector<LogRecord> LogOf(Server& server) {
  return ExpectLogfmtLines(server.process().Stderr());
}

// The request log lines (msg=rpc).
std::vector<LogRecord> RequestLines(Server& server) { return WithMessage(LogOf(server), "rpc"); }

// The msg of every line at `level` ("info", "warn", ...) whose msg starts
// with `prefix`.
std::vector<std::string> MessagesStartingWith(Server& server, absl::string_view level,
                                              absl::string_view prefix) {
  std::vector<std::string> messages;
  for (const LogRecord& record : LogOf(server)) {
    if (record.at("level") == level && absl::StartsWith(record.at("msg"), prefix)) {
      messages.push_back(record.at("msg"));
    }
  }
  return messages;
}

// The value of `key` in `record`, or "(absent)".
std::string FieldOf(const LogRecord& record, const std::string& key) {
  const auto found = record.find(key);
  return found == record.end() ? "(absent)" : found->second;
}

void ExpectOneErrorInfo(const grpc::Status& status, const std::string& reason) {
  EXPECT_EQ(CountDetails(status, "google.rpc.ErrorInfo"), 1) << status.error_message();
  auto info = Detail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), reason);
  EXPECT_EQ(info->domain(), "zoom-livestream-gateway");
}

class AuthzTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto emulator = Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
  }

  std::unique_ptr<Server> StartServer(std::vector<std::string> args) {
    auto server = Server::Start(emulator_->base_url(), std::move(args));
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  double ZoomRequests() { return StatsField(*emulator_, "api_requests"); }

  TempDir dir_;
  std::unique_ptr<Emulator> emulator_;
};

TEST_F(AuthzTest, BearerPrincipalsAreAllowedDeniedOrUnknown) {
  auto server = StartServer({"--authz_policy_file=" + WriteFile(dir_.path("policy"), kPolicy),
                             "--authz_bearer_tokens_file=" + TokensFile(dir_)});
  ASSERT_NE(server, nullptr);

  grpc::Status allowed = CallWithToken(*server, kBillingToken);
  EXPECT_TRUE(allowed.ok()) << allowed.error_message();
  EXPECT_EQ(ZoomRequests(), 1);

  grpc::Status denied = CallWithToken(*server, kInternToken);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ExpectOneErrorInfo(denied, "PERMISSION_DENIED");
  auto info = Detail<google::rpc::ErrorInfo>(denied);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(MetadataOf(*info, "principal"), "intern");
  EXPECT_EQ(MetadataOf(*info, "method"), kMethod);
  EXPECT_EQ(MetadataOf(*info, "rule"), "no-interns");

  grpc::Status unknown = CallWithToken(*server, kUnknownToken);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ExpectOneErrorInfo(unknown, "INVALID_BEARER_TOKEN");

  grpc::Status anonymous = Call(*server, {});
  EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ExpectOneErrorInfo(anonymous, "UNAUTHENTICATED");

  // Authorization comes before validation: an invalid request from nobody
  // learns nothing about its request.
  UpdateStatusRequest invalid = StartRequest();
  invalid.set_webinar_id("not a number");
  grpc::Status anonymous_invalid = Call(*server, {}, invalid);
  EXPECT_EQ(anonymous_invalid.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(CountDetails(anonymous_invalid, "google.rpc.BadRequest"), 0);

  // Only the allowed call reached Zoom.
  EXPECT_EQ(ZoomRequests(), 1);

  // Health stays open, for probes that carry no credentials.
  grpc::health::v1::HealthCheckRequest health_request;
  grpc::health::v1::HealthCheckResponse health_response;
  grpc::ClientContext health_context;
  ASSERT_TRUE(grpc::health::v1::Health::NewStub(
                  grpc::CreateChannel(server->target(), grpc::InsecureChannelCredentials()))
                  ->Check(&health_context, health_request, &health_response)
                  .ok());
  EXPECT_EQ(health_response.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  const std::vector<LogRecord> lines = RequestLines(*server);
  ASSERT_EQ(lines.size(), 5u) << server->process().Stderr();
  EXPECT_EQ(FieldOf(lines[0], "principal"), "billing");
  EXPECT_THAT(FieldOf(lines[0], "target"), StartsWith("webinar/"));
  EXPECT_EQ(FieldOf(lines[0], "outcome"), "OK");
  EXPECT_EQ(FieldOf(lines[1], "principal"), "intern");
  EXPECT_EQ(FieldOf(lines[1], "outcome"), "PERMISSION_DENIED");
  EXPECT_EQ(FieldOf(lines[1], "reason"), "PERMISSION_DENIED");
  EXPECT_EQ(FieldOf(lines[2], "principal"), "-");
  EXPECT_EQ(FieldOf(lines[2], "outcome"), "UNAUTHENTICATED");
  EXPECT_EQ(FieldOf(lines[2], "reason"), "INVALID_BEARER_TOKEN");
  for (const LogRecord& anonymous_line : {lines[3], lines[4]}) {
    EXPECT_EQ(FieldOf(anonymous_line, "principal"), "-");
    EXPECT_EQ(FieldOf(anonymous_line, "outcome"), "UNAUTHENTICATED");
    EXPECT_EQ(FieldOf(anonymous_line, "reason"), "UNAUTHENTICATED");
  }
  // The start-up line says who may call, by counts and file names only.
  const std::vector<LogRecord> authorization = WithMessage(LogOf(*server), "authorization on");
  ASSERT_THAT(authorization, SizeIs(1)) << server->process().Stderr();
  EXPECT_EQ(FieldOf(authorization[0], "level"), "info");
  EXPECT_EQ(FieldOf(authorization[0], "policy"), "gateway");
  EXPECT_EQ(FieldOf(authorization[0], "policy_file"), dir_.path("policy"));
  EXPECT_EQ(FieldOf(authorization[0], "deny_rules"), "1");
  EXPECT_EQ(FieldOf(authorization[0], "allow_rules"), "1");
  EXPECT_EQ(FieldOf(authorization[0], "principals"), "bearer tokens (2), TLS client certificates");
  // No token, nor any part of its hash, is ever logged.
  for (const char* secret :
       {kBillingToken, kInternToken, kUnknownToken, kBillingHash, kInternHash}) {
    EXPECT_THAT(server->process().Stderr(), Not(HasSubstr(secret)));
    EXPECT_THAT(denied.error_message() + unknown.error_message(), Not(HasSubstr(secret)));
  }
}

TEST_F(AuthzTest, ForwardedClientCertIsTheCallerOnlyWhenTrusted) {
  const std::string policy = WriteFile(dir_.path("policy"), kPolicy);
  const std::vector<std::pair<std::string, std::string>> forwarded = {
      {"x-forwarded-client-cert",
       "By=spiffe://mesh.example/ns/live/sa/gateway;Hash=9f2c;Subject=\"\";"
       "URI=spiffe://mesh.example/ns/events/sa/scheduler"}};
  const std::vector<std::pair<std::string, std::string>> outsider = {
      {"x-forwarded-client-cert", "URI=spiffe://mesh.example/ns/shop/sa/cart"}};

  auto trusting = StartServer({"--authz_policy_file=" + policy, "--trust_forwarded_client_cert"});
  ASSERT_NE(trusting, nullptr);
  grpc::Status allowed = Call(*trusting, forwarded);
  EXPECT_TRUE(allowed.ok()) << allowed.error_message();
  grpc::Status denied = Call(*trusting, outsider);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ExpectOneErrorInfo(denied, "PERMISSION_DENIED");
  grpc::Status malformed = Call(*trusting, {{"x-forwarded-client-cert", "URI=\"spiffe://x"}});
  EXPECT_EQ(malformed.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ExpectOneErrorInfo(malformed, "INVALID_FORWARDED_CLIENT_CERT");
  const std::vector<LogRecord> lines = RequestLines(*trusting);
  ASSERT_EQ(lines.size(), 3u) << trusting->process().Stderr();
  EXPECT_EQ(FieldOf(lines[0], "principal"), "spiffe://mesh.example/ns/events/sa/scheduler");
  EXPECT_EQ(FieldOf(lines[0], "outcome"), "OK");
  EXPECT_EQ(FieldOf(lines[1], "principal"), "spiffe://mesh.example/ns/shop/sa/cart");
  EXPECT_EQ(FieldOf(lines[1], "outcome"), "PERMISSION_DENIED");
  EXPECT_EQ(FieldOf(lines[2], "principal"), "-");
  EXPECT_EQ(FieldOf(lines[2], "reason"), "INVALID_FORWARDED_CLIENT_CERT");
  EXPECT_THAT(FieldOf(WithMessage(LogOf(*trusting), "authorization on").at(0), "principals"),
              StartsWith("x-forwarded-client-cert (trusted), "));

  // Without the flag anyone could write the header: it names nobody.
  auto untrusting = StartServer({"--authz_policy_file=" + policy});
  ASSERT_NE(untrusting, nullptr);
  grpc::Status ignored = Call(*untrusting, forwarded);
  EXPECT_EQ(ignored.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  ExpectOneErrorInfo(ignored, "UNAUTHENTICATED");
  EXPECT_EQ(FieldOf(RequestLines(*untrusting).at(0), "principal"), "-");
  EXPECT_EQ(ZoomRequests(), 1);
}

TEST_F(AuthzTest, PolicyIsReloadedWhileRunningAndABadOneKeepsTheOld) {
  const std::string policy = WriteFile(dir_.path("policy"), kPolicy);
  auto server = StartServer({"--authz_policy_file=" + policy,
                             "--authz_bearer_tokens_file=" + TokensFile(dir_),
                             "--authz_reload_interval=50ms"});
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(CallWithToken(*server, kBillingToken).ok());

  WriteFile(policy, kDenyBillingPolicy);
  ASSERT_TRUE(WaitFor([&] {
    return CallWithToken(*server, kBillingToken).error_code() ==
           grpc::StatusCode::PERMISSION_DENIED;
  })) << server->process().Stderr();
  // The line follows the switch by a moment.
  auto reloads = [&] {
    return MessagesStartingWith(*server, "info", "--authz_policy_file: reloaded");
  };
  ASSERT_TRUE(WaitFor([&] { return !reloads().empty(); })) << server->process().Stderr();
  EXPECT_THAT(reloads(), ElementsAre("--authz_policy_file: reloaded " + policy +
                                     ": policy \"gateway-v2\" (1 deny, 1 allow rules)"));
  // The new policy's allow rule admits interns now.
  EXPECT_TRUE(CallWithToken(*server, kInternToken).ok());

  // A broken edit: one warning, and the policy in force stays.
  WriteFile(policy, R"({"name": "typo", "allow_rules": [{"name": "a", "sources": {}}]})");
  ASSERT_TRUE(WaitFor([&] {
    return !MessagesStartingWith(*server, "warn", "--authz_policy_file: " + policy + ": ").empty();
  })) << server->process().Stderr();
  EXPECT_EQ(CallWithToken(*server, kBillingToken).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(CallWithToken(*server, kInternToken).ok());

  // Fixed again: the first policy is back, and the broken version was
  // reported once, not once per poll.
  WriteFile(policy, kPolicy);
  ASSERT_TRUE(WaitFor([&] { return CallWithToken(*server, kBillingToken).ok(); }))
      << server->process().Stderr();
  ASSERT_TRUE(WaitFor([&] { return reloads().size() == 2; })) << server->process().Stderr();
  EXPECT_EQ(reloads()[1], "--authz_policy_file: reloaded " + policy +
                              ": policy \"gateway\" (1 deny, 1 allow rules)");
  const std::vector<std::string> warnings = MessagesStartingWith(*server, "warn", "");
  ASSERT_THAT(warnings, SizeIs(1)) << server->process().Stderr();
  EXPECT_THAT(warnings[0], StartsWith("--authz_policy_file: " + policy + ": "));
  EXPECT_THAT(warnings[0], HasSubstr("unknown field \"sources\""));
  EXPECT_THAT(warnings[0], HasSubstr("keeping the version in force"));
  EXPECT_EQ(CallWithToken(*server, kInternToken).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuthzTest, WithoutAPolicyEveryCallerIsAllowedAndLoggedAsNobody) {
  auto server = StartServer({});
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(CallWithToken(*server, kUnknownToken).ok());
  EXPECT_TRUE(Call(*server, {}).ok());
  const std::vector<LogRecord> lines = RequestLines(*server);
  ASSERT_THAT(lines, SizeIs(2)) << server->process().Stderr();
  for (const LogRecord& line : lines) EXPECT_EQ(FieldOf(line, "principal"), "-");
  const std::vector<LogRecord> off = WithMessage(LogOf(*server), "authorization off");
  ASSERT_THAT(off, SizeIs(1)) << server->process().Stderr();
  EXPECT_EQ(FieldOf(off[0], "level"), "info");
  EXPECT_EQ(FieldOf(off[0], "reason"), "no --authz_policy_file");
  EXPECT_THAT(WithMessage(LogOf(*server), "authorization on"), SizeIs(0));
}

// A real mTLS listener: the caller's principal is its certificate's SPIFFE
// ID when it has one (even beside a common name the policy allows), else its
// subject's common name; the policy decides by it and the log line names it.
TEST_F(AuthzTest, MtlsPeersAreAllowedOrDeniedByTheirCertificatesPrincipal) {
  constexpr char kIntruder[] = "spiffe://example.org/ns/default/sa/intruder";
  constexpr char kStranger[] = "spiffe://example.org/ns/shop/sa/cart";
  const std::string pki_dir = dir_.path("pki");
  std::filesystem::create_directories(pki_dir);
  TestPki pki(pki_dir);
  ASSERT_TRUE(pki.MakeStandardSet().ok());
  ASSERT_TRUE(pki.MakeLeaf("intruder", "ca", "intruder", absl::StrCat("URI:", kIntruder)).ok());
  // Its common name is one the policy allows; its SPIFFE ID is not.
  ASSERT_TRUE(pki.MakeLeaf("stranger", "ca", "caller", absl::StrCat("URI:", kStranger)).ok());
  const std::string policy =
      WriteFile(dir_.path("policy"), absl::Substitute(R"json({
    "name": "mesh",
    "deny_rules": [{"name": "no-intruders", "source": {"principals": ["$0"]}}],
    "allow_rules": [{
      "name": "callers",
      "source": {"principals": ["$1", "caller"]},
      "request": {"paths": ["$2"]}
    }]
  })json",
                                                      kIntruder, kSpiffeCaller, kMethod));
  auto server =
      StartServer({"--tls_cert_file=" + pki.cert("server"), "--tls_key_file=" + pki.key("server"),
                   "--tls_client_ca_file=" + pki.cert("ca"), "--authz_policy_file=" + policy});
  ASSERT_NE(server, nullptr);
  auto call_as = [&](const std::string& client) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    UpdateStatusResponse response;
    return zoom::livestream::v1::LiveStreamService::NewStub(
               server->NewChannel(
                   TestTlsCredentials(pki.cert("ca"), pki.cert(client), pki.key(client))))
        ->UpdateStatus(&context, StartRequest(), &response);
  };

  const grpc::Status by_spiffe_id = call_as("spiffe-client");
  EXPECT_TRUE(by_spiffe_id.ok()) << by_spiffe_id.error_message();
  const grpc::Status by_common_name = call_as("client");
  EXPECT_TRUE(by_common_name.ok()) << by_common_name.error_message();
  EXPECT_EQ(ZoomRequests(), 2);

  const grpc::Status intruder = call_as("intruder");
  EXPECT_EQ(intruder.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ExpectOneErrorInfo(intruder, "PERMISSION_DENIED");
  auto intruder_info = Detail<google::rpc::ErrorInfo>(intruder);
  ASSERT_TRUE(intruder_info.has_value());
  EXPECT_EQ(MetadataOf(*intruder_info, "principal"), kIntruder);
  EXPECT_EQ(MetadataOf(*intruder_info, "rule"), "no-intruders");

  const grpc::Status stranger = call_as("stranger");
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ExpectOneErrorInfo(stranger, "PERMISSION_DENIED");
  auto stranger_info = Detail<google::rpc::ErrorInfo>(stranger);
  ASSERT_TRUE(stranger_info.has_value());
  EXPECT_EQ(MetadataOf(*stranger_info, "principal"), kStranger);
  EXPECT_EQ(ZoomRequests(), 2);

  const std::vector<LogRecord> lines = RequestLines(*server);
  ASSERT_EQ(lines.size(), 4u) << server->process().Stderr();
  EXPECT_EQ(FieldOf(lines[0], "principal"), kSpiffeCaller);
  EXPECT_EQ(FieldOf(lines[0], "outcome"), "OK");
  EXPECT_EQ(FieldOf(lines[1], "principal"), "caller");
  EXPECT_EQ(FieldOf(lines[1], "outcome"), "OK");
  EXPECT_EQ(FieldOf(lines[2], "principal"), kIntruder);
  EXPECT_EQ(FieldOf(lines[2], "outcome"), "PERMISSION_DENIED");
  EXPECT_EQ(FieldOf(lines[3], "principal"), kStranger);
  EXPECT_EQ(FieldOf(lines[3], "outcome"), "PERMISSION_DENIED");
}

struct Refusal {
  std::string name;
  std::string policy;  // empty: no --authz_policy_file
  // "$DIR" stands for the test's directory, which holds a valid tokens file.
  std::vector<std::string> args;
  // The error field of the one line on stderr starts with this; a trailing
  // "\n" stands for its end.
  std::string message;
};

void PrintTo(const Refusal& refusal, std::ostream* out) { *out << refusal.name; }

class AuthzStartupTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(AuthzStartupTest, ABadAuthorizationSetupExitsTwoWithOneLine) {
  const Refusal& refusal = GetParam();
  TempDir dir;
  TokensFile(dir);
  auto expand = [&dir](const std::string& text) {
    return absl::StrReplaceAll(text, {{"$DIR", dir.path("")}});
  };
  std::vector<std::string> args = {"--listen=127.0.0.1:0",
                                   "--zoom_api_base_url=http://127.0.0.1:9"};
  if (!refusal.policy.empty()) {
    args.push_back("--authz_policy_file=" + WriteFile(dir.path("policy"), refusal.policy));
  }
  for (const std::string& arg : refusal.args) args.push_back(expand(arg));
  // Credentials from here only, whatever the developer's environment holds.
  auto process = Process::Start(ServerBinary(), args,
                                {absl::StrCat("ZOOM_ACCESS_TOKEN=", kEmulatorToken),
                                 "ZOOM_ACCOUNT_ID=", "ZOOM_CLIENT_ID=", "ZOOM_CLIENT_SECRET="});
  ASSERT_TRUE(process.ok()) << process.status();
  EXPECT_EQ((*process)->Wait(absl::Seconds(10)), 2);
  const std::string output = (*process)->Stderr();
  const std::vector<LogRecord> lines = ExpectLogfmtLines(output);
  ASSERT_THAT(lines, SizeIs(1)) << output;
  EXPECT_EQ(FieldOf(lines[0], "level"), "error");
  EXPECT_EQ(FieldOf(lines[0], "msg"), "invalid configuration");
  const std::string message = expand(refusal.message);
  if (absl::EndsWith(message, "\n")) {
    EXPECT_EQ(FieldOf(lines[0], "error"), message.substr(0, message.size() - 1));
  } else {
    EXPECT_THAT(FieldOf(lines[0], "error"), StartsWith(message));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Refusals, AuthzStartupTest,
    ::testing::Values(
        Refusal{"UnknownField",
                R"({"name": "p", "allow_rules": [{"name": "a", "source": {"principal": ["x"]}}]})",
                {},
                "--authz_policy_file: $DIRpolicy: allow_rules[0].source: unknown field "
                "\"principal\" (known: principals)\n"},
        Refusal{"NotJson", "{\"name\": ", {}, "--authz_policy_file: $DIRpolicy: not a JSON object"},
        Refusal{"NoAllowRules",
                R"({"name": "p"})",
                {},
                "--authz_policy_file: $DIRpolicy: allow_rules: missing\n"},
        Refusal{"MissingPolicyFile",
                "",
                {"--authz_policy_file=$DIRmissing"},
                "--authz_policy_file: $DIRmissing does not exist"},
        Refusal{"BadTokensFile",
                kPolicy,
                {"--authz_bearer_tokens_file=$DIRpolicy"},
                "--authz_bearer_tokens_file: $DIRpolicy: line 1: expected"},
        Refusal{"TokensWithoutPolicy",
                "",
                {"--authz_bearer_tokens_file=$DIRtokens"},
                "--authz_bearer_tokens_file needs --authz_policy_file (without a policy every "
                "caller is allowed)\n"},
        Refusal{"TrustWithoutPolicy",
                "",
                {"--trust_forwarded_client_cert"},
                "--trust_forwarded_client_cert needs --authz_policy_file (without a policy every "
                "caller is allowed)\n"}),
    [](const ::testing::TestParamInfo<Refusal>& info) { return info.param.name; });

}  // namespace
}  // namespace livestream_gateway::testing
