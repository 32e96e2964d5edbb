#include "server/authz/authz_evaluator.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "server/authz/authz_policy.h"

namespace livestream_gateway {
namespace {

constexpr absl::string_view kUpdateStatus = "/zoom.livestream.v1.LiveStreamService/UpdateStatus";
constexpr absl::string_view kOther = "/zoom.livestream.v1.LiveStreamService/Other";

// Keeps the strings that the metadata's string_refs point into.
class Metadata {
 public:
  Metadata(std::initializer_list<std::pair<std::string, std::string>> entries) : entries_(entries) {
    for (const auto& [key, value] : entries_) map_.emplace(key, value);
  }
  const CallMetadata& map() const { return map_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
  CallMetadata map_;
};

AuthzPolicy Policy(absl::string_view json) {
  absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(json);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.ok() ? *std::move(policy) : AuthzPolicy{};
}

TEST(AuthzEvaluatorTest, DenyRulesFirstThenAllowRulesThenDeny) {
  const AuthzPolicy policy = Policy(R"json({
    "name": "gateway",
    "deny_rules": [
      {"name": "no-interns", "source": {"principals": ["*/sa/intern"]}},
      {"name": "frozen-team", "request": {"headers": [{"key": "x-team", "values": ["frozen"]}]}}
    ],
    "allow_rules": [
      {"name": "events", "source": {"principals": ["spiffe://example.org/ns/events/*"]},
       "request": {"paths": ["/zoom.livestream.v1.LiveStreamService/*"]}},
      {"name": "billing-update", "source": {"principals": ["billing"]},
       "request": {"paths": ["/zoom.livestream.v1.LiveStreamService/UpdateStatus"]}},
      {"name": "ops-by-header", "source": {"principals": ["*"]},
       "request": {"headers": [{"key": "x-team", "values": ["ops*"]},
                               {"key": "x-shift", "values": ["day", "night"]}]}},
      {"name": "anonymous-other", "request": {"paths": ["*/Other"]}}
    ]
  })json");
  const Metadata none({});
  const Metadata frozen({{"x-team", "frozen"}});
  const Metadata ops_day({{"x-team", "ops-eu"}, {"x-shift", "day"}});
  const Metadata ops_only({{"x-team", "ops-eu"}});
  const Metadata shift_twice({{"x-team", "ops"}, {"x-shift", "day"}, {"x-shift", "night"}});
  const struct {
    const char* name;
    absl::string_view principal;
    absl::string_view path;
    const Metadata& metadata;
    bool allowed;
    absl::string_view rule;
  } kCases[] = {
      {"allowed by prefix principal and path wildcard",
       "spiffe://example.org/ns/events/sa/scheduler", kUpdateStatus, none, true, "events"},
      {"deny rule wins over an allow rule", "spiffe://example.org/ns/events/sa/intern",
       kUpdateStatus, none, false, "no-interns"},
      {"deny rule on a header", "billing", kUpdateStatus, frozen, false, "frozen-team"},
      {"exact principal and path", "billing", kUpdateStatus, none, true, "billing-update"},
      {"exact path does not match another method", "billing", "/x.Y/UpdateStatus", none, false, ""},
      {"principal is case-sensitive", "Billing", kUpdateStatus, none, false, ""},
      {"no principal matches no principal rule", "", kUpdateStatus, none, false, ""},
      {"a rule without principals admits anonymous callers", "", kOther, none, true,
       "anonymous-other"},
      {"'*' needs some principal", "", kUpdateStatus, ops_day, false, ""},
      {"every header rule must match", "someone", kUpdateStatus, ops_day, true, "ops-by-header"},
      {"a missing header matches nothing", "someone", kUpdateStatus, ops_only, false, ""},
      {"repeated values are joined with ','", "someone", kUpdateStatus, shift_twice, false, ""},
      {"an unknown principal", "spiffe://evil.example/ns/events/sa/x", kUpdateStatus, none, false,
       ""},
  };
  for (const auto& c : kCases) {
    const AuthzDecision decision =
        EvaluateAuthzPolicy(policy, c.principal, c.path, c.metadata.map());
    EXPECT_EQ(decision.allowed, c.allowed) << c.name;
    EXPECT_EQ(decision.rule, c.rule) << c.name;
  }
}

TEST(AuthzEvaluatorTest, JoinedHeaderValuesMatchAJoinedPattern) {
  const AuthzPolicy policy = Policy(R"json({"name": "p", "allow_rules": [
      {"name": "both", "request": {"headers": [{"key": "x-shift", "values": ["day,night"]}]}}]})json");
  const Metadata twice({{"x-shift", "day"}, {"x-shift", "night"}});
  EXPECT_TRUE(EvaluateAuthzPolicy(policy, "", kUpdateStatus, twice.map()).allowed);
}

TEST(AuthzEvaluatorTest, AnEmptyPolicyDeniesEveryone) {
  const AuthzPolicy policy = Policy(R"({"name": "closed", "allow_rules": []})");
  const Metadata none({});
  EXPECT_FALSE(EvaluateAuthzPolicy(policy, "billing", kUpdateStatus, none.map()).allowed);
  EXPECT_FALSE(EvaluateAuthzPolicy(policy, "", kUpdateStatus, none.map()).allowed);
}

TEST(AuthzEvaluatorTest, AnUnrestrictedAllowRuleAdmitsEveryCall) {
  const AuthzPolicy policy = Policy(R"({"name": "open", "allow_rules": [{"name": "all"}]})");
  const Metadata none({});
  EXPECT_TRUE(EvaluateAuthzPolicy(policy, "", kUpdateStatus, none.map()).allowed);
  EXPECT_TRUE(EvaluateAuthzPolicy(policy, "billing", kOther, none.map()).allowed);
}

}  // namespace
}  // namespace livestream_gateway
