#ifndef LIVESTREAM_GATEWAY_SERVER_LIVE_STREAM_VALIDATION_H_
#define LIVESTREAM_GATEWAY_SERVER_LIVE_STREAM_VALIDATION_H_

// Checks GetLiveStream and UpdateLiveStream requests before anything is sent
// to Zoom, with the rules of validation.h for the target. A request that
// passes can be turned into Zoom calls without further checks
// (zoom/live_stream_request.h, live_stream_mask.h).

#include <cstddef>
#include <vector>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {

// Zoom's limits on the configuration's fields (bytes: the values are ASCII).
inline constexpr size_t kMaxStreamUrlBytes = 1024;
inline constexpr size_t kMaxStreamKeyBytes = 512;
inline constexpr size_t kMaxPageUrlBytes = 1024;

// One violation per bad field: `target` (or `webinar_id` / `meeting_id`).
std::vector<google::rpc::BadRequest::FieldViolation> FindViolations(
    const zoom::livestream::v1::GetLiveStreamRequest& request);

// One violation per bad field, in field order: `target` (or `webinar_id` /
// `meeting_id`), `live_stream.stream_url`, `live_stream.stream_key`,
// `live_stream.page_url`, `live_stream.resolution` (each only when the
// request changes it, see live_stream_mask.h), `live_stream` (nothing to
// change), `update_mask`, `request_id`. A description never quotes the
// stream key.
std::vector<google::rpc::BadRequest::FieldViolation> FindViolations(
    const zoom::livestream::v1::UpdateLiveStreamRequest& request);

// OK, or INVALID_ARGUMENT as InvalidRequestError() (validation.h) builds it.
absl::Status ValidateGetLiveStreamRequest(
    const zoom::livestream::v1::GetLiveStreamRequest& request);
absl::Status ValidateUpdateLiveStreamRequest(
    const zoom::livestream::v1::UpdateLiveStreamRequest& request);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LIVE_STREAM_VALIDATION_H_
