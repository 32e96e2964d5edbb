#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_RETRY_BUDGET_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_RETRY_BUDGET_H_

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace livestream_gateway {

// Over any sliding `window`, retries may be at most `ratio` of the calls
// plus `min_retries`. Without it, an outage of Zoom would multiply the load
// on Zoom by the number of attempts exactly when it can least take it; the
// floor lets a quiet server still retry its few calls.
struct RetryBudgetOptions {
  absl::Duration window = absl::Seconds(10);
  double ratio = 0.2;
  int min_retries = 10;
  // The window slides in steps of window / buckets.
  int buckets = 10;
};

// Thread-safe. Times come from the caller (the policies' Scheduler), so tests
// drive them.
class RetryBudget {
 public:
  explicit RetryBudget(RetryBudgetOptions options = {});

  // A first attempt.
  void RecordCall(absl::Time now);
  // Whether a retry fits the budget; if so it is counted.
  bool TryRetry(absl::Time now);

 private:
  struct Bucket {
    int64_t index = -1;  // which step of time it counts; -1: never used
    int64_t calls = 0;
    int64_t retries = 0;
  };

  Bucket& Current(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RetryBudgetOptions options_;
  const absl::Duration bucket_width_;
  absl::Mutex mu_;
  std::vector<Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_RETRY_BUDGET_H_
