#include "tests/soak/soak_rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protos/error_domain.h"

namespace livestream_gateway::soak {
namespace {

// The README's error table: for each code, the ErrorInfo reasons that go
// with it (tests/docs/error_reasons_test.py keeps the two equal). Reason
// INTERNAL, which any code may carry, is left out: it marks a server bug.
const std::map<absl::StatusCode, std::set<std::string>>& DocumentedReasons() {
  using C = absl::StatusCode;
  static const auto* const table = new std::map<C, std::set<std::string>>{
      {C::kNotFound, {"ZOOM_WEBINAR_NOT_FOUND", "ZOOM_MEETING_NOT_FOUND", "ZOOM_USER_NOT_FOUND"}},
      {C::kInvalidArgument,
       {"ZOOM_INVALID_REQUEST", "ZOOM_REQUEST_REJECTED", "INVALID_REQUEST", "MALFORMED_REQUEST",
        "REQUEST_ID_REUSED"}},
      {C::kFailedPrecondition, {"ZOOM_LIVESTREAM_PRECONDITION_FAILED", "ZOOM_UNEXPECTED_STATUS"}},
      {C::kPermissionDenied,
       {"ZOOM_PERMISSION_DENIED", "CALLER_TOKEN_NOT_ALLOWED", "PERMISSION_DENIED"}},
      {C::kUnauthenticated,
       {"ZOOM_UNAUTHENTICATED", "INVALID_CALLER_TOKEN", "CALLER_TOKEN_REQUIRED", "UNAUTHENTICATED",
        "INVALID_BEARER_TOKEN", "INVALID_FORWARDED_CLIENT_CERT"}},
      {C::kResourceExhausted, {"ZOOM_RATE_LIMITED", "METADATA_TOO_LARGE", "REQUEST_ID_STORE_FULL"}},
      {C::kUnavailable,
       {"ZOOM_UNAVAILABLE", "ZOOM_UNREACHABLE", "ZOOM_OAUTH_UNAVAILABLE", "SERVER_SHUTTING_DOWN",
        "ZOOM_INVALID_RESPONSE"}},
      {C::kDeadlineExceeded, {"ZOOM_TIMEOUT"}},
      {C::kInternal, {"ZOOM_CREDENTIALS_REJECTED", "ZOOM_UNEXPECTED_STATUS"}},
      {C::kAborted, {"ZOOM_UNEXPECTED_STATUS"}},
      {C::kOutOfRange, {"ZOOM_UNEXPECTED_STATUS"}},
      {C::kCancelled, {"ZOOM_UNEXPECTED_STATUS", "CANCELLED"}},
      {C::kUnimplemented, {"ZOOM_UNEXPECTED_STATUS"}},
      {C::kUnknown, {"ZOOM_UNEXPECTED_STATUS", "ZOOM_UNREACHABLE"}},
  };
  return *table;
}

int64_t Median(std::vector<int64_t> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

std::optional<std::string> Undocumented(const CallOutcome& outcome) {
  const std::string code = absl::StatusCodeToString(outcome.code);
  if (outcome.code == absl::StatusCode::kOk) {
    if (outcome.error_infos == 0) return std::nullopt;
    return "OK with an ErrorInfo";
  }
  if (outcome.code == absl::StatusCode::kDeadlineExceeded && outcome.error_infos == 0) {
    return "DEADLINE_EXCEEDED by the caller's own timer: the server did not answer in time";
  }
  if (outcome.error_infos != 1) {
    return absl::StrCat(code, " with ", outcome.error_infos, " ErrorInfo details");
  }
  if (outcome.domain != ::zoom::livestream::v1::kErrorDomain) {
    return absl::StrCat(code, " in ErrorInfo domain ", outcome.domain);
  }
  if (outcome.reason == "INTERNAL") {
    return absl::StrCat(code, " with reason INTERNAL: the server gave the error no reason (a bug)");
  }
  const auto& table = DocumentedReasons();
  const auto found = table.find(outcome.code);
  if (found == table.end()) return absl::StrCat(code, " is not in the README's error table");
  if (!found->second.contains(outcome.reason)) {
    return absl::StrCat(code, " with reason ", outcome.reason,
                        " is not in the README's error table");
  }
  return std::nullopt;
}

ResourceVerdict JudgeResources(const std::vector<ResourceSample>& samples, absl::Duration run,
                               const ResourceLimits& limits) {
  ResourceVerdict verdict;
  const absl::Duration warmup = run * limits.warmup_fraction;
  std::vector<int64_t> after_warmup;
  std::vector<int64_t> at_end;
  bool judged = false;
  for (const ResourceSample& s : samples) {
    verdict.rss_peak_kib = std::max(verdict.rss_peak_kib, s.rss_kib);
    if (s.at < warmup) continue;
    if (!judged) {
      verdict.fds_min = verdict.fds_max = s.fds;
      verdict.threads_min = verdict.threads_max = s.threads;
      judged = true;
    }
    verdict.fds_min = std::min(verdict.fds_min, s.fds);
    verdict.fds_max = std::max(verdict.fds_max, s.fds);
    verdict.threads_min = std::min(verdict.threads_min, s.threads);
    verdict.threads_max = std::max(verdict.threads_max, s.threads);
    if (s.at < warmup + kWindow) after_warmup.push_back(s.rss_kib);
    if (s.at >= run - kWindow) at_end.push_back(s.rss_kib);
  }
  if (!samples.empty()) verdict.rss_start_kib = samples.front().rss_kib;
  if (after_warmup.empty() || at_end.empty()) {
    verdict.failures.push_back(absl::StrCat("too few samples to judge: ", samples.size(), " over ",
                                            absl::FormatDuration(run),
                                            " (none after warm-up or at the end)"));
    return verdict;
  }
  verdict.rss_after_warmup_kib = Median(after_warmup);
  verdict.rss_end_kib = Median(at_end);
  verdict.rss_growth = static_cast<double>(verdict.rss_end_kib - verdict.rss_after_warmup_kib) /
                       static_cast<double>(std::max<int64_t>(verdict.rss_after_warmup_kib, 1));
  if (verdict.rss_growth >= limits.max_rss_growth) {
    verdict.failures.push_back(
        absl::StrFormat("RSS grew %.1f %% after warm-up (%d KiB to %d KiB), limit %.1f %%",
                        100 * verdict.rss_growth, verdict.rss_after_warmup_kib, verdict.rss_end_kib,
                        100 * limits.max_rss_growth));
  }
  if (verdict.fds_max > limits.max_fds) {
    verdict.failures.push_back(absl::StrCat("open file descriptors reached ", verdict.fds_max,
                                            " after warm-up, limit ", limits.max_fds));
  }
  return verdict;
}

}  // namespace livestream_gateway::soak
