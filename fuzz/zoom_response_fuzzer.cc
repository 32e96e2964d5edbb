// Zoom's answer (status, headers, body; see http_response_text.h) through
// MapZoomResponse for a webinar and a meeting: 2xx is OK, anything else a
// rich error (invariants.h) that maps by HTTP status as the README's table
// says, with the caller's target and only bounded, sanitized text from Zoom.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "fuzz/http_response_text.h"
#include "fuzz/invariants.h"
#include "google/rpc/error_details.pb.h"
#include "server/error_details.h"
#include "server/zoom/error_mapping.h"
#include "server/zoom/redactor.h"
#include "server/zoom/retry_after.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway::fuzz {
namespace {

// 2026-01-01T00:00:00Z, fixed so that a crash replays from its input alone.
constexpr absl::Time kNow = absl::FromUnixSeconds(1767225600);

// The codes the README's table fixes by HTTP status alone, whatever the body.
std::optional<absl::StatusCode> CodeByStatusAlone(int http_status) {
  switch (http_status) {
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 500:
    case 502:
    case 503:
    case 504:
      return absl::StatusCode::kUnavailable;
    default:
      return std::nullopt;
  }
}

// C0 and DEL, which could forge log lines. (Valid UTF-8 is RequireRichError's.)
bool HasControlCharacter(absl::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

// A credential the server holds; the dictionary (zoom_response.dict) lets the
// fuzzer put it into bodies and headers, as an echoing proxy would.
constexpr absl::string_view kSecret = "fuzzSECRETtoken";

const Redactor& SecretRedactor() {
  static const Redactor* const redactor = new Redactor({std::string(kSecret)});
  return *redactor;
}

// Neither the message nor any detail quotes the secret (issue 11, defect 4).
void RequireNoSecret(const absl::Status& status) {
  Require(!absl::StrContains(status.message(), kSecret), "the status message quotes a secret");
  status.ForEachPayload([](absl::string_view type_url, const absl::Cord& payload) {
    Require(!absl::StrContains(std::string(payload), kSecret), "a status detail quotes a secret");
  });
}

void CheckParsedError(absl::string_view body) {
  const std::optional<ZoomError> error = ParseZoomError(body, SecretRedactor());
  if (!error.has_value()) return;
  Require(!absl::StrContains(error->message, kSecret), "ZoomError.message quotes a secret");
  for (const auto& [field, message] : error->field_errors) {
    Require(!absl::StrContains(field, kSecret) && !absl::StrContains(message, kSecret),
            "a ZoomError field error quotes a secret");
  }
  Require(error->message.size() <= kMaxZoomMessageBytes, "ZoomError.message over its bound");
  Require(error->field_errors.size() <= kMaxZoomFieldErrors, "too many ZoomError.field_errors");
  for (const auto& [field, message] : error->field_errors) {
    Require(field.size() <= kMaxZoomFieldBytes, "a ZoomError field name over its bound");
    Require(message.size() <= kMaxZoomFieldMessageBytes,
            "a ZoomError field message over its bound");
  }
}

void CheckMapping(const HttpResponse& response, ZoomCallContext context) {
  context.redactor = SecretRedactor();
  const std::string tracking_id = ZoomTrackingId(response, context.redactor);
  Require(tracking_id.size() <= kMaxTrackingIdBytes && !HasControlCharacter(tracking_id) &&
              !absl::StrContains(tracking_id, kSecret),
          "the response's tracking_id is too long, has a control character or quotes a secret");
  // An OK reply carries it in UpdateStatusResponse.tracking_id: a client must
  // be able to decode that (proto3 strings are valid UTF-8; defect 1).
  zoom::livestream::v1::UpdateStatusResponse reply;
  reply.set_tracking_id(tracking_id);
  zoom::livestream::v1::UpdateStatusResponse decoded;
  Require(decoded.ParseFromString(reply.SerializeAsString()),
          "a client cannot decode the reply's tracking_id");
  const absl::Status status = MapZoomResponse(response, context, kNow);
  RequireNoSecret(status);
  if (response.status_code >= 200 && response.status_code <= 299) {
    Require(status.ok(), "a 2xx answer mapped to an error");
    return;
  }
  RequireRichError(status);
  if (const std::optional<absl::StatusCode> code = CodeByStatusAlone(response.status_code)) {
    Require(status.code() == *code, "the code differs from the README's table");
  }

  const std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  if (!info.has_value()) return;  // Undecodable: RequireRichError's switch is off.
  const auto& metadata = info->metadata();
  const auto http_status = metadata.find("httpStatus");
  Require(
      http_status != metadata.end() && http_status->second == absl::StrCat(response.status_code),
      "ErrorInfo.metadata.httpStatus is not the HTTP status");
  const auto target =
      metadata.find(context.target == ZoomTarget::kWebinar ? "webinarId" : "meetingId");
  Require(target != metadata.end() && target->second == context.target_id,
          "ErrorInfo.metadata does not name the caller's target");
  if (const auto tracking_id = metadata.find("trackingId"); tracking_id != metadata.end()) {
    Require(!tracking_id->second.empty() && tracking_id->second.size() <= kMaxTrackingIdBytes &&
                !HasControlCharacter(tracking_id->second),
            "ErrorInfo.metadata.trackingId is empty, too long or has a control character");
  }

  if (const std::optional<google::rpc::RetryInfo> retry =
          GetDetail<google::rpc::RetryInfo>(status)) {
    const absl::Duration delay = absl::Seconds(retry->retry_delay().seconds()) +
                                 absl::Nanoseconds(retry->retry_delay().nanos());
    Require(delay >= absl::ZeroDuration() && delay <= kMaxRetryAfter,
            "RetryInfo.retry_delay outside [0, kMaxRetryAfter]");
    Require(retry->retry_delay().nanos() >= 0 && retry->retry_delay().nanos() < 1000000000,
            "RetryInfo.retry_delay is not a normalized Duration");
  }
}

}  // namespace
}  // namespace livestream_gateway::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace livestream_gateway;  // NOLINT(google-build-using-namespace)
  const std::optional<HttpResponse> response =
      fuzz::ParseResponseText(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!response.has_value()) return -1;  // Not an answer: keep it out of the corpus.
  fuzz::CheckParsedError(response->body);
  fuzz::CheckMapping(*response, {ZoomTarget::kWebinar, "99289110036"});
  fuzz::CheckMapping(*response, {ZoomTarget::kMeeting, "9223372036854775807"});
  return 0;
}
