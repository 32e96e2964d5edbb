#include "server/metrics/gateway_metrics.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway::metrics {
namespace {

using ::testing::Contains;
using ::testing::IsSupersetOf;
using ::testing::Not;

struct ClassRow {
  int status;
  std::string status_class;
};

class HttpStatusClassTest : public ::testing::TestWithParam<ClassRow> {};

TEST_P(HttpStatusClassTest, IsTheFirstDigit) {
  EXPECT_EQ(HttpStatusClass(GetParam().status), GetParam().status_class);
}

INSTANTIATE_TEST_SUITE_P(Codes, HttpStatusClassTest,
                         ::testing::Values(ClassRow{100, "1xx"}, ClassRow{200, "2xx"},
                                           ClassRow{204, "2xx"}, ClassRow{304, "3xx"},
                                           ClassRow{404, "4xx"}, ClassRow{429, "4xx"},
                                           ClassRow{499, "4xx"}, ClassRow{500, "5xx"},
                                           ClassRow{599, "5xx"}, ClassRow{0, "other"},
                                           ClassRow{99, "other"}, ClassRow{600, "other"},
                                           ClassRow{-1, "other"}));

// The sample lines of a scrape (no HELP or TYPE lines).
std::vector<std::string> Samples(const GatewayMetrics& metrics) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(metrics.registry().Render(), '\n')) {
    if (!line.empty() && line[0] != '#') lines.emplace_back(line);
  }
  return lines;
}

constexpr char kMethod[] = "/zoom.livestream.v1.LiveStreamService/UpdateStatus";

TEST(GatewayMetricsTest, StartsWithZeroedSeriesForTheUsualOutcomes) {
  GatewayMetrics metrics;
  metrics.Method(kMethod);
  const std::vector<std::string> samples = Samples(metrics);
  EXPECT_THAT(
      samples,
      IsSupersetOf(std::vector<std::string>{
          absl::StrCat("livestream_gateway_rpcs_total{method=\"", kMethod, "\",code=\"OK\"} 0"),
          absl::StrCat("livestream_gateway_rpcs_in_flight{method=\"", kMethod, "\"} 0"),
          absl::StrCat("livestream_gateway_rpc_duration_seconds_count{method=\"", kMethod, "\"} 0"),
          "livestream_gateway_upstream_requests_total{method=\"PATCH\","
          "status_class=\"2xx\"} 0",
          "livestream_gateway_upstream_attempts_total 0",
          "livestream_gateway_upstream_retries_total 0",
          "livestream_gateway_rate_limit_waits_total 0",
          "livestream_gateway_rate_limit_refusals_total 0",
          "livestream_gateway_rate_limit_fallbacks_total 0",
          "livestream_gateway_rate_limit_fallback 0", "livestream_gateway_token_fetches_total 0",
          "livestream_gateway_token_fetch_failures_total 0", "livestream_gateway_dry_runs_total 0",
          "livestream_gateway_request_id_replays_total 0",
          "livestream_gateway_upstream_open_connections 0",
          "livestream_gateway_build_info{version=\"0.1.0\"} 1"}));
  // The process families follow.
  EXPECT_THAT(samples, Contains(::testing::StartsWith("process_threads ")));
}

TEST(GatewayMetricsTest, CountsCallsByCodeWithLatencyAndInFlight) {
  GatewayMetrics metrics;
  RpcMetrics& rpc = metrics.Method(kMethod);
  rpc.Started();
  rpc.Started();
  rpc.Started();
  rpc.Finished(absl::StatusCode::kOk, absl::Milliseconds(70));
  rpc.Finished(absl::StatusCode::kInvalidArgument, absl::Microseconds(100));
  const std::vector<std::string> samples = Samples(metrics);
  const std::string method = absl::StrCat("method=\"", kMethod, "\"");
  EXPECT_THAT(
      samples,
      IsSupersetOf(std::vector<std::string>{
          absl::StrCat("livestream_gateway_rpcs_total{", method, ",code=\"OK\"} 1"),
          absl::StrCat("livestream_gateway_rpcs_total{", method, ",code=\"INVALID_ARGUMENT\"} 1"),
          absl::StrCat("livestream_gateway_rpcs_in_flight{", method, "} 1"),
          absl::StrCat("livestream_gateway_rpc_duration_seconds_bucket{", method,
                       ",le=\"0.0005\"} 1"),
          absl::StrCat("livestream_gateway_rpc_duration_seconds_bucket{", method,
                       ",le=\"0.05\"} 1"),
          absl::StrCat("livestream_gateway_rpc_duration_seconds_bucket{", method, ",le=\"0.1\"} 2"),
          absl::StrCat("livestream_gateway_rpc_duration_seconds_count{", method, "} 2")}));
  EXPECT_THAT(samples, Not(Contains(::testing::HasSubstr("code=\"NOT_FOUND\""))));
}

TEST(GatewayMetricsTest, CountsWhatTheUpstreamLayersReport) {
  GatewayMetrics metrics;
  UpstreamObserver& observer = metrics;
  observer.OnHttpResponse("PATCH", 204);
  observer.OnHttpResponse("PATCH", 503);
  observer.OnHttpResponse("PATCH", 404);
  observer.OnHttpTransportError("PATCH");
  observer.OnHttpResponse("POST", 200);
  observer.OnHttpResponse("DELETE", 999);
  observer.OnAttempt(false);
  observer.OnAttempt(true);
  observer.OnRateLimitWait();
  observer.OnRateLimitRefusal();
  observer.OnRateLimitRefusal();
  observer.OnRateLimitFallback(true);
  observer.OnRateLimitFallback(false);
  observer.OnRateLimitFallback(true);
  observer.OnTokenFetch(true);
  observer.OnTokenFetch(false);
  observer.OnConnectionOpened();
  observer.OnConnectionOpened();
  observer.OnConnectionClosed();
  constexpr char kUpstream[] = "livestream_gateway_upstream_requests_total";
  EXPECT_THAT(
      Samples(metrics),
      IsSupersetOf(std::vector<std::string>{
          absl::StrCat(kUpstream, "{method=\"PATCH\",status_class=\"2xx\"} 1"),
          absl::StrCat(kUpstream, "{method=\"PATCH\",status_class=\"4xx\"} 1"),
          absl::StrCat(kUpstream, "{method=\"PATCH\",status_class=\"5xx\"} 1"),
          absl::StrCat(kUpstream, "{method=\"PATCH\",status_class=\"transport_error\"} 1"),
          absl::StrCat(kUpstream, "{method=\"POST\",status_class=\"2xx\"} 1"),
          absl::StrCat(kUpstream, "{method=\"other\",status_class=\"other\"} 1"),
          "livestream_gateway_upstream_attempts_total 2",
          "livestream_gateway_upstream_retries_total 1",
          "livestream_gateway_rate_limit_waits_total 1",
          "livestream_gateway_rate_limit_refusals_total 2",
          "livestream_gateway_rate_limit_fallbacks_total 2",
          "livestream_gateway_rate_limit_fallback 1", "livestream_gateway_token_fetches_total 2",
          "livestream_gateway_token_fetch_failures_total 1",
          "livestream_gateway_upstream_open_connections 1"}));
}

TEST(GatewayMetricsTest, CountsDryRunsAndReplays) {
  GatewayMetrics metrics;
  metrics.OnDryRun();
  metrics.OnRequestIdReplay();
  metrics.OnRequestIdReplay();
  EXPECT_THAT(Samples(metrics), IsSupersetOf(std::vector<std::string>{
                                    "livestream_gateway_dry_runs_total 1",
                                    "livestream_gateway_request_id_replays_total 2"}));
}

}  // namespace
}  // namespace livestream_gateway::metrics
