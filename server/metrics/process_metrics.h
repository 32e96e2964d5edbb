#ifndef LIVESTREAM_GATEWAY_SERVER_METRICS_PROCESS_METRICS_H_
#define LIVESTREAM_GATEWAY_SERVER_METRICS_PROCESS_METRICS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/metrics/exposition.h"

namespace livestream_gateway::metrics {

// The fields of /proc/<pid>/stat the process metrics use (proc(5)).
struct ProcStat {
  uint64_t utime_ticks = 0;       // field 14
  uint64_t stime_ticks = 0;       // field 15
  int64_t threads = 0;            // field 20
  uint64_t start_time_ticks = 0;  // field 22, since boot
  uint64_t virtual_bytes = 0;     // field 23
  int64_t rss_pages = 0;          // field 24
};

// Parses /proc/<pid>/stat. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from the last ')'.
absl::StatusOr<ProcStat> ParseProcStat(absl::string_view text);

// The "btime" line of /proc/stat: boot time in seconds since the epoch.
std::optional<int64_t> ParseBootTime(absl::string_view proc_stat);

// What the process_* metrics report, in their units.
struct ProcessSample {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
  double threads = 0;
  double start_time_seconds = 0;
};

ProcessSample ToProcessSample(const ProcStat& stat, int64_t ticks_per_second, int64_t page_bytes,
                              int64_t boot_time_seconds, int64_t open_fds, int64_t max_fds);

// The standard process_* families (the names every Prometheus client uses,
// without the gateway's prefix), one sample each.
std::vector<MetricFamily> ProcessFamilies(const ProcessSample& sample);

// Reads this process's /proc files now; empty (no families) when /proc is
// unreadable, so a scrape never fails for it.
std::vector<MetricFamily> CollectProcessMetrics();

}  // namespace livestream_gateway::metrics

#endif  // LIVESTREAM_GATEWAY_SERVER_METRICS_PROCESS_METRICS_H_
