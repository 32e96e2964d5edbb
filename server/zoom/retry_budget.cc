#include "server/zoom/retry_budget.h"

#include <algorithm>

namespace livestream_gateway {

RetryBudget::RetryBudget(RetryBudgetOptions options)
    : options_(options),
      bucket_width_(std::max(options.window / std::max(options.buckets, 1), absl::Milliseconds(1))),
      buckets_(static_cast<size_t>(std::max(options.buckets, 1))) {}

RetryBudget::Bucket& RetryBudget::Current(absl::Time now) {
  absl::Duration unused;
  const int64_t index =
      std::max<int64_t>(0, absl::IDivDuration(now - absl::UnixEpoch(), bucket_width_, &unused));
  Bucket& bucket = buckets_[static_cast<size_t>(index % static_cast<int64_t>(buckets_.size()))];
  if (bucket.index != index) bucket = Bucket{index, 0, 0};
  return bucket;
}

void RetryBudget::RecordCall(absl::Time now) {
  absl::MutexLock lock(&mu_);
  ++Current(now).calls;
}

bool RetryBudget::TryRetry(absl::Time now) {
  absl::MutexLock lock(&mu_);
  Bucket& current = Current(now);
  const int64_t oldest = current.index - static_cast<int64_t>(buckets_.size()) + 1;
  int64_t calls = 0;
  int64_t retries = 0;
  for (const Bucket& bucket : buckets_) {
    if (bucket.index >= oldest && bucket.index <= current.index) {
      calls += bucket.calls;
      retries += bucket.retries;
    }
  }
  if (static_cast<double>(retries + 1) >
      options_.min_retries + options_.ratio * static_cast<double>(calls)) {
    return false;
  }
  ++current.retries;
  return true;
}

}  // namespace livestream_gateway
