// --log_format: every line the real server writes parses in the format
// chosen (logfmt by a strict parser, JSON by protobuf's JSON parser), from
// the start-up warning to "stopped", and the per-RPC line carries its fields,
// the trace id of a W3C traceparent included; so do the lines of TLS,
// caller authorization (policy reloads) and metrics.

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/log_lines.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::zoom::livestream::v1::LiveStreamService;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

constexpr char kMethod[] = "/zoom.livestream.v1.LiveStreamService/UpdateStatus";
constexpr char kSecretToken[] = "s3cr3t-token-Lg7q";
constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kParentId[] = "00f067aa0ba902b7";
// A header the request log must never show.
constexpr char kOtherHeaderValue[] = "h3ader-value-Wz4";

struct Format {
  std::string name;
  bool json;
};

void PrintTo(const Format& format, std::ostream* out) { *out << format.name; }

class LogFormatTest : public ::testing::TestWithParam<Format> {
 protected:
  std::string Flag() const { return "--log_format=" + GetParam().name; }
};

grpc::StatusCode Call(Server& server, const UpdateStatusRequest& request,
                      const std::string& traceparent) {
  grpc::ClientContext context;
  if (!traceparent.empty()) context.AddMetadata("traceparent", traceparent);
  context.AddMetadata("x-other", kOtherHeaderValue);
  UpdateStatusResponse response;
  return server.NewStub()->UpdateStatus(&context, request, &response).error_code();
}

TEST_P(LogFormatTest, EveryLineParsesAndTheRpcLineCarriesItsFields) {
  auto emulator = Emulator::Start({absl::StrCat("--access_token=", kSecretToken)});
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  // A token file others may read: the start-up warning goes through the
  // logger too.
  const TempDir dir;
  const std::string token_file = dir.path("token");
  std::ofstream(token_file) << kSecretToken << "\n";
  chmod(token_file.c_str(), 0644);
  auto server =
      Server::Start((*emulator)->base_url(), {Flag(), "--zoom_access_token_file=" + token_file},
                    {"ZOOM_ACCESS_TOKEN="});
  ASSERT_TRUE(server.ok()) << server.status();

  const std::string traceparent = absl::StrCat("00-", kTraceId, "-", kParentId, "-01");
  EXPECT_EQ(Call(**server, StartRequest(), traceparent), grpc::StatusCode::OK);
  // Upper-case hex is not a valid traceparent: no trace id.
  EXPECT_EQ(Call(**server, StartRequest(),
                 absl::StrCat("00-", absl::AsciiStrToUpper(kTraceId), "-", kParentId, "-01")),
            grpc::StatusCode::OK);
  UpdateStatusRequest missing = StartRequest();
  missing.set_webinar_id("12345");
  EXPECT_EQ(Call(**server, missing, ""), grpc::StatusCode::NOT_FOUND);
  (*server)->process().Signal(SIGTERM);
  ASSERT_EQ((*server)->process().Wait(), 0) << (*server)->process().Stderr();

  const std::string log = (*server)->process().Stderr();
  const absl::StatusOr<std::vector<LogRecord>> records = ParseLogLines(log, GetParam().json);
  ASSERT_TRUE(records.ok()) << records.status() << "\n" << log;
  std::vector<std::string> messages;
  for (const LogRecord& record : *records) {
    messages.push_back(record.at("msg") == "rpc" ? "rpc" : record.at("level"));
  }
  EXPECT_THAT(messages,
              ElementsAre("warn", "info", "info", "info", "rpc", "rpc", "rpc", "info", "info"))
      << log;

  ASSERT_EQ(records->size(), 9u);
  EXPECT_THAT(records->at(0).at("msg"), StartsWith("--zoom_access_token_file: " + token_file));
  EXPECT_EQ(records->at(1).at("msg"), "upstream policies");
  EXPECT_EQ(records->at(1).at("credentials"), "static access token");
  EXPECT_EQ(records->at(2).at("msg"), "authorization off");
  const LogRecord& listening = records->at(3);
  EXPECT_EQ(listening.at("msg"), "listening");
  EXPECT_EQ(listening.at("port"), absl::StrCat((*server)->port()));
  EXPECT_EQ(listening.at("security"), "plaintext (loopback only)");
  EXPECT_EQ(records->at(7).at("msg"), "draining");
  EXPECT_EQ(records->at(7).at("signal"), "TERM");
  EXPECT_EQ(records->at(8).at("msg"), "stopped");

  const std::vector<LogRecord> rpcs = WithMessage(*records, "rpc");
  ASSERT_EQ(rpcs.size(), 3u);
  for (const LogRecord& rpc : rpcs) {
    EXPECT_EQ(rpc.at("level"), "info");
    EXPECT_EQ(rpc.at("method"), kMethod);
    EXPECT_EQ(rpc.at("principal"), "-");
    double latency_ms = -1;
    EXPECT_TRUE(absl::SimpleAtod(rpc.at("latency_ms"), &latency_ms)) << rpc.at("latency_ms");
    EXPECT_GE(latency_ms, 0);
    EXPECT_THAT(rpc.at("tracking_id"), StartsWith("v=2.0;"));
  }
  EXPECT_EQ(rpcs[0].at("target"), "webinar/99289110036");
  EXPECT_EQ(rpcs[0].at("outcome"), "OK");
  EXPECT_FALSE(rpcs[0].contains("reason"));
  EXPECT_EQ(rpcs[0].at("trace_id"), kTraceId);
  EXPECT_FALSE(rpcs[1].contains("trace_id"));
  EXPECT_EQ(rpcs[2].at("target"), "webinar/12345");
  EXPECT_EQ(rpcs[2].at("outcome"), "NOT_FOUND");
  EXPECT_EQ(rpcs[2].at("reason"), "ZOOM_WEBINAR_NOT_FOUND");
  EXPECT_FALSE(rpcs[2].contains("trace_id"));

  // No secret and no header value: only the trace id is taken from
  // traceparent.
  for (const char* hidden : {kSecretToken, kParentId, kOtherHeaderValue}) {
    EXPECT_THAT(log, Not(HasSubstr(hidden)));
  }
}

// The lines of the security and metrics features parse too: the listener's
// mode, the authorization set-up, a policy reload and a refused one, the
// metrics endpoint, and the rpc line of a caller known by its certificate.
TEST_P(LogFormatTest, AuthorizationTlsAndMetricsLinesParse) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  const TempDir dir;
  std::filesystem::create_directories(dir.path("pki"));
  TestPki pki(dir.path("pki"));
  ASSERT_TRUE(pki.MakeStandardSet().ok());
  const std::string policy = dir.path("policy.json");
  // Renamed over the old one, as a ConfigMap update does.
  auto write_policy = [&policy](const std::string& contents) {
    const std::string temp = policy + ".tmp";
    std::ofstream(temp, std::ios::trunc) << contents;
    chmod(temp.c_str(), 0600);
    EXPECT_EQ(std::rename(temp.c_str(), policy.c_str()), 0);
  };
  write_policy(R"({"name": "v1", "allow_rules": [{"name": "all"}]})");
  auto server = Server::Start(
      (*emulator)->base_url(),
      {Flag(), "--tls_cert_file=" + pki.cert("server"), "--tls_key_file=" + pki.key("server"),
       "--tls_client_ca_file=" + pki.cert("ca"), "--authz_policy_file=" + policy,
       "--authz_reload_interval=50ms", "--metrics_listen=127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto records_now = [&] {
    absl::StatusOr<std::vector<LogRecord>> records =
        ParseLogLines((*server)->process().Stderr(), GetParam().json);
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *std::move(records) : std::vector<LogRecord>();
  };
  auto has_line = [&](absl::string_view level, absl::string_view prefix) {
    for (const LogRecord& record : records_now()) {
      if (record.at("level") == level && absl::StartsWith(record.at("msg"), prefix)) return true;
    }
    return false;
  };

  grpc::ClientContext context;
  UpdateStatusResponse response;
  const grpc::Status status =
      LiveStreamService::NewStub(
          (*server)->NewChannel(TestTlsCredentials(pki.cert("ca"), pki.cert("spiffe-client"),
                                                   pki.key("spiffe-client"))))
          ->UpdateStatus(&context, StartRequest(), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  write_policy(R"({"name": "v2", "allow_rules": [{"name": "all"}]})");
  ASSERT_TRUE(WaitFor([&] { return has_line("info", "--authz_policy_file: reloaded"); }))
      << (*server)->process().Stderr();
  write_policy("{\"name\": ");
  ASSERT_TRUE(WaitFor([&] { return has_line("warn", "--authz_policy_file: "); }))
      << (*server)->process().Stderr();
  (*server)->process().Signal(SIGTERM);
  ASSERT_EQ((*server)->process().Wait(), 0) << (*server)->process().Stderr();

  const std::string log = (*server)->process().Stderr();
  const absl::StatusOr<std::vector<LogRecord>> records = ParseLogLines(log, GetParam().json);
  ASSERT_TRUE(records.ok()) << records.status() << "\n" << log;
  std::vector<std::string> messages;
  for (const LogRecord& record : *records) {
    messages.push_back(absl::StrCat(record.at("level"), " ", record.at("msg")));
  }
  EXPECT_THAT(messages, ElementsAre("info upstream policies", "info authorization on",
                                    "info listening", "info serving metrics", "info rpc",
                                    "info --authz_policy_file: reloaded " + policy +
                                        ": policy \"v2\" (0 deny, 1 allow rules)",
                                    StartsWith("warn --authz_policy_file: " + policy + ": "),
                                    "info draining", "info stopped"))
      << log;
  ASSERT_EQ(records->size(), 9u);
  EXPECT_EQ(records->at(1).at("policy"), "v1");
  EXPECT_EQ(records->at(1).at("allow_rules"), "1");
  EXPECT_THAT(records->at(2).at("security"),
              StartsWith("mTLS: client certificates required, verified against " + pki.cert("ca")));
  int metrics_port = 0;
  EXPECT_TRUE(absl::SimpleAtoi(records->at(3).at("port"), &metrics_port));
  EXPECT_GT(metrics_port, 0);
  EXPECT_EQ(records->at(3).at("path"), "/metrics");
  EXPECT_EQ(records->at(4).at("principal"), kSpiffeCaller);
  EXPECT_THAT(records->at(6).at("msg"), HasSubstr("keeping the version in force"));
}

// gRPC's own errors (here: a listening socket it cannot bind) are log lines
// in the format too, not gRPC's stderr format.
TEST_P(LogFormatTest, GrpcsOwnErrorsAreLogLines) {
  const TempDir dir;
  auto second =
      Process::Start(ServerBinary(), {Flag(), "--listen=unix:" + dir.path("missing/socket")},
                     {absl::StrCat("ZOOM_ACCESS_TOKEN=", kEmulatorToken)});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)->Wait(), 1);
  const std::string log = (*second)->Stderr();
  const absl::StatusOr<std::vector<LogRecord>> records = ParseLogLines(log, GetParam().json);
  ASSERT_TRUE(records.ok()) << records.status() << "\n" << log;
  int from_grpc = 0;
  for (const LogRecord& record : *records) {
    if (record.contains("component") && record.at("component") == "grpc") {
      ++from_grpc;
      EXPECT_EQ(record.at("level"), "error");
      EXPECT_TRUE(record.contains("source"));
    }
  }
  EXPECT_GE(from_grpc, 1) << log;
  ASSERT_FALSE(records->empty());
  EXPECT_EQ(records->back().at("msg"), "cannot start");
  EXPECT_EQ(records->back().at("level"), "error");
}

INSTANTIATE_TEST_SUITE_P(Formats, LogFormatTest,
                         ::testing::Values(Format{"logfmt", false}, Format{"json", true}),
                         [](const ::testing::TestParamInfo<Format>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace livestream_gateway::testing
