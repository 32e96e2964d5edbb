#include "tests/soak/soak_rules.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace livestream_gateway::soak {
namespace {

using C = absl::StatusCode;

struct OutcomeCase {
  std::string name;
  CallOutcome outcome;
  bool documented;
};

class UndocumentedTest : public ::testing::TestWithParam<OutcomeCase> {};

TEST_P(UndocumentedTest, FollowsTheReadmeErrorTable) {
  const std::optional<std::string> why = Undocumented(GetParam().outcome);
  EXPECT_EQ(!why.has_value(), GetParam().documented) << why.value_or("documented");
}

constexpr char kDomain[] = "zoom-livestream-gateway";

INSTANTIATE_TEST_SUITE_P(
    Cases, UndocumentedTest,
    ::testing::Values(
        OutcomeCase{"Ok", {C::kOk, 0, "", ""}, true},
        OutcomeCase{"OkWithDetails", {C::kOk, 1, kDomain, "ZOOM_TIMEOUT"}, false},
        OutcomeCase{"Timeout", {C::kDeadlineExceeded, 1, kDomain, "ZOOM_TIMEOUT"}, true},
        OutcomeCase{"CallersOwnDeadline", {C::kDeadlineExceeded, 0, "", ""}, false},
        OutcomeCase{"Unreachable", {C::kUnavailable, 1, kDomain, "ZOOM_UNREACHABLE"}, true},
        OutcomeCase{"ZoomUnavailable", {C::kUnavailable, 1, kDomain, "ZOOM_UNAVAILABLE"}, true},
        OutcomeCase{"RateLimited", {C::kResourceExhausted, 1, kDomain, "ZOOM_RATE_LIMITED"}, true},
        OutcomeCase{"BadRequest", {C::kInvalidArgument, 1, kDomain, "INVALID_REQUEST"}, true},
        OutcomeCase{"WebinarNotFound", {C::kNotFound, 1, kDomain, "ZOOM_WEBINAR_NOT_FOUND"}, true},
        OutcomeCase{"Unexpected", {C::kAborted, 1, kDomain, "ZOOM_UNEXPECTED_STATUS"}, true},
        OutcomeCase{"Malformed", {C::kInvalidArgument, 1, kDomain, "MALFORMED_REQUEST"}, true},
        OutcomeCase{
            "MetadataTooLarge", {C::kResourceExhausted, 1, kDomain, "METADATA_TOO_LARGE"}, true},
        OutcomeCase{"NoPrincipal", {C::kUnauthenticated, 1, kDomain, "UNAUTHENTICATED"}, true},
        OutcomeCase{"BadBearer", {C::kUnauthenticated, 1, kDomain, "INVALID_BEARER_TOKEN"}, true},
        OutcomeCase{"BadClientCert",
                    {C::kUnauthenticated, 1, kDomain, "INVALID_FORWARDED_CLIENT_CERT"},
                    true},
        OutcomeCase{"PolicyDenies", {C::kPermissionDenied, 1, kDomain, "PERMISSION_DENIED"}, true},
        OutcomeCase{"Cancelled", {C::kCancelled, 1, kDomain, "CANCELLED"}, true},
        OutcomeCase{"UnknownDelivery", {C::kUnknown, 1, kDomain, "ZOOM_UNREACHABLE"}, true},
        OutcomeCase{"ReasonMissingBug", {C::kInternal, 1, kDomain, "INTERNAL"}, false},
        OutcomeCase{"ReasonMissingBugOtherCode", {C::kUnavailable, 1, kDomain, "INTERNAL"}, false},
        OutcomeCase{"WrongReasonForCode", {C::kUnavailable, 1, kDomain, "ZOOM_TIMEOUT"}, false},
        OutcomeCase{"UnknownReason", {C::kInternal, 1, kDomain, "SOMETHING_ELSE"}, false},
        OutcomeCase{"TwoErrorInfos", {C::kUnavailable, 2, kDomain, "ZOOM_UNAVAILABLE"}, false},
        OutcomeCase{"NoErrorInfo", {C::kUnavailable, 0, "", ""}, false},
        OutcomeCase{"OtherDomain", {C::kUnavailable, 1, "grpc.io", "ZOOM_UNAVAILABLE"}, false},
        OutcomeCase{"CodeNotInTable", {C::kDataLoss, 1, kDomain, "ZOOM_UNEXPECTED_STATUS"}, false}),
    [](const auto& info) { return info.param.name; });

// One sample a second over `seconds`, with RSS and fds from the functions.
template <typename Rss, typename Fds>
std::vector<ResourceSample> Samples(int seconds, Rss rss, Fds fds) {
  std::vector<ResourceSample> samples;
  for (int s = 0; s <= seconds; ++s) {
    samples.push_back({absl::Seconds(s), rss(s), fds(s), 10});
  }
  return samples;
}

ResourceLimits Limits() {
  ResourceLimits limits;
  limits.max_fds = 100;
  return limits;
}

TEST(JudgeResourcesTest, FlatRunPasses) {
  const ResourceVerdict v =
      JudgeResources(Samples(
                         60, [](int) { return 20000; }, [](int) { return 50; }),
                     absl::Seconds(60), Limits());
  EXPECT_TRUE(v.failures.empty());
  EXPECT_EQ(v.rss_after_warmup_kib, 20000);
  EXPECT_EQ(v.rss_end_kib, 20000);
  EXPECT_EQ(v.fds_max, 50);
}

TEST(JudgeResourcesTest, GrowthDuringWarmupDoesNotCount) {
  const ResourceVerdict v = JudgeResources(
      Samples(
          60, [](int s) { return s < 20 ? 10000 + 500 * s : 20000; }, [](int) { return 50; }),
      absl::Seconds(60), Limits());
  EXPECT_TRUE(v.failures.empty());
  EXPECT_EQ(v.rss_start_kib, 10000);
  EXPECT_DOUBLE_EQ(v.rss_growth, 0);
}

TEST(JudgeResourcesTest, SteadyGrowthAfterWarmupFails) {
  // 20 KiB a second on 20,000 KiB: about 2 % after warm-up over 40 s, 7 % over 120 s.
  const auto leak = [](int s) { return 20000 + 20 * s; };
  EXPECT_TRUE(JudgeResources(Samples(40, leak, [](int) { return 50; }), absl::Seconds(40), Limits())
                  .failures.empty());
  const ResourceVerdict v =
      JudgeResources(Samples(120, leak, [](int) { return 50; }), absl::Seconds(120), Limits());
  ASSERT_EQ(v.failures.size(), 1u);
  EXPECT_NE(v.failures[0].find("RSS grew"), std::string::npos) << v.failures[0];
}

TEST(JudgeResourcesTest, OneOutlierSampleIsIgnored) {
  const ResourceVerdict v =
      JudgeResources(Samples(
                         60, [](int s) { return s == 58 ? 40000 : 20000; }, [](int) { return 50; }),
                     absl::Seconds(60), Limits());
  EXPECT_TRUE(v.failures.empty());
  EXPECT_EQ(v.rss_peak_kib, 40000);
}

TEST(JudgeResourcesTest, DescriptorsOverTheBoundFail) {
  const ResourceVerdict v =
      JudgeResources(Samples(
                         60, [](int) { return 20000; }, [](int s) { return 50 + s; }),
                     absl::Seconds(60), Limits());
  ASSERT_EQ(v.failures.size(), 1u);
  EXPECT_EQ(v.fds_min, 70);
  EXPECT_EQ(v.fds_max, 110);
}

TEST(JudgeResourcesTest, DescriptorsBeforeWarmupDoNotCount) {
  const ResourceVerdict v =
      JudgeResources(Samples(
                         60, [](int) { return 20000; }, [](int s) { return s < 20 ? 500 : 50; }),
                     absl::Seconds(60), Limits());
  EXPECT_TRUE(v.failures.empty());
}

TEST(JudgeResourcesTest, TooFewSamplesFail) {
  EXPECT_FALSE(JudgeResources({}, absl::Seconds(60), Limits()).failures.empty());
  EXPECT_FALSE(
      JudgeResources({{absl::Seconds(1), 1, 1, 1}}, absl::Seconds(60), Limits()).failures.empty());
}

}  // namespace
}  // namespace livestream_gateway::soak
