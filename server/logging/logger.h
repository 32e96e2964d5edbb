#ifndef LIVESTREAM_GATEWAY_SERVER_LOGGING_LOGGER_H_
#define LIVESTREAM_GATEWAY_SERVER_LOGGING_LOGGER_H_

#include <initializer_list>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "server/logging/log_line.h"

namespace livestream_gateway {

// The process's one logger: every line the server writes goes through Log,
// to stderr, in the format set here (logfmt until then).
//
// Set once at start-up, before other threads log.
void SetLogFormat(LogFormat format);
LogFormat CurrentLogFormat();

// Formats one line (log_line.h) into a per-thread buffer and writes it with a
// single write(2): no lock, no allocation once the thread's buffer has grown,
// and lines of concurrent threads never interleave. A short write is not
// retried: logging must never stall a call.
void Log(LogLevel level, absl::string_view message, absl::Span<const LogField> fields);
inline void Log(LogLevel level, absl::string_view message,
                std::initializer_list<LogField> fields = {}) {
  Log(level, message, absl::Span<const LogField>(fields.begin(), fields.size()));
}

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LOGGING_LOGGER_H_
