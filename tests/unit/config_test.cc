#include "server/config.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::HasSubstr;

Config Valid() {
  Config config;
  config.zoom_access_token = "token";
  return config;
}

TEST(ConfigTest, DefaultsWithATokenAreValid) { EXPECT_TRUE(ValidateConfig(Valid()).ok()); }

struct BadConfig {
  std::string name;
  void (*mutate)(Config&);
  std::string message;
};

class ValidateConfigTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ValidateConfigTest, RejectsWithAMessageNamingTheSetting) {
  Config config = Valid();
  GetParam().mutate(config);
  absl::Status status = ValidateConfig(config);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidateConfigTest,
    ::testing::Values(
        BadConfig{"NoToken", [](Config& c) { c.zoom_access_token.clear(); }, "ZOOM_ACCESS_TOKEN"},
        BadConfig{"MultiLineToken", [](Config& c) { c.zoom_access_token = "a\nb"; }, "single line"},
        BadConfig{"NotHttp", [](Config& c) { c.zoom_api_base_url = "ftp://x"; },
                  "--zoom_api_base_url"},
        BadConfig{"ZeroTimeout", [](Config& c) { c.zoom_timeout = absl::ZeroDuration(); },
                  "--zoom_timeout"},
        BadConfig{"ZeroConnectTimeout",
                  [](Config& c) { c.zoom_connect_timeout = absl::ZeroDuration(); },
                  "--zoom_connect_timeout"},
        BadConfig{"NoConnections", [](Config& c) { c.zoom_max_connections = 0; },
                  "--zoom_max_connections"},
        BadConfig{"NegativeGrace", [](Config& c) { c.shutdown_grace = absl::Seconds(-1); },
                  "--shutdown_grace"},
        BadConfig{"EmptyListen", [](Config& c) { c.listen.clear(); }, "--listen"}),
    [](const ::testing::TestParamInfo<BadConfig>& info) { return info.param.name; });

TEST(ConfigTest, ErrorsNeverQuoteTheToken) {
  Config config = Valid();
  config.zoom_access_token = "secret\nvalue";
  absl::Status status = ValidateConfig(config);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(std::string(status.message()), ::testing::Not(HasSubstr("secret")));
}

}  // namespace
}  // namespace livestream_gateway
