// Retry-After header values through ParseRetryAfter at several `now`s: the
// delay is always within [0, kMaxRetryAfter]; surrounding whitespace never
// matters; delta-seconds agree with a plain integer parse (clamped).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "fuzz/invariants.h"
#include "server/zoom/retry_after.h"

namespace livestream_gateway::fuzz {
namespace {

absl::Time Utc(int64_t year, int month, int day, int hour = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, 0, 0), absl::UTCTimeZone());
}

// The delay the digits ask for: a delta-seconds value, read independently of
// the parser's saturating loop.
std::optional<absl::Duration> DeltaSeconds(absl::string_view value) {
  if (value.empty()) return std::nullopt;
  for (const char c : value) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  while (value.size() > 1 && value.front() == '0') value.remove_prefix(1);
  // Six digits or more without leading zeros exceed a day (86,400 s).
  if (value.size() >= 6) return kMaxRetryAfter;
  int64_t seconds = 0;
  Require(absl::SimpleAtoi(value, &seconds), "SimpleAtoi failed on five digits");
  return std::min(absl::Seconds(seconds), kMaxRetryAfter);
}

void CheckAt(absl::string_view value, absl::Time now) {
  const std::optional<absl::Duration> delay = ParseRetryAfter(value, now);
  if (delay.has_value()) {
    Require(*delay >= absl::ZeroDuration() && *delay <= kMaxRetryAfter,
            "delay outside [0, kMaxRetryAfter]");
  }
  const std::optional<absl::Duration> padded =
      ParseRetryAfter(absl::StrCat(" \t", value, "\t "), now);
  Require(padded == delay, "surrounding whitespace changed the result");
  if (const std::optional<absl::Duration> expected =
          DeltaSeconds(absl::StripAsciiWhitespace(value))) {
    Require(delay == expected, "delta-seconds differ from a plain integer parse");
  }
}

}  // namespace
}  // namespace livestream_gateway::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using livestream_gateway::fuzz::CheckAt;
  using livestream_gateway::fuzz::Utc;
  const absl::string_view value(reinterpret_cast<const char*>(data), size);
  // The Unix epoch, today, and a `now` whose two-digit years wrap the other
  // way (RFC 850 dates are placed within 50 years of it).
  CheckAt(value, absl::UnixEpoch());
  CheckAt(value, Utc(2026, 1, 1));
  CheckAt(value, Utc(2075, 6, 15, 12));
  return 0;
}
