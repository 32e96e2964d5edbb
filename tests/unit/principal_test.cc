#include "server/authz/principal.h"

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
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "Zm9vYmFyLXRva2VuLW9mLWJpbGxpbmc";

// A verified client certificate as gRPC describes it.
FakeAuthContext Certificate(std::multimap<std::string, std::string> properties) {
  properties.emplace("transport_security_type", "ssl");
  return FakeAuthContext(std::move(properties), "x509_subject_alternative_name");
}

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

BearerTokens Tokens() {
  const Sha256Digest digest = Sha256(kToken);
  absl::StatusOr<BearerTokens> tokens = BearerTokens::Parse(
      absl::StrCat("sha256:",
                   absl::BytesToHexString(absl::string_view(
                       reinterpret_cast<const char*>(digest.data()), digest.size())),
                   " billing"));
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  return *std::move(tokens);
}

TEST(PeerCertificatePrincipalTest, SpiffeIdElseCommonName) {
  const struct {
    const char* name;
    FakeAuthContext context;
    const char* principal;
  } kCases[] = {
      {"plaintext", FakeAuthContext(), ""},
      {"TLS without a client certificate",
       FakeAuthContext({{"transport_security_type", "ssl"}}, ""), ""},
      {"peer_spiffe_id",
       Certificate({{"peer_spiffe_id", "spiffe://example.org/ns/a/sa/b"},
                    {"x509_subject_alternative_name", "spiffe://example.org/ns/a/sa/b"},
                    {"x509_common_name", "b"}}),
       "spiffe://example.org/ns/a/sa/b"},
      {"one SPIFFE URI among DNS names",
       Certificate({{"x509_subject_alternative_name", "b.example.org"},
                    {"x509_subject_alternative_name", "spiffe://example.org/b"},
                    {"x509_common_name", "b"}}),
       "spiffe://example.org/b"},
      {"two SPIFFE URIs are no SVID: the CN",
       Certificate({{"x509_subject_alternative_name", "spiffe://example.org/b"},
                    {"x509_subject_alternative_name", "spiffe://example.org/c"},
                    {"x509_common_name", "b"}}),
       "b"},
      {"common name only", Certificate({{"x509_common_name", "billing-client"}}), "billing-client"},
      {"certificate naming nobody", Certificate({{"x509_subject_alternative_name", "a.example"}}),
       ""},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(PeerCertificatePrincipal(c.context), c.principal) << c.name;
  }
}

TEST(ResolvePrincipalTest, BearerTokenThenForwardedCertificateThenPeerCertificate) {
  const BearerTokens tokens = Tokens();
  const FakeAuthContext peer = Certificate({{"x509_common_name", "sidecar"}});
  const FakeAuthContext plaintext;
  const std::string bearer = absl::StrCat("Bearer ", kToken);
  const Metadata all({{"authorization", bearer},
                      {"x-forwarded-client-cert", "URI=spiffe://mesh/ns/a/sa/scheduler"}});
  const Metadata forwarded({{"x-forwarded-client-cert", "URI=spiffe://mesh/ns/a/sa/scheduler"}});
  const Metadata forwarded_nobody({{"x-forwarded-client-cert", "Hash=abc"}});
  const Metadata other_scheme({{"authorization", "Basic dXNlcjpwYXNz"}});
  const Metadata lower_case({{"authorization", absl::StrCat("bearer  ", kToken)}});
  const Metadata none({});
  const PrincipalSources everything{.bearer_tokens = &tokens, .trust_forwarded_client_cert = true};
  const PrincipalSources untrusted{.bearer_tokens = &tokens, .trust_forwarded_client_cert = false};
  const PrincipalSources no_tokens{.bearer_tokens = nullptr, .trust_forwarded_client_cert = true};
  const struct {
    const char* name;
    const Metadata& metadata;
    const grpc::AuthContext* context;
    const PrincipalSources& sources;
    const char* principal;
  } kCases[] = {
      {"the bearer token wins", all, &peer, everything, "billing"},
      {"then the trusted forwarded certificate", forwarded, &peer, everything,
       "spiffe://mesh/ns/a/sa/scheduler"},
      {"an untrusted forwarded certificate is ignored", forwarded, &peer, untrusted, "sidecar"},
      {"untrusted and plaintext: nobody", forwarded, &plaintext, untrusted, ""},
      {"a forwarded certificate naming nobody falls through", forwarded_nobody, &peer, everything,
       "sidecar"},
      {"without a tokens file the authorization metadata is ignored", all, &peer, no_tokens,
       "spiffe://mesh/ns/a/sa/scheduler"},
      {"another scheme is not ours", other_scheme, &peer, everything, "sidecar"},
      {"the scheme is case-insensitive", lower_case, &plaintext, everything, "billing"},
      {"nothing at all", none, &plaintext, everything, ""},
      {"no auth context", none, nullptr, everything, ""},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<std::string> principal =
        ResolvePrincipal(c.metadata.map(), c.context, c.sources);
    ASSERT_TRUE(principal.ok()) << c.name << ": " << principal.status();
    EXPECT_EQ(*principal, c.principal) << c.name;
  }
}

TEST(ResolvePrincipalTest, WrongCredentialsAreUnauthenticatedWithoutQuotingThem) {
  const BearerTokens tokens = Tokens();
  const FakeAuthContext peer = Certificate({{"x509_common_name", "sidecar"}});
  const PrincipalSources sources{.bearer_tokens = &tokens, .trust_forwarded_client_cert = true};
  const std::string wrong = "Bearer not-a-known-token-123";
  const struct {
    const char* name;
    Metadata metadata;
    const char* reason;
  } kCases[] = {
      {"unknown token", Metadata({{"authorization", wrong}}), "INVALID_BEARER_TOKEN"},
      {"empty token", Metadata({{"authorization", "Bearer "}}), "INVALID_BEARER_TOKEN"},
      {"scheme alone", Metadata({{"authorization", "Bearer"}}), "INVALID_BEARER_TOKEN"},
      {"sent twice",
       Metadata({{"authorization", absl::StrCat("Bearer ", kToken)}, {"authorization", wrong}}),
       "INVALID_BEARER_TOKEN"},
      {"malformed forwarded certificate", Metadata({{"x-forwarded-client-cert", "URI=\"spiffe"}}),
       "INVALID_FORWARDED_CLIENT_CERT"},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<std::string> principal = ResolvePrincipal(c.metadata.map(), &peer, sources);
    ASSERT_FALSE(principal.ok()) << c.name;
    EXPECT_EQ(principal.status().code(), absl::StatusCode::kUnauthenticated) << c.name;
    std::optional<google::rpc::ErrorInfo> info =
        GetDetail<google::rpc::ErrorInfo>(principal.status());
    ASSERT_TRUE(info.has_value()) << c.name;
    EXPECT_EQ(info->reason(), c.reason);
    EXPECT_EQ(info->domain(), kErrorDomain);
    EXPECT_THAT(principal.status().ToString(),
                Not(AnyOf(HasSubstr("not-a-known-token"), HasSubstr(kToken))));
  }
}

}  // namespace
}  // namespace livestream_gateway
