#include "server/logging/log_line.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/logging/escaping.h"

namespace livestream_gateway {
namespace {

// The UTC calendar part, "2026-11-26T01:02:03", of the second `second`
// (since the Unix epoch). Lines come many a second: the conversion runs once
// a second per thread, not once a line.
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

void AppendLogfmtLine(std::string& out, absl::Time time, LogLevel level, absl::string_view message,
                      absl::Span<const LogField> fields) {
  out.append("time=");
  AppendLogTimestamp(out, time);
  out.append(" level=");
  const absl::string_view level_name = LogLevelName(level);
  out.append(level_name.data(), level_name.size());
  out.append(" msg=");
  AppendLogfmtValue(out, message);
  for (const LogField& field : fields) {
    out.push_back(' ');
    out.append(field.key.data(), field.key.size());
    out.push_back('=');
    if (field.number) {
      out.append(field.value.data(), field.value.size());
    } else {
      AppendLogfmtValue(out, field.value);
    }
  }
  out.push_back('\n');
}

void AppendJsonLine(std::string& out, absl::Time time, LogLevel level, absl::string_view message,
                    absl::Span<const LogField> fields) {
  out.append("{\"time\":\"");
  AppendLogTimestamp(out, time);
  out.append("\",\"level\":\"");
  const absl::string_view level_name = LogLevelName(level);
  out.append(level_name.data(), level_name.size());
  out.append("\",\"msg\":");
  AppendJsonLogValue(out, message);
  for (const LogField& field : fields) {
    out.push_back(',');
    AppendJsonLogValue(out, field.key);
    out.push_back(':');
    if (field.number) {
      out.append(field.value.data(), field.value.size());
    } else {
      AppendJsonLogValue(out, field.value);
    }
  }
  out.append("}\n");
}

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "logfmt") return LogFormat::kLogfmt;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError("--log_format must be 'logfmt' or 'json'");
}

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "error";
}

void AppendLogTimestamp(std::string& out, absl::Time time) {
  const int64_t millis = absl::ToUnixMillis(time);  // rounds toward the past
  const int64_t second = millis / 1000 - (millis % 1000 < 0 ? 1 : 0);
  out.append(CalendarSecond(second));
  out.push_back('.');
  AppendThreeDigits(out, millis - second * 1000);
  out.push_back('Z');
}

std::string FormatLogTimestamp(absl::Time time) {
  std::string out;
  AppendLogTimestamp(out, time);
  return out;
}

void AppendLogLine(std::string& out, LogFormat format, absl::Time time, LogLevel level,
                   absl::string_view message, absl::Span<const LogField> fields) {
  switch (format) {
    case LogFormat::kLogfmt:
      AppendLogfmtLine(out, time, level, message, fields);
      return;
    case LogFormat::kJson:
      AppendJsonLine(out, time, level, message, fields);
      return;
  }
}

}  // namespace livestream_gateway
