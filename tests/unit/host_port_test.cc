#include "server/host_port.h"

#include <string>

#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

struct SplitRow {
  std::string address;
  bool ok;
  std::string host;
  int port;
};

class SplitHostPortTest : public ::testing::TestWithParam<SplitRow> {};

TEST_P(SplitHostPortTest, SplitsOrRefuses) {
  absl::StatusOr<HostPort> split = SplitHostPort(GetParam().address);
  ASSERT_EQ(split.ok(), GetParam().ok) << GetParam().address << ": " << split.status();
  if (!split.ok()) return;
  EXPECT_EQ(split->host, GetParam().host);
  EXPECT_EQ(split->port, GetParam().port);
}

INSTANTIATE_TEST_SUITE_P(
    Addresses, SplitHostPortTest,
    ::testing::Values(SplitRow{"127.0.0.1:9464", true, "127.0.0.1", 9464},
                      SplitRow{"0.0.0.0:0", true, "0.0.0.0", 0},
                      SplitRow{"localhost:65535", true, "localhost", 65535},
                      SplitRow{"[::1]:9464", true, "::1", 9464}, SplitRow{"[::]:1", true, "::", 1},
                      SplitRow{"::1:9464", false, "", 0}, SplitRow{"[::1:9464", false, "", 0},
                      SplitRow{"127.0.0.1", false, "", 0}, SplitRow{":9464", false, "", 0},
                      SplitRow{"[]:9464", false, "", 0}, SplitRow{"host:", false, "", 0},
                      SplitRow{"host:65536", false, "", 0}, SplitRow{"host:-1", false, "", 0},
                      SplitRow{"host:+1", false, "", 0}, SplitRow{"host:http", false, "", 0},
                      SplitRow{"", false, "", 0}));

}  // namespace
}  // namespace livestream_gateway
