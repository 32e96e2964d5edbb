#include "server/request_log.h"

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "server/logging/logger.h"

namespace livestream_gateway {
namespace {

constexpr absl::string_view kMessage = "rpc";

// Milliseconds with three decimals, rounded to the nearest microsecond like
// printf's %.3f. Short enough for std::string's inline buffer: no allocation.
std::string LatencyMs(absl::Duration latency) {
  const int64_t micros = absl::ToInt64Microseconds(
      latency < absl::ZeroDuration() ? absl::ZeroDuration() : latency + absl::Nanoseconds(500));
  const int64_t fraction = micros % 1000;
  return absl::StrCat(micros / 1000, fraction < 100 ? (fraction < 10 ? ".00" : ".0") : ".",
                      fraction);
}

// Calls `use` with the entry's fields, which borrow from the entry.
template <typename Use>
void WithFields(const RequestLogEntry& entry, Use use) {
  const std::string latency = LatencyMs(entry.latency);
  LogField fields[10];
  size_t count = 0;
  fields[count++] = {"method", entry.method};
  fields[count++] = {"principal", entry.principal};
  fields[count++] = {"target", entry.target};
  fields[count++] = {"outcome", entry.outcome};
  if (!entry.reason.empty()) fields[count++] = {"reason", entry.reason};
  fields[count++] = NumberField("latency_ms", latency);
  if (!entry.tracking_id.empty()) fields[count++] = {"tracking_id", entry.tracking_id};
  if (!entry.trace_id.empty()) fields[count++] = {"trace_id", entry.trace_id};
  if (!entry.request_id.empty()) fields[count++] = {"request_id", entry.request_id};
  if (entry.validate_only) fields[count++] = NumberField("validate_only", "true");
  use(absl::MakeConstSpan(fields, count));
}

}  // namespace

std::string FormatRequestLogLine(const RequestLogEntry& entry, LogFormat format, absl::Time time) {
  std::string line;
  WithFields(entry, [&](absl::Span<const LogField> fields) {
    AppendLogLine(line, format, time, LogLevel::kInfo, kMessage, fields);
  });
  return line;
}

void WriteRequestLog(const RequestLogEntry& entry) {
  WithFields(entry,
             [](absl::Span<const LogField> fields) { Log(LogLevel::kInfo, kMessage, fields); });
}

}  // namespace livestream_gateway
