#include "server/request_log.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(RequestLogTest, FormatsOneLogfmtLine) {
  const std::string line = FormatRequestLogLine(RequestLogEntry{
      .method = "/zoom.livestream.v1.LiveStreamService/UpdateStatus",
      .principal = "spiffe://example.org/ns/events/sa/scheduler",
      .target = "webinar/123",
      .outcome = "NOT_FOUND",
      .reason = "ZOOM_WEBINAR_NOT_FOUND",
      .latency = absl::Microseconds(1500),
      .tracking_id = "v=2.0;clid=us01;rid=WEB_1",
  });
  EXPECT_THAT(line,
              MatchesRegex("[0-9T:.Z-]+ rpc=/zoom.livestream.v1.LiveStreamService/UpdateStatus "
                           "principal=spiffe://example.org/ns/events/sa/scheduler "
                           "target=webinar/123 outcome=NOT_FOUND "
                           "reason=ZOOM_WEBINAR_NOT_FOUND latency_ms=1.500 "
                           "tracking_id=\"v=2.0;clid=us01;rid=WEB_1\"\n"));
}

TEST(RequestLogTest, TimestampMatchesAbslFormatTimeAcrossSecondBoundaries) {
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
  const absl::Time before_epoch = absl::FromUnixMillis(-1);
  EXPECT_EQ(FormatLogTimestamp(before_epoch), "1969-12-31T23:59:59.999Z");
}

TEST(RequestLogTest, LatencyIsMillisecondsRoundedToTheMicrosecond) {
  const struct {
    absl::Duration latency;
    absl::string_view expected;
  } kCases[] = {
      {absl::ZeroDuration(), "latency_ms=0.000 "},
      {absl::Nanoseconds(499), "latency_ms=0.000 "},
      {absl::Nanoseconds(500), "latency_ms=0.001 "},
      {absl::Microseconds(7), "latency_ms=0.007 "},
      {absl::Microseconds(999) + absl::Nanoseconds(600), "latency_ms=1.000 "},
      {absl::Microseconds(12345), "latency_ms=12.345 "},
      {absl::Seconds(90) + absl::Microseconds(40), "latency_ms=90000.040 "},
      // A clock step backwards must not print a negative or garbled number.
      {absl::Microseconds(-5), "latency_ms=0.000 "},
  };
  for (const auto& c : kCases) {
    const std::string line = FormatRequestLogLine(RequestLogEntry{.method = "m",
                                                                  .target = "t",
                                                                  .outcome = "OK",
                                                                  .reason = "",
                                                                  .latency = c.latency,
                                                                  .tracking_id = ""});
    EXPECT_THAT(line, HasSubstr(c.expected)) << c.latency;
  }
}

TEST(RequestLogTest, EmptyFieldsAreDashes) {
  const std::string line = FormatRequestLogLine(RequestLogEntry{.method = "m",
                                                                .target = "",
                                                                .outcome = "OK",
                                                                .reason = "",
                                                                .latency = absl::ZeroDuration(),
                                                                .tracking_id = ""});
  EXPECT_THAT(line, HasSubstr("principal=- target=- outcome=OK reason=- latency_ms=0.000 "
                              "tracking_id=-\n"));
}

TEST(RequestLogTest, UntrustedValuesCannotForgeFieldsOrLines) {
  // A principal comes from a certificate or a forwarded header.
  const std::string principal_line =
      FormatRequestLogLine(RequestLogEntry{.method = "m",
                                           .principal = "CN=a b\nrpc=forged",
                                           .target = "webinar/1",
                                           .outcome = "OK",
                                           .reason = "",
                                           .latency = absl::ZeroDuration(),
                                           .tracking_id = ""});
  EXPECT_EQ(principal_line.find('\n'), principal_line.size() - 1);
  EXPECT_THAT(principal_line, HasSubstr(" principal=\"CN=a b\\nrpc=forged\" target=webinar/1 "));
  const std::string line =
      FormatRequestLogLine(RequestLogEntry{.method = "m",
                                           .target = "webinar/1",
                                           .outcome = "OK",
                                           .reason = "",
                                           .latency = absl::ZeroDuration(),
                                           .tracking_id = "x\nrpc=forged outcome=OK"});
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  EXPECT_THAT(line, EndsWith("tracking_id=\"x\\nrpc=forged outcome=OK\"\n"));
}

// Whatever the bytes (not UTF-8, DEL, C1 controls, U+2028), the line stays
// one line of printable ASCII, so it is valid UTF-8 and reads the same in
// every viewer.
TEST(RequestLogTest, ValuesOutsidePrintableAsciiAreEscaped) {
  const std::string line =
      FormatRequestLogLine(RequestLogEntry{.method = "m",
                                           .target = "webinar/1",
                                           .outcome = "OK",
                                           .reason = "",
                                           .latency = absl::ZeroDuration(),
                                           .tracking_id = "a\xFF\x7F\xC2\x85\xE2\x80\xA8z"});
  EXPECT_THAT(line, EndsWith("tracking_id=\"a\\xff\\x7f\\xc2\\x85\\xe2\\x80\\xa8z\"\n"));
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    EXPECT_TRUE(line[i] >= ' ' && line[i] < 0x7F) << "byte " << i;
  }
}

}  // namespace
}  // namespace livestream_gateway
