#include "server/connection_options.h"

#include <grpc/grpc.h>

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Key;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(ConnectionOptionsTest, DefaultsAreValid) {
  EXPECT_TRUE(ValidateConnectionOptions(ConnectionOptions{}).ok());
}

TEST(ConnectionOptionsTest, DefaultsBecomeTheseChannelArgs) {
  EXPECT_THAT(
      ConnectionChannelArgs(ConnectionOptions{}),
      UnorderedElementsAre(Pair(GRPC_ARG_MAX_CONNECTION_AGE_MS, 5 * 60 * 1000),
                           Pair(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 30 * 1000),
                           Pair(GRPC_ARG_MAX_CONNECTION_IDLE_MS, 5 * 60 * 1000),
                           Pair(GRPC_ARG_KEEPALIVE_TIME_MS, 60 * 1000),
                           Pair(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000),
                           Pair(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1),
                           Pair(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10 * 1000),
                           Pair(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2)));
}

TEST(ConnectionOptionsTest, ZeroTurnsAgeIdleAndKeepaliveOff) {
  const auto args = ConnectionChannelArgs({.max_connection_age = absl::ZeroDuration(),
                                           .max_connection_idle = absl::ZeroDuration(),
                                           .keepalive_time = absl::ZeroDuration()});
  EXPECT_THAT(args, Not(Contains(Key(GRPC_ARG_MAX_CONNECTION_AGE_MS))));
  EXPECT_THAT(args, Not(Contains(Key(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS))));
  EXPECT_THAT(args, Not(Contains(Key(GRPC_ARG_MAX_CONNECTION_IDLE_MS))));
  // Leaving keepalive out would mean gRPC's default of a ping every 2 h.
  EXPECT_THAT(args, Contains(Pair(GRPC_ARG_KEEPALIVE_TIME_MS, std::numeric_limits<int>::max())));
}

TEST(ConnectionOptionsTest, SubSecondValuesKeepTheirMilliseconds) {
  const auto args = ConnectionChannelArgs({.max_connection_age = absl::Milliseconds(1500),
                                           .max_connection_age_grace = absl::Milliseconds(250)});
  EXPECT_THAT(args, Contains(Pair(GRPC_ARG_MAX_CONNECTION_AGE_MS, 1500)));
  EXPECT_THAT(args, Contains(Pair(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 250)));
}

struct BadOptions {
  std::string name;
  ConnectionOptions options;
  std::string message;
};

class ValidateConnectionOptionsTest : public ::testing::TestWithParam<BadOptions> {};

TEST_P(ValidateConnectionOptionsTest, RejectsWithAMessageNamingTheFlag) {
  const absl::Status status = ValidateConnectionOptions(GetParam().options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidateConnectionOptionsTest,
    ::testing::Values(
        BadOptions{
            "NegativeAge", {.max_connection_age = absl::Seconds(-1)}, "--max_connection_age "},
        BadOptions{"AgeOverADay", {.max_connection_age = absl::Hours(25)}, "--max_connection_age "},
        BadOptions{"NegativeGrace",
                   {.max_connection_age_grace = absl::Seconds(-1)},
                   "--max_connection_age_grace"},
        BadOptions{
            "NegativeIdle", {.max_connection_idle = absl::Seconds(-1)}, "--max_connection_idle"},
        BadOptions{
            "IdleOverADay", {.max_connection_idle = absl::Hours(48)}, "--max_connection_idle"},
        BadOptions{"NegativeKeepalive", {.keepalive_time = absl::Seconds(-1)}, "--keepalive_time"},
        BadOptions{"ZeroKeepaliveTimeout",
                   {.keepalive_timeout = absl::ZeroDuration()},
                   "--keepalive_timeout"},
        BadOptions{"NegativePingInterval",
                   {.keepalive_min_ping_interval = absl::Seconds(-1)},
                   "--keepalive_min_ping_interval"}),
    [](const ::testing::TestParamInfo<BadOptions>& info) { return info.param.name; });

}  // namespace
}  // namespace livestream_gateway
