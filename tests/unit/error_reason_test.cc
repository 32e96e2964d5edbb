// The reasons the server's pure error rules produce, across all of them: each
// is the name of the ErrorReason value the rule meant, so clients can read
// it back with the generated enum. (Which reasons exist, and that each is
// documented and sent somewhere: tests/docs/error_reasons_test.py.)

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"
#include "server/grpc_status.h"
#include "server/metadata_limit.h"
#include "server/request_decoding.h"
#include "server/validation.h"
#include "server/zoom/error_mapping.h"
#include "server/zoom/http.h"
#include "zoom/livestream/v1/error_reason.pb.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {
namespace {

using ::zoom::livestream::v1::ErrorReason_Parse;

struct ReasonCase {
  std::string name;
  std::function<absl::Status()> produce;
  absl::StatusCode code;
  ErrorReason reason;
};

std::function<absl::Status()> Zoom(int http_status, const std::string& body = "",
                                   ZoomTarget target = ZoomTarget::kWebinar) {
  return [=] {
    HttpResponse response;
    response.status_code = http_status;
    response.body = body;
    return MapZoomResponse(response, ZoomCallContext{target, "123"}, absl::Now());
  };
}

std::function<absl::Status()> Transport(const absl::Status& error) {
  return [=] {
    return MapTransportError(error, Delivery::kMaybeDelivered,
                             ZoomCallContext{ZoomTarget::kWebinar, "123"});
  };
}

// The ErrorInfo the status would carry on the wire.
std::optional<google::rpc::ErrorInfo> WireErrorInfo(const absl::Status& status) {
  google::rpc::Status rpc_status;
  if (!rpc_status.ParseFromString(ToGrpcStatus(status).error_details())) return std::nullopt;
  for (const google::protobuf::Any& any : rpc_status.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info;
  }
  return std::nullopt;
}

class ErrorReasonTest : public testing::TestWithParam<ReasonCase> {};

TEST_P(ErrorReasonTest, ReasonIsTheEnumValueName) {
  const absl::Status status = GetParam().produce();
  EXPECT_EQ(status.code(), GetParam().code) << status;
  const std::optional<google::rpc::ErrorInfo> info = WireErrorInfo(status);
  ASSERT_TRUE(info.has_value()) << status;
  EXPECT_EQ(info->domain(), kErrorDomain);
  ErrorReason parsed = ErrorReason::ERROR_REASON_UNSPECIFIED;
  ASSERT_TRUE(ErrorReason_Parse(info->reason(), &parsed)) << info->reason();
  EXPECT_EQ(parsed, GetParam().reason) << info->reason();
}

using C = absl::StatusCode;
using R = ErrorReason;

INSTANTIATE_TEST_SUITE_P(
    Rules, ErrorReasonTest,
    testing::Values(
        ReasonCase{"WebinarNotFound", Zoom(404), C::kNotFound, R::ZOOM_WEBINAR_NOT_FOUND},
        ReasonCase{"MeetingNotFound", Zoom(400, R"({"code":3001})", ZoomTarget::kMeeting),
                   C::kNotFound, R::ZOOM_MEETING_NOT_FOUND},
        ReasonCase{"UserNotFound", Zoom(404, R"({"code":1001})"), C::kNotFound,
                   R::ZOOM_USER_NOT_FOUND},
        ReasonCase{"ZoomInvalidRequest", Zoom(400, R"({"code":300})"), C::kInvalidArgument,
                   R::ZOOM_INVALID_REQUEST},
        ReasonCase{"Precondition", Zoom(400, R"({"code":3000})"), C::kFailedPrecondition,
                   R::ZOOM_LIVESTREAM_PRECONDITION_FAILED},
        ReasonCase{"ZoomPermissionDenied", Zoom(403), C::kPermissionDenied,
                   R::ZOOM_PERMISSION_DENIED},
        ReasonCase{"ZoomUnauthenticated", Zoom(401), C::kUnauthenticated, R::ZOOM_UNAUTHENTICATED},
        ReasonCase{"ZoomRateLimited", Zoom(429), C::kResourceExhausted, R::ZOOM_RATE_LIMITED},
        ReasonCase{"ZoomUnavailable", Zoom(503), C::kUnavailable, R::ZOOM_UNAVAILABLE},
        ReasonCase{"ZoomRejected", Zoom(400, R"({"code":9999})"), C::kInvalidArgument,
                   R::ZOOM_REQUEST_REJECTED},
        ReasonCase{"ZoomConflict", Zoom(409), C::kAborted, R::ZOOM_UNEXPECTED_STATUS},
        ReasonCase{"ZoomRedirect", Zoom(302), C::kUnknown, R::ZOOM_UNEXPECTED_STATUS},
        ReasonCase{"Unreachable", Transport(absl::UnavailableError("connect")), C::kUnavailable,
                   R::ZOOM_UNREACHABLE},
        ReasonCase{"MaybeDelivered", Transport(absl::UnknownError("reset")), C::kUnknown,
                   R::ZOOM_UNREACHABLE},
        ReasonCase{"Timeout", Transport(absl::DeadlineExceededError("slow")), C::kDeadlineExceeded,
                   R::ZOOM_TIMEOUT},
        ReasonCase{"Cancelled", Transport(absl::CancelledError("gone")), C::kCancelled,
                   R::CANCELLED},
        ReasonCase{
            "InvalidRequest",
            [] { return ValidateUpdateStatusRequest(zoom::livestream::v1::UpdateStatusRequest()); },
            C::kInvalidArgument, R::INVALID_REQUEST},
        ReasonCase{"MalformedRequest",
                   [] { return DecodeUpdateStatusRequest(absl::string_view("\xff")).status(); },
                   C::kInvalidArgument, R::MALFORMED_REQUEST},
        ReasonCase{"MetadataTooLarge",
                   [] {
                     const std::string value(100, 'v');
                     ClientMetadata metadata;
                     metadata.emplace(grpc::string_ref("x-big"), grpc::string_ref(value));
                     return CheckMetadataSize(metadata, 10);
                   },
                   C::kResourceExhausted, R::METADATA_TOO_LARGE},
        // The edge's stand-in for a status that lost its ErrorInfo.
        ReasonCase{"NoReasonGiven", [] { return absl::UnavailableError("bug"); }, C::kUnavailable,
                   R::INTERNAL}),
    [](const testing::TestParamInfo<ReasonCase>& info) { return info.param.name; });

}  // namespace
}  // namespace livestream_gateway
