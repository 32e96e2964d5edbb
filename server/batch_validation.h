#ifndef LIVESTREAM_GATEWAY_SERVER_BATCH_VALIDATION_H_
#define LIVESTREAM_GATEWAY_SERVER_BATCH_VALIDATION_H_

// Checks a BatchUpdateStatusRequest as a whole. Its items are checked one by
// one (validation.h) when the batch runs: an invalid item fails alone.

#include "absl/status/status.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {

// The most items a batch may hold (AIP-233 asks for a documented limit).
inline constexpr int kMaxBatchItems = 100;

// OK, or INVALID_ARGUMENT with one BadRequest naming every bad field of the
// batch itself: `requests` (none, or more than kMaxBatchItems),
// `requests[i].validate_only` and `requests[i].request_id` (set on an item:
// both belong to the batch), and `request_id` (not a UUID).
absl::Status ValidateBatchUpdateStatusRequest(
    const zoom::livestream::v1::BatchUpdateStatusRequest& request);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_BATCH_VALIDATION_H_
