#include "server/request_log.h"

#include <string>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/logging/log_line.h"

namespace livestream_gateway {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

const absl::Time kTime =
    absl::FromCivil(absl::CivilSecond(2026, 11, 26, 1, 2, 3), absl::UTCTimeZone()) +
    absl::Milliseconds(4);

const RequestLogEntry kFull{
    .method = "/zoom.livestream.v1.LiveStreamService/UpdateStatus",
    .target = "webinar/123",
    .outcome = "NOT_FOUND",
    .reason = "ZOOM_WEBINAR_NOT_FOUND",
    .latency = absl::Microseconds(1500),
    .tracking_id = "v=2.0;clid=us01;rid=WEB_1",
    .principal = "spiffe://example.org/ns/a/sa/b",
    .trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
};

TEST(RequestLogTest, FormatsEveryFieldInLogfmt) {
  EXPECT_EQ(FormatRequestLogLine(kFull, LogFormat::kLogfmt, kTime),
            "time=2026-11-26T01:02:03.004Z level=info msg=rpc "
            "method=/zoom.livestream.v1.LiveStreamService/UpdateStatus "
            "principal=spiffe://example.org/ns/a/sa/b target=webinar/123 outcome=NOT_FOUND "
            "reason=ZOOM_WEBINAR_NOT_FOUND latency_ms=1.500 "
            "tracking_id=\"v=2.0;clid=us01;rid=WEB_1\" "
            "trace_id=4bf92f3577b34da6a3ce929d0e0e4736\n");
}

TEST(RequestLogTest, FormatsEveryFieldInJson) {
  EXPECT_EQ(FormatRequestLogLine(kFull, LogFormat::kJson, kTime),
            R"({"time":"2026-11-26T01:02:03.004Z","level":"info","msg":"rpc",)"
            R"("method":"/zoom.livestream.v1.LiveStreamService/UpdateStatus",)"
            R"("principal":"spiffe://example.org/ns/a/sa/b","target":"webinar/123",)"
            R"("outcome":"NOT_FOUND","reason":"ZOOM_WEBINAR_NOT_FOUND","latency_ms":1.500,)"
            R"("tracking_id":"v=2.0;clid=us01;rid=WEB_1",)"
            R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})"
            "\n");
}

// No principal yet means "-"; an empty reason, tracking id or trace id
// means the field is absent.
TEST(RequestLogTest, DefaultsAndAbsentFields) {
  const RequestLogEntry entry{.method = "m",
                              .target = "-",
                              .outcome = "OK",
                              .reason = "",
                              .latency = absl::ZeroDuration(),
                              .tracking_id = ""};
  EXPECT_EQ(FormatRequestLogLine(entry, LogFormat::kLogfmt, kTime),
            "time=2026-11-26T01:02:03.004Z level=info msg=rpc method=m principal=- target=- "
            "outcome=OK latency_ms=0.000\n");
  EXPECT_EQ(FormatRequestLogLine(entry, LogFormat::kJson, kTime),
            R"({"time":"2026-11-26T01:02:03.004Z","level":"info","msg":"rpc","method":"m",)"
            R"("principal":"-","target":"-","outcome":"OK","latency_ms":0.000})"
            "\n");
}

TEST(RequestLogTest, MarksADryRunAndItsRequestId) {
  const RequestLogEntry entry{.method = "m",
                              .target = "-",
                              .outcome = "OK",
                              .reason = "",
                              .latency = absl::ZeroDuration(),
                              .tracking_id = "",
                              .request_id = "7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2f",
                              .validate_only = true};
  EXPECT_EQ(FormatRequestLogLine(entry, LogFormat::kLogfmt, kTime),
            "time=2026-11-26T01:02:03.004Z level=info msg=rpc method=m principal=- target=- "
            "outcome=OK latency_ms=0.000 request_id=7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2f "
            "validate_only=true\n");
  EXPECT_EQ(FormatRequestLogLine(entry, LogFormat::kJson, kTime),
            R"({"time":"2026-11-26T01:02:03.004Z","level":"info","msg":"rpc","method":"m",)"
            R"("principal":"-","target":"-","outcome":"OK","latency_ms":0.000,)"
            R"("request_id":"7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2f","validate_only":true})"
            "\n");
}

TEST(RequestLogTest, LatencyIsMillisecondsRoundedToTheMicrosecond) {
  const struct {
    absl::Duration latency;
    absl::string_view expected;
  } kCases[] = {
      {absl::ZeroDuration(), " latency_ms=0.000\n"},
      {absl::Nanoseconds(499), " latency_ms=0.000\n"},
      {absl::Nanoseconds(500), " latency_ms=0.001\n"},
      {absl::Microseconds(7), " latency_ms=0.007\n"},
      {absl::Microseconds(70), " latency_ms=0.070\n"},
      {absl::Microseconds(999) + absl::Nanoseconds(600), " latency_ms=1.000\n"},
      {absl::Microseconds(12345), " latency_ms=12.345\n"},
      {absl::Seconds(90) + absl::Microseconds(40), " latency_ms=90000.040\n"},
      // A clock step backwards must not print a negative or garbled number.
      {absl::Microseconds(-5), " latency_ms=0.000\n"},
  };
  for (const auto& c : kCases) {
    const std::string line = FormatRequestLogLine(
        RequestLogEntry{.method = "m", .target = "t", .outcome = "OK", .latency = c.latency},
        LogFormat::kLogfmt, kTime);
    EXPECT_THAT(line, EndsWith(c.expected)) << c.latency;
  }
}

TEST(RequestLogTest, UntrustedValuesCannotForgeFieldsOrLines) {
  const RequestLogEntry entry{.method = "m",
                              .target = "webinar/1",
                              .outcome = "OK",
                              .latency = absl::ZeroDuration(),
                              .tracking_id = "x\nmsg=rpc outcome=OK\"}{"};
  const std::string logfmt = FormatRequestLogLine(entry, LogFormat::kLogfmt, kTime);
  EXPECT_EQ(logfmt.find('\n'), logfmt.size() - 1);
  EXPECT_THAT(logfmt, EndsWith(R"( tracking_id="x\nmsg=rpc outcome=OK\"}{")"
                               "\n"));
  const std::string json = FormatRequestLogLine(entry, LogFormat::kJson, kTime);
  EXPECT_EQ(json.find('\n'), json.size() - 1);
  EXPECT_THAT(json, EndsWith(R"(,"tracking_id":"x\nmsg=rpc outcome=OK\"}{"})"
                             "\n"));
  // A principal comes from a certificate or a forwarded header.
  const RequestLogEntry forged_principal{.method = "m",
                                         .target = "webinar/1",
                                         .outcome = "OK",
                                         .latency = absl::ZeroDuration(),
                                         .principal = "CN=a b\nmsg=forged"};
  const std::string principal_line =
      FormatRequestLogLine(forged_principal, LogFormat::kLogfmt, kTime);
  EXPECT_EQ(principal_line.find('\n'), principal_line.size() - 1);
  EXPECT_THAT(principal_line, HasSubstr(R"( principal="CN=a b\nmsg=forged" target=webinar/1 )"));
}

// Whatever the bytes (not UTF-8, DEL, C1 controls, U+2028), the line is
// valid UTF-8 with every control character escaped.
TEST(RequestLogTest, ValuesOutsidePrintableAsciiAreEscaped) {
  const RequestLogEntry entry{.method = "m",
                              .target = "webinar/1",
                              .outcome = "OK",
                              .latency = absl::ZeroDuration(),
                              .tracking_id = "a\xFF\x7F\xC2\x85\xE2\x80\xA8z"};
  EXPECT_THAT(FormatRequestLogLine(entry, LogFormat::kLogfmt, kTime),
              HasSubstr(R"( tracking_id="a\ufffd\u007f\u0085\u2028z")"));
  EXPECT_THAT(FormatRequestLogLine(entry, LogFormat::kJson, kTime),
              HasSubstr(R"(,"tracking_id":"a\ufffd\u007f\u0085\u2028z")"));
}

}  // namespace
}  // namespace livestream_gateway
