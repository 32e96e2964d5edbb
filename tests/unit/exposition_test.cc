#include "server/metrics/exposition.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace livestream_gateway::metrics {
namespace {

struct ValueRow {
  double value;
  std::string text;
};

class FormatValueTest : public ::testing::TestWithParam<ValueRow> {};

TEST_P(FormatValueTest, IsTheShortestTextThatReadsBackTheSame) {
  EXPECT_EQ(FormatValue(GetParam().value), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    Values, FormatValueTest,
    ::testing::Values(
        ValueRow{0, "0"}, ValueRow{3, "3"}, ValueRow{-2, "-2"}, ValueRow{0.1, "0.1"},
        ValueRow{0.0005, "0.0005"}, ValueRow{2.5, "2.5"}, ValueRow{1234567, "1234567"},
        ValueRow{1e21, "1e+21"}, ValueRow{18446744073709551615.0, "18446744073709551616"},
        ValueRow{1e-7, "1e-07"}, ValueRow{0.000001, "0.000001"},
        ValueRow{1700000000.5, "1700000000.5"}, ValueRow{999999999999999, "999999999999999"},
        ValueRow{1e15, "1e+15"}, ValueRow{std::numeric_limits<double>::infinity(), "+Inf"},
        ValueRow{-std::numeric_limits<double>::infinity(), "-Inf"}, ValueRow{std::nan(""), "NaN"}));

struct EscapeRow {
  std::string in;
  std::string label_value;
  std::string help;
};

class EscapeTest : public ::testing::TestWithParam<EscapeRow> {};

TEST_P(EscapeTest, EscapesWhatTheFormatRequires) {
  EXPECT_EQ(EscapeLabelValue(GetParam().in), GetParam().label_value);
  EXPECT_EQ(EscapeHelp(GetParam().in), GetParam().help);
}

INSTANTIATE_TEST_SUITE_P(
    Texts, EscapeTest,
    ::testing::Values(EscapeRow{"plain", "plain", "plain"}, EscapeRow{"", "", ""},
                      EscapeRow{R"(a\b)", R"(a\\b)", R"(a\\b)"},
                      EscapeRow{R"(say "hi")", R"(say \"hi\")", R"(say "hi")"},
                      EscapeRow{"two\nlines", R"(two\nlines)", R"(two\nlines)"},
                      EscapeRow{"tab\tand ünïcode", "tab\tand ünïcode", "tab\tand ünïcode"},
                      EscapeRow{"\\\"\n", R"(\\\"\n)", "\\\\\"\\n"}));

struct NameRow {
  std::string name;
  bool metric;
  bool label;
};

class NameTest : public ::testing::TestWithParam<NameRow> {};

TEST_P(NameTest, FollowsTheDataModel) {
  EXPECT_EQ(IsValidMetricName(GetParam().name), GetParam().metric) << GetParam().name;
  EXPECT_EQ(IsValidLabelName(GetParam().name), GetParam().label) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(Names, NameTest,
                         ::testing::Values(NameRow{"rpcs_total", true, true},
                                           NameRow{"_x", true, true}, NameRow{"a:b", true, false},
                                           NameRow{"__reserved", true, false},
                                           NameRow{"9lives", false, false},
                                           NameRow{"a-b", false, false}, NameRow{"", false, false},
                                           NameRow{"a b", false, false},
                                           NameRow{"code2", true, true}));

struct WriteRow {
  std::string name;
  std::vector<MetricFamily> families;
  std::string text;
};

class WriteExpositionTest : public ::testing::TestWithParam<WriteRow> {};

TEST_P(WriteExpositionTest, WritesExactly) {
  EXPECT_EQ(WriteExposition(GetParam().families), GetParam().text);
}

INSTANTIATE_TEST_SUITE_P(
    Families, WriteExpositionTest,
    ::testing::Values(
        WriteRow{"Nothing", {}, ""},
        WriteRow{"UnlabeledCounter",
                 {{"x_total", "Things.", MetricType::kCounter, {{"", {}, 7}}}},
                 "# HELP x_total Things.\n# TYPE x_total counter\nx_total 7\n"},
        WriteRow{"FamilyWithNoSamplesKeepsItsHeader",
                 {{"idle", "None yet.", MetricType::kGauge, {}}},
                 "# HELP idle None yet.\n# TYPE idle gauge\n"},
        WriteRow{"LabelsInTheOrderGivenAndEscaped",
                 {{"rpcs_total",
                   "Calls \\ by\ncode.",
                   MetricType::kCounter,
                   {{"", {{"method", "/a.B/C"}, {"code", "OK"}}, 2},
                    {"", {{"method", "q\"\\\n"}, {"code", "NOT_FOUND"}}, 1}}}},
                 "# HELP rpcs_total Calls \\\\ by\\ncode.\n"
                 "# TYPE rpcs_total counter\n"
                 "rpcs_total{method=\"/a.B/C\",code=\"OK\"} 2\n"
                 "rpcs_total{method=\"q\\\"\\\\\\n\",code=\"NOT_FOUND\"} 1\n"},
        WriteRow{"Histogram",
                 {{"latency_seconds",
                   "Latency.",
                   MetricType::kHistogram,
                   {{"_bucket", {{"le", "0.1"}}, 1},
                    {"_bucket", {{"le", "+Inf"}}, 2},
                    {"_sum", {}, 0.55},
                    {"_count", {}, 2}}}},
                 "# HELP latency_seconds Latency.\n"
                 "# TYPE latency_seconds histogram\n"
                 "latency_seconds_bucket{le=\"0.1\"} 1\n"
                 "latency_seconds_bucket{le=\"+Inf\"} 2\n"
                 "latency_seconds_sum 0.55\n"
                 "latency_seconds_count 2\n"},
        WriteRow{"FamiliesInTheOrderGiven",
                 {{"b", "B.", MetricType::kGauge, {{"", {}, -1}}},
                  {"a", "A.", MetricType::kGauge, {{"", {}, 0.25}}}},
                 "# HELP b B.\n# TYPE b gauge\nb -1\n# HELP a A.\n# TYPE a gauge\na 0.25\n"}),
    [](const ::testing::TestParamInfo<WriteRow>& info) { return info.param.name; });

}  // namespace
}  // namespace livestream_gateway::metrics
