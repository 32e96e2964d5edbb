#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_GCRA_SCRIPT_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_GCRA_SCRIPT_H_

// The account-wide rate limit as one Lua script that Redis runs atomically,
// on its own clock (TIME), for every replica: GCRA, the generic cell rate
// algorithm, which keeps one number per account (the theoretical arrival
// time, TAT) instead of a bucket's two. It admits what RateLimiter's token
// bucket admits with the same flags: `burst` requests back to back after a
// quiet spell, then one each 1/rate s, in arrival order.
//
// Calls reserve slots: a call told to wait `wait` owns the slot then, so
// replicas never hand out the same one. A 429's pause moves the TAT past its
// end (one request at the end, then the rate, no burst) and is written to a
// key of its own, so that a call that reserved a slot inside it before it
// began learns so when it confirms (kConfirm) and reserves again.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/redis/redis_reply.h"

namespace livestream_gateway {

// The script's text (KEYS: the TAT key, the pause key).
absl::string_view GcraScriptSource();

// The keys of one account's limit; a hash tag keeps them in one slot of a
// Redis Cluster.
inline constexpr char kGcraTatKey[] = "{livestream_gateway:rate_limit}:tat";
inline constexpr char kGcraPauseKey[] = "{livestream_gateway:rate_limit}:pause";

struct GcraLimits {
  int64_t interval_us = 0;   // 1/rate: between two slots
  int64_t tolerance_us = 0;  // (burst - 1) intervals: how far ahead slots may be handed out at once
};

// For --zoom_rate_limit_qps (> 0) and --zoom_rate_limit_burst (>= 1).
GcraLimits GcraLimitsFor(double requests_per_second, int burst);

enum class GcraOp {
  // A slot for a call that may wait up to `amount` for it.
  kAcquire,
  // A call that reserved the slot at `reserved_slot_us` and waited for it
  // may go, unless a pause that began since covers it: it then reserves
  // again, as kAcquire with `amount`.
  kConfirm,
  // Zoom answered 429: no slot for `amount` from now.
  kPause,
};

// ARGV of the script. `now_us` replaces Redis's clock (tests only).
std::vector<std::string> GcraArgs(GcraOp op, const GcraLimits& limits, absl::Duration amount,
                                  int64_t reserved_slot_us = 0,
                                  std::optional<int64_t> now_us = std::nullopt);

// The script's answer, times as Redis's clock tells them.
struct GcraAnswer {
  bool granted = false;
  // Until the granted slot (zero: now), or until the next free one when
  // refused.
  absl::Duration wait;
  int64_t slot_us = 0;  // the slot granted (for kConfirm) or the next free one
  // Until the slot after this call's: what a call arriving next would wait.
  absl::Duration next_wait;
  // What is left of a pause (zero when none).
  absl::Duration pause_left;
};

// Checks the reply's shape and bounds: Redis's answer is untrusted.
absl::StatusOr<GcraAnswer> ParseGcraAnswer(const redis::RedisReply& reply);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_GCRA_SCRIPT_H_
