#include "server/zoom/backoff.h"

#include <algorithm>
#include <cmath>

#include "absl/random/distributions.h"

namespace livestream_gateway {

absl::Duration BackoffCeiling(int retry, const BackoffOptions& options) {
  const int exponent = std::max(retry, 1) - 1;
  // In floating point, which saturates (to inf) instead of overflowing.
  const double seconds = absl::ToDoubleSeconds(options.initial) *
                         std::pow(std::max(options.multiplier, 1.0), exponent);
  const double cap = absl::ToDoubleSeconds(options.max);
  if (!(seconds < cap)) return options.max;
  return std::max(absl::Seconds(seconds), absl::ZeroDuration());
}

absl::Duration FullJitterBackoff(int retry, const BackoffOptions& options, absl::BitGenRef gen) {
  const absl::Duration ceiling = BackoffCeiling(retry, options);
  if (ceiling <= absl::ZeroDuration()) return absl::ZeroDuration();
  const double fraction = absl::Uniform(absl::IntervalClosedClosed, gen, 0.0, 1.0);
  return std::min(ceiling * fraction, ceiling);
}

}  // namespace livestream_gateway
