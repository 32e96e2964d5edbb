#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_BACKOFF_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_BACKOFF_H_

#include "absl/random/bit_gen_ref.h"
#include "absl/time/time.h"

namespace livestream_gateway {

// Capped exponential backoff: retry n (1-based) may wait up to
// min(max, initial * multiplier^(n-1)).
struct BackoffOptions {
  absl::Duration initial = absl::Milliseconds(100);
  absl::Duration max = absl::Seconds(2);
  double multiplier = 2.0;
};

// The longest wait before retry `retry` (1-based; values below 1 count as 1).
absl::Duration BackoffCeiling(int retry, const BackoffOptions& options);

// "Full jitter" (AWS architecture blog, "Exponential Backoff And Jitter"): a
// uniform draw from [0, BackoffCeiling(retry)]. Spreading retries over the
// whole interval keeps clients that failed together from retrying together.
absl::Duration FullJitterBackoff(int retry, const BackoffOptions& options, absl::BitGenRef gen);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_BACKOFF_H_
