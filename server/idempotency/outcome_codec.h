#ifndef LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_OUTCOME_CODEC_H_
#define LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_OUTCOME_CODEC_H_

// An Outcome as bytes, for replicas that share request_id outcomes through
// Redis (shared_request_ids.h). What comes back from Redis is untrusted: the
// decoder checks every length and the code, and refuses more than a bound.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/idempotency/request_id_store.h"

namespace livestream_gateway::idempotency {

// Version 1: code (1 byte), message, payload count (2 bytes) and each
// payload's type URL and bytes, then the response; every text prefixed by
// its length (4 bytes, little-endian).
std::string EncodeOutcome(const Outcome& outcome);

// Fails on anything EncodeOutcome would not write, and on an outcome of
// more than `max_bytes` (as OutcomeBytes counts them).
absl::StatusOr<Outcome> DecodeOutcome(absl::string_view bytes, size_t max_bytes);

}  // namespace livestream_gateway::idempotency

#endif  // LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_OUTCOME_CODEC_H_
