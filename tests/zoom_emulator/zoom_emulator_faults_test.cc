// The fault mode's pure parts: configuration parsing and the deterministic
// draw. Its HTTP behaviour is tested with the real binary in
// zoom_emulator_test.cc.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/zoom_emulator/faults.h"

namespace zoom_emulator {
namespace {

google::protobuf::Struct Body(const std::string& json) {
  google::protobuf::Struct body;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &body).ok()) << json;
  return body;
}

TEST(FaultConfigTest, ParsesEveryField) {
  FieldErrors errors;
  const FaultConfig config = ParseFaultConfig(
      Body(R"({"seed":42,"rate_limited":0.1,"server_error":0.2,"reset":0.05,"slow":0.15,
               "endless_body":0.01,"oversized_body":0.02,"retry_after_s":3,"slow_max_ms":1500,
               "oversized_body_bytes":200000})"),
      &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(config.seed, 42u);
  EXPECT_DOUBLE_EQ(config.rate_limited, 0.1);
  EXPECT_DOUBLE_EQ(config.server_error, 0.2);
  EXPECT_DOUBLE_EQ(config.reset, 0.05);
  EXPECT_DOUBLE_EQ(config.slow, 0.15);
  EXPECT_DOUBLE_EQ(config.endless_body, 0.01);
  EXPECT_DOUBLE_EQ(config.oversized_body, 0.02);
  EXPECT_EQ(config.retry_after_s, 3);
  EXPECT_EQ(config.slow_max, absl::Milliseconds(1500));
  EXPECT_EQ(config.oversized_body_bytes, 200000u);
  EXPECT_TRUE(config.enabled());
}

TEST(FaultConfigTest, EmptyBodyTurnsTheModeOff) {
  FieldErrors errors;
  EXPECT_FALSE(ParseFaultConfig(Body("{}"), &errors).enabled());
  EXPECT_TRUE(errors.empty());
}

struct BadConfigCase {
  std::string name;
  std::string json;
  std::string field;
};

class BadFaultConfigTest : public ::testing::TestWithParam<BadConfigCase> {};

TEST_P(BadFaultConfigTest, NamesTheField) {
  FieldErrors errors;
  ParseFaultConfig(Body(GetParam().json), &errors);
  ASSERT_EQ(errors.size(), 1u) << GetParam().json;
  EXPECT_EQ(errors[0].first, GetParam().field);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadFaultConfigTest,
    ::testing::Values(BadConfigCase{"NegativeProbability", R"({"reset":-0.1})", "reset"},
                      BadConfigCase{"ProbabilityOverOne", R"({"slow":1.5})", "slow"},
                      BadConfigCase{"ProbabilityNotANumber", R"({"rate_limited":"0.1"})",
                                    "rate_limited"},
                      BadConfigCase{"SumOverOne", R"({"reset":0.6,"server_error":0.5})", "faults"},
                      BadConfigCase{"FractionalSeed", R"({"seed":1.5})", "seed"},
                      BadConfigCase{"NegativeSeed", R"({"seed":-1})", "seed"},
                      BadConfigCase{"HugeRetryAfter", R"({"retry_after_s":3601})", "retry_after_s"},
                      BadConfigCase{"HugeSlow", R"({"slow_max_ms":3600001})", "slow_max_ms"},
                      BadConfigCase{"EmptyOversizedBody", R"({"oversized_body_bytes":0})",
                                    "oversized_body_bytes"},
                      BadConfigCase{"UnknownField", R"({"latency":1})", "latency"}),
    [](const auto& info) { return info.param.name; });

TEST(FaultConfigTest, JsonRoundTrips) {
  FaultConfig config;
  config.seed = 7;
  config.reset = 0.25;
  config.slow = 0.5;
  config.slow_max = absl::Milliseconds(300);
  FieldErrors errors;
  const FaultConfig parsed = ParseFaultConfig(FaultConfigJson(config), &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(parsed.seed, 7u);
  EXPECT_DOUBLE_EQ(parsed.reset, 0.25);
  EXPECT_DOUBLE_EQ(parsed.slow, 0.5);
  EXPECT_EQ(parsed.slow_max, absl::Milliseconds(300));
}

std::vector<FaultDraw> Draws(const FaultConfig& config, int n) {
  FaultInjector injector;
  injector.Configure(config);
  std::vector<FaultDraw> draws;
  draws.reserve(n);
  for (int i = 0; i < n; ++i) draws.push_back(injector.Next());
  return draws;
}

std::string Describe(const std::vector<FaultDraw>& draws) {
  std::string out;
  for (const FaultDraw& d : draws) {
    absl::StrAppend(&out, FaultName(d.fault), "/", d.status, "/", absl::FormatDuration(d.delay),
                    " ");
  }
  return out;
}

FaultConfig Mixed(uint64_t seed) {
  FaultConfig config;
  config.seed = seed;
  config.rate_limited = 0.1;
  config.server_error = 0.1;
  config.reset = 0.1;
  config.slow = 0.1;
  config.endless_body = 0.1;
  config.oversized_body = 0.1;
  return config;
}

TEST(FaultInjectorTest, SameSeedSameSequenceOtherSeedOtherSequence) {
  EXPECT_EQ(Describe(Draws(Mixed(1), 200)), Describe(Draws(Mixed(1), 200)));
  EXPECT_NE(Describe(Draws(Mixed(1), 200)), Describe(Draws(Mixed(2), 200)));
}

TEST(FaultInjectorTest, ConfigureRestartsTheSequence) {
  FaultInjector injector;
  injector.Configure(Mixed(5));
  std::vector<FaultDraw> first;
  first.reserve(50);
  for (int i = 0; i < 50; ++i) first.push_back(injector.Next());
  injector.Configure(Mixed(5));
  std::vector<FaultDraw> second;
  second.reserve(50);
  for (int i = 0; i < 50; ++i) second.push_back(injector.Next());
  EXPECT_EQ(Describe(first), Describe(second));
}

TEST(FaultInjectorTest, FrequenciesFollowTheProbabilities) {
  constexpr int kDraws = 20000;
  int counts[kFaultKinds] = {};
  for (const FaultDraw& d : Draws(Mixed(3), kDraws)) ++counts[static_cast<size_t>(d.fault)];
  // 0.4 for none, 0.1 for each fault; 5 standard deviations at most.
  EXPECT_NEAR(counts[static_cast<size_t>(Fault::kNone)], 0.4 * kDraws, 350);
  for (size_t kind = 1; kind < kFaultKinds; ++kind) {
    EXPECT_NEAR(counts[kind], 0.1 * kDraws, 220) << FaultName(static_cast<Fault>(kind));
  }
}

TEST(FaultInjectorTest, DrawsCarryTheirParameters) {
  FaultConfig config = Mixed(9);
  config.slow_max = absl::Milliseconds(400);
  absl::Duration longest;
  bool statuses[600] = {};
  for (const FaultDraw& d : Draws(config, 5000)) {
    if (d.fault == Fault::kSlow) {
      EXPECT_GE(d.delay, absl::ZeroDuration());
      EXPECT_LT(d.delay, absl::Milliseconds(400));
      longest = std::max(longest, d.delay);
    } else {
      EXPECT_EQ(d.delay, absl::ZeroDuration());
    }
    if (d.fault == Fault::kServerError) {
      ASSERT_TRUE(d.status == 500 || d.status == 502 || d.status == 503 || d.status == 504);
      statuses[d.status] = true;
    } else {
      EXPECT_EQ(d.status, 0);
    }
  }
  EXPECT_GT(longest, absl::Milliseconds(300));
  EXPECT_TRUE(statuses[500] && statuses[502] && statuses[503] && statuses[504]);
}

TEST(FaultInjectorTest, JsonCountsRequestsAndInjections) {
  FaultInjector injector;
  FaultConfig config;
  config.reset = 1;
  injector.Configure(config);
  for (int i = 0; i < 3; ++i) injector.Next();
  const auto json = injector.Json();
  EXPECT_EQ(json.fields().at("requests").number_value(), 3);
  EXPECT_EQ(json.fields().at("injected").struct_value().fields().at("reset").number_value(), 3);
  EXPECT_EQ(json.fields().at("injected").struct_value().fields().at("slow").number_value(), 0);
  EXPECT_EQ(json.fields().at("config").struct_value().fields().at("reset").number_value(), 1);
}

TEST(EndlessBodyTest, HeadIsChunkedWithoutContentLength) {
  HttpResponse response;
  response.status = 200;
  response.headers.emplace_back("x-zm-trackingid", "t");
  const std::string head = SerializeEndlessHead(response);
  EXPECT_EQ(head, "HTTP/1.1 200 OK\r\nx-zm-trackingid: t\r\nTransfer-Encoding: chunked\r\n\r\n");
  const absl::string_view chunk = EndlessBodyChunk();
  EXPECT_EQ(chunk.size(), 6u + 16384u + 2u);
  EXPECT_EQ(chunk.substr(0, 6), "4000\r\n");
  EXPECT_EQ(chunk.substr(chunk.size() - 2), "\r\n");
}

}  // namespace
}  // namespace zoom_emulator
