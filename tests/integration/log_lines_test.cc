// The log parsers the integration tests read the server's stderr with: they
// must refuse what a strict reader would, or a test could pass on a broken
// line.

#include "tests/integration/log_lines.h"

#include <string>

#include "gtest/gtest.h"

namespace livestream_gateway::testing {
namespace {

constexpr char kHead[] = "time=2026-11-26T01:02:03.004Z level=info msg=m";

TEST(LogLinesTest, ParsesLogfmtValuesBareAndQuoted) {
  const absl::StatusOr<LogRecord> record =
      ParseLogfmtLine(std::string(kHead) + R"( a=b/c:d q="x y=\"z\"\\\n\t" u="\u00e9\ufffd" e="")");
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->at("msg"), "m");
  EXPECT_EQ(record->at("a"), "b/c:d");
  EXPECT_EQ(record->at("q"), "x y=\"z\"\\\n\t");
  EXPECT_EQ(record->at("u"), "\xc3\xa9\xef\xbf\xbd");
  EXPECT_EQ(record->at("e"), "");
}

TEST(LogLinesTest, RefusesLogfmtThatIsNotStrict) {
  const std::string head = kHead;
  for (const std::string& line : {
           head + " a=b c",          // a word without a key
           head + "  a=b",           // two spaces
           head + " a=b ",           // trailing space
           head + " a=",             // empty bare value
           head + " a=\"b",          // unterminated quote
           head + " a=\"\\x41\"",    // unknown escape
           head + " a=\"\\u00E9\"",  // upper-case hex
           head + " a=\"b\tc\"",     // raw control character
           head + " A=b",            // key not [a-z_]
           head + " a=b a=c",        // duplicate key
           head + " a=b\"c",         // quote inside a bare value
           std::string("level=info time=2026-11-26T01:02:03.004Z msg=m"),     // order
           std::string("time=2026-11-26 level=info msg=m"),                   // time
           std::string("time=2026-11-26T01:02:03.004Z level=warning msg=m"),  // level
       }) {
    EXPECT_FALSE(ParseLogfmtLine(line).ok()) << line;
  }
}

TEST(LogLinesTest, ParsesJsonAndRefusesWhatIsNotALogObject) {
  const absl::StatusOr<LogRecord> record = ParseJsonLogLine(
      R"({"time":"2026-11-26T01:02:03.004Z","level":"error","msg":"m","n":1.5,"s":"\u00e9"})");
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->at("level"), "error");
  EXPECT_EQ(record->at("n"), "1.5");
  EXPECT_EQ(record->at("s"), "\xc3\xa9");
  for (const char* line : {
           R"({"time":"2026-11-26T01:02:03.004Z","level":"info","msg":"m")",  // cut
           R"({"time":"2026-11-26T01:02:03.004Z","level":"info"})",           // no msg
           R"({"time":"2026-11-26T01:02:03.004Z","level":"info","msg":"m","o":{}})",
           R"(time=2026-11-26T01:02:03.004Z level=info msg=m)",
       }) {
    EXPECT_FALSE(ParseJsonLogLine(line).ok()) << line;
  }
}

TEST(LogLinesTest, ALogMustBeValidUtf8WithWholeLines) {
  const std::string line = std::string(kHead) + "\n";
  EXPECT_TRUE(ParseLogLines(line + line, /*json=*/false).ok());
  EXPECT_FALSE(ParseLogLines(line + kHead, /*json=*/false).ok()) << "no final newline";
  EXPECT_FALSE(ParseLogLines(std::string(kHead) + " a=\"\xff\"\n", /*json=*/false).ok());
  EXPECT_FALSE(ParseLogLines(std::string(kHead) + " a=\"\xc0\xaf\"\n", /*json=*/false).ok());
}

}  // namespace
}  // namespace livestream_gateway::testing
