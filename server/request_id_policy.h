#ifndef LIVESTREAM_GATEWAY_SERVER_REQUEST_ID_POLICY_H_
#define LIVESTREAM_GATEWAY_SERVER_REQUEST_ID_POLICY_H_

// What the service does with a request_id (AIP-155) besides the store's own
// bookkeeping (idempotency/request_id_store.h): which outcomes a repeat is
// answered with, and the errors of the store's refusals.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/idempotency/request_id_store.h"

namespace livestream_gateway {

// The store's `remember` policy. Every outcome is remembered except the
// failures that say nothing reached Zoom and a retry may succeed: UNAVAILABLE,
// RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, ABORTED or CANCELLED whose ErrorInfo
// says `delivered` "no", or is the gateway's own rate-limit refusal
// (ZOOM_RATE_LIMITED, `limitedBy` "gateway", which comes before sending). A
// repeat of those must try again rather than be told the same again.
bool RememberOutcome(const idempotency::Outcome& outcome);

// The batch store's `remember` policy: a batch's results (an OK outcome) are
// remembered unless every item failed in a way RememberOutcome forgets, so
// that a repeat does not send again what may have reached Zoom.
bool RememberBatchOutcome(const idempotency::Outcome& outcome);

// The store's key of a request: request_id is case-insensitive (a UUID), so
// the key holds it in lower case.
idempotency::RequestKey RequestKeyOf(absl::string_view principal, absl::string_view method,
                                     absl::string_view request_id);

// INVALID_ARGUMENT REQUEST_ID_REUSED, with a BadRequest on `request_id`: the
// id's first request had another body.
absl::Status RequestIdReusedError();

// RESOURCE_EXHAUSTED REQUEST_ID_STORE_FULL: every entry is
// in flight, or too many repeats wait on this one.
absl::Status RequestIdStoreFullError();

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_REQUEST_ID_POLICY_H_
