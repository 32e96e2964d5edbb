#include "server/metrics/metrics_server.h"

#include <curl/curl.h>

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/metrics/exposition.h"

namespace livestream_gateway::metrics {
namespace {

struct Fetched {
  long status = 0;  // NOLINT(google-runtime-int): libcurl's type
  std::string content_type;
  std::string body;
};

size_t Append(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

Fetched Fetch(const std::string& url, const char* method = "GET") {
  Fetched fetched;
  CURL* easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
  if (std::string(method) == "HEAD") curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &fetched.body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(easy, CURLOPT_PROXY, "");
  if (curl_easy_perform(easy) == CURLE_OK) {
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &fetched.status);
    char* type = nullptr;
    curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) fetched.content_type = type;
  }
  curl_easy_cleanup(easy);
  return fetched;
}

TEST(MetricsServerTest, ServesTheRenderedTextAtMetricsOnly) {
  std::atomic<int> scrapes{0};
  absl::StatusOr<std::unique_ptr<MetricsServer>> server =
      MetricsServer::Start("127.0.0.1:0", [&scrapes] {
        return absl::StrCat("# HELP s Scrapes.\n# TYPE s counter\ns ", ++scrapes, "\n");
      });
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  const std::string base = absl::StrCat("http://127.0.0.1:", (*server)->port());

  Fetched metrics = Fetch(base + "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, kExpositionContentType);
  EXPECT_EQ(metrics.body, "# HELP s Scrapes.\n# TYPE s counter\ns 1\n");
  EXPECT_EQ(Fetch(base + "/metrics").body, "# HELP s Scrapes.\n# TYPE s counter\ns 2\n");
  EXPECT_EQ(Fetch(base + "/metrics", "HEAD").status, 200);

  EXPECT_EQ(Fetch(base + "/").status, 404);
  EXPECT_EQ(Fetch(base + "/metricsx").status, 404);
  EXPECT_EQ(Fetch(base + "/metrics/").status, 404);
  EXPECT_EQ(Fetch(base + "/metrics", "POST").status, 405);
  EXPECT_EQ(Fetch(base + "/metrics", "DELETE").status, 405);
}

TEST(MetricsServerTest, ServesOnIpv6Loopback) {
  absl::StatusOr<std::unique_ptr<MetricsServer>> server =
      MetricsServer::Start("[::1]:0", [] { return std::string("x 1\n"); });
  if (!server.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << server.status();
  EXPECT_EQ(Fetch(absl::StrCat("http://[::1]:", (*server)->port(), "/metrics")).body, "x 1\n");
}

TEST(MetricsServerTest, RefusesABadAddressOrABusyPort) {
  EXPECT_EQ(MetricsServer::Start("nonsense", [] { return std::string(); }).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::unique_ptr<MetricsServer>> first =
      MetricsServer::Start("127.0.0.1:0", [] { return std::string(); });
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(MetricsServer::Start(absl::StrCat("127.0.0.1:", (*first)->port()),
                                 [] { return std::string(); })
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace livestream_gateway::metrics
