// Every row of the Zoom-answer-to-gRPC mapping, through the real processes:
// the emulator is scripted to answer as Zoom would.

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::HasSubstr;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

constexpr char kTrackingId[] = "v=2.0;clid=us01;rid=WEB_scripted";

struct Row {
  std::string name;
  int http_status;
  std::string body;           // Zoom's JSON, or anything
  std::string extra_headers;  // JSON members, e.g. "\"Retry-After\":\"7\""
  grpc::StatusCode code;
  std::string reason;
  std::string zoom_code;     // "<absent>" when Zoom gave none
  std::string extra_detail;  // full name of a further detail expected, or ""
};

std::string JsonString(const std::string& text) {
  return absl::StrCat("\"", absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\"");
}

// Names the case in test output instead of dumping its bytes.
void PrintTo(const Row& value, std::ostream* os) { *os << value.name; }

class ErrorMappingTest : public ::testing::TestWithParam<Row> {
 protected:
  static void SetUpTestSuite() {
    auto emulator = Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = emulator->release();
    // One attempt and no client-side rate limit: this suite checks how a
    // single Zoom answer maps; retries have their own tests.
    auto server =
        Server::Start(emulator_->base_url(), {"--zoom_max_attempts=1", "--zoom_rate_limit_qps=0"});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete emulator_;
  }
  static Emulator* emulator_;
  static Server* server_;
};

Emulator* ErrorMappingTest::emulator_ = nullptr;
Server* ErrorMappingTest::server_ = nullptr;

TEST_P(ErrorMappingTest, MapsZoomAnswer) {
  const Row& row = GetParam();
  std::string headers = absl::StrCat("\"x-zm-trackingid\":\"", kTrackingId, "\"");
  if (!row.extra_headers.empty()) absl::StrAppend(&headers, ",", row.extra_headers);
  emulator_->Script(absl::StrCat("[{\"status\":", row.http_status, ",\"body\":",
                                 JsonString(row.body), ",\"headers\":{", headers, "}}]"));

  UpdateStatusRequest request;
  request.set_webinar_id("99289110036");
  request.set_action(LIVE_STREAM_ACTION_START);
  UpdateStatusResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  grpc::Status status = server_->NewStub()->UpdateStatus(&context, request, &response);

  ASSERT_EQ(status.error_code(), row.code) << status.error_message();
  google::rpc::Status details = DetailsOf(status);
  EXPECT_EQ(details.code(), static_cast<int>(row.code));
  EXPECT_EQ(details.message(), status.error_message());
  EXPECT_EQ(CountDetails(status, "google.rpc.ErrorInfo"), 1);
  auto info = Detail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), row.reason);
  EXPECT_EQ(info->domain(), "zoom-livestream-gateway");
  EXPECT_EQ(MetadataOf(*info, "zoomCode"), row.zoom_code);
  EXPECT_EQ(MetadataOf(*info, "httpStatus"), absl::StrCat(row.http_status));
  EXPECT_EQ(MetadataOf(*info, "trackingId"), kTrackingId);
  if (!row.extra_detail.empty()) {
    EXPECT_EQ(CountDetails(status, row.extra_detail), 1) << row.extra_detail;
  }
}

const Row kRows[] = {
    {"Webinar3001", 400, R"({"code":3001,"message":"Webinar does not exist: 99289110036."})", "",
     grpc::StatusCode::NOT_FOUND, "ZOOM_WEBINAR_NOT_FOUND", "3001", "google.rpc.ResourceInfo"},
    {"Http404", 404, R"({"code":1001,"message":"User does not exist: abc."})", "",
     grpc::StatusCode::NOT_FOUND, "ZOOM_USER_NOT_FOUND", "1001", "google.rpc.ResourceInfo"},
    {"User1001", 400, R"({"code":1001,"message":"User does not exist: abc."})", "",
     grpc::StatusCode::NOT_FOUND, "ZOOM_USER_NOT_FOUND", "1001", "google.rpc.ResourceInfo"},
    {"Validation300", 400,
     R"({"code":300,"message":"Validation Failed.","errors":[{"field":"settings.display_name","message":"Invalid field."}]})",
     "", grpc::StatusCode::INVALID_ARGUMENT, "ZOOM_INVALID_REQUEST", "300",
     "google.rpc.BadRequest"},
    {"NotStarted200", 400, R"({"code":200,"message":"Webinar 99289110036 has not started."})", "",
     grpc::StatusCode::FAILED_PRECONDITION, "ZOOM_LIVESTREAM_PRECONDITION_FAILED", "200",
     "google.rpc.PreconditionFailure"},
    {"NotConfigured3000", 400,
     R"({"code":3000,"message":"The current webinar is not configured with a custom streaming service."})",
     "", grpc::StatusCode::FAILED_PRECONDITION, "ZOOM_LIVESTREAM_PRECONDITION_FAILED", "3000",
     "google.rpc.PreconditionFailure"},
    {"WrongAccount1010", 400, R"({"code":1010,"message":"User does not belong to this account."})",
     "", grpc::StatusCode::PERMISSION_DENIED, "ZOOM_PERMISSION_DENIED", "1010", ""},
    {"NoHosting3161", 400, R"({"code":3161,"message":"Meeting hosting is not allowed."})", "",
     grpc::StatusCode::PERMISSION_DENIED, "ZOOM_PERMISSION_DENIED", "3161", ""},
    {"MissingScope4711", 400,
     R"({"code":4711,"message":"Invalid access token, does not contain scopes."})", "",
     grpc::StatusCode::PERMISSION_DENIED, "ZOOM_PERMISSION_DENIED", "4711", ""},
    {"Forbidden403", 403, R"({"code":104,"message":"Forbidden."})", "",
     grpc::StatusCode::PERMISSION_DENIED, "ZOOM_PERMISSION_DENIED", "104", ""},
    {"Unauthorized401", 401, R"({"code":124,"message":"Invalid access token."})", "",
     grpc::StatusCode::UNAUTHENTICATED, "ZOOM_UNAUTHENTICATED", "124", ""},
    {"RateLimited429", 429,
     R"({"code":429,"message":"You have reached the maximum per-second rate limit."})",
     R"("Retry-After":"7")", grpc::StatusCode::RESOURCE_EXHAUSTED, "ZOOM_RATE_LIMITED", "429",
     "google.rpc.RetryInfo"},
    {"RateLimitedQuota", 429, "", "", grpc::StatusCode::RESOURCE_EXHAUSTED, "ZOOM_RATE_LIMITED",
     "<absent>", "google.rpc.QuotaFailure"},
    {"Internal500", 500, "oops", "", grpc::StatusCode::UNAVAILABLE, "ZOOM_UNAVAILABLE", "<absent>",
     ""},
    {"BadGateway502", 502, "<html>bad gateway</html>", "", grpc::StatusCode::UNAVAILABLE,
     "ZOOM_UNAVAILABLE", "<absent>", ""},
    {"Unavailable503", 503, "", R"("Retry-After":"3")", grpc::StatusCode::UNAVAILABLE,
     "ZOOM_UNAVAILABLE", "<absent>", "google.rpc.RetryInfo"},
    {"GatewayTimeout504", 504, "", "", grpc::StatusCode::UNAVAILABLE, "ZOOM_UNAVAILABLE",
     "<absent>", ""},
    {"Conflict409", 409, R"({"code":409,"message":"Conflict."})", "", grpc::StatusCode::ABORTED,
     "ZOOM_UNEXPECTED_STATUS", "409", ""},
    {"Teapot418", 418, "", "", grpc::StatusCode::FAILED_PRECONDITION, "ZOOM_UNEXPECTED_STATUS",
     "<absent>", ""},
    {"NotImplemented501", 501, "", "", grpc::StatusCode::UNIMPLEMENTED, "ZOOM_UNEXPECTED_STATUS",
     "<absent>", ""},
    {"NonJson400", 400, "<html>Bad Request</html>", "", grpc::StatusCode::INVALID_ARGUMENT,
     "ZOOM_REQUEST_REJECTED", "<absent>", ""},
    {"HugeBody503", 503, std::string(300 * 1024, 'x'), "", grpc::StatusCode::UNAVAILABLE,
     "ZOOM_UNAVAILABLE", "<absent>", ""},
};

INSTANTIATE_TEST_SUITE_P(Rows, ErrorMappingTest, ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<Row>& info) { return info.param.name; });

TEST_F(ErrorMappingTest, RetryInfoCarriesRetryAfterSeconds) {
  emulator_->Script(R"([{"status":429,"body":"{\"code\":429,\"message\":\"slow down\"}",)"
                    R"("headers":{"Retry-After":"7"}}])");
  UpdateStatusRequest request;
  request.set_webinar_id("99289110036");
  request.set_action(LIVE_STREAM_ACTION_START);
  UpdateStatusResponse response;
  grpc::ClientContext context;
  grpc::Status status = server_->NewStub()->UpdateStatus(&context, request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("slow down"));
  auto retry = Detail<google::rpc::RetryInfo>(status);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 7);
}

}  // namespace
}  // namespace livestream_gateway::testing
