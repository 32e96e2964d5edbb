#include "server/request_log.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace livestream_gateway {
namespace {

// Values come from callers and from Zoom: anything but printable ASCII is
// quoted and escaped, so that the line stays one line of ASCII (valid UTF-8)
// whatever the bytes.
void AppendQuoted(std::string& out, absl::string_view value) {
  if (value.empty()) {
    out.push_back('-');
    return;
  }
  const bool plain = std::all_of(value.begin(), value.end(), [](char c) {
    return c > ' ' && c < 0x7F && c != '"' && c != '=' && c != '\\';
  });
  if (plain) {
    out.append(value.data(), value.size());
  } else {
    absl::StrAppend(&out, "\"", absl::CHexEscape(value), "\"");
  }
}

// The UTC calendar part, "2026-11-26T01:02:03", of the second `second`
// (since the Unix epoch). One line per RPC: the conversion runs once a
// second per thread, not once a call.
const std::string& CalendarSecond(int64_t second) {
  thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
  thread_local std::string cached;
  if (second != cached_second) {
    cached =
        absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(second), absl::UTCTimeZone());
    cached_second = second;
  }
  return cached;
}

// Appends `value` (below 1000) as exactly three digits.
void AppendThreeDigits(std::string& out, int64_t value) {
  out.push_back(static_cast<char>('0' + value / 100));
  out.push_back(static_cast<char>('0' + value / 10 % 10));
  out.push_back(static_cast<char>('0' + value % 10));
}

void AppendLogTimestamp(std::string& out, absl::Time time) {
  const int64_t millis = absl::ToUnixMillis(time);  // rounds toward the past
  const int64_t second = millis / 1000 - (millis % 1000 < 0 ? 1 : 0);
  out.append(CalendarSecond(second));
  out.push_back('.');
  AppendThreeDigits(out, millis - second * 1000);
  out.push_back('Z');
}

// Milliseconds with three decimals, rounded to the nearest microsecond like
// printf's %.3f.
void AppendLatencyMs(std::string& out, absl::Duration latency) {
  const int64_t micros = absl::ToInt64Microseconds(
      latency < absl::ZeroDuration() ? absl::ZeroDuration() : latency + absl::Nanoseconds(500));
  absl::StrAppend(&out, micros / 1000, ".");
  AppendThreeDigits(out, micros % 1000);
}

}  // namespace

std::string FormatLogTimestamp(absl::Time time) {
  std::string out;
  AppendLogTimestamp(out, time);
  return out;
}

std::string FormatRequestLogLine(const RequestLogEntry& entry) {
  std::string line;
  // One allocation for a typical line, which stays under this.
  line.reserve(192 + entry.principal.size() + entry.target.size() + entry.tracking_id.size());
  auto field = [&line](absl::string_view key, absl::string_view value) {
    absl::StrAppend(&line, " ", key, "=");
    AppendQuoted(line, value);
  };
  AppendLogTimestamp(line, absl::Now());
  field("rpc", entry.method);
  field("principal", entry.principal);
  field("target", entry.target);
  field("outcome", entry.outcome);
  field("reason", entry.reason);
  line.append(" latency_ms=");
  AppendLatencyMs(line, entry.latency);
  field("tracking_id", entry.tracking_id);
  line.push_back('\n');
  return line;
}

void WriteRequestLog(const RequestLogEntry& entry) {
  const std::string line = FormatRequestLogLine(entry);
  // A short write to stderr is not worth retrying: logging must never stall
  // the call.
  [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace livestream_gateway
