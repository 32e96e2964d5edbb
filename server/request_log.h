#ifndef LIVESTREAM_GATEWAY_SERVER_REQUEST_LOG_H_
#define LIVESTREAM_GATEWAY_SERVER_REQUEST_LOG_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/logging/log_line.h"

namespace livestream_gateway {

// What one RPC did, for its single log line. Holds no secrets by design:
// there is no field a token or any header value could be put in (the trace
// id is parsed out of traceparent, never copied whole), and the one value
// quoted from Zoom comes through ZoomTrackingId() (error_mapping.h), which
// redacts.
struct RequestLogEntry {
  absl::string_view method;
  absl::string_view target;   // "webinar/123", "meeting/456" or "-"
  absl::string_view outcome;  // canonical code name, e.g. "OK" or "NOT_FOUND"
  absl::string_view reason;   // ErrorInfo reason, empty when OK
  absl::Duration latency;
  absl::string_view tracking_id;
  // The caller (server/authz/principal.h); "-" for nobody known.
  absl::string_view principal = "-";
  // From a valid W3C traceparent request header (logging/traceparent.h);
  // empty without one.
  absl::string_view trace_id;
  // The request's request_id (AIP-155), empty for none; not a secret.
  absl::string_view request_id;
  // A dry run (AIP-163 validate_only): nothing was sent to Zoom but a read.
  bool validate_only = false;
};

// The line, msg "rpc", with the fields method, principal, target, outcome,
// reason, latency_ms (a number), tracking_id, trace_id, request_id and
// validate_only (true) in that order; reason, tracking_id, trace_id and
// request_id only when not empty, validate_only only when set.
std::string FormatRequestLogLine(const RequestLogEntry& entry, LogFormat format, absl::Time time);

// Writes the line through the process's logger (logging/logger.h).
void WriteRequestLog(const RequestLogEntry& entry);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_REQUEST_LOG_H_
