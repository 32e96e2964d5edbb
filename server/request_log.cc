#include "server/request_log.h"

#include <unistd.h>

#include <cstdint>
#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace livestream_gateway {
namespace {

// Values come from callers and from Zoom: quote anything that would break the
// logfmt line.
std::string Quote(absl::string_view value) {
  if (value.empty()) return "-";
  bool plain = true;
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) {
      plain = false;
      break;
    }
  }
  if (plain) return std::string(value);
  return absl::StrCat("\"", absl::CHexEscape(value), "\"");
}

}  // namespace

std::string FormatLogTimestamp(absl::Time time) {
  // One line per RPC: the calendar conversion runs once a second per thread,
  // not once a call.
  thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
  thread_local std::string cached_prefix;
  const int64_t millis = absl::ToUnixMillis(time);  // rounds toward the past
  const int64_t second = millis / 1000 - (millis % 1000 < 0 ? 1 : 0);
  if (second != cached_second) {
    cached_prefix =
        absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(second), absl::UTCTimeZone());
    cached_second = second;
  }
  return absl::StrFormat("%s.%03dZ", cached_prefix, millis - second * 1000);
}

std::string FormatRequestLogLine(const RequestLogEntry& entry) {
  return absl::StrFormat(
      "%s rpc=%s target=%s outcome=%s reason=%s latency_ms=%.3f tracking_id=%s\n",
      FormatLogTimestamp(absl::Now()), Quote(entry.method), Quote(entry.target),
      Quote(entry.outcome), Quote(entry.reason), absl::ToDoubleMilliseconds(entry.latency),
      Quote(entry.tracking_id));
}

void WriteRequestLog(const RequestLogEntry& entry) {
  const std::string line = FormatRequestLogLine(entry);
  // A short write to stderr is not worth retrying: logging must never stall
  // the call.
  [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace livestream_gateway
