#include "server/logging/log_line.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

const absl::Time kTime =
    absl::FromCivil(absl::CivilSecond(2026, 11, 26, 1, 2, 3), absl::UTCTimeZone()) +
    absl::Milliseconds(4);

struct LineCase {
  std::string name;
  LogLevel level;
  std::string message;
  std::vector<LogField> fields;
  std::string logfmt;
  std::string json;
};

class LogLineTest : public ::testing::TestWithParam<LineCase> {};

TEST_P(LogLineTest, IsByteExactInBothFormats) {
  const LineCase& c = GetParam();
  std::string logfmt;
  AppendLogLine(logfmt, LogFormat::kLogfmt, kTime, c.level, c.message, c.fields);
  EXPECT_EQ(logfmt, c.logfmt);
  std::string json;
  AppendLogLine(json, LogFormat::kJson, kTime, c.level, c.message, c.fields);
  EXPECT_EQ(json, c.json);
}

INSTANTIATE_TEST_SUITE_P(
    Lines, LogLineTest,
    ::testing::Values(
        LineCase{"NoFields",
                 LogLevel::kInfo,
                 "stopped",
                 {},
                 "time=2026-11-26T01:02:03.004Z level=info msg=stopped\n",
                 R"({"time":"2026-11-26T01:02:03.004Z","level":"info","msg":"stopped"})"
                 "\n"},
        LineCase{"TextAndNumberFields",
                 LogLevel::kInfo,
                 "listening",
                 {{"listen", "127.0.0.1:0"}, NumberField("port", "50051"), {"mode", "plain text"}},
                 "time=2026-11-26T01:02:03.004Z level=info msg=listening listen=127.0.0.1:0 "
                 "port=50051 mode=\"plain text\"\n",
                 R"({"time":"2026-11-26T01:02:03.004Z","level":"info","msg":"listening",)"
                 R"("listen":"127.0.0.1:0","port":50051,"mode":"plain text"})"
                 "\n"},
        LineCase{"WarningEscaped",
                 LogLevel::kWarning,
                 "--zoom_access_token_file: /tmp/a b is readable",
                 {{"detail", "x\n\"y\""}},
                 "time=2026-11-26T01:02:03.004Z level=warn "
                 R"(msg="--zoom_access_token_file: /tmp/a b is readable" detail="x\n\"y\"")"
                 "\n",
                 R"({"time":"2026-11-26T01:02:03.004Z","level":"warn",)"
                 R"("msg":"--zoom_access_token_file: /tmp/a b is readable","detail":"x\n\"y\""})"
                 "\n"},
        // A value cannot forge a field or a line in either format.
        LineCase{"ForgeryAttempt",
                 LogLevel::kError,
                 "m",
                 {{"tracking_id", "x\nlevel=info msg=forged"}, {"k", "\",\"level\":\"info"}},
                 "time=2026-11-26T01:02:03.004Z level=error msg=m "
                 R"(tracking_id="x\nlevel=info msg=forged" k="\",\"level\":\"info")"
                 "\n",
                 R"({"time":"2026-11-26T01:02:03.004Z","level":"error","msg":"m",)"
                 R"("tracking_id":"x\nlevel=info msg=forged","k":"\",\"level\":\"info"})"
                 "\n"},
        LineCase{
            "Debug",
            LogLevel::kDebug,
            "",
            {{"component", "curl"}},
            "time=2026-11-26T01:02:03.004Z level=debug msg=\"\" component=curl\n",
            R"({"time":"2026-11-26T01:02:03.004Z","level":"debug","msg":"","component":"curl"})"
            "\n"}),
    [](const ::testing::TestParamInfo<LineCase>& info) { return info.param.name; });

TEST(LogFormatTest, ParsesTheFlagValues) {
  EXPECT_EQ(*ParseLogFormat("logfmt"), LogFormat::kLogfmt);
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  for (const char* bad : {"", "text", "JSON", "logfmt "}) {
    const absl::StatusOr<LogFormat> format = ParseLogFormat(bad);
    ASSERT_FALSE(format.ok()) << bad;
    EXPECT_EQ(format.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(format.status().message(), "--log_format must be 'logfmt' or 'json'");
  }
}

TEST(LogTimestampTest, MatchesAbslFormatTimeAcrossSecondBoundaries) {
  const absl::Time base =
      absl::FromCivil(absl::CivilSecond(2026, 11, 26, 23, 59, 59), absl::UTCTimeZone());
  // In order, so the per-second cache is hit, refilled and hit again.
  for (const absl::Duration offset :
       {absl::ZeroDuration(), absl::Microseconds(999), absl::Milliseconds(1),
        absl::Microseconds(999999), absl::Seconds(1), absl::Milliseconds(1001),
        absl::Milliseconds(1500), absl::Hours(24 * 366), absl::Seconds(-1), absl::Milliseconds(-1),
        absl::Seconds(-86400 * 365 * 60)}) {
    const absl::Time t = base + offset;
    EXPECT_EQ(FormatLogTimestamp(t),
              absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone()))
        << "offset " << offset;
  }
  // Before the Unix epoch, where division rounds the other way.
  EXPECT_EQ(FormatLogTimestamp(absl::FromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace livestream_gateway
