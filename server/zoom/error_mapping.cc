#include "server/zoom/error_mapping.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "server/error_details.h"
#include "server/zoom/retry_after.h"
#include "server/zoom/upstream_text.h"

namespace livestream_gateway {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;

// Doubles hold every integer up to 2^53 exactly; beyond that a "code" is not
// one Zoom could have meant.
constexpr double kMaxExactInteger = 9007199254740992.0;

const std::string* StringMember(const Struct& object, const std::string& key) {
  auto it = object.fields().find(key);
  if (it == object.fields().end() || it->second.kind_case() != Value::kStringValue) return nullptr;
  return &it->second.string_value();
}

enum class Kind {
  kTargetNotFound,
  kUserNotFound,
  kInvalidRequest,
  kPrecondition,
  kPermissionDenied,
  kUnauthenticated,
  kRateLimited,
  kUnavailable,
  kRejected,
  kUnexpected,
};

Kind Classify(int http_status, std::optional<int64_t> zoom_code) {
  if (http_status == 400 && zoom_code.has_value()) {
    switch (*zoom_code) {
      case 3001:
        return Kind::kTargetNotFound;
      case 1001:
        return Kind::kUserNotFound;
      case 300:
        return Kind::kInvalidRequest;
      case 200:
      case 3000:
        return Kind::kPrecondition;
      case 1010:
      case 3161:
      case 4711:
        return Kind::kPermissionDenied;
      default:
        break;
    }
  }
  switch (http_status) {
    case 400:
      return Kind::kRejected;
    case 401:
      return Kind::kUnauthenticated;
    case 403:
      return Kind::kPermissionDenied;
    case 404:
      return zoom_code == 1001 ? Kind::kUserNotFound : Kind::kTargetNotFound;
    case 429:
      return Kind::kRateLimited;
    case 500:
    case 502:
    case 503:
    case 504:
      return Kind::kUnavailable;
    default:
      return Kind::kUnexpected;
  }
}

// google/rpc/code.proto's "HTTP Mapping" comments, read from HTTP to code.
absl::StatusCode CodeForUnexpectedStatus(int http_status) {
  switch (http_status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAborted;
    case 412:
      return absl::StatusCode::kFailedPrecondition;
    case 416:
      return absl::StatusCode::kOutOfRange;
    case 499:
      return absl::StatusCode::kCancelled;
    case 501:
      return absl::StatusCode::kUnimplemented;
    default:
      break;
  }
  if (http_status >= 400 && http_status <= 499) return absl::StatusCode::kFailedPrecondition;
  if (http_status >= 500 && http_status <= 599) return absl::StatusCode::kInternal;
  return absl::StatusCode::kUnknown;
}

absl::string_view TargetNoun(ZoomTarget target) {
  return target == ZoomTarget::kWebinar ? "webinar" : "meeting";
}

std::pair<std::string, std::string> TargetMetadata(const ZoomCallContext& context) {
  return {context.target == ZoomTarget::kWebinar ? "webinarId" : "meetingId", context.target_id};
}

std::string Message(int http_status, const ZoomCallContext& context, const ZoomError& error) {
  absl::string_view verb = "Zoom rejected the request";
  if (http_status >= 500 && http_status <= 599) {
    verb = "Zoom failed the request";
  } else if (http_status < 400 || http_status > 599) {
    verb = "Zoom gave an unexpected answer to the request";
  }
  std::string message = absl::StrCat(verb, " for ", TargetNoun(context.target), " ",
                                     context.target_id, " (HTTP ", http_status);
  if (error.code.has_value()) absl::StrAppend(&message, ", Zoom code ", *error.code);
  message.push_back(')');
  if (!error.message.empty()) absl::StrAppend(&message, ": ", error.message);
  return message;
}

void SetRetryInfo(absl::Status& status, std::optional<absl::Duration> delay) {
  if (!delay.has_value()) return;
  google::rpc::RetryInfo retry;
  absl::Duration fraction;
  const int64_t seconds = absl::IDivDuration(*delay, absl::Seconds(1), &fraction);
  retry.mutable_retry_delay()->set_seconds(seconds);
  retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(fraction)));
  SetDetail(status, retry);
}

}  // namespace

// A 64 KiB body of '[' takes protobuf's parser minutes, and each array
// element several microseconds; Zoom's bodies nest 3 deep with a few members.
bool WithinZoomJsonShapeBudget(absl::string_view body) {
  int depth = 0;
  size_t members = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        if (++depth > kMaxZoomErrorJsonDepth) return false;
        break;
      case '}':
      case ']':
        if (--depth < 0) return false;  // Unbalanced: not JSON anyway.
        break;
      case ',':
      case ':':
        if (++members > kMaxZoomErrorJsonMembers) return false;
        break;
      default:
        break;
    }
  }
  return true;
}

std::optional<ZoomError> ParseZoomError(absl::string_view body, const Redactor& redactor) {
  if (body.size() > kMaxZoomErrorBodyBytes || !WithinZoomJsonShapeBudget(body)) return std::nullopt;
  Struct object;
  const google::protobuf::StringPiece json(body.data(), body.size());
  if (!google::protobuf::util::JsonStringToMessage(json, &object).ok()) return std::nullopt;

  ZoomError error;
  if (auto it = object.fields().find("code");
      it != object.fields().end() && it->second.kind_case() == Value::kNumberValue) {
    const double code = it->second.number_value();
    if (std::isfinite(code) && std::trunc(code) == code && std::fabs(code) <= kMaxExactInteger) {
      error.code = static_cast<int64_t>(code);
    }
  }
  if (const std::string* message = StringMember(object, "message")) {
    error.message = UpstreamText(*message, kMaxZoomMessageBytes, redactor);
  }
  if (auto it = object.fields().find("errors");
      it != object.fields().end() && it->second.kind_case() == Value::kListValue) {
    for (const Value& entry : it->second.list_value().values()) {
      if (error.field_errors.size() == kMaxZoomFieldErrors) break;
      if (entry.kind_case() != Value::kStructValue) continue;
      const std::string* field = StringMember(entry.struct_value(), "field");
      const std::string* message = StringMember(entry.struct_value(), "message");
      if (field == nullptr && message == nullptr) continue;
      error.field_errors.emplace_back(
          field == nullptr ? "" : UpstreamText(*field, kMaxZoomFieldBytes, redactor),
          message == nullptr ? "" : UpstreamText(*message, kMaxZoomFieldMessageBytes, redactor));
    }
  }
  return error;
}

std::string ZoomTrackingId(const HttpResponse& response, const Redactor& redactor) {
  const std::string* tracking_id = response.FindHeader("x-zm-trackingid");
  return tracking_id == nullptr ? "" : UpstreamText(*tracking_id, kMaxTrackingIdBytes, redactor);
}

absl::Status MapZoomResponse(const HttpResponse& response, const ZoomCallContext& context,
                             absl::Time now) {
  const int http_status = response.status_code;
  if (http_status >= 200 && http_status <= 299) return absl::OkStatus();

  // A truncated body is incomplete JSON at best; never guess from a prefix.
  std::optional<ZoomError> parsed;
  if (!response.body_truncated) parsed = ParseZoomError(response.body, context.redactor);
  const ZoomError error = parsed.value_or(ZoomError{});

  std::vector<std::pair<std::string, std::string>> metadata;
  metadata.reserve(4);
  metadata.emplace_back("httpStatus", absl::StrCat(http_status));
  if (error.code.has_value()) metadata.emplace_back("zoomCode", absl::StrCat(*error.code));
  if (std::string tracking_id = ZoomTrackingId(response, context.redactor); !tracking_id.empty()) {
    metadata.emplace_back("trackingId", std::move(tracking_id));
  }
  metadata.push_back(TargetMetadata(context));

  const std::string message = Message(http_status, context, error);
  const absl::string_view subject_collection =
      context.target == ZoomTarget::kWebinar ? "webinars/" : "meetings/";
  const auto retry_after = [&response, now]() -> std::optional<absl::Duration> {
    const std::string* value = response.FindHeader("retry-after");
    if (value == nullptr) return std::nullopt;
    return ParseRetryAfter(*value, now);
  };

  const Kind kind = Classify(http_status, error.code);
  absl::Status status;
  switch (kind) {
    case Kind::kTargetNotFound:
    case Kind::kUserNotFound: {
      const bool user = kind == Kind::kUserNotFound;
      const bool webinar = context.target == ZoomTarget::kWebinar;
      status = MakeError(absl::StatusCode::kNotFound, message,
                         user      ? ErrorReason::ZOOM_USER_NOT_FOUND
                         : webinar ? ErrorReason::ZOOM_WEBINAR_NOT_FOUND
                                   : ErrorReason::ZOOM_MEETING_NOT_FOUND,
                         std::move(metadata));
      google::rpc::ResourceInfo resource;
      resource.set_resource_type(user      ? "zoom.us/User"
                                 : webinar ? "zoom.us/Webinar"
                                           : "zoom.us/Meeting");
      // Zoom does not say which user; only our own target's ID is known.
      if (!user) resource.set_resource_name(context.target_id);
      resource.set_description(error.message);
      SetDetail(status, resource);
      break;
    }
    case Kind::kInvalidRequest: {
      status = MakeError(absl::StatusCode::kInvalidArgument, message,
                         ErrorReason::ZOOM_INVALID_REQUEST, std::move(metadata));
      if (!error.field_errors.empty()) {
        google::rpc::BadRequest bad_request;
        for (const auto& [field, description] : error.field_errors) {
          auto* violation = bad_request.add_field_violations();
          violation->set_field(field);
          violation->set_description(description);
        }
        SetDetail(status, bad_request);
      }
      break;
    }
    case Kind::kPrecondition: {
      status = MakeError(absl::StatusCode::kFailedPrecondition, message,
                         ErrorReason::ZOOM_LIVESTREAM_PRECONDITION_FAILED, std::move(metadata));
      google::rpc::PreconditionFailure failure;
      auto* violation = failure.add_violations();
      violation->set_type(absl::StrCat("zoom.us/ZOOM_CODE_", error.code.value_or(0)));
      violation->set_subject(absl::StrCat(subject_collection, context.target_id));
      violation->set_description(error.message);
      SetDetail(status, failure);
      break;
    }
    case Kind::kPermissionDenied:
      status = MakeError(absl::StatusCode::kPermissionDenied, message,
                         ErrorReason::ZOOM_PERMISSION_DENIED, std::move(metadata));
      break;
    case Kind::kUnauthenticated:
      status = MakeError(absl::StatusCode::kUnauthenticated, message,
                         ErrorReason::ZOOM_UNAUTHENTICATED, std::move(metadata));
      break;
    case Kind::kRateLimited: {
      status = MakeError(absl::StatusCode::kResourceExhausted, message,
                         ErrorReason::ZOOM_RATE_LIMITED, std::move(metadata));
      google::rpc::QuotaFailure quota;
      auto* violation = quota.add_violations();
      violation->set_subject("zoom.us/account");
      violation->set_description(error.message.empty() ? "Zoom rate limit exceeded"
                                                       : error.message);
      SetDetail(status, quota);
      SetRetryInfo(status, retry_after());
      break;
    }
    case Kind::kUnavailable:
      status = MakeError(absl::StatusCode::kUnavailable, message, ErrorReason::ZOOM_UNAVAILABLE,
                         std::move(metadata));
      SetRetryInfo(status, retry_after());
      break;
    case Kind::kRejected:
      status = MakeError(absl::StatusCode::kInvalidArgument, message,
                         ErrorReason::ZOOM_REQUEST_REJECTED, std::move(metadata));
      break;
    case Kind::kUnexpected:
      status = MakeError(CodeForUnexpectedStatus(http_status), message,
                         ErrorReason::ZOOM_UNEXPECTED_STATUS, std::move(metadata));
      break;
  }
  return status;
}

absl::Status MapTransportError(const absl::Status& transport_error, Delivery delivery,
                               const ZoomCallContext& context) {
  absl::StatusCode code = absl::StatusCode::kUnavailable;
  ErrorReason reason = ErrorReason::ZOOM_UNREACHABLE;
  absl::string_view what = delivery == Delivery::kNotDelivered
                               ? "could not reach Zoom"
                               : "Zoom may have received the request, but no answer came";
  if (transport_error.code() == absl::StatusCode::kDeadlineExceeded) {
    code = absl::StatusCode::kDeadlineExceeded;
    reason = ErrorReason::ZOOM_TIMEOUT;
    what = "Zoom did not answer in time";
  } else if (transport_error.code() == absl::StatusCode::kCancelled) {
    code = absl::StatusCode::kCancelled;
    reason = ErrorReason::CANCELLED;
    what = "request to Zoom cancelled";
  } else if (transport_error.code() == absl::StatusCode::kUnknown) {
    // A request not safe to repeat may have reached Zoom: UNAVAILABLE would
    // make clients repeat it on their own (AIP-194).
    code = absl::StatusCode::kUnknown;
  }
  std::string message =
      absl::StrCat(what, " for ", TargetNoun(context.target), " ", context.target_id);
  if (!transport_error.message().empty()) {
    absl::StrAppend(&message, ": ", transport_error.message());
  }
  return MakeError(code, message, reason,
                   {TargetMetadata(context), {"delivered", std::string(DeliveryName(delivery))}});
}

absl::Status MapInvalidZoomAnswer(const HttpResponse& response, const ZoomCallContext& context,
                                  absl::string_view why) {
  std::vector<std::pair<std::string, std::string>> metadata;
  metadata.reserve(3);
  metadata.emplace_back("httpStatus", absl::StrCat(response.status_code));
  if (std::string tracking_id = ZoomTrackingId(response, context.redactor); !tracking_id.empty()) {
    metadata.emplace_back("trackingId", std::move(tracking_id));
  }
  metadata.push_back(TargetMetadata(context));
  return MakeError(
      absl::StatusCode::kUnavailable,
      absl::StrCat("Zoom's answer for ", TargetNoun(context.target), " ", context.target_id,
                   " (HTTP ", response.status_code, ") is not what the endpoint documents: ", why),
      ErrorReason::ZOOM_INVALID_RESPONSE, std::move(metadata));
}

absl::Status MapShutdownAbort(Delivery delivery, const ZoomCallContext& context) {
  return MakeError(absl::StatusCode::kUnavailable,
                   absl::StrCat("the server is shutting down and ended the call before Zoom "
                                "answered for ",
                                TargetNoun(context.target), " ", context.target_id),
                   ErrorReason::SERVER_SHUTTING_DOWN,
                   {TargetMetadata(context), {"delivered", std::string(DeliveryName(delivery))}});
}

}  // namespace livestream_gateway
