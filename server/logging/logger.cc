#include "server/logging/logger.h"

#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <string>

#include "absl/time/clock.h"

namespace livestream_gateway {
namespace {

std::atomic<LogFormat> log_format{LogFormat::kLogfmt};

// A line that grew the buffer past this (a long warning) gives the memory
// back rather than keep it for the thread's life.
constexpr size_t kKeptBufferBytes = 4096;

}  // namespace

void SetLogFormat(LogFormat format) { log_format.store(format, std::memory_order_relaxed); }

LogFormat CurrentLogFormat() { return log_format.load(std::memory_order_relaxed); }

void Log(LogLevel level, absl::string_view message, absl::Span<const LogField> fields) {
  thread_local std::string line;
  line.clear();
  AppendLogLine(line, CurrentLogFormat(), absl::Now(), level, message, fields);
  [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
  if (line.capacity() > kKeptBufferBytes) std::string().swap(line);
}

}  // namespace livestream_gateway
