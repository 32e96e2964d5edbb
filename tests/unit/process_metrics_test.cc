#include "server/metrics/process_metrics.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway::metrics {
namespace {

using ::testing::Gt;

// Fields 3..24 of proc(5) after "pid (comm) ": state R, then numbers chosen
// so that each field the parser reads is distinct.
constexpr char kTail[] = "R 1 2 3 4 5 6 7 8 9 10 150 50 13 14 15 16 12 18 4200 123456789 2048";

struct StatRow {
  std::string name;
  std::string text;
  bool ok;
};

class ParseProcStatTest : public ::testing::TestWithParam<StatRow> {};

TEST_P(ParseProcStatTest, ReadsFieldsAfterTheLastParenthesis) {
  absl::StatusOr<ProcStat> stat = ParseProcStat(GetParam().text);
  ASSERT_EQ(stat.ok(), GetParam().ok) << stat.status();
  if (!stat.ok()) return;
  EXPECT_EQ(stat->utime_ticks, 150u);
  EXPECT_EQ(stat->stime_ticks, 50u);
  EXPECT_EQ(stat->threads, 12);
  EXPECT_EQ(stat->start_time_ticks, 4200u);
  EXPECT_EQ(stat->virtual_bytes, 123456789u);
  EXPECT_EQ(stat->rss_pages, 2048);
}

INSTANTIATE_TEST_SUITE_P(
    Texts, ParseProcStatTest,
    ::testing::Values(
        StatRow{"Plain", absl::StrCat("42 (livestream_serv) ", kTail, " 25 26\n"), true},
        StatRow{"NameWithSpacesAndParentheses", absl::StrCat("42 (a) (b c) ", kTail, "\n"), true},
        StatRow{"NoName", kTail, false}, StatRow{"TooFewFields", "42 (x) R 1 2 3", false},
        StatRow{"NotANumber", absl::StrCat("42 (x) ", kTail, "x"), false}),
    [](const ::testing::TestParamInfo<StatRow>& info) { return info.param.name; });

TEST(ParseBootTimeTest, ReadsTheBtimeLine) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"), 1700000000);
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\n"), std::nullopt);
  EXPECT_EQ(ParseBootTime("btime soon\n"), std::nullopt);
}

TEST(ToProcessSampleTest, ConvertsTicksAndPages) {
  const ProcStat stat{.utime_ticks = 150,
                      .stime_ticks = 50,
                      .threads = 12,
                      .start_time_ticks = 4200,
                      .virtual_bytes = 1000,
                      .rss_pages = 2048};
  const ProcessSample sample = ToProcessSample(stat, /*ticks_per_second=*/100,
                                               /*page_bytes=*/4096, /*boot_time_seconds=*/1000,
                                               /*open_fds=*/9, /*max_fds=*/1024);
  EXPECT_DOUBLE_EQ(sample.cpu_seconds, 2);
  EXPECT_DOUBLE_EQ(sample.resident_bytes, 2048.0 * 4096);
  EXPECT_DOUBLE_EQ(sample.virtual_bytes, 1000);
  EXPECT_DOUBLE_EQ(sample.threads, 12);
  EXPECT_DOUBLE_EQ(sample.start_time_seconds, 1042);
  EXPECT_DOUBLE_EQ(sample.open_fds, 9);
  EXPECT_DOUBLE_EQ(sample.max_fds, 1024);
}

TEST(ProcessFamiliesTest, WritesTheStandardNames) {
  const ProcessSample sample{.cpu_seconds = 2.5,
                             .resident_bytes = 4096,
                             .virtual_bytes = 8192,
                             .open_fds = 9,
                             .max_fds = 1024,
                             .threads = 3,
                             .start_time_seconds = 1700000000.5};
  EXPECT_EQ(WriteExposition(ProcessFamilies(sample)),
            "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
            "# TYPE process_cpu_seconds_total counter\n"
            "process_cpu_seconds_total 2.5\n"
            "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
            "# TYPE process_resident_memory_bytes gauge\n"
            "process_resident_memory_bytes 4096\n"
            "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
            "# TYPE process_virtual_memory_bytes gauge\n"
            "process_virtual_memory_bytes 8192\n"
            "# HELP process_open_fds Number of open file descriptors.\n"
            "# TYPE process_open_fds gauge\n"
            "process_open_fds 9\n"
            "# HELP process_max_fds Maximum number of open file descriptors.\n"
            "# TYPE process_max_fds gauge\n"
            "process_max_fds 1024\n"
            "# HELP process_threads Number of OS threads in the process.\n"
            "# TYPE process_threads gauge\n"
            "process_threads 3\n"
            "# HELP process_start_time_seconds Start time of the process since unix epoch in "
            "seconds.\n"
            "# TYPE process_start_time_seconds gauge\n"
            "process_start_time_seconds 1700000000.5\n");
}

TEST(CollectProcessMetricsTest, ReadsThisProcess) {
  const std::vector<MetricFamily> families = CollectProcessMetrics();
  ASSERT_EQ(families.size(), 7u);
  for (const MetricFamily& family : families) {
    ASSERT_EQ(family.samples.size(), 1u) << family.name;
    if (family.name != "process_cpu_seconds_total") {
      EXPECT_THAT(family.samples[0].value, Gt(0)) << family.name;
    }
  }
}

}  // namespace
}  // namespace livestream_gateway::metrics
