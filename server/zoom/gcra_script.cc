#include "server/zoom/gcra_script.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"

namespace livestream_gateway {
namespace {

// Lua 5.1 numbers are doubles: microseconds since 1970 (about 2^51) are
// exact. Integers go to Redis formatted with %d (tostring would print
// 1.7e+15). A stored value Redis holds is not trusted either: anything but a
// number counts as none, and nothing lies further ahead than two days (the
// longest pause is a day). Keys expire a second after their time has passed
// (a past time means the same as none), so an idle account leaves nothing.
constexpr char kScript[] = R"lua(
local now
if ARGV[6] ~= nil and ARGV[6] ~= '' then
  now = tonumber(ARGV[6])
else
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000000 + tonumber(time[2])
end
local horizon = now + 172800000000
local function stored(key)
  local value = tonumber(redis.call('GET', key))
  if value == nil or value ~= value then return 0 end
  return math.min(value, horizon)
end
local function store(key, value)
  redis.call('SET', key, string.format('%d', value), 'PX', math.floor((value - now) / 1000) + 1000)
end
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local amount = tonumber(ARGV[4])
local tat = math.max(stored(KEYS[1]), now)
local pause = stored(KEYS[2])
local op = ARGV[1]
if op == 'pause' then
  local pause_end = now + amount
  if pause_end > pause then
    pause = pause_end
    store(KEYS[2], pause)
  end
  if pause_end + tolerance > tat then
    tat = pause_end + tolerance
    store(KEYS[1], tat)
  end
  return {1, 0, 0, math.max(tat - tolerance, now) - now, pause - now}
end
local pause_left = math.max(pause - now, 0)
if op == 'confirm' then
  local reserved = tonumber(ARGV[5])
  if reserved ~= nil and pause <= reserved then
    return {1, 0, reserved, math.max(tat - tolerance, now) - now, pause_left}
  end
end
local slot = math.max(tat - tolerance, now)
local wait = slot - now
if wait > 0 and wait >= amount then
  return {0, wait, slot, wait, pause_left}
end
tat = tat + interval
store(KEYS[1], tat)
return {1, wait, slot, math.max(tat - tolerance, now) - now, pause_left}
)lua";

// The farthest ahead an answer may put anything (the script's horizon).
constexpr int64_t kMaxAheadUs = int64_t{172800} * 1000000;

int64_t Micros(absl::Duration duration) {
  if (duration <= absl::ZeroDuration()) return 0;
  // An infinite deadline waits as long as it takes.
  return std::min(absl::ToInt64Microseconds(duration), std::numeric_limits<int64_t>::max() / 2);
}

}  // namespace

absl::string_view GcraScriptSource() { return kScript; }

GcraLimits GcraLimitsFor(double requests_per_second, int burst) {
  GcraLimits limits;
  limits.interval_us = std::max<int64_t>(1, std::llround(1e6 / requests_per_second));
  limits.tolerance_us = limits.interval_us * (std::max(burst, 1) - 1);
  return limits;
}

std::vector<std::string> GcraArgs(GcraOp op, const GcraLimits& limits, absl::Duration amount,
                                  int64_t reserved_slot_us, std::optional<int64_t> now_us) {
  const char* name = op == GcraOp::kAcquire   ? "acquire"
                     : op == GcraOp::kConfirm ? "confirm"
                                              : "pause";
  return {name,
          absl::StrCat(limits.interval_us),
          absl::StrCat(limits.tolerance_us),
          absl::StrCat(Micros(amount)),
          op == GcraOp::kConfirm ? absl::StrCat(reserved_slot_us) : "",
          now_us.has_value() ? absl::StrCat(*now_us) : ""};
}

absl::StatusOr<GcraAnswer> ParseGcraAnswer(const redis::RedisReply& reply) {
  using Type = redis::RedisReply::Type;
  if (reply.type == Type::kError) {
    // Redis's own words (e.g. OOM, READONLY of a replica), bounded.
    return absl::UnavailableError(
        absl::StrCat("Redis refused the rate-limit script: ", reply.text.substr(0, 200)));
  }
  if (reply.type != Type::kArray || reply.elements.size() != 5) {
    return absl::InternalError("the rate-limit script answered with an unexpected shape");
  }
  int64_t values[5];
  for (int i = 0; i < 5; ++i) {
    if (reply.elements[i].type != Type::kInteger) {
      return absl::InternalError("the rate-limit script answered with an unexpected shape");
    }
    values[i] = reply.elements[i].integer;
  }
  const bool in_range = (values[0] == 0 || values[0] == 1) && values[1] >= 0 &&
                        values[1] <= kMaxAheadUs && values[2] >= 0 && values[3] >= 0 &&
                        values[3] <= kMaxAheadUs && values[4] >= 0 && values[4] <= kMaxAheadUs;
  if (!in_range) return absl::InternalError("the rate-limit script answered out of range");
  GcraAnswer answer;
  answer.granted = values[0] == 1;
  answer.wait = absl::Microseconds(values[1]);
  answer.slot_us = values[2];
  answer.next_wait = absl::Microseconds(values[3]);
  answer.pause_left = absl::Microseconds(values[4]);
  return answer;
}

}  // namespace livestream_gateway
