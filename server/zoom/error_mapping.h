#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_ERROR_MAPPING_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_ERROR_MAPPING_H_

// Turns Zoom's answers (and failures to get one) into rich absl::Status
// errors: a canonical code, a message quoting Zoom, exactly one ErrorInfo and
// the google.rpc details that help a client react (see error_details.h).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/zoom/http.h"
#include "server/zoom/redactor.h"

namespace livestream_gateway {

enum class ZoomTarget { kWebinar, kMeeting };

struct ZoomCallContext {
  ZoomTarget target;
  // The validated webinar or meeting ID.
  std::string target_id;
  // Credentials that text quoted from Zoom must not carry (see
  // upstream_text.h): the server's and the call's own.
  Redactor redactor = {};
};

// Zoom's error body: {"code":N,"message":"...","errors":[{"field","message"}]}.
struct ZoomError {
  std::optional<int64_t> code;
  std::string message;
  // (field, message) pairs from `errors`.
  std::vector<std::pair<std::string, std::string>> field_errors;
};

// Bounds on what is taken from an untrusted body. They keep the error that
// quotes it well inside gRPC's default 8 KiB limit on trailing metadata.
inline constexpr size_t kMaxZoomErrorBodyBytes = 64 * 1024;
// Nesting depth and count of `,`/`:` beyond which a body is not parsed at all
// (Zoom's errors nest 3 deep); they bound the JSON parser's CPU time.
inline constexpr int kMaxZoomErrorJsonDepth = 8;
inline constexpr size_t kMaxZoomErrorJsonMembers = 512;
inline constexpr size_t kMaxZoomMessageBytes = 512;
inline constexpr size_t kMaxZoomFieldErrors = 8;
inline constexpr size_t kMaxZoomFieldBytes = 64;
inline constexpr size_t kMaxZoomFieldMessageBytes = 128;
inline constexpr size_t kMaxTrackingIdBytes = 128;

// Whether `body` is shaped within the depth and member bounds above, by a
// linear scan: protobuf's JSON parser (3.21) takes time quadratic in nesting
// depth, so a body beyond them is not handed to it. Not a JSON check.
bool WithinZoomJsonShapeBudget(absl::string_view body);

// Parses a Zoom error body with protobuf's JSON parser. nullopt unless the body
// is a JSON object within the bounds above. Members of the wrong type
// are ignored: `code` must be an integral number within ±2^53; strings pass
// through UpstreamText() (redacted, cleaned, cut to the bounds above).
std::optional<ZoomError> ParseZoomError(absl::string_view body, const Redactor& redactor);

// Zoom's `x-zm-trackingid` through UpstreamText(), at most
// kMaxTrackingIdBytes; empty when Zoom sent none.
std::string ZoomTrackingId(const HttpResponse& response, const Redactor& redactor);

// OK for 2xx. Otherwise an error whose message quotes Zoom, e.g.
// "Zoom rejected the request for webinar 123 (HTTP 400, Zoom code 3001):
// Webinar does not exist: 123.", with exactly one ErrorInfo (domain
// kErrorDomain; metadata `httpStatus`, `webinarId` or `meetingId`, and
// `zoomCode` and `trackingId` (ZoomTrackingId()) when Zoom sent them). Text
// from Zoom is redacted with `context.redactor`:
//
//   HTTP 400 code 3001, any 404  NOT_FOUND  ZOOM_WEBINAR_NOT_FOUND or
//                                           ZOOM_MEETING_NOT_FOUND
//                                           + ResourceInfo
//   HTTP 400/404 code 1001       NOT_FOUND  ZOOM_USER_NOT_FOUND + ResourceInfo
//   HTTP 400 code 300            INVALID_ARGUMENT  ZOOM_INVALID_REQUEST
//                                           + BadRequest (from `errors`)
//   HTTP 400 code 200, 3000      FAILED_PRECONDITION
//                                           ZOOM_LIVESTREAM_PRECONDITION_FAILED
//                                           + PreconditionFailure
//   HTTP 400 code 1010/3161/4711, any 403   PERMISSION_DENIED
//                                           ZOOM_PERMISSION_DENIED
//   401                          UNAUTHENTICATED  ZOOM_UNAUTHENTICATED
//   429                          RESOURCE_EXHAUSTED  ZOOM_RATE_LIMITED
//                                           + QuotaFailure (+ RetryInfo)
//   500, 502, 503, 504           UNAVAILABLE  ZOOM_UNAVAILABLE (+ RetryInfo)
//   other 400                    INVALID_ARGUMENT  ZOOM_REQUEST_REJECTED
//   anything else                google/rpc/code.proto's HTTP mapping read
//                                backwards, ZOOM_UNEXPECTED_STATUS
//
// RetryInfo appears when Retry-After parses (see retry_after.h, relative to
// `now`). An unparseable, truncated or oversized body maps by HTTP status
// alone.
absl::Status MapZoomResponse(const HttpResponse& response, const ZoomCallContext& context,
                             absl::Time now);

// A transport failure (see UpstreamResult) and whether the request may have
// reached Zoom: DEADLINE_EXCEEDED -> DEADLINE_EXCEEDED
// ZOOM_TIMEOUT, CANCELLED -> CANCELLED CANCELLED, UNKNOWN (may have reached
// Zoom, not safe to repeat) -> UNKNOWN ZOOM_UNREACHABLE, anything else ->
// UNAVAILABLE ZOOM_UNREACHABLE. ErrorInfo metadata `delivered` is `delivery`
// ("no" or "maybe"). The transport's message is kept (it never holds
// secrets), prefixed with the target.
absl::Status MapTransportError(const absl::Status& transport_error, Delivery delivery,
                               const ZoomCallContext& context);

// A 2xx answer whose body is not what the endpoint documents (`why` says
// how, and never quotes the body): UNAVAILABLE ZOOM_INVALID_RESPONSE, as a
// proxy answers 502 to a garbled upstream answer. ErrorInfo metadata as for
// MapZoomResponse (`httpStatus`, `trackingId`, the target).
absl::Status MapInvalidZoomAnswer(const HttpResponse& response, const ZoomCallContext& context,
                                  absl::string_view why);

// A call the server ended itself because it was shutting down and the
// shutdown grace was nearly over: UNAVAILABLE SERVER_SHUTTING_DOWN (another
// replica may take it), with metadata `delivered` as for a transport failure.
absl::Status MapShutdownAbort(Delivery delivery, const ZoomCallContext& context);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_ERROR_MAPPING_H_
