// --metrics_listen: the real server, scraped after calls that succeed, fail
// validation, get a Zoom error and need a retry; the scrape is read with
// Python's prometheus_client parser, and its values are checked.

#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::Gt;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

constexpr char kMethod[] = "/zoom.livestream.v1.LiveStreamService/UpdateStatus";

std::string ExpositionCheckScript() {
  if (const char* path = std::getenv("METRICS_EXPOSITION_CHECK")) return path;
  return METRICS_EXPOSITION_CHECK;
}

// Each sample as prometheus_client read it, keyed by
// `name{label="value",...}` with labels sorted; fails the test when the
// parser rejects the text.
std::map<std::string, double> ParseWithPrometheusClient(const std::string& text,
                                                        const TempDir& dir) {
  const std::string path = dir.path("scrape.txt");
  std::ofstream(path) << text;
  const std::string command =
      absl::StrCat("/usr/bin/python3 ", ExpositionCheckScript(), " ", path, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  size_t read = 0;
  while ((read = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, read);
  const int status = pclose(pipe);
  EXPECT_EQ(status, 0) << "prometheus_client rejected the scrape: " << output << "\n" << text;
  std::map<std::string, double> samples;
  for (absl::string_view line : absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    const size_t space = line.rfind(' ');
    double value = 0;
    if (space == absl::string_view::npos || !absl::SimpleAtod(line.substr(space + 1), &value)) {
      ADD_FAILURE() << "unexpected parser output: " << line;
      continue;
    }
    samples[std::string(line.substr(0, space))] = value;
  }
  return samples;
}

grpc::Status Call(Server& server, const UpdateStatusRequest& request) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  UpdateStatusResponse response;
  return server.NewStub()->UpdateStatus(&context, request, &response);
}

class MetricsTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> env = {}, std::vector<std::string> args = {}) {
    auto emulator = Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
    const std::string port_file = dir_.path("metrics_port");
    args.push_back("--metrics_listen=127.0.0.1:0");
    args.push_back(absl::StrCat("--metrics_port_file=", port_file));
    args.push_back(absl::StrCat("--zoom_oauth_url=", emulator_->oauth_url()));
    auto server = Server::Start(emulator_->base_url(), std::move(args), std::move(env));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    absl::StatusOr<int> port = server_->process().WaitForPortFile(port_file);
    ASSERT_TRUE(port.ok()) << port.status();
    metrics_url_ = absl::StrCat("http://127.0.0.1:", *port, "/metrics");
  }

  std::map<std::string, double> Scrape() {
    const HttpResult result = HttpCall("GET", metrics_url_);
    EXPECT_EQ(result.status, 200);
    return ParseWithPrometheusClient(result.body, dir_);
  }

  TempDir dir_;
  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<Server> server_;
  std::string metrics_url_;
};

std::string Rpcs(const std::string& code) {
  return absl::StrCat("livestream_gateway_rpcs_total{code=\"", code, "\",method=\"", kMethod,
                      "\"}");
}

std::string Upstream(const std::string& method, const std::string& status_class) {
  return absl::StrCat("livestream_gateway_upstream_requests_total{method=\"", method,
                      "\",status_class=\"", status_class, "\"}");
}

TEST_F(MetricsTest, CountsCallsByCodeAndUpstreamAnswersByClass) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  // A success; a request that fails validation (nothing goes upstream); a
  // Zoom 404; a 503 retried into a success.
  ASSERT_TRUE(Call(*server_, StartRequest()).ok());
  UpdateStatusRequest invalid = StartRequest();
  invalid.set_webinar_id("not-a-number");
  EXPECT_EQ(Call(*server_, invalid).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  emulator_->Script(
      R"([{"status":404,"body":"{\"code\":3001,\"message\":\"Webinar does not exist.\"}"}])");
  EXPECT_EQ(Call(*server_, StartRequest()).error_code(), grpc::StatusCode::NOT_FOUND);
  emulator_->Script(R"([{"status":503}])");
  ASSERT_TRUE(Call(*server_, StartRequest()).ok());

  std::map<std::string, double> samples = Scrape();
  EXPECT_EQ(samples[Rpcs("OK")], 2);
  EXPECT_EQ(samples[Rpcs("INVALID_ARGUMENT")], 1);
  EXPECT_EQ(samples[Rpcs("NOT_FOUND")], 1);
  const std::string method_label = absl::StrCat("{method=\"", kMethod, "\"}");
  EXPECT_EQ(samples["livestream_gateway_rpc_duration_seconds_count" + method_label], 4);
  EXPECT_THAT(samples["livestream_gateway_rpc_duration_seconds_sum" + method_label], Gt(0));
  EXPECT_EQ(samples[absl::StrCat("livestream_gateway_rpc_duration_seconds_bucket{le=\"+Inf\","
                                 "method=\"",
                                 kMethod, "\"}")],
            4);
  EXPECT_EQ(samples["livestream_gateway_rpcs_in_flight" + method_label], 0);
  EXPECT_EQ(samples[Upstream("PATCH", "2xx")], 2);
  EXPECT_EQ(samples[Upstream("PATCH", "4xx")], 1);
  EXPECT_EQ(samples[Upstream("PATCH", "5xx")], 1);
  EXPECT_EQ(samples["livestream_gateway_upstream_attempts_total{}"], 4);
  EXPECT_EQ(samples["livestream_gateway_upstream_retries_total{}"], 1);
  EXPECT_EQ(samples["livestream_gateway_rate_limit_refusals_total{}"], 0);
  // Keep-alive connections stay open between calls; each attempt opened at
  // most one.
  const double connections = samples["livestream_gateway_upstream_open_connections{}"];
  EXPECT_GE(connections, 1);
  EXPECT_LE(connections, 4);
  EXPECT_EQ(samples["livestream_gateway_build_info{version=\"0.1.0\"}"], 1);

  EXPECT_THAT(samples["process_threads{}"], Gt(1));
  EXPECT_THAT(samples["process_open_fds{}"], Gt(3));
  EXPECT_THAT(samples["process_resident_memory_bytes{}"], Gt(1 << 20));
  EXPECT_THAT(samples["process_cpu_seconds_total{}"], Gt(0));
  const double started = samples["process_start_time_seconds{}"];
  EXPECT_LE(started, absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()) + 1);
  EXPECT_GE(started, absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()) - 300);
}

TEST_F(MetricsTest, CountsTokenFetches) {
  ASSERT_NO_FATAL_FAILURE(StartServer(OAuthEnv()));
  ASSERT_TRUE(Call(*server_, StartRequest()).ok());
  std::map<std::string, double> samples = Scrape();
  EXPECT_EQ(samples["livestream_gateway_token_fetches_total{}"], 1);
  EXPECT_EQ(samples["livestream_gateway_token_fetch_failures_total{}"], 0);
  // The token request is an upstream POST of its own.
  EXPECT_EQ(samples[Upstream("POST", "2xx")], 1);
  EXPECT_EQ(samples[Upstream("PATCH", "2xx")], 1);
}

TEST_F(MetricsTest, CountsRateLimitRefusals) {
  // One call a minute: the first takes the burst, the next cannot get a slot
  // within its deadline and is refused at once.
  ASSERT_NO_FATAL_FAILURE(
      StartServer({}, {"--zoom_rate_limit_qps=0.0166", "--zoom_rate_limit_burst=1"}));
  ASSERT_TRUE(Call(*server_, StartRequest()).ok());
  EXPECT_EQ(Call(*server_, StartRequest()).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  std::map<std::string, double> samples = Scrape();
  EXPECT_EQ(samples["livestream_gateway_rate_limit_refusals_total{}"], 1);
  EXPECT_EQ(samples["livestream_gateway_rate_limit_waits_total{}"], 0);
  EXPECT_EQ(samples[Rpcs("RESOURCE_EXHAUSTED")], 1);
  // The refused call was attempted, but never sent.
  EXPECT_EQ(samples["livestream_gateway_upstream_attempts_total{}"], 2);
  EXPECT_EQ(samples[Upstream("PATCH", "2xx")], 1);
}

TEST_F(MetricsTest, ShowsACallInFlightWhileZoomAnswers) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  emulator_->SetDelay(absl::Seconds(2));
  std::thread call([this] { EXPECT_TRUE(Call(*server_, StartRequest()).ok()); });
  const std::string in_flight =
      absl::StrCat("livestream_gateway_rpcs_in_flight{method=\"", kMethod, "\"} ");
  EXPECT_TRUE(WaitFor([&] {
    return absl::StrContains(HttpCall("GET", metrics_url_).body, absl::StrCat(in_flight, "1\n"));
  }));
  call.join();
  EXPECT_EQ(Scrape()[absl::StrCat("livestream_gateway_rpcs_in_flight{method=\"", kMethod, "\"}")],
            0);
}

TEST_F(MetricsTest, AnswersOnlyMetrics) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  const std::string base = metrics_url_.substr(0, metrics_url_.size() - strlen("/metrics"));
  EXPECT_EQ(HttpCall("GET", base + "/").status, 404);
  EXPECT_EQ(HttpCall("GET", base + "/metrics/x").status, 404);
  EXPECT_EQ(HttpCall("POST", metrics_url_, "x").status, 405);
}

}  // namespace
}  // namespace livestream_gateway::testing
