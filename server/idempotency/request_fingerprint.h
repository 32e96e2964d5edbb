#ifndef LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_REQUEST_FINGERPRINT_H_
#define LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_REQUEST_FINGERPRINT_H_

#include <array>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace livestream_gateway::idempotency {

// What a repeat of a request_id is compared by: SHA-256 of the request's
// canonical bytes. A store that found two different requests equal would
// answer one caller's request with the outcome of another, so the hash is a
// cryptographic one (a 64-bit hash such as absl::Hash can be made to collide
// on purpose by whoever chooses request bodies).
using Fingerprint = std::array<uint8_t, 32>;

// SHA-256 of `canonical_bytes`: the request serialized deterministically
// (protobuf's SetSerializationDeterministic) with request_id cleared, so that
// a repeat matches its first whatever id it carries and however the caller's
// encoder ordered the fields.
Fingerprint RequestFingerprint(absl::string_view canonical_bytes);

}  // namespace livestream_gateway::idempotency

#endif  // LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_REQUEST_FINGERPRINT_H_
