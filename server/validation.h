#ifndef LIVESTREAM_GATEWAY_SERVER_VALIDATION_H_
#define LIVESTREAM_GATEWAY_SERVER_VALIDATION_H_

// Checks an UpdateStatusRequest before anything is sent to Zoom. Every rule is
// here, so a request that passes can be turned into a Zoom call without
// further checks (see zoom/zoom_request.h).

#include <vector>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {

// Zoom's limit on settings.display_name, in Unicode code points.
inline constexpr int kMaxDisplayNameCodePoints = 50;

// One violation per bad field, in field order: `target` (or `webinar_id` /
// `meeting_id`), `action`, `settings.display_name`. Empty when the request is
// valid.
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
