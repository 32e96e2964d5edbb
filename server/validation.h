#ifndef LIVESTREAM_GATEWAY_SERVER_VALIDATION_H_
#define LIVESTREAM_GATEWAY_SERVER_VALIDATION_H_

// Checks an UpdateStatusRequest before anything is sent to Zoom. Every rule is
// here, so a request that passes can be turned into a Zoom call without
// further checks (see zoom/zoom_request.h).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {

// Zoom's limit on settings.display_name, in Unicode code points.
inline constexpr int kMaxDisplayNameCodePoints = 50;

// nullopt when `id` is a valid Zoom webinar or meeting ID (a positive decimal
// integer within int64), else why it is not.
std::optional<std::string> CheckZoomId(absl::string_view id);

// nullopt when `id` is a valid request_id (AIP-155): empty (none), or a UUID
// of 8-4-4-4-12 hexadecimal digits in either case; else why it is not.
std::optional<std::string> CheckRequestId(absl::string_view id);

// The violation of a request's `target` oneof (webinar_id / meeting_id),
// if any, appended to `violations`: every request naming a webinar or
// meeting follows the same rules.
template <typename Request>
void AppendTargetViolations(const Request& request,
                            std::vector<google::rpc::BadRequest::FieldViolation>& violations) {
  const char* field = nullptr;
  std::optional<std::string> why;
  if (request.has_webinar_id()) {
    field = "webinar_id";
    why = CheckZoomId(request.webinar_id());
  } else if (request.has_meeting_id()) {
    field = "meeting_id";
    why = CheckZoomId(request.meeting_id());
  } else {
    field = "target";
    why = "set webinar_id or meeting_id";
  }
  if (!why.has_value()) return;
  google::rpc::BadRequest::FieldViolation& violation = violations.emplace_back();
  violation.set_field(field);
  violation.set_description(*std::move(why));
}

// OK when `violations` is empty, else INVALID_ARGUMENT with one BadRequest
// (every violation) and one ErrorInfo (reason INVALID_REQUEST, metadata
// `fields` = the bad field paths, comma-separated); the message, e.g.
// "invalid UpdateStatusRequest: webinar_id: must be ...; action: ...", names
// `message_name`.
absl::Status InvalidRequestError(absl::string_view message_name,
                                 std::vector<google::rpc::BadRequest::FieldViolation> violations);

// One violation per bad field, in field order: `target` (or `webinar_id` /
// `meeting_id`), `action`, `settings.display_name`, `request_id`. Empty when
// the request is valid.
std::vector<google::rpc::BadRequest::FieldViolation> FindViolations(
    const zoom::livestream::v1::UpdateStatusRequest& request);

// OK, or INVALID_ARGUMENT with one BadRequest (every violation) and one
// ErrorInfo (reason INVALID_REQUEST, metadata `fields` = the bad field paths,
// comma-separated). The message lists every violation, e.g.
// "invalid UpdateStatusRequest: webinar_id: must be a positive decimal integer
// of at most 19 digits; settings.display_name: must not be empty".
absl::Status ValidateUpdateStatusRequest(const zoom::livestream::v1::UpdateStatusRequest& request);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_VALIDATION_H_
