#ifndef LIVESTREAM_GATEWAY_SERVER_LOGGING_TRACEPARENT_H_
#define LIVESTREAM_GATEWAY_SERVER_LOGGING_TRACEPARENT_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace livestream_gateway {

// A W3C Trace Context `traceparent` header (https://www.w3.org/TR/trace-context/),
// "00-<trace-id>-<parent-id>-<flags>". The views point into the parsed header.
struct TraceParent {
  uint8_t version = 0;
  absl::string_view trace_id;   // 32 lower-case hex digits, not all zero
  absl::string_view parent_id;  // 16 lower-case hex digits, not all zero
  uint8_t flags = 0;
};

// The header's fields, or nullopt when it is not valid by the spec: only
// lower-case hex; version ff is invalid; version 00 is exactly 55
// characters; a later version is parsed by its version-00 prefix and may go
// on only after a `-`. An invalid header means no trace context at all.
std::optional<TraceParent> ParseTraceparent(absl::string_view header);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LOGGING_TRACEPARENT_H_
