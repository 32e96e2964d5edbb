#ifndef LIVESTREAM_GATEWAY_TESTS_INTEGRATION_LOG_LINES_H_
#define LIVESTREAM_GATEWAY_TESTS_INTEGRATION_LOG_LINES_H_

// Strict parsers of the server's log lines (server/logging/log_line.h), so
// that tests check what a log pipeline would read rather than substrings.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace livestream_gateway::testing {

// One line's fields by key, values unescaped (a JSON number as its text).
// Every record has time, level and msg.
using LogRecord = std::map<std::string, std::string>;

// logfmt as the server writes it: `time`, `level`, `msg` first, then
// key=value pairs separated by single spaces; keys [a-z_]+, each once; a
// value bare (printable ASCII without space, =, " or \) or quoted with the
// escapes \" \\ \n \r \t \uXXXX and no raw control character.
absl::StatusOr<LogRecord> ParseLogfmtLine(absl::string_view line);

// One JSON object (parsed by protobuf's JSON parser) with string or number
// values and string time, level and msg.
absl::StatusOr<LogRecord> ParseJsonLogLine(absl::string_view line);

// Every line of `text`, which must be valid UTF-8 and end in a newline, in
// the format given; the error quotes the offending line.
absl::StatusOr<std::vector<LogRecord>> ParseLogLines(absl::string_view text, bool json);

// Every line of a server's stderr in the default format (logfmt); a line that
// does not parse fails the running test, and then none is returned.
std::vector<LogRecord> ExpectLogfmtLines(absl::string_view text);

// The records whose msg is `message`.
std::vector<LogRecord> WithMessage(const std::vector<LogRecord>& records,
                                   absl::string_view message);

}  // namespace livestream_gateway::testing

#endif  // LIVESTREAM_GATEWAY_TESTS_INTEGRATION_LOG_LINES_H_
