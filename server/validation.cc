#include "server/validation.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

using ::google::rpc::BadRequest;
using ::zoom::livestream::v1::LiveStreamAction_IsValid;
using ::zoom::livestream::v1::UpdateStatusRequest;

// A UUID's shape: each x a hexadecimal digit of either case.
constexpr absl::string_view kUuidShape = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

constexpr absl::string_view kInt64Max = "9223372036854775807";

BadRequest::FieldViolation Violation(absl::string_view field, absl::string_view description) {
  BadRequest::FieldViolation violation;
  violation.set_field(std::string(field));
  violation.set_description(std::string(description));
  return violation;
}

// Why `c` may not appear in a display name, if it may not: characters that
// change how the name (or the text around it) shows without showing
// themselves. General categories come from ICU's Unicode data, so new
// characters of these categories are refused as ICU learns them.
std::optional<absl::string_view> DisallowedIn(UChar32 c) {
  switch (u_charType(c)) {
    case U_CONTROL_CHAR:  // Cc: C0 and C1 controls, DEL.
      return "must not contain control characters";
    case U_FORMAT_CHAR:  // Cf: bidi overrides and isolates, zero-width characters, BOM, ...
      return "must not contain invisible formatting characters (Unicode category Cf, e.g. "
             "bidi overrides and isolates or zero-width characters)";
    case U_LINE_SEPARATOR:       // Zl: U+2028.
    case U_PARAGRAPH_SEPARATOR:  // Zp: U+2029.
      return "must not contain line or paragraph separators";
    default:
      return std::nullopt;
  }
}

std::optional<std::string> CheckDisplayName(absl::string_view name) {
  if (name.empty()) return "must not be empty";
  // ICU's offsets are int32_t; the request size limit keeps names far below.
  if (name.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return absl::StrFormat("must be at most %d characters (Unicode code points)",
                           kMaxDisplayNameCodePoints);
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(name.data());
  const auto length = static_cast<int32_t>(name.size());
  int code_points = 0;
  std::optional<std::pair<UChar32, absl::string_view>> disallowed;
  for (int32_t pos = 0; pos < length;) {
    UChar32 c;
    // Well-formed UTF-8 only (Unicode Table 3-7): overlong forms, surrogates
    // and values above U+10FFFF yield a negative c.
    U8_NEXT(bytes, pos, length, c);
    if (c < 0) return "must be valid UTF-8";
    ++code_points;
    if (!disallowed.has_value()) {
      if (std::optional<absl::string_view> why = DisallowedIn(c)) disallowed.emplace(c, *why);
    }
  }
  if (disallowed.has_value()) {
    return absl::StrFormat("%s (found U+%04X)", disallowed->second,
                           static_cast<uint32_t>(disallowed->first));
  }
  if (code_points > kMaxDisplayNameCodePoints) {
    return absl::StrFormat("must be at most %d characters (Unicode code points), got %d",
                           kMaxDisplayNameCodePoints, code_points);
  }
  return std::nullopt;
}

}  // namespace

// Digits only also means no path tricks ("../1", "1/../2", "%2F") can reach
// the Zoom URL.
std::optional<std::string> CheckZoomId(absl::string_view id) {
  bool well_formed = !id.empty() && id.size() <= kInt64Max.size() && id.front() != '0';
  for (char c : id) well_formed = well_formed && c >= '0' && c <= '9';
  if (!well_formed) return "must be a positive decimal integer of at most 19 digits";
  // Equal-length digit strings without leading zeros compare like numbers.
  if (id.size() == kInt64Max.size() && id > kInt64Max) {
    return absl::StrCat("must not exceed ", kInt64Max, " (Zoom IDs are int64)");
  }
  return std::nullopt;
}

std::optional<std::string> CheckRequestId(absl::string_view id) {
  if (id.empty()) return std::nullopt;
  bool valid = id.size() == kUuidShape.size();
  for (size_t i = 0; valid && i < id.size(); ++i) {
    valid = kUuidShape[i] == '-' ? id[i] == '-'
                                 : absl::ascii_isxdigit(static_cast<unsigned char>(id[i]));
  }
  if (valid) return std::nullopt;
  return "must be empty or a UUID: 8-4-4-4-12 hexadecimal digits, e.g. "
         "7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2f";
}

std::vector<BadRequest::FieldViolation> FindViolations(const UpdateStatusRequest& request) {
  std::vector<BadRequest::FieldViolation> violations;
  AppendTargetViolations(request, violations);

  const bool has_settings =
      request.has_settings() &&
      (request.settings().has_active_speaker_name() || request.settings().has_display_name());
  // Open enums let clients send numbers this server does not know; Zoom would
  // not know them either.
  if (!LiveStreamAction_IsValid(request.action())) {
    violations.push_back(Violation(
        "action", absl::StrCat("must be LIVE_STREAM_ACTION_UNSPECIFIED, LIVE_STREAM_ACTION_START "
                               "or LIVE_STREAM_ACTION_STOP, got ",
                               request.action())));
  } else if (request.action() == zoom::livestream::v1::LIVE_STREAM_ACTION_UNSPECIFIED &&
             !has_settings) {
    violations.push_back(Violation("action", "set action or at least one field of settings"));
  }

  if (request.settings().has_display_name()) {
    if (auto why = CheckDisplayName(request.settings().display_name())) {
      violations.push_back(Violation("settings.display_name", *why));
    }
  }
  if (auto why = CheckRequestId(request.request_id())) {
    violations.push_back(Violation("request_id", *std::move(why)));
  }
  return violations;
}

absl::Status ValidateUpdateStatusRequest(const UpdateStatusRequest& request) {
  return InvalidRequestError("UpdateStatusRequest", FindViolations(request));
}

absl::Status InvalidRequestError(absl::string_view message_name,
                                 std::vector<BadRequest::FieldViolation> violations) {
  if (violations.empty()) return absl::OkStatus();

  std::string message = absl::StrCat("invalid ", message_name, ": ");
  std::string fields;
  BadRequest bad_request;
  for (size_t i = 0; i < violations.size(); ++i) {
    const char* separator = i == 0 ? "" : "; ";
    absl::StrAppend(&message, separator, violations[i].field(), ": ", violations[i].description());
    absl::StrAppend(&fields, i == 0 ? "" : ",", violations[i].field());
    *bad_request.add_field_violations() = std::move(violations[i]);
  }
  absl::Status status = MakeError(absl::StatusCode::kInvalidArgument, message,
                                  ErrorReason::INVALID_REQUEST, {{"fields", std::move(fields)}});
  SetDetail(status, bad_request);
  return status;
}

}  // namespace livestream_gateway
