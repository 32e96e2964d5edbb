#ifndef LIVESTREAM_GATEWAY_SERVER_LOGGING_LOG_LINE_H_
#define LIVESTREAM_GATEWAY_SERVER_LOGGING_LOG_LINE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace livestream_gateway {

// --log_format.
enum class LogFormat {
  kLogfmt,  // time=... level=info msg=... key=value ...
  kJson,    // {"time":"...","level":"info","msg":"...","key":"value",...}
};

// "logfmt" or "json"; the error names the flag.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// "debug", "info", "warn", "error".
absl::string_view LogLevelName(LogLevel level);

// One key and its value. Keys are fixed by the code: lower-case letters and
// `_` only. The value is borrowed: it must outlive the call it is given to.
struct LogField {
  absl::string_view key;
  absl::string_view value;
  // The value is a JSON number (digits, optionally a fraction), written
  // without quotes in both formats.
  bool number = false;
};

inline LogField NumberField(absl::string_view key, absl::string_view digits) {
  return LogField{key, digits, /*number=*/true};
}

// Appends one line, newline included: `time` (RFC 3339 UTC with
// milliseconds), `level`, `msg`, then `fields` in their order. Text values
// are escaped by the rules of escaping.h, so the line is valid UTF-8 and
// parses whatever the values hold.
void AppendLogLine(std::string& out, LogFormat format, absl::Time time, LogLevel level,
                   absl::string_view message, absl::Span<const LogField> fields);

// RFC 3339 UTC with milliseconds, e.g. 2026-11-26T01:02:03.004Z (the same as
// absl::FormatTime with "%Y-%m-%dT%H:%M:%E3SZ", at a fraction of the cost).
void AppendLogTimestamp(std::string& out, absl::Time time);
std::string FormatLogTimestamp(absl::Time time);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LOGGING_LOG_LINE_H_
