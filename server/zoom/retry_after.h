#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_RETRY_AFTER_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_RETRY_AFTER_H_

#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace livestream_gateway {

// Longest delay ParseRetryAfter returns. Zoom's daily limits reset at 00:00
// UTC, so a real Retry-After is under a day; anything longer is a bogus or
// hostile header and must not make clients wait for years.
inline constexpr absl::Duration kMaxRetryAfter = absl::Hours(24);

// How long a `Retry-After` header value asks the client to wait, measured
// from `now`, in [0, kMaxRetryAfter]. Accepts (surrounding whitespace
// allowed):
//   - delta-seconds: "120" (digits only; any length, clamped);
//   - HTTP-date (RFC 9110 §5.6.7): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT",
//     and the obsolete RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit
//     years taken within 50 years of `now`) and asctime
//     "Sun Nov  6 08:49:37 1994" forms;
//   - RFC 3339, as Zoom's documentation shows: "2020-05-31T00:00:00Z".
// A time in the past yields zero. Anything else (negative or fractional
// numbers, unknown formats, empty) yields nullopt.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_RETRY_AFTER_H_
