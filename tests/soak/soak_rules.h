#ifndef LIVESTREAM_GATEWAY_TESTS_SOAK_SOAK_RULES_H_
#define LIVESTREAM_GATEWAY_TESTS_SOAK_SOAK_RULES_H_

// What a soak run must show (tests/soak/soak_main.cc): pure rules over what
// the run observed, so that they are tested by tables.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace livestream_gateway::soak {

// How one RPC ended, as its caller saw it.
struct CallOutcome {
  absl::StatusCode code = absl::StatusCode::kOk;
  // Of the google.rpc.ErrorInfo details (the README promises exactly one on
  // every error, in domain zoom-livestream-gateway).
  int error_infos = 0;
  std::string domain;
  std::string reason;
};

// Why `outcome` is not one the README's error table documents, or nullopt
// when it is: the code must go with the reason as listed there.
std::optional<std::string> Undocumented(const CallOutcome& outcome);

// One reading of the server process.
struct ResourceSample {
  absl::Duration at;  // since the load started
  int64_t rss_kib = 0;
  int fds = 0;
  int threads = 0;
  // RSS's anonymous part (the heap), reported beside the judged RSS: it
  // tells growth in allocated memory from library pages first touched late.
  int64_t rss_anon_kib = 0;
};

struct ResourceLimits {
  // The first part of the run, excluded from the growth check: pools,
  // caches and allocator arenas fill up there.
  double warmup_fraction = 1.0 / 3;
  // RSS at the end over RSS right after warm-up, minus 1.
  double max_rss_growth = 0.05;
  // Open descriptors at any time after warm-up.
  int max_fds = 0;
};

struct ResourceVerdict {
  int64_t rss_start_kib = 0;
  int64_t rss_after_warmup_kib = 0;
  int64_t rss_end_kib = 0;
  int64_t rss_peak_kib = 0;
  double rss_growth = 0;
  int fds_min = 0;  // after warm-up
  int fds_max = 0;  // after warm-up
  int threads_min = 0;
  int threads_max = 0;
  std::vector<std::string> failures;
};

// RSS "after warm-up" and "at the end" are medians of the samples in the
// `kWindow` after warm-up and the last `kWindow` of the run, so that one
// sample taken during a burst of frees or allocations moves neither.
inline constexpr absl::Duration kWindow = absl::Seconds(5);

// `samples` in time order over a run of `run`.
ResourceVerdict JudgeResources(const std::vector<ResourceSample>& samples, absl::Duration run,
                               const ResourceLimits& limits);

}  // namespace livestream_gateway::soak

#endif  // LIVESTREAM_GATEWAY_TESTS_SOAK_SOAK_RULES_H_
