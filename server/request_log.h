#ifndef LIVESTREAM_GATEWAY_SERVER_REQUEST_LOG_H_
#define LIVESTREAM_GATEWAY_SERVER_REQUEST_LOG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace livestream_gateway {

// What one RPC did, for its single log line. Holds no secrets by design:
// there is no field a token could be put in, and the one value quoted from
// Zoom comes through ZoomTrackingId() (error_mapping.h), which redacts.
struct RequestLogEntry {
  absl::string_view method;
  // The caller (server/authz/principal.h); empty when it has none.
  absl::string_view principal;
  absl::string_view target;   // "webinar/123", "meeting/456" or "-"
  absl::string_view outcome;  // canonical code name, e.g. "OK" or "NOT_FOUND"
  absl::string_view reason;   // ErrorInfo reason, empty when OK
  absl::Duration latency;
  absl::string_view tracking_id;
};

// One line, logfmt style, so log pipelines can parse it without a schema. A
// value that is not printable ASCII is quoted with C-style hex escapes, so
// the line is one line of ASCII whatever the values hold.
std::string FormatRequestLogLine(const RequestLogEntry& entry);

// RFC 3339 UTC with milliseconds, e.g. 2026-11-26T01:02:03.004Z (the same as
// absl::FormatTime with "%Y-%m-%dT%H:%M:%E3SZ", at a fraction of the cost).
std::string FormatLogTimestamp(absl::Time time);

// Writes the line to stderr with a single write(2), so lines from concurrent
// calls never interleave.
void WriteRequestLog(const RequestLogEntry& entry);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_REQUEST_LOG_H_
