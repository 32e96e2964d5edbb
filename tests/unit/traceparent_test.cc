#include "server/logging/traceparent.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kParentId[] = "00f067aa0ba902b7";

struct TraceparentCase {
  std::string name;
  std::string header;
  bool valid;
  int version = 0;
  int flags = 0;
};

class TraceparentTest : public ::testing::TestWithParam<TraceparentCase> {};

TEST_P(TraceparentTest, ParsesPerW3CTraceContext) {
  const TraceparentCase& c = GetParam();
  const std::optional<TraceParent> parsed = ParseTraceparent(c.header);
  ASSERT_EQ(parsed.has_value(), c.valid) << c.header;
  if (!c.valid) return;
  EXPECT_EQ(parsed->version, c.version);
  EXPECT_EQ(parsed->trace_id, kTraceId);
  EXPECT_EQ(parsed->parent_id, kParentId);
  EXPECT_EQ(parsed->flags, c.flags);
}

std::string Header(const std::string& version, const std::string& trace_id,
                   const std::string& parent_id, const std::string& flags) {
  return version + "-" + trace_id + "-" + parent_id + "-" + flags;
}

const std::string kValid = Header("00", kTraceId, kParentId, "01");

INSTANTIATE_TEST_SUITE_P(
    Cases, TraceparentTest,
    ::testing::Values(
        TraceparentCase{"Sampled", kValid, true, 0, 1},
        TraceparentCase{"NotSampled", Header("00", kTraceId, kParentId, "00"), true, 0, 0},
        TraceparentCase{"OtherFlagsKept", Header("00", kTraceId, kParentId, "ff"), true, 0, 255},
        TraceparentCase{"Empty", "", false}, TraceparentCase{"Short", kValid.substr(0, 54), false},
        TraceparentCase{"Version00Longer", kValid + "-x", false},
        TraceparentCase{"Version00TrailingSpace", kValid + " ", false},
        TraceparentCase{"LeadingSpace", " " + kValid.substr(0, 54), false},
        TraceparentCase{"VersionFfInvalid", Header("ff", kTraceId, kParentId, "01"), false},
        TraceparentCase{"LaterVersionAsIs", Header("01", kTraceId, kParentId, "01"), true, 1, 1},
        TraceparentCase{"LaterVersionMoreFields", Header("cc", kTraceId, kParentId, "01") + "-what",
                        true, 0xcc, 1},
        TraceparentCase{"LaterVersionNoDashAfterFlags",
                        Header("cc", kTraceId, kParentId, "01") + "x", false},
        TraceparentCase{"UpperCaseTraceId",
                        Header("00", "4BF92F3577B34DA6A3CE929D0E0E4736", kParentId, "01"), false},
        TraceparentCase{"UpperCaseVersion", Header("0A", kTraceId, kParentId, "01"), false},
        TraceparentCase{"UpperCaseFlags", Header("00", kTraceId, kParentId, "0F"), false},
        TraceparentCase{"NonHexTraceId",
                        Header("00", "4bf92f3577b34da6a3ce929d0e0e473g", kParentId, "01"), false},
        TraceparentCase{"NonHexParentId", Header("00", kTraceId, "00f067aa0ba902bz", "01"), false},
        TraceparentCase{"AllZeroTraceId",
                        Header("00", "00000000000000000000000000000000", kParentId, "01"), false},
        TraceparentCase{"AllZeroParentId", Header("00", kTraceId, "0000000000000000", "01"), false},
        TraceparentCase{"ShortTraceId",
                        Header("00", "4bf92f3577b34da6a3ce929d0e0e473", kParentId, "011"), false},
        TraceparentCase{"WrongSeparator", "00_" + kValid.substr(3), false},
        TraceparentCase{"MissingLastDash", kValid.substr(0, 52) + "_01", false}),
    [](const ::testing::TestParamInfo<TraceparentCase>& info) { return info.param.name; });

}  // namespace
}  // namespace livestream_gateway
