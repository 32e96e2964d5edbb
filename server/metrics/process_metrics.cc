#include "server/metrics/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace livestream_gateway::metrics {
namespace {

// Field numbers of proc(5), counted from 1 (pid).
constexpr size_t kFirstFieldAfterName = 3;  // state
constexpr size_t kUtime = 14;
constexpr size_t kStime = 15;
constexpr size_t kThreads = 20;
constexpr size_t kStartTime = 22;
constexpr size_t kVirtual = 23;
constexpr size_t kRss = 24;

std::optional<std::string> ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

int64_t CountOpenFds() {
  std::error_code error;
  std::filesystem::directory_iterator entries("/proc/self/fd", error);
  if (error) return -1;
  int64_t count = 0;
  for (auto it = entries; it != std::filesystem::directory_iterator(); it.increment(error)) {
    if (error) return -1;
    ++count;
  }
  // Less the descriptor the iterator itself holds.
  return count - 1;
}

MetricFamily Single(const char* name, const char* help, MetricType type, double value) {
  return MetricFamily{.name = name, .help = help, .type = type, .samples = {Sample{"", {}, value}}};
}

}  // namespace

absl::StatusOr<ProcStat> ParseProcStat(absl::string_view text) {
  const size_t name_end = text.rfind(')');
  if (name_end == absl::string_view::npos) {
    return absl::InvalidArgumentError("/proc stat: no command name");
  }
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::StripAsciiWhitespace(text.substr(name_end + 1)), ' ', absl::SkipEmpty());
  auto field = [&](size_t number) { return fields[number - kFirstFieldAfterName]; };
  if (fields.size() < kRss - kFirstFieldAfterName + 1) {
    return absl::InvalidArgumentError("/proc stat: too few fields");
  }
  ProcStat stat;
  if (!absl::SimpleAtoi(field(kUtime), &stat.utime_ticks) ||
      !absl::SimpleAtoi(field(kStime), &stat.stime_ticks) ||
      !absl::SimpleAtoi(field(kThreads), &stat.threads) ||
      !absl::SimpleAtoi(field(kStartTime), &stat.start_time_ticks) ||
      !absl::SimpleAtoi(field(kVirtual), &stat.virtual_bytes) ||
      !absl::SimpleAtoi(field(kRss), &stat.rss_pages)) {
    return absl::InvalidArgumentError("/proc stat: a field is not a number");
  }
  return stat;
}

std::optional<int64_t> ParseBootTime(absl::string_view proc_stat) {
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) {
      int64_t seconds = 0;
      if (absl::SimpleAtoi(line, &seconds)) return seconds;
    }
  }
  return std::nullopt;
}

ProcessSample ToProcessSample(const ProcStat& stat, int64_t ticks_per_second, int64_t page_bytes,
                              int64_t boot_time_seconds, int64_t open_fds, int64_t max_fds) {
  const auto ticks = static_cast<double>(ticks_per_second);
  return ProcessSample{
      .cpu_seconds = static_cast<double>(stat.utime_ticks + stat.stime_ticks) / ticks,
      .resident_bytes = static_cast<double>(stat.rss_pages) * static_cast<double>(page_bytes),
      .virtual_bytes = static_cast<double>(stat.virtual_bytes),
      .open_fds = static_cast<double>(open_fds),
      .max_fds = static_cast<double>(max_fds),
      .threads = static_cast<double>(stat.threads),
      .start_time_seconds = static_cast<double>(boot_time_seconds) +
                            static_cast<double>(stat.start_time_ticks) / ticks,
  };
}

std::vector<MetricFamily> ProcessFamilies(const ProcessSample& sample) {
  return {
      Single("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
             MetricType::kCounter, sample.cpu_seconds),
      Single("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::kGauge,
             sample.resident_bytes),
      Single("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::kGauge,
             sample.virtual_bytes),
      Single("process_open_fds", "Number of open file descriptors.", MetricType::kGauge,
             sample.open_fds),
      Single("process_max_fds", "Maximum number of open file descriptors.", MetricType::kGauge,
             sample.max_fds),
      Single("process_threads", "Number of OS threads in the process.", MetricType::kGauge,
             sample.threads),
      Single("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
             MetricType::kGauge, sample.start_time_seconds),
  };
}

std::vector<MetricFamily> CollectProcessMetrics() {
  const std::optional<std::string> stat_text = ReadFile("/proc/self/stat");
  const std::optional<std::string> system_stat = ReadFile("/proc/stat");
  if (!stat_text.has_value() || !system_stat.has_value()) return {};
  const absl::StatusOr<ProcStat> stat = ParseProcStat(*stat_text);
  const std::optional<int64_t> boot_time = ParseBootTime(*system_stat);
  if (!stat.ok() || !boot_time.has_value()) return {};
  rlimit fd_limit{};
  const int64_t max_fds =
      getrlimit(RLIMIT_NOFILE, &fd_limit) == 0 ? static_cast<int64_t>(fd_limit.rlim_cur) : -1;
  return ProcessFamilies(ToProcessSample(*stat, sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE),
                                         *boot_time, CountOpenFds(), max_fds));
}

}  // namespace livestream_gateway::metrics
