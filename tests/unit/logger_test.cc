#include "server/logging/logger.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::MatchesRegex;

class LoggerTest : public ::testing::Test {
 protected:
  ~LoggerTest() override { SetLogFormat(LogFormat::kLogfmt); }
};

TEST_F(LoggerTest, WritesOneLineToStderrInTheFormatSet) {
  EXPECT_EQ(CurrentLogFormat(), LogFormat::kLogfmt);
  ::testing::internal::CaptureStderr();
  Log(LogLevel::kWarning, "pause", {{"retry_after", "3s"}});
  SetLogFormat(LogFormat::kJson);
  Log(LogLevel::kInfo, "stopped");
  const std::string out = ::testing::internal::GetCapturedStderr();
  const std::vector<std::string> lines = absl::StrSplit(out, '\n');
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_THAT(lines[0], MatchesRegex("time=[0-9-]+T[0-9:]+\\.[0-9]{3}Z level=warn msg=pause "
                                     "retry_after=3s"));
  EXPECT_THAT(lines[1], MatchesRegex(R"(\{"time":"[0-9-]+T[0-9:]+\.[0-9]{3}Z","level":"info",)"
                                     R"("msg":"stopped"\})"));
  EXPECT_EQ(lines[2], "");
}

// Each line is one write(2): lines of threads logging at once never mix,
// and a long line does not leave a large buffer behind.
TEST_F(LoggerTest, ConcurrentLinesStayWhole) {
  constexpr int kThreads = 4;
  constexpr int kLines = 200;
  const std::string long_value(3000, 'v');
  ::testing::internal::CaptureStderr();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &long_value] {
      const std::string id = absl::StrCat(t);
      for (int i = 0; i < kLines; ++i) {
        Log(LogLevel::kInfo, "line", {{"thread", id}, {"value", i % 2 == 0 ? long_value : "x"}});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::string out = ::testing::internal::GetCapturedStderr();
  int count = 0;
  for (absl::string_view line : absl::StrSplit(out, '\n', absl::SkipEmpty())) {
    ++count;
    EXPECT_THAT(std::string(line),
                MatchesRegex("time=[^ ]+ level=info msg=line thread=[0-3] value=(v+|x)"));
  }
  EXPECT_EQ(count, kThreads * kLines);
}

}  // namespace
}  // namespace livestream_gateway
