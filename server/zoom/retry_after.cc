#include "server/zoom/retry_after.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/time/civil_time.h"

namespace livestream_gateway {
namespace {

// No accepted date form is longer; this keeps hostile headers cheap to reject.
constexpr size_t kMaxDateLength = 64;

// Dates are only accepted in GMT/UTC or with an explicit RFC 3339 offset, so
// the local time zone never matters.
constexpr const char* kImfFixdate = "%a, %d %b %Y %H:%M:%S GMT";
constexpr const char* kRfc850Date = "%A, %d-%b-%y %H:%M:%S GMT";
constexpr const char* kAsctimeDate = "%a %b %e %H:%M:%S %Y";

std::optional<absl::Duration> ParseDeltaSeconds(absl::string_view digits) {
  const int64_t max_seconds = absl::ToInt64Seconds(kMaxRetryAfter);
  int64_t seconds = 0;
  for (char c : digits) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    // Saturate instead of overflowing: every larger value clamps anyway.
    if (seconds <= max_seconds) seconds = seconds * 10 + (c - '0');
  }
  return absl::Seconds(seconds > max_seconds ? max_seconds : seconds);
}

// RFC 9110: a two-digit year that looks more than 50 years in the future is
// in the past. strptime's %y instead pins 69..99 to the 1900s, so re-place
// the year in the century window around `now`.
absl::Time FixTwoDigitYear(absl::Time parsed, absl::Time now) {
  const absl::CivilSecond when = absl::ToCivilSecond(parsed, absl::UTCTimeZone());
  const absl::civil_year_t now_year = absl::ToCivilYear(now, absl::UTCTimeZone()).year();
  absl::civil_year_t year = now_year - now_year % 100 + when.year() % 100;
  if (year > now_year + 50) year -= 100;
  if (year <= now_year - 50) year += 100;
  return absl::FromCivil(
      absl::CivilSecond(year, when.month(), when.day(), when.hour(), when.minute(), when.second()),
      absl::UTCTimeZone());
}

std::optional<absl::Time> ParseDate(absl::string_view value, absl::Time now) {
  const std::string input(value);
  absl::Time time;
  std::string error;
  // absl::ParseTime also takes "infinite-future" and "infinite-past", in any
  // format; no HTTP date is infinite.
  const auto parse = [&input, &time, &error](const char* format) {
    return absl::ParseTime(format, input, &time, &error) && time != absl::InfiniteFuture() &&
           time != absl::InfinitePast();
  };
  for (const char* format : {kImfFixdate, absl::RFC3339_full, kAsctimeDate}) {
    if (parse(format)) return time;
  }
  if (parse(kRfc850Date)) return FixTwoDigitYear(time, now);
  return std::nullopt;
}

}  // namespace

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  if (absl::ascii_isdigit(static_cast<unsigned char>(value.front()))) {
    if (std::optional<absl::Duration> delay = ParseDeltaSeconds(value)) return delay;
    // Not all digits: RFC 3339 also starts with one.
  }
  if (value.size() > kMaxDateLength) return std::nullopt;
  std::optional<absl::Time> when = ParseDate(value, now);
  if (!when.has_value()) return std::nullopt;
  if (*when <= now) return absl::ZeroDuration();
  const absl::Duration delay = *when - now;
  return delay > kMaxRetryAfter ? kMaxRetryAfter : delay;
}

}  // namespace livestream_gateway
