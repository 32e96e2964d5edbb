#include "server/zoom/error_mapping.h"

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"
#include "server/grpc_status.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;
using ::testing::UnorderedElementsAreArray;

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 1, 1, 0, 0, 0), absl::UTCTimeZone());
const ZoomCallContext kWebinar{ZoomTarget::kWebinar, "123"};
const ZoomCallContext kMeeting{ZoomTarget::kMeeting, "85746065"};

HttpResponse Response(int status_code, std::string body, HttpHeaders headers = {}) {
  HttpResponse response;
  response.status_code = status_code;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

std::string ZoomBody(int64_t code, absl::string_view message) {
  return absl::StrCat(R"({"code":)", code, R"(,"message":")", message, R"("})");
}

std::vector<std::string> PayloadTypes(const absl::Status& status) {
  std::vector<std::string> types;
  status.ForEachPayload([&types](absl::string_view type_url, const absl::Cord&) {
    types.emplace_back(type_url.substr(type_url.rfind('.') + 1));
  });
  return types;
}

// ---------------------------------------------------------------------------
// The mapping table, one row per case.

struct Row {
  std::string name;
  int http_status;
  std::string body;
  ZoomCallContext context;
  absl::StatusCode code;
  std::string reason;
  // Detail types besides ErrorInfo, e.g. {"ResourceInfo"}.
  std::vector<std::string> details;
  HttpHeaders headers = {};
};

void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

using C = absl::StatusCode;

std::vector<Row> Rows() {
  return {
      // NOT_FOUND.
      {"Webinar3001",
       400,
       ZoomBody(3001, "Webinar does not exist: 123."),
       kWebinar,
       C::kNotFound,
       "ZOOM_WEBINAR_NOT_FOUND",
       {"ResourceInfo"}},
      {"Meeting3001",
       400,
       ZoomBody(3001, "Meeting does not exist."),
       kMeeting,
       C::kNotFound,
       "ZOOM_MEETING_NOT_FOUND",
       {"ResourceInfo"}},
      {"Webinar404NoBody",
       404,
       "",
       kWebinar,
       C::kNotFound,
       "ZOOM_WEBINAR_NOT_FOUND",
       {"ResourceInfo"}},
      {"Meeting404AnyCode",
       404,
       ZoomBody(3001, "Meeting does not exist: 85746065."),
       kMeeting,
       C::kNotFound,
       "ZOOM_MEETING_NOT_FOUND",
       {"ResourceInfo"}},
      {"Meeting404Html",
       404,
       "<html>Not Found</html>",
       kMeeting,
       C::kNotFound,
       "ZOOM_MEETING_NOT_FOUND",
       {"ResourceInfo"}},
      {"User1001On400",
       400,
       ZoomBody(1001, "User does not exist: abc."),
       kWebinar,
       C::kNotFound,
       "ZOOM_USER_NOT_FOUND",
       {"ResourceInfo"}},
      {"User1001On404",
       404,
       ZoomBody(1001, "User abc does not exist."),
       kMeeting,
       C::kNotFound,
       "ZOOM_USER_NOT_FOUND",
       {"ResourceInfo"}},
      // INVALID_ARGUMENT.
      {"Code300WithErrors",
       400,
       R"({"code":300,"message":"Validation Failed.","errors":[{"field":"settings.display_name","message":"Invalid field."}]})",
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_INVALID_REQUEST",
       {"BadRequest"}},
      {"Code300WithoutErrors",
       400,
       ZoomBody(300, "Invalid Webinar Id."),
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_INVALID_REQUEST",
       {}},
      {"Unknown400Code",
       400,
       ZoomBody(9999, "Something new."),
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_REQUEST_REJECTED",
       {}},
      {"Plain400", 400, "", kMeeting, C::kInvalidArgument, "ZOOM_REQUEST_REJECTED", {}},
      // FAILED_PRECONDITION.
      {"Code200",
       400,
       ZoomBody(200, "Webinar 123 has not started."),
       kWebinar,
       C::kFailedPrecondition,
       "ZOOM_LIVESTREAM_PRECONDITION_FAILED",
       {"PreconditionFailure"}},
      {"Code3000",
       400,
       ZoomBody(3000, "The current webinar is not configured with a custom streaming service."),
       kWebinar,
       C::kFailedPrecondition,
       "ZOOM_LIVESTREAM_PRECONDITION_FAILED",
       {"PreconditionFailure"}},
      {"Code3000Meeting",
       400,
       ZoomBody(3000, "Cannot access webinar info."),
       kMeeting,
       C::kFailedPrecondition,
       "ZOOM_LIVESTREAM_PRECONDITION_FAILED",
       {"PreconditionFailure"}},
      // PERMISSION_DENIED.
      {"Code1010",
       400,
       ZoomBody(1010, "User does not belong to this account: x."),
       kMeeting,
       C::kPermissionDenied,
       "ZOOM_PERMISSION_DENIED",
       {}},
      {"Code3161",
       400,
       ZoomBody(3161,
                "Meeting hosting and scheduling capabilities are not "
                "allowed for your user account."),
       kMeeting,
       C::kPermissionDenied,
       "ZOOM_PERMISSION_DENIED",
       {}},
      {"Code4711",
       400,
       ZoomBody(4711, "Invalid access token, does not contain scopes:[x]."),
       kWebinar,
       C::kPermissionDenied,
       "ZOOM_PERMISSION_DENIED",
       {}},
      {"Any403", 403, "", kWebinar, C::kPermissionDenied, "ZOOM_PERMISSION_DENIED", {}},
      {"Any403WithCode",
       403,
       ZoomBody(200, "No permission."),
       kWebinar,
       C::kPermissionDenied,
       "ZOOM_PERMISSION_DENIED",
       {}},
      // UNAUTHENTICATED.
      {"Code124",
       401,
       ZoomBody(124, "Access token is expired."),
       kWebinar,
       C::kUnauthenticated,
       "ZOOM_UNAUTHENTICATED",
       {}},
      {"Plain401", 401, "", kMeeting, C::kUnauthenticated, "ZOOM_UNAUTHENTICATED", {}},
      // RESOURCE_EXHAUSTED.
      {"RateLimited",
       429,
       ZoomBody(429, "You have reached the maximum per-second rate limit."),
       kWebinar,
       C::kResourceExhausted,
       "ZOOM_RATE_LIMITED",
       {"QuotaFailure"}},
      {"RateLimitedRetryAfterSeconds",
       429,
       "",
       kMeeting,
       C::kResourceExhausted,
       "ZOOM_RATE_LIMITED",
       {"QuotaFailure", "RetryInfo"},
       {{"retry-after", "30"}}},
      {"RateLimitedRetryAfterDate",
       429,
       "",
       kMeeting,
       C::kResourceExhausted,
       "ZOOM_RATE_LIMITED",
       {"QuotaFailure", "RetryInfo"},
       {{"retry-after", "2026-01-01T00:00:05Z"}}},
      {"RateLimitedBadRetryAfter",
       429,
       "",
       kMeeting,
       C::kResourceExhausted,
       "ZOOM_RATE_LIMITED",
       {"QuotaFailure"},
       {{"retry-after", "later"}}},
      // UNAVAILABLE.
      {"Http500", 500, "", kWebinar, C::kUnavailable, "ZOOM_UNAVAILABLE", {}},
      {"Http502",
       502,
       "<html>Bad Gateway</html>",
       kWebinar,
       C::kUnavailable,
       "ZOOM_UNAVAILABLE",
       {}},
      {"Http503", 503, "", kWebinar, C::kUnavailable, "ZOOM_UNAVAILABLE", {}},
      {"Http503RetryAfter",
       503,
       "",
       kWebinar,
       C::kUnavailable,
       "ZOOM_UNAVAILABLE",
       {"RetryInfo"},
       {{"retry-after", "Thu, 01 Jan 2026 00:00:30 GMT"}}},
      {"Http504", 504, "", kMeeting, C::kUnavailable, "ZOOM_UNAVAILABLE", {}},
      // Everything else: google/rpc/code.proto read backwards.
      {"Http409", 409, "", kWebinar, C::kAborted, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http412", 412, "", kWebinar, C::kFailedPrecondition, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http416", 416, "", kWebinar, C::kOutOfRange, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http499", 499, "", kWebinar, C::kCancelled, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http501", 501, "", kWebinar, C::kUnimplemented, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http405", 405, "", kWebinar, C::kFailedPrecondition, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http418", 418, "", kWebinar, C::kFailedPrecondition, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http505", 505, "", kWebinar, C::kInternal, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http599", 599, "", kWebinar, C::kInternal, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http100", 100, "", kWebinar, C::kUnknown, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http302", 302, "", kWebinar, C::kUnknown, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http304", 304, "", kWebinar, C::kUnknown, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http0", 0, "", kWebinar, C::kUnknown, "ZOOM_UNEXPECTED_STATUS", {}},
      {"Http600", 600, "", kWebinar, C::kUnknown, "ZOOM_UNEXPECTED_STATUS", {}},
      // Untrusted bodies fall back to the HTTP status.
      {"CodeAsString",
       400,
       R"({"code":"3001","message":"x"})",
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_REQUEST_REJECTED",
       {}},
      {"CodeFraction",
       400,
       R"({"code":3001.5,"message":"x"})",
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_REQUEST_REJECTED",
       {}},
      {"CodeHuge",
       400,
       R"({"code":1e300,"message":"x"})",
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_REQUEST_REJECTED",
       {}},
      {"CodeOverflowsDouble",
       400,
       R"({"code":1e400})",
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_REQUEST_REJECTED",
       {}},
      {"CodeNaN",
       400,
       R"({"code":NaN})",
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_REQUEST_REJECTED",
       {}},
      {"ArrayBody",
       400,
       R"([{"code":3001}])",
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_REQUEST_REJECTED",
       {}},
      {"TruncatedJson",
       400,
       R"({"code":3001,"message":"Webinar does)",
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_REQUEST_REJECTED",
       {}},
      {"HugeBody",
       400,
       absl::StrCat(ZoomBody(3001, "x").substr(0, 30), std::string(kMaxZoomErrorBodyBytes, ' '),
                    "}"),
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_REQUEST_REJECTED",
       {}},
      {"DeepNesting",
       400,
       absl::StrCat(R"({"code":3001,"x":)", std::string(20000, '['), std::string(20000, ']'), "}"),
       kWebinar,
       C::kInvalidArgument,
       "ZOOM_REQUEST_REJECTED",
       {}},
  };
}

class MapZoomResponseTest : public testing::TestWithParam<Row> {};

TEST_P(MapZoomResponseTest, MapsCodeReasonAndDetails) {
  const Row& row = GetParam();
  absl::Status status =
      MapZoomResponse(Response(row.http_status, row.body, row.headers), row.context, kNow);
  EXPECT_EQ(status.code(), row.code) << status;

  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), row.reason);
  EXPECT_EQ(info->domain(), kErrorDomain);
  // AIP-193 shapes for reason and metadata keys.
  EXPECT_THAT(info->reason(), testing::MatchesRegex("[A-Z][A-Z0-9_]+[A-Z0-9]"));
  EXPECT_LE(info->reason().size(), 63u);
  for (const auto& [key, value] : info->metadata()) {
    EXPECT_THAT(key, testing::MatchesRegex("[a-z][a-zA-Z0-9]*"));
  }
  EXPECT_EQ(info->metadata().at("httpStatus"), absl::StrCat(row.http_status));
  const std::string id_key = row.context.target == ZoomTarget::kWebinar ? "webinarId" : "meetingId";
  EXPECT_EQ(info->metadata().at(id_key), row.context.target_id);

  std::vector<std::string> expected_types = row.details;
  expected_types.push_back("ErrorInfo");
  EXPECT_THAT(PayloadTypes(status), UnorderedElementsAreArray(expected_types));
  EXPECT_THAT(std::string(status.message()),
              testing::HasSubstr(absl::StrCat("(HTTP ", row.http_status)));
}

INSTANTIATE_TEST_SUITE_P(Table, MapZoomResponseTest, testing::ValuesIn(Rows()),
                         [](const testing::TestParamInfo<Row>& info) { return info.param.name; });

class SuccessTest : public testing::TestWithParam<int> {};

TEST_P(SuccessTest, TwoHundredsAreOk) {
  EXPECT_TRUE(
      MapZoomResponse(Response(GetParam(), ZoomBody(3001, "ignored")), kWebinar, kNow).ok());
}

INSTANTIATE_TEST_SUITE_P(Success, SuccessTest, testing::Values(200, 201, 204, 299));

// ---------------------------------------------------------------------------
// Message and metadata.

TEST(MapZoomResponseTest, MessageQuotesZoom) {
  absl::Status status = MapZoomResponse(
      Response(400, ZoomBody(3001, "Webinar does not exist: 123.")), kWebinar, kNow);
  EXPECT_EQ(status.message(),
            "Zoom rejected the request for webinar 123 (HTTP 400, Zoom code 3001): Webinar does "
            "not exist: 123.");
}

TEST(MapZoomResponseTest, MessageWithoutZoomBody) {
  EXPECT_EQ(MapZoomResponse(Response(404, ""), kMeeting, kNow).message(),
            "Zoom rejected the request for meeting 85746065 (HTTP 404)");
  EXPECT_EQ(MapZoomResponse(Response(503, "oops"), kMeeting, kNow).message(),
            "Zoom failed the request for meeting 85746065 (HTTP 503)");
  EXPECT_EQ(MapZoomResponse(Response(302, ""), kWebinar, kNow).message(),
            "Zoom gave an unexpected answer to the request for webinar 123 (HTTP 302)");
}

TEST(MapZoomResponseTest, MetadataHasEverythingZoomSupplied) {
  absl::Status status =
      MapZoomResponse(Response(400, ZoomBody(200, "Webinar 123 has not started."),
                               {{"content-type", "application/json"},
                                {"x-zm-trackingid", "v=2.0;clid=us02;rid=WEB_9f2c"}}),
                      kWebinar, kNow);
  EXPECT_THAT(GetDetail<google::rpc::ErrorInfo>(status)->metadata(),
              UnorderedElementsAre(Pair("httpStatus", "400"), Pair("zoomCode", "200"),
                                   Pair("trackingId", "v=2.0;clid=us02;rid=WEB_9f2c"),
                                   Pair("webinarId", "123")));
}

TEST(MapZoomResponseTest, MetadataWithoutZoomBodyOrTrackingId) {
  absl::Status status = MapZoomResponse(Response(503, ""), kMeeting, kNow);
  EXPECT_THAT(GetDetail<google::rpc::ErrorInfo>(status)->metadata(),
              UnorderedElementsAre(Pair("httpStatus", "503"), Pair("meetingId", "85746065")));
}

TEST(MapZoomResponseTest, TrackingIdIsSanitized) {
  absl::Status status = MapZoomResponse(
      Response(401, "", {{"x-zm-trackingid", "rid=1\r\nx\x01\xff" + std::string(500, 'a')}}),
      kWebinar, kNow);
  const std::string tracking_id =
      GetDetail<google::rpc::ErrorInfo>(status)->metadata().at("trackingId");
  // Controls become spaces and bytes that are not UTF-8 U+FFFD (see
  // upstream_text.h).
  EXPECT_EQ(tracking_id.substr(0, 13),
            "rid=1  x \xEF\xBF\xBD"
            "a");
  EXPECT_LE(tracking_id.size(), kMaxTrackingIdBytes);
}

TEST(MapZoomResponseTest, EmptyTrackingIdIsLeftOut) {
  absl::Status status =
      MapZoomResponse(Response(401, "", {{"x-zm-trackingid", "\r\n"}}), kWebinar, kNow);
  EXPECT_FALSE(GetDetail<google::rpc::ErrorInfo>(status)->metadata().contains("trackingId"));
}

TEST(MapZoomResponseTest, TruncatedBodyIsNotTrusted) {
  HttpResponse response = Response(400, ZoomBody(3001, "Webinar does not exist: 123."));
  response.body_truncated = true;
  absl::Status status = MapZoomResponse(response, kWebinar, kNow);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(status)->reason(), "ZOOM_REQUEST_REJECTED");
  EXPECT_FALSE(GetDetail<google::rpc::ErrorInfo>(status)->metadata().contains("zoomCode"));
}

TEST(MapZoomResponseTest, NegativeCodeIsKeptButMapsByStatus) {
  absl::Status status = MapZoomResponse(Response(400, ZoomBody(-3001, "x")), kWebinar, kNow);
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(status)->reason(), "ZOOM_REQUEST_REJECTED");
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(status)->metadata().at("zoomCode"), "-3001");
}

// ---------------------------------------------------------------------------
// Detail contents.

TEST(MapZoomResponseTest, ResourceInfoForWebinar) {
  absl::Status status = MapZoomResponse(
      Response(400, ZoomBody(3001, "Webinar does not exist: 123.")), kWebinar, kNow);
  std::optional<google::rpc::ResourceInfo> resource = GetDetail<google::rpc::ResourceInfo>(status);
  ASSERT_TRUE(resource.has_value());
  EXPECT_EQ(resource->resource_type(), "zoom.us/Webinar");
  EXPECT_EQ(resource->resource_name(), "123");
  EXPECT_EQ(resource->description(), "Webinar does not exist: 123.");
}

TEST(MapZoomResponseTest, ResourceInfoForMeeting) {
  std::optional<google::rpc::ResourceInfo> resource =
      GetDetail<google::rpc::ResourceInfo>(MapZoomResponse(Response(404, ""), kMeeting, kNow));
  ASSERT_TRUE(resource.has_value());
  EXPECT_EQ(resource->resource_type(), "zoom.us/Meeting");
  EXPECT_EQ(resource->resource_name(), "85746065");
  EXPECT_EQ(resource->description(), "");
}

TEST(MapZoomResponseTest, ResourceInfoForUser) {
  std::optional<google::rpc::ResourceInfo> resource = GetDetail<google::rpc::ResourceInfo>(
      MapZoomResponse(Response(400, ZoomBody(1001, "User does not exist: u.")), kWebinar, kNow));
  ASSERT_TRUE(resource.has_value());
  EXPECT_EQ(resource->resource_type(), "zoom.us/User");
  EXPECT_EQ(resource->resource_name(), "");
  EXPECT_EQ(resource->description(), "User does not exist: u.");
}

TEST(MapZoomResponseTest, BadRequestFromZoomErrors) {
  absl::Status status = MapZoomResponse(
      Response(400, R"({"code":300,"message":"Validation Failed.","errors":[)"
                    R"({"field":"settings.display_name","message":"Invalid field."},)"
                    R"({"field":"action","message":"Invalid value."}]})"),
      kWebinar, kNow);
  std::optional<google::rpc::BadRequest> bad_request = GetDetail<google::rpc::BadRequest>(status);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 2);
  EXPECT_EQ(bad_request->field_violations(0).field(), "settings.display_name");
  EXPECT_EQ(bad_request->field_violations(0).description(), "Invalid field.");
  EXPECT_EQ(bad_request->field_violations(1).field(), "action");
  EXPECT_EQ(bad_request->field_violations(1).description(), "Invalid value.");
}

TEST(MapZoomResponseTest, PreconditionFailureNamesCodeAndTarget) {
  std::optional<google::rpc::PreconditionFailure> failure =
      GetDetail<google::rpc::PreconditionFailure>(MapZoomResponse(
          Response(400, ZoomBody(200, "Webinar 123 has not started.")), kWebinar, kNow));
  ASSERT_TRUE(failure.has_value());
  ASSERT_EQ(failure->violations_size(), 1);
  EXPECT_EQ(failure->violations(0).type(), "zoom.us/ZOOM_CODE_200");
  EXPECT_EQ(failure->violations(0).subject(), "webinars/123");
  EXPECT_EQ(failure->violations(0).description(), "Webinar 123 has not started.");

  failure = GetDetail<google::rpc::PreconditionFailure>(
      MapZoomResponse(Response(400, ZoomBody(3000, "No custom service.")), kMeeting, kNow));
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->violations(0).type(), "zoom.us/ZOOM_CODE_3000");
  EXPECT_EQ(failure->violations(0).subject(), "meetings/85746065");
}

TEST(MapZoomResponseTest, QuotaFailureDescription) {
  std::optional<google::rpc::QuotaFailure> quota = GetDetail<google::rpc::QuotaFailure>(
      MapZoomResponse(Response(429, ZoomBody(429, "Daily limit reached.")), kWebinar, kNow));
  ASSERT_TRUE(quota.has_value());
  ASSERT_EQ(quota->violations_size(), 1);
  EXPECT_EQ(quota->violations(0).subject(), "zoom.us/account");
  EXPECT_EQ(quota->violations(0).description(), "Daily limit reached.");

  quota = GetDetail<google::rpc::QuotaFailure>(MapZoomResponse(Response(429, ""), kWebinar, kNow));
  ASSERT_TRUE(quota.has_value());
  EXPECT_EQ(quota->violations(0).description(), "Zoom rate limit exceeded");
}

struct RetryCase {
  int http_status;
  std::string retry_after;
  int64_t seconds;
  int32_t nanos;
};

void PrintTo(const RetryCase& c, std::ostream* os) { *os << c.http_status << " " << c.retry_after; }

class RetryInfoTest : public testing::TestWithParam<RetryCase> {};

TEST_P(RetryInfoTest, CarriesRetryAfter) {
  std::optional<google::rpc::RetryInfo> retry = GetDetail<google::rpc::RetryInfo>(MapZoomResponse(
      Response(GetParam().http_status, "", {{"retry-after", GetParam().retry_after}}), kWebinar,
      kNow));
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), GetParam().seconds);
  EXPECT_EQ(retry->retry_delay().nanos(), GetParam().nanos);
}

INSTANTIATE_TEST_SUITE_P(RetryAfter, RetryInfoTest,
                         testing::Values(RetryCase{429, "30", 30, 0}, RetryCase{429, "0", 0, 0},
                                         RetryCase{429, "2026-01-01T00:00:01.25Z", 1, 250000000},
                                         RetryCase{429, "2020-05-31T00:00:00Z", 0, 0},
                                         RetryCase{429, "1000000", 86400, 0},
                                         RetryCase{503, "Thu, 01 Jan 2026 00:00:30 GMT", 30, 0},
                                         RetryCase{500, "5", 5, 0}));

TEST(MapZoomResponseTest, NoRetryInfoForOtherStatuses) {
  absl::Status status =
      MapZoomResponse(Response(400, ZoomBody(200, "x"), {{"retry-after", "30"}}), kWebinar, kNow);
  EXPECT_FALSE(GetDetail<google::rpc::RetryInfo>(status).has_value());
}

// ---------------------------------------------------------------------------
// The RPC edge sees exactly what the mapping built.

TEST(MapZoomResponseTest, SurvivesToGrpcStatusWithOneErrorInfo) {
  absl::Status status = MapZoomResponse(
      Response(429, ZoomBody(429, "Slow down."), {{"retry-after", "30"}, {"x-zm-trackingid", "t"}}),
      kWebinar, kNow);
  grpc::Status grpc_status = ToGrpcStatus(status);
  EXPECT_EQ(grpc_status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(grpc_status.error_message(), status.message());

  google::rpc::Status rpc_status;
  ASSERT_TRUE(rpc_status.ParseFromString(grpc_status.error_details()));
  EXPECT_EQ(rpc_status.code(), static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(rpc_status.message(), status.message());
  int error_infos = 0;
  for (const auto& any : rpc_status.details()) error_infos += any.Is<google::rpc::ErrorInfo>();
  EXPECT_EQ(error_infos, 1);
  EXPECT_TRUE(rpc_status.details(0).Is<google::rpc::ErrorInfo>());
}

TEST(MapZoomResponseTest, HostileBodyStaysWithinTrailerBudget) {
  std::string errors;
  for (int i = 0; i < 28; ++i) {
    absl::StrAppend(&errors, i == 0 ? "" : ",", R"({"field":")", std::string(1000, 'f'),
                    R"(","message":")", std::string(1000, 'm'), R"("})");
  }
  std::string message;
  for (int i = 0; i < 1000; ++i) message += "\xE4\xB8\xAD";
  const std::string body =
      absl::StrCat(R"({"code":300,"message":")", message, R"(","errors":[)", errors, "]}");
  ASSERT_LE(body.size(), kMaxZoomErrorBodyBytes);
  grpc::Status grpc_status = ToGrpcStatus(MapZoomResponse(
      Response(400, body, {{"x-zm-trackingid", std::string(10000, 't')}}), kWebinar, kNow));
  // grpc-status-details-bin is base64 in the trailer; grpc-message is
  // percent-encoded (3 bytes per non-ASCII byte). Default limit: 8 KiB.
  EXPECT_LT(grpc_status.error_details().size() * 4 / 3 + grpc_status.error_message().size() * 3,
            6 * 1024u);
}

// ---------------------------------------------------------------------------
// ParseZoomError.

TEST(ParseZoomErrorTest, ParsesZoomShape) {
  std::optional<ZoomError> error = ParseZoomError(
      R"({"code":300,"message":"Validation Failed.","errors":[{"field":"user_info.email","message":"Invalid field."}]})",
      Redactor());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 300);
  EXPECT_EQ(error->message, "Validation Failed.");
  EXPECT_THAT(error->field_errors, ElementsAre(Pair("user_info.email", "Invalid field.")));
}

struct ParseCase {
  std::string name;
  std::string body;
  bool parses;
  std::optional<int64_t> code;
  std::string message;
};

// {"code":1,"a":[0,0,...]} with `members` commas and colons in all.
std::string WideArrayBody(size_t members) {
  std::string body = R"({"code":1,"a":[0)";
  for (size_t i = 3; i < members; ++i) body += ",0";
  return body + "]}";
}

// {"code":1,"a":[[...]]} nested `depth` levels deep, counting the object.
std::string NestedBody(int depth) {
  return absl::StrCat(R"({"code":1,"a":)", std::string(depth - 1, '['), std::string(depth - 1, ']'),
                      "}");
}

void PrintTo(const ParseCase& c, std::ostream* os) { *os << c.name; }

class ParseZoomErrorTest : public testing::TestWithParam<ParseCase> {};

TEST_P(ParseZoomErrorTest, HandlesUntrustedBodies) {
  std::optional<ZoomError> error = ParseZoomError(GetParam().body, Redactor());
  ASSERT_EQ(error.has_value(), GetParam().parses);
  if (!error.has_value()) return;
  EXPECT_EQ(error->code, GetParam().code);
  EXPECT_EQ(error->message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, ParseZoomErrorTest,
    testing::Values(
        ParseCase{"Empty", "", false, std::nullopt, ""},
        ParseCase{"Html", "<html></html>", false, std::nullopt, ""},
        ParseCase{"Array", "[1,2]", false, std::nullopt, ""},
        ParseCase{"String", R"("code")", false, std::nullopt, ""},
        ParseCase{"Number", "3001", false, std::nullopt, ""},
        ParseCase{"Null", "null", false, std::nullopt, ""},
        ParseCase{"Truncated", R"({"code":3001,"mess)", false, std::nullopt, ""},
        ParseCase{"TrailingGarbage", R"({"code":3001} x)", false, std::nullopt, ""},
        ParseCase{"InvalidUtf8", "{\"message\":\"\xFF\"}", false, std::nullopt, ""},
        ParseCase{"LoneSurrogateEscape", R"({"message":"\ud800"})", false, std::nullopt, ""},
        ParseCase{"DuplicateKey", R"({"code":1,"code":2})", false, std::nullopt, ""},
        ParseCase{"TooLarge", "{}" + std::string(kMaxZoomErrorBodyBytes, ' '), false, std::nullopt,
                  ""},
        ParseCase{"DeepNesting",
                  absl::StrCat(R"({"a":)", std::string(30000, '['), std::string(30000, ']'), "}"),
                  false, std::nullopt, ""},
        ParseCase{"WideArray", WideArrayBody(20000), false, std::nullopt, ""},
        ParseCase{"MaxMembers", WideArrayBody(kMaxZoomErrorJsonMembers), true, 1, ""},
        ParseCase{"TooManyMembers", WideArrayBody(kMaxZoomErrorJsonMembers + 1), false,
                  std::nullopt, ""},
        ParseCase{"MaxDepth", NestedBody(kMaxZoomErrorJsonDepth), true, 1, ""},
        ParseCase{"TooDeep", NestedBody(kMaxZoomErrorJsonDepth + 1), false, std::nullopt, ""},
        ParseCase{"StructureInsideStrings",
                  R"({"code":1,"message":"[[[[[[[[[[ {{{{{{{{{{ \" ,,,, \\"})", true, 1,
                  R"([[[[[[[[[[ {{{{{{{{{{ " ,,,, \)"},
        ParseCase{"EmptyObject", "{}", true, std::nullopt, ""},
        ParseCase{"CodeOnly", R"({"code":124})", true, 124, ""},
        ParseCase{"Whitespace", " \n{\"code\" : 124 }\n", true, 124, ""},
        ParseCase{"CodeString", R"({"code":"124","message":"m"})", true, std::nullopt, "m"},
        ParseCase{"CodeBool", R"({"code":true})", true, std::nullopt, ""},
        ParseCase{"CodeNull", R"({"code":null})", true, std::nullopt, ""},
        ParseCase{"CodeFraction", R"({"code":1.5})", true, std::nullopt, ""},
        ParseCase{"CodeExponent", R"({"code":3.001e3})", true, 3001, ""},
        ParseCase{"CodeNegativeZero", R"({"code":-0.0})", true, 0, ""},
        ParseCase{"CodeMaxExact", R"({"code":9007199254740992})", true, 9007199254740992, ""},
        ParseCase{"CodeBeyondExact", R"({"code":9007199254740994})", true, std::nullopt, ""},
        ParseCase{"CodeHuge", R"({"code":1e300})", true, std::nullopt, ""},
        ParseCase{"MessageNumber", R"({"message":5})", true, std::nullopt, ""},
        ParseCase{"MessageObject", R"({"message":{"a":1}})", true, std::nullopt, ""},
        ParseCase{"MessageControls", R"({"message":"a\nb\r\tc\u0000d\u007fe\u0085f"})", true,
                  std::nullopt, "a b  c d e f"},
        ParseCase{"MessageUnicode", R"({"message":"caf\u00e9 \ud83d\ude00"})", true, std::nullopt,
                  "caf\xC3\xA9 \xF0\x9F\x98\x80"}),
    [](const testing::TestParamInfo<ParseCase>& info) { return info.param.name; });

TEST(ParseZoomErrorTest, TruncatesMessageAtCharacterBoundary) {
  std::string message;
  for (int i = 0; i < 200; ++i) message += "\xE4\xB8\xAD";  // 600 bytes, 3 per char.
  std::optional<ZoomError> error =
      ParseZoomError(absl::StrCat(R"({"message":")", message, "\"}"), Redactor());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message.size(), 510u);  // 170 whole characters <= 512 bytes.
  EXPECT_EQ(error->message, message.substr(0, 510));
}

TEST(ParseZoomErrorTest, BoundsFieldErrors) {
  std::string errors;
  for (int i = 0; i < 20; ++i) {
    absl::StrAppend(&errors, i == 0 ? "" : ",", R"({"field":"f)", i, std::string(100, 'x'),
                    R"(","message":")", std::string(300, 'm'), R"("})");
  }
  std::optional<ZoomError> error =
      ParseZoomError(absl::StrCat(R"({"code":300,"errors":[)", errors, "]}"), Redactor());
  ASSERT_TRUE(error.has_value());
  ASSERT_EQ(error->field_errors.size(), kMaxZoomFieldErrors);
  EXPECT_EQ(error->field_errors[0].first.size(), kMaxZoomFieldBytes);
  EXPECT_EQ(error->field_errors[0].first.substr(0, 3), "f0x");
  EXPECT_EQ(error->field_errors[0].second.size(), kMaxZoomFieldMessageBytes);
}

TEST(ParseZoomErrorTest, SkipsMalformedFieldErrors) {
  std::optional<ZoomError> error = ParseZoomError(
      R"({"errors":[1,"x",null,{},{"field":7},{"field":"a"},{"message":"b"},[]]})", Redactor());
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->field_errors, ElementsAre(Pair("a", ""), Pair("", "b")));

  error = ParseZoomError(R"({"errors":{"field":"a"}})", Redactor());
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->field_errors, IsEmpty());
}

TEST(ParseZoomErrorTest, FieldErrorsAreCleaned) {
  std::optional<ZoomError> error =
      ParseZoomError(R"({"errors":[{"field":"a\nb","message":"\u2028x\u0085y"}]})", Redactor());
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->field_errors, ElementsAre(Pair("a b", "x y")));
}

// ---------------------------------------------------------------------------
// Zoom's tracking id, and credentials that Zoom (or a proxy) echoes back.

TEST(ZoomTrackingIdTest, IsValidUtf8AndBounded) {
  EXPECT_EQ(
      ZoomTrackingId(Response(204, "", {{"x-zm-trackingid", "rid=\xFF\xC0\xAF"}}), Redactor()),
      "rid=\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(
      ZoomTrackingId(Response(204, "", {{"x-zm-trackingid", std::string(1000, 't')}}), Redactor()),
      std::string(kMaxTrackingIdBytes, 't'));
  EXPECT_EQ(ZoomTrackingId(Response(204, ""), Redactor()), "");
}

// Fake credentials, compared by position so that a failure prints none.
constexpr char kServerToken[] = "fake-server-T0ken";
constexpr char kCallerToken[] = "fake-caller-T0ken";

struct EchoCase {
  std::string name;
  int http_status;
  std::string body;  // "$ECHO" stands for text quoting both tokens
};

void PrintTo(const EchoCase& c, std::ostream* os) { *os << c.name; }

class EchoedCredentialsTest : public testing::TestWithParam<EchoCase> {};

TEST_P(EchoedCredentialsTest, AreRedactedFromTheMessageAndEveryDetail) {
  ZoomCallContext context = kWebinar;
  context.redactor = Redactor({kServerToken}).With(kCallerToken);
  const std::string echo =
      absl::StrCat("Authorization: Bearer ", kServerToken, "; Bearer ", kCallerToken);
  const std::string body = absl::StrReplaceAll(GetParam().body, {{"$ECHO", echo}});
  const grpc::Status status = ToGrpcStatus(MapZoomResponse(
      Response(GetParam().http_status, body, {{"x-zm-trackingid", echo}}), context, kNow));
  EXPECT_FALSE(status.ok());
  for (const std::string& text : {status.error_message(), status.error_details()}) {
    EXPECT_EQ(text.find(kServerToken), std::string::npos);
    EXPECT_EQ(text.find(kCallerToken), std::string::npos);
  }
  EXPECT_NE(status.error_message().find("Bearer [REDACTED]; Bearer [REDACTED]"), std::string::npos);
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  EXPECT_EQ(details.message(), status.error_message());
}

INSTANTIATE_TEST_SUITE_P(
    Table, EchoedCredentialsTest,
    testing::Values(
        EchoCase{"ResourceInfo", 404, R"({"code":3001,"message":"$ECHO"})"},
        EchoCase{
            "BadRequest", 400,
            R"({"code":300,"message":"$ECHO","errors":[{"field":"$ECHO","message":"$ECHO"}]})"},
        EchoCase{"PreconditionFailure", 400, R"({"code":200,"message":"$ECHO"})"},
        EchoCase{"QuotaFailure", 429, R"({"code":429,"message":"$ECHO"})"},
        EchoCase{"Unauthenticated", 401, R"({"code":124,"message":"$ECHO"})"},
        EchoCase{"Unavailable", 503, R"({"message":"$ECHO"})"},
        EchoCase{"Unexpected", 418, R"({"message":"$ECHO"})"}),
    [](const testing::TestParamInfo<EchoCase>& info) { return info.param.name; });

TEST(EchoedCredentialsTest, ATokenCutByTheBoundLeavesNoPrefix) {
  ZoomCallContext context = kWebinar;
  context.redactor = Redactor({kServerToken});
  // The token starts 4 bytes before the bound: cut first, "fake" would stay.
  const std::string message =
      absl::StrCat(std::string(kMaxZoomMessageBytes - 4, 'm'), kServerToken);
  const absl::Status status = MapZoomResponse(Response(401, ZoomBody(124, message)), context, kNow);
  EXPECT_EQ(status.message().find("fake"), absl::string_view::npos);
  EXPECT_TRUE(absl::EndsWith(status.message(), "mmm[RED"));
}

// ---------------------------------------------------------------------------
// MapTransportError.

struct TransportCase {
  std::string name;
  UpstreamResult error;
  absl::StatusCode code;
  std::string reason;
  std::string delivered;
  std::string message;
};

void PrintTo(const TransportCase& c, std::ostream* os) { *os << c.name; }

// A transport failure as the transport reports it.
UpstreamResult Failure(absl::Status status, Delivery delivery) {
  return UpstreamResult::Failed(std::move(status), 1, delivery);
}

constexpr Delivery kNo = Delivery::kNotDelivered;
constexpr Delivery kMaybe = Delivery::kMaybeDelivered;

class MapTransportErrorTest : public testing::TestWithParam<TransportCase> {};

TEST_P(MapTransportErrorTest, Maps) {
  const UpstreamResult& error = GetParam().error;
  absl::Status status = MapTransportError(error.response.status(), error.delivery, kWebinar);
  EXPECT_EQ(status.code(), GetParam().code);
  EXPECT_EQ(status.message(), GetParam().message);
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), GetParam().reason);
  EXPECT_EQ(info->domain(), kErrorDomain);
  EXPECT_THAT(info->metadata(), UnorderedElementsAre(Pair("webinarId", "123"),
                                                     Pair("delivered", GetParam().delivered)));
  // Only the ErrorInfo travels on.
  EXPECT_THAT(PayloadTypes(status), ElementsAre("ErrorInfo"));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, MapTransportErrorTest,
    testing::Values(
        TransportCase{"Unavailable",
                      Failure(absl::UnavailableError("Couldn't connect to server"), kNo),
                      C::kUnavailable, "ZOOM_UNREACHABLE", "no",
                      "could not reach Zoom for webinar 123: Couldn't connect to server"},
        TransportCase{"ResetAfterSending",
                      Failure(absl::UnavailableError("Connection reset by peer"), kMaybe),
                      C::kUnavailable, "ZOOM_UNREACHABLE", "maybe",
                      "Zoom may have received the request, but no answer came for webinar 123: "
                      "Connection reset by peer"},
        // Not safe to repeat (RetryingClient): never a code clients retry on
        // their own.
        TransportCase{"OutcomeUnknown",
                      Failure(absl::UnknownError("Connection reset by peer"), kMaybe), C::kUnknown,
                      "ZOOM_UNREACHABLE", "maybe",
                      "Zoom may have received the request, but no answer came for webinar 123: "
                      "Connection reset by peer"},
        TransportCase{"Deadline",
                      Failure(absl::DeadlineExceededError("Timeout was reached"), kMaybe),
                      C::kDeadlineExceeded, "ZOOM_TIMEOUT", "maybe",
                      "Zoom did not answer in time for webinar 123: Timeout was reached"},
        TransportCase{"DeadlineWhileQueued",
                      Failure(absl::DeadlineExceededError("waiting for a connection"), kNo),
                      C::kDeadlineExceeded, "ZOOM_TIMEOUT", "no",
                      "Zoom did not answer in time for webinar 123: waiting for a connection"},
        TransportCase{"Cancelled", Failure(absl::CancelledError("cancelled"), kNo), C::kCancelled,
                      "CANCELLED", "no", "request to Zoom cancelled for webinar 123: cancelled"},
        TransportCase{"Other", Failure(absl::InternalError("curl_easy_init failed"), kNo),
                      C::kUnavailable, "ZOOM_UNREACHABLE", "no",
                      "could not reach Zoom for webinar 123: curl_easy_init failed"},
        TransportCase{"NoMessage", Failure(absl::UnavailableError(""), kNo), C::kUnavailable,
                      "ZOOM_UNREACHABLE", "no", "could not reach Zoom for webinar 123"},
        // Nothing proves that a failure that does not say otherwise sent
        // nothing.
        TransportCase{"Unmarked", UpstreamResult{absl::UnavailableError("reset")}, C::kUnavailable,
                      "ZOOM_UNREACHABLE", "maybe",
                      "Zoom may have received the request, but no answer came for webinar 123: "
                      "reset"}),
    [](const testing::TestParamInfo<TransportCase>& info) { return info.param.name; });

TEST(MapShutdownAbortTest, UnavailableSoAnotherReplicaMayTakeIt) {
  for (Delivery delivery : {kNo, kMaybe}) {
    absl::Status status = MapShutdownAbort(delivery, kMeeting);
    EXPECT_EQ(status.code(), C::kUnavailable);
    EXPECT_EQ(status.message(),
              "the server is shutting down and ended the call before Zoom answered for meeting "
              "85746065");
    std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->reason(), "SERVER_SHUTTING_DOWN");
    EXPECT_EQ(info->domain(), kErrorDomain);
    EXPECT_THAT(info->metadata(),
                UnorderedElementsAre(Pair("meetingId", "85746065"),
                                     Pair("delivered", delivery == kNo ? "no" : "maybe")));
    EXPECT_THAT(PayloadTypes(status), ElementsAre("ErrorInfo"));
  }
}

TEST(MapTransportErrorTest, MeetingTarget) {
  absl::Status status = MapTransportError(absl::UnavailableError("Connection refused"),
                                          Delivery::kNotDelivered, kMeeting);
  EXPECT_EQ(status.message(), "could not reach Zoom for meeting 85746065: Connection refused");
  EXPECT_THAT(GetDetail<google::rpc::ErrorInfo>(status)->metadata(),
              UnorderedElementsAre(Pair("meetingId", "85746065"), Pair("delivered", "no")));
}

}  // namespace
}  // namespace livestream_gateway
