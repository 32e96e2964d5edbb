#include "server/live_stream_validation.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "server/live_stream_mask.h"
#include "server/validation.h"

namespace livestream_gateway {
namespace {

using ::google::rpc::BadRequest;
using ::zoom::livestream::v1::GetLiveStreamRequest;
using ::zoom::livestream::v1::LiveStream;
using ::zoom::livestream::v1::LiveStreamResolution_IsValid;
using ::zoom::livestream::v1::UpdateLiveStreamRequest;

void Add(std::vector<BadRequest::FieldViolation>& violations, absl::string_view field,
         std::string description) {
  BadRequest::FieldViolation& violation = violations.emplace_back();
  violation.set_field(std::string(field));
  violation.set_description(std::move(description));
}

// An absolute URL of one of `schemes` with a host, of printable ASCII
// without spaces (anything else must be percent-encoded), at most
// `max_bytes`. The URL is not quoted back.
std::optional<std::string> CheckUrl(absl::string_view url,
                                    std::initializer_list<absl::string_view> schemes,
                                    size_t max_bytes) {
  const std::string expected =
      absl::StrCat("must be an ", absl::StrJoin(schemes, ":// or "), ":// URL with a host");
  if (url.empty()) return absl::StrCat("must not be empty: ", expected);
  if (url.size() > max_bytes) {
    return absl::StrCat("must be at most ", max_bytes, " characters, got ", url.size());
  }
  if (!std::all_of(url.begin(), url.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return "must be printable ASCII without spaces (percent-encode anything else)";
  }
  const size_t separator = url.find("://");
  if (separator == absl::string_view::npos) return expected;
  const absl::string_view scheme = url.substr(0, separator);
  const bool known = std::any_of(schemes.begin(), schemes.end(), [scheme](absl::string_view s) {
    return absl::EqualsIgnoreCase(scheme, s);
  });
  const absl::string_view rest = url.substr(separator + 3);
  const absl::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (!known || host.empty()) return expected;
  return std::nullopt;
}

// Never quotes the key: it is a secret.
std::optional<std::string> CheckStreamKey(absl::string_view key) {
  if (key.empty()) return "must not be empty";
  if (key.size() > kMaxStreamKeyBytes) {
    return absl::StrCat("must be at most ", kMaxStreamKeyBytes, " characters, got ", key.size());
  }
  if (!std::all_of(key.begin(), key.end(),
                   [](char c) { return absl::ascii_isprint(static_cast<unsigned char>(c)); })) {
    return "must be printable ASCII characters";
  }
  return std::nullopt;
}

void AppendRequestIdViolation(absl::string_view request_id,
                              std::vector<BadRequest::FieldViolation>& violations) {
  if (auto why = CheckRequestId(request_id)) Add(violations, "request_id", *std::move(why));
}

}  // namespace

std::vector<BadRequest::FieldViolation> FindViolations(const GetLiveStreamRequest& request) {
  std::vector<BadRequest::FieldViolation> violations;
  AppendTargetViolations(request, violations);
  return violations;
}

std::vector<BadRequest::FieldViolation> FindViolations(const UpdateLiveStreamRequest& request) {
  std::vector<BadRequest::FieldViolation> violations;
  AppendTargetViolations(request, violations);
  // With a bad mask, what the request changes is unknown.
  if (std::optional<std::string> bad_mask = CheckUpdateMask(request.update_mask())) {
    Add(violations, "update_mask", *std::move(bad_mask));
    AppendRequestIdViolation(request.request_id(), violations);
    return violations;
  }
  const LiveStream& update = request.live_stream();
  const LiveStreamFields changed = FieldsToChange(request);
  if (changed.stream_url) {
    if (auto why = CheckUrl(update.stream_url(), {"rtmp", "rtmps"}, kMaxStreamUrlBytes)) {
      Add(violations, "live_stream.stream_url", *std::move(why));
    }
  }
  if (changed.stream_key) {
    if (auto why = CheckStreamKey(update.stream_key())) {
      Add(violations, "live_stream.stream_key", *std::move(why));
    }
  }
  if (changed.page_url) {
    if (auto why = CheckUrl(update.page_url(), {"http", "https"}, kMaxPageUrlBytes)) {
      Add(violations, "live_stream.page_url", *std::move(why));
    }
  }
  // Open enums let clients send numbers this server does not know; Zoom
  // would not know them either.
  if (changed.resolution && !LiveStreamResolution_IsValid(update.resolution())) {
    Add(violations, "live_stream.resolution",
        absl::StrCat("must be LIVE_STREAM_RESOLUTION_UNSPECIFIED, LIVE_STREAM_RESOLUTION_720P or "
                     "LIVE_STREAM_RESOLUTION_1080P, got ",
                     update.resolution()));
  }
  if (changed.Empty()) {
    Add(violations, "live_stream", "set at least one field, or name it in update_mask");
  }
  AppendRequestIdViolation(request.request_id(), violations);
  return violations;
}

absl::Status ValidateGetLiveStreamRequest(const GetLiveStreamRequest& request) {
  return InvalidRequestError("GetLiveStreamRequest", FindViolations(request));
}

absl::Status ValidateUpdateLiveStreamRequest(const UpdateLiveStreamRequest& request) {
  return InvalidRequestError("UpdateLiveStreamRequest", FindViolations(request));
}

}  // namespace livestream_gateway
