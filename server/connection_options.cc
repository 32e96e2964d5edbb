#include "server/connection_options.h"

#include <grpc/grpc.h>

#include <limits>

#include "absl/strings/str_cat.h"

namespace livestream_gateway {
namespace {

constexpr absl::Duration kMaxSetting = absl::Hours(24);

absl::Status CheckRange(absl::string_view flag, absl::Duration value, absl::Duration min) {
  if (value < min || value > kMaxSetting) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " must be within ", absl::FormatDuration(min), "..24h"));
  }
  return absl::OkStatus();
}

int Milliseconds(absl::Duration duration) {
  return static_cast<int>(absl::ToInt64Milliseconds(duration));
}

}  // namespace

absl::Status ValidateConnectionOptions(const ConnectionOptions& options) {
  const struct {
    absl::string_view flag;
    absl::Duration value;
    absl::Duration min;
  } rules[] = {
      {"max_connection_age", options.max_connection_age, absl::ZeroDuration()},
      {"max_connection_age_grace", options.max_connection_age_grace, absl::ZeroDuration()},
      {"max_connection_idle", options.max_connection_idle, absl::ZeroDuration()},
      {"keepalive_time", options.keepalive_time, absl::ZeroDuration()},
      // An ack cannot be expected sooner than a round trip.
      {"keepalive_timeout", options.keepalive_timeout, absl::Milliseconds(100)},
      {"keepalive_min_ping_interval", options.keepalive_min_ping_interval, absl::ZeroDuration()},
  };
  for (const auto& rule : rules) {
    if (absl::Status status = CheckRange(rule.flag, rule.value, rule.min); !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

std::vector<std::pair<std::string, int>> ConnectionChannelArgs(const ConnectionOptions& options) {
  std::vector<std::pair<std::string, int>> args;
  if (options.max_connection_age > absl::ZeroDuration()) {
    args.emplace_back(GRPC_ARG_MAX_CONNECTION_AGE_MS, Milliseconds(options.max_connection_age));
    args.emplace_back(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                      Milliseconds(options.max_connection_age_grace));
  }
  if (options.max_connection_idle > absl::ZeroDuration()) {
    args.emplace_back(GRPC_ARG_MAX_CONNECTION_IDLE_MS, Milliseconds(options.max_connection_idle));
  }
  // gRPC's own server default is a ping every 2 h; INT_MAX is its "never".
  args.emplace_back(GRPC_ARG_KEEPALIVE_TIME_MS, options.keepalive_time > absl::ZeroDuration()
                                                    ? Milliseconds(options.keepalive_time)
                                                    : std::numeric_limits<int>::max());
  args.emplace_back(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Milliseconds(options.keepalive_timeout));
  // Long-lived channels that ping while idle are welcome: a sidecar does.
  args.emplace_back(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.emplace_back(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                    Milliseconds(options.keepalive_min_ping_interval));
  args.emplace_back(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  return args;
}

}  // namespace livestream_gateway
