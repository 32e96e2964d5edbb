#include "server/authz/authz_policy.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Kind = StringPattern::Kind;

TEST(StringPatternTest, FollowsGrpcWildcards) {
  const struct {
    absl::string_view pattern;
    absl::string_view value;
    bool matches;
  } kCases[] = {
      {"*", "", true},
      {"*", "anything", true},
      {"spiffe://example.org/*", "spiffe://example.org/ns/a", true},
      {"spiffe://example.org/*", "spiffe://example.com/ns/a", false},
      {"*/sa/billing", "spiffe://example.org/ns/a/sa/billing", true},
      {"*/sa/billing", "spiffe://example.org/ns/a/sa/billing2", false},
      {"billing", "billing", true},
      {"billing", "Billing", false},
      {"billing", "billing-service", false},
      {"/zoom.livestream.v1.LiveStreamService/*",
       "/zoom.livestream.v1.LiveStreamService/UpdateStatus", true},
      {"/zoom.livestream.v1.LiveStreamService/*", "/grpc.health.v1.Health/Check", false},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(ParseStringPattern(c.pattern).Matches(c.value), c.matches)
        << c.pattern << " vs " << c.value;
  }
  EXPECT_EQ(ParseStringPattern("*"), (StringPattern{Kind::kAny, ""}));
  EXPECT_EQ(ParseStringPattern("a*"), (StringPattern{Kind::kPrefix, "a"}));
  EXPECT_EQ(ParseStringPattern("*a"), (StringPattern{Kind::kSuffix, "a"}));
  EXPECT_EQ(ParseStringPattern("a"), (StringPattern{Kind::kExact, "a"}));
}

TEST(AuthzPolicyTest, ParsesEveryFieldOfTheFormat) {
  absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(R"json({
    "name": "gateway",
    "deny_rules": [{"name": "no-interns", "source": {"principals": ["*/sa/intern"]}}],
    "allow_rules": [
      {"name": "schedulers",
       "source": {"principals": ["spiffe://example.org/ns/events/*", "billing"]},
       "request": {"paths": ["/zoom.livestream.v1.LiveStreamService/UpdateStatus"],
                   "headers": [{"key": "X-Team", "values": ["events", "ops*"]}]}},
      {"name": "anyone-anything"}
    ]
  })json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->name, "gateway");
  ASSERT_EQ(policy->deny_rules.size(), 1u);
  EXPECT_EQ(policy->deny_rules[0].name, "no-interns");
  EXPECT_THAT(policy->deny_rules[0].principals,
              ElementsAre(StringPattern{Kind::kSuffix, "/sa/intern"}));
  ASSERT_EQ(policy->allow_rules.size(), 2u);
  const AuthzRule& rule = policy->allow_rules[0];
  EXPECT_THAT(rule.principals,
              ElementsAre(StringPattern{Kind::kPrefix, "spiffe://example.org/ns/events/"},
                          StringPattern{Kind::kExact, "billing"}));
  EXPECT_THAT(rule.paths, ElementsAre(StringPattern{
                              Kind::kExact, "/zoom.livestream.v1.LiveStreamService/UpdateStatus"}));
  // Metadata keys arrive lower-cased.
  EXPECT_THAT(
      rule.headers,
      ElementsAre(HeaderRule{
          "x-team", {StringPattern{Kind::kExact, "events"}, StringPattern{Kind::kPrefix, "ops"}}}));
  EXPECT_EQ(policy->allow_rules[1], (AuthzRule{"anyone-anything", {}, {}, {}}));
}

TEST(AuthzPolicyTest, AnEmptyAllowListAllowsNothingButIsValid) {
  absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(R"({"name": "closed", "allow_rules": []})");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->allow_rules.empty());
  EXPECT_TRUE(policy->deny_rules.empty());
}

TEST(AuthzPolicyTest, RefusesBadPoliciesNamingWhereAndWhat) {
  const struct {
    const char* json;
    const char* message;
  } kCases[] = {
      {"", "not a JSON object"},
      {"[]", "not a JSON object"},
      {R"({"name": "p", "allow_rules": [})", "not a JSON object"},
      {R"({"allow_rules": []})", "name: missing"},
      {R"({"name": 7, "allow_rules": []})", "name: must be a string"},
      {R"({"name": "p"})", "allow_rules: missing"},
      {R"({"name": "p", "allow_rules": {}})", "allow_rules: must be a list"},
      {R"({"name": "p", "allow_rules": [], "deny_rules": "x"})", "deny_rules: must be a list"},
      {R"({"name": "p", "allow_rules": ["x"]})", "allow_rules[0]: must be an object"},
      {R"({"name": "p", "allow_rules": [{}]})", "allow_rules[0].name: missing"},
      {R"({"name": "p", "allow_rules": [{"name": "a"}, {"name": "b", "source": []}]})",
       "allow_rules[1].source: must be an object"},
      {R"({"name": "p", "allow_rules": [{"name": "a", "source": {"principals": "x"}}]})",
       "allow_rules[0].source.principals: must be a list"},
      {R"({"name": "p", "allow_rules": [{"name": "a", "source": {"principals": ["x", 1]}}]})",
       "allow_rules[0].source.principals[1]: must be a string"},
      {R"({"name": "p", "allow_rules": [{"name": "a", "request": {"paths": [null]}}]})",
       "allow_rules[0].request.paths[0]: must be a string"},
      {R"({"name": "p", "allow_rules": [{"name": "a", "request": {"headers": [{"key": "x"}]}}]})",
       "allow_rules[0].request.headers[0].values: must list at least one value"},
      {R"({"name": "p", "allow_rules": [{"name": "a",
          "request": {"headers": [{"key": "x", "values": []}]}}]})",
       "allow_rules[0].request.headers[0].values: must list at least one value"},
      {R"({"name": "p", "allow_rules": [{"name": "a", "request": {"headers": [{"values": ["v"]}]}}]})",
       "allow_rules[0].request.headers[0].key: missing"},
      {R"({"name": "p", "deny_rules": [{"name": "a", "request": {"headers": ["x"]}}],
          "allow_rules": []})",
       "deny_rules[0].request.headers[0]: must be an object"},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(c.json);
    ASSERT_FALSE(policy.ok()) << c.json;
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(policy.status().message(), HasSubstr(c.message)) << c.json;
    EXPECT_THAT(policy.status().message(), Not(HasSubstr("\n")));
  }
}

TEST(AuthzPolicyTest, RefusesUnknownFieldsNamingThem) {
  const struct {
    const char* json;
    const char* message;
  } kCases[] = {
      {R"({"name": "p", "allow_rules": [], "allowrules": []})",
       "the policy: unknown field \"allowrules\" (known: name, deny_rules, allow_rules)"},
      {R"({"name": "p", "allow_rules": [{"name": "a", "source": {"principal": ["x"]}}]})",
       "allow_rules[0].source: unknown field \"principal\" (known: principals)"},
      {R"({"name": "p", "allow_rules": [{"name": "a", "request": {"path": ["x"], "method": 1}}]})",
       "allow_rules[0].request: unknown fields \"method\", \"path\" (known: paths, headers)"},
      {R"({"name": "p", "allow_rules": [{"name": "a", "sources": {}}]})",
       "allow_rules[0]: unknown field \"sources\" (known: name, source, request)"},
      {R"({"name": "p", "allow_rules": [{"name": "a",
          "request": {"headers": [{"key": "x", "values": ["v"], "value": "v"}]}}]})",
       "allow_rules[0].request.headers[0]: unknown field \"value\" (known: key, values)"},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(c.json);
    ASSERT_FALSE(policy.ok()) << c.json;
    EXPECT_THAT(policy.status().message(), HasSubstr(c.message));
  }
}

TEST(AuthzPolicyTest, RefusesHeadersGrpcRefusesAndHeadersThatCarrySecrets) {
  for (const char* key : {":path", ":authority", "grpc-timeout", "host", "Host", "authorization",
                          "Authorization", "x-zoom-access-token", ""}) {
    const std::string json = absl::StrCat(
        R"({"name": "p", "allow_rules": [{"name": "a", "request": {"headers": [{"key": ")", key,
        R"(", "values": ["*"]}]}}]})");
    absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(json);
    ASSERT_FALSE(policy.ok()) << key;
    EXPECT_THAT(policy.status().message(),
                HasSubstr("allow_rules[0].request.headers[0].key: header"));
  }
}

}  // namespace
}  // namespace livestream_gateway
