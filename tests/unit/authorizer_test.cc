#include "server/authz/authorizer.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"
#include "tests/unit/fake_auth_context.h"

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::FakeAuthContext;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr absl::string_view kUpdateStatus = "/zoom.livestream.v1.LiveStreamService/UpdateStatus";
constexpr char kBillingToken[] = "billing-token-0123456789";
constexpr char kInternToken[] = "intern-token-0123456789";

std::string Hex(absl::string_view token) {
  const Sha256Digest digest = Sha256(token);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::shared_ptr<const AuthzPolicy> Policy(absl::string_view json) {
  absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(json);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return std::make_shared<const AuthzPolicy>(policy.ok() ? *std::move(policy) : AuthzPolicy{});
}

constexpr char kPolicy[] = R"json({
  "name": "gateway",
  "deny_rules": [{"name": "no-interns", "source": {"principals": ["intern"]}}],
  "allow_rules": [{"name": "billing", "source": {"principals": ["billing", "intern"]},
                   "request": {"paths": ["/zoom.livestream.v1.LiveStreamService/*"]}}]
})json";

class AuthorizerTest : public ::testing::Test {
 protected:
  AuthorizerTest() {
    absl::StatusOr<BearerTokens> tokens = BearerTokens::Parse(absl::StrCat(
        "sha256:", Hex(kBillingToken), " billing\nsha256:", Hex(kInternToken), " intern\n"));
    EXPECT_TRUE(tokens.ok());
    tokens_ = std::make_shared<const BearerTokens>(*std::move(tokens));
  }

  AuthzResult Check(const Authorizer& authorizer, const std::string& authorization) {
    CallMetadata metadata;
    if (!authorization.empty()) metadata.emplace("authorization", authorization);
    return authorizer.Check(kUpdateStatus, metadata, &plaintext_);
  }

  std::shared_ptr<const BearerTokens> tokens_;
  FakeAuthContext plaintext_;
};

TEST_F(AuthorizerTest, WithoutAPolicyEveryoneIsAllowed) {
  Authorizer authorizer(AuthorizerOptions{});
  const AuthzResult result = Check(authorizer, "");
  EXPECT_TRUE(result.status.ok());
  EXPECT_EQ(result.principal, "");
  // The peer certificate still names the caller for the log.
  const FakeAuthContext peer({{"x509_common_name", "client"}}, "x509_common_name");
  const AuthzResult named = authorizer.Check(kUpdateStatus, CallMetadata(), &peer);
  EXPECT_TRUE(named.status.ok());
  EXPECT_EQ(named.principal, "client");
}

TEST_F(AuthorizerTest, AllowedPrincipalPasses) {
  Authorizer authorizer(AuthorizerOptions{.policy = Policy(kPolicy), .bearer_tokens = tokens_});
  const AuthzResult result = Check(authorizer, absl::StrCat("Bearer ", kBillingToken));
  EXPECT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.principal, "billing");
}

TEST_F(AuthorizerTest, NoPrincipalIsUnauthenticated) {
  Authorizer authorizer(AuthorizerOptions{.policy = Policy(kPolicy), .bearer_tokens = tokens_});
  const AuthzResult result = Check(authorizer, "");
  EXPECT_EQ(result.status.code(), absl::StatusCode::kUnauthenticated);
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(result.status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UNAUTHENTICATED");
  EXPECT_EQ(info->domain(), kErrorDomain);
  EXPECT_THAT(info->metadata(), UnorderedElementsAre(Pair("method", std::string(kUpdateStatus)),
                                                     Pair("policy", "gateway")));
}

TEST_F(AuthorizerTest, DeniedPrincipalIsPermissionDeniedNamingPrincipalMethodAndRule) {
  Authorizer authorizer(AuthorizerOptions{.policy = Policy(kPolicy), .bearer_tokens = tokens_});
  const AuthzResult result = Check(authorizer, absl::StrCat("Bearer ", kInternToken));
  EXPECT_EQ(result.status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(result.principal, "intern");
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(result.status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "PERMISSION_DENIED");
  EXPECT_THAT(
      info->metadata(),
      UnorderedElementsAre(Pair("principal", "intern"), Pair("method", std::string(kUpdateStatus)),
                           Pair("policy", "gateway"), Pair("rule", "no-interns")));
  EXPECT_THAT(std::string(result.status.message()), ::testing::HasSubstr("no-interns"));
  EXPECT_THAT(result.status.ToString(), ::testing::Not(::testing::HasSubstr(kInternToken)));
}

TEST_F(AuthorizerTest, APrincipalNoAllowRuleMatchesIsDeniedWithoutARule) {
  Authorizer authorizer(AuthorizerOptions{
      .policy = Policy(R"({"name": "p", "allow_rules": [{"name": "a", "source": {"principals":
                           ["someone-else"]}}]})"),
      .bearer_tokens = tokens_});
  const AuthzResult result = Check(authorizer, absl::StrCat("Bearer ", kBillingToken));
  EXPECT_EQ(result.status.code(), absl::StatusCode::kPermissionDenied);
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(result.status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().count("rule"), 0u);
  EXPECT_EQ(info->metadata().at("principal"), "billing");
}

TEST_F(AuthorizerTest, AnUnknownTokenIsRefusedEvenWhereTheRuleAdmitsAnyone) {
  Authorizer authorizer(
      AuthorizerOptions{.policy = Policy(R"({"name": "open", "allow_rules": [{"name": "all"}]})"),
                        .bearer_tokens = tokens_});
  EXPECT_TRUE(Check(authorizer, "").status.ok());
  const AuthzResult result = Check(authorizer, "Bearer guessed");
  EXPECT_EQ(result.status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(result.status)->reason(), "INVALID_BEARER_TOKEN");
}

TEST_F(AuthorizerTest, ANewPolicyAppliesToLaterCalls) {
  Authorizer authorizer(AuthorizerOptions{.policy = Policy(kPolicy), .bearer_tokens = tokens_});
  EXPECT_TRUE(Check(authorizer, absl::StrCat("Bearer ", kBillingToken)).status.ok());
  authorizer.SetPolicy(Policy(R"({"name": "closed", "allow_rules": []})"));
  EXPECT_EQ(Check(authorizer, absl::StrCat("Bearer ", kBillingToken)).status.code(),
            absl::StatusCode::kPermissionDenied);
  authorizer.SetPolicy(nullptr);
  EXPECT_TRUE(Check(authorizer, "").status.ok());
}

}  // namespace
}  // namespace livestream_gateway
