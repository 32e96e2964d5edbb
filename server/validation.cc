#include "server/validation.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

using ::google::rpc::BadRequest;
using ::zoom::livestream::v1::LiveStreamAction_IsValid;
using ::zoom::livestream::v1::UpdateStatusRequest;

constexpr absl::string_view kInt64Max = "9223372036854775807";

BadRequest::FieldViolation Violation(absl::string_view field, absl::string_view description) {
  BadRequest::FieldViolation violation;
  violation.set_field(std::string(field));
  violation.set_description(std::string(description));
  return violation;
}

// nullopt when `id` is acceptable, else why not. Digits only also means no
// path tricks ("../1", "1/../2", "%2F") can reach the Zoom URL.
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

// Decodes one code point of well-formed UTF-8 (RFC 3629; Unicode Table 3-7)
// starting at `*pos` and advances past it. Overlong forms, surrogates and
// values above U+10FFFF are ill-formed and yield nullopt.
std::optional<char32_t> DecodeUtf8(absl::string_view s, size_t* pos) {
  const auto byte = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(*pos);
  if (lead < 0x80) {
    ++*pos;
    return lead;
  }
  int length;
  char32_t code_point;
  unsigned char min_second = 0x80;  // Tighter bounds on the second byte rule
  unsigned char max_second = 0xBF;  // out overlongs, surrogates and > U+10FFFF.
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
    if (lead == 0xE0) min_second = 0xA0;
    if (lead == 0xED) max_second = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
    if (lead == 0xF0) min_second = 0x90;
    if (lead == 0xF4) max_second = 0x8F;
  } else {
    return std::nullopt;
  }
  if (s.size() - *pos < static_cast<size_t>(length)) return std::nullopt;
  for (int i = 1; i < length; ++i) {
    const unsigned char next = byte(*pos + i);
    const unsigned char lo = i == 1 ? min_second : 0x80;
    const unsigned char hi = i == 1 ? max_second : 0xBF;
    if (next < lo || next > hi) return std::nullopt;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  *pos += length;
  return code_point;
}

bool IsControl(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }

std::optional<std::string> CheckDisplayName(absl::string_view name) {
  if (name.empty()) return "must not be empty";
  int code_points = 0;
  std::optional<char32_t> control;
  for (size_t pos = 0; pos < name.size();) {
    std::optional<char32_t> c = DecodeUtf8(name, &pos);
    if (!c.has_value()) return "must be valid UTF-8";
    ++code_points;
    if (!control.has_value() && IsControl(*c)) control = *c;
  }
  if (control.has_value()) {
    return absl::StrFormat("must not contain control characters (found U+%04X)",
                           static_cast<uint32_t>(*control));
  }
  if (code_points > kMaxDisplayNameCodePoints) {
    return absl::StrFormat("must be at most %d characters (Unicode code points), got %d",
                           kMaxDisplayNameCodePoints, code_points);
  }
  return std::nullopt;
}

}  // namespace

std::vector<BadRequest::FieldViolation> FindViolations(const UpdateStatusRequest& request) {
  std::vector<BadRequest::FieldViolation> violations;
  switch (request.target_case()) {
    case UpdateStatusRequest::kWebinarId:
      if (auto why = CheckZoomId(request.webinar_id())) {
        violations.push_back(Violation("webinar_id", *why));
      }
      break;
    case UpdateStatusRequest::kMeetingId:
      if (auto why = CheckZoomId(request.meeting_id())) {
        violations.push_back(Violation("meeting_id", *why));
      }
      break;
    case UpdateStatusRequest::TARGET_NOT_SET:
      violations.push_back(Violation("target", "set webinar_id or meeting_id"));
      break;
  }

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
  return violations;
}

absl::Status ValidateUpdateStatusRequest(const UpdateStatusRequest& request) {
  std::vector<BadRequest::FieldViolation> violations = FindViolations(request);
  if (violations.empty()) return absl::OkStatus();

  std::string message = "invalid UpdateStatusRequest: ";
  std::string fields;
  BadRequest bad_request;
  for (size_t i = 0; i < violations.size(); ++i) {
    const char* separator = i == 0 ? "" : "; ";
    absl::StrAppend(&message, separator, violations[i].field(), ": ", violations[i].description());
    absl::StrAppend(&fields, i == 0 ? "" : ",", violations[i].field());
    *bad_request.add_field_violations() = std::move(violations[i]);
  }
  absl::Status status = MakeError(absl::StatusCode::kInvalidArgument, message, "INVALID_REQUEST",
                                  {{"fields", std::move(fields)}});
  SetDetail(status, bad_request);
  return status;
}

}  // namespace livestream_gateway
