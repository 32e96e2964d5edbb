#include "server/zoom/retry_after.h"

#include <optional>
#include <ostream>
#include <string>

#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

// 2026-01-01 is a Thursday.
const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 1, 1, 0, 0, 0), absl::UTCTimeZone());

struct Case {
  std::string name;
  std::string value;
  std::optional<absl::Duration> expected;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ParseRetryAfterTest : public testing::TestWithParam<Case> {};

TEST_P(ParseRetryAfterTest, Parses) {
  EXPECT_EQ(ParseRetryAfter(GetParam().value, kNow), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, ParseRetryAfterTest,
    testing::Values(
        // delta-seconds.
        Case{"Zero", "0", absl::ZeroDuration()}, Case{"Seconds", "120", absl::Seconds(120)},
        Case{"LeadingZeros", "007", absl::Seconds(7)},
        Case{"SurroundingWhitespace", " \t30 ", absl::Seconds(30)},
        Case{"OneDay", "86400", absl::Hours(24)},
        Case{"ClampedAboveOneDay", "86401", kMaxRetryAfter},
        Case{"ClampedHuge", "99999999999999999999999999999999999999", kMaxRetryAfter},
        Case{"ClampedHugeLong", std::string(200, '9'), kMaxRetryAfter},
        Case{"Negative", "-1", std::nullopt}, Case{"Plus", "+5", std::nullopt},
        Case{"Fraction", "1.5", std::nullopt}, Case{"Unit", "5s", std::nullopt},
        Case{"Hex", "0x10", std::nullopt}, Case{"InnerSpace", "1 2", std::nullopt},
        Case{"Empty", "", std::nullopt}, Case{"Blank", "   ", std::nullopt},
        Case{"Word", "soon", std::nullopt},
        // IMF-fixdate.
        Case{"ImfFuture", "Thu, 01 Jan 2026 00:00:30 GMT", absl::Seconds(30)},
        Case{"ImfNow", "Thu, 01 Jan 2026 00:00:00 GMT", absl::ZeroDuration()},
        Case{"ImfPast", "Sun, 06 Nov 1994 08:49:37 GMT", absl::ZeroDuration()},
        Case{"ImfClamped", "Fri, 01 Jan 2027 00:00:00 GMT", kMaxRetryAfter},
        Case{"ImfNotGmt", "Thu, 01 Jan 2026 00:00:30 PST", std::nullopt},
        Case{"ImfBadDay", "Thu, 32 Jan 2026 00:00:30 GMT", std::nullopt},
        Case{"ImfBadMonth", "Thu, 01 Foo 2026 00:00:30 GMT", std::nullopt},
        Case{"ImfTrailingGarbage", "Thu, 01 Jan 2026 00:00:30 GMT x", std::nullopt},
        // RFC 850, with RFC 9110's 50-year rule for two-digit years.
        Case{"Rfc850Future", "Thursday, 01-Jan-26 00:02:00 GMT", absl::Seconds(120)},
        Case{"Rfc850Past", "Sunday, 06-Nov-94 08:49:37 GMT", absl::ZeroDuration()},
        Case{"Rfc850Within50Years", "Tuesday, 01-Jan-70 00:00:00 GMT", kMaxRetryAfter},
        Case{"Rfc850Beyond50YearsIsPast", "Friday, 01-Jan-77 00:00:00 GMT", absl::ZeroDuration()},
        // asctime.
        Case{"AsctimeFuture", "Thu Jan  1 00:00:45 2026", absl::Seconds(45)},
        Case{"AsctimePast", "Sun Nov  6 08:49:37 1994", absl::ZeroDuration()},
        // RFC 3339, as in Zoom's documentation.
        Case{"Rfc3339Future", "2026-01-01T00:01:00Z", absl::Seconds(60)},
        Case{"Rfc3339ZoomDocsExample", "2020-05-31T00:00:00Z", absl::ZeroDuration()},
        Case{"Rfc3339Offset", "2026-01-01T01:00:10+01:00", absl::Seconds(10)},
        Case{"Rfc3339Fraction", "2026-01-01T00:00:01.5Z", absl::Milliseconds(1500)},
        Case{"Rfc3339Lowercase", "2026-01-01t00:00:10z", absl::Seconds(10)},
        Case{"Rfc3339Clamped", "2026-01-02T12:00:00Z", kMaxRetryAfter},
        Case{"Rfc3339FarFuture", "9999-12-31T23:59:59Z", kMaxRetryAfter},
        Case{"Rfc3339NoOffset", "2026-01-01T00:01:00", std::nullopt},
        Case{"Rfc3339SpaceSeparator", "2026-01-01 00:01:00Z", std::nullopt},
        Case{"Rfc3339BadMonth", "2026-13-01T00:00:00Z", std::nullopt},
        Case{"DateOnly", "2026-01-02", std::nullopt},
        Case{"TooLong", "Thu, 01 Jan 2026 00:00:30 GMT" + std::string(100, ' ') + "x",
             std::nullopt},
        Case{"Nul", std::string("12\0", 3), std::nullopt},
        // Found by fuzz/retry_after_fuzzer: absl::ParseTime takes these
        // words in any format, as infinite times.
        Case{"InfiniteFuture", "infinite-future", std::nullopt},
        Case{"InfinitePast", " infinite-past", std::nullopt}),
    [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace livestream_gateway
