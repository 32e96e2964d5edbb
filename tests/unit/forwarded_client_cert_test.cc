#include "server/authz/forwarded_client_cert.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::HasSubstr;

TEST(ForwardedClientCertTest, NamesTheCallerOfTheLastElement) {
  const struct {
    const char* name;
    const char* header;
    const char* principal;
  } kCases[] = {
      {"Istio sidecar",
       "By=spiffe://cluster.local/ns/live/sa/gateway;Hash=4b3c;"
       "Subject=\"\";URI=spiffe://cluster.local/ns/events/sa/scheduler",
       "spiffe://cluster.local/ns/events/sa/scheduler"},
      {"SPIFFE URI wins over the subject",
       "Hash=1;Subject=\"CN=scheduler,O=Example\";URI=spiffe://example.org/scheduler",
       "spiffe://example.org/scheduler"},
      {"a URI that is no SPIFFE ID falls back to the CN",
       "URI=https://example.org/x;Subject=\"CN=billing,OU=Finance,O=Example\"", "billing"},
      {"the first SPIFFE URI of several", "URI=http://a;URI=spiffe://b/one;URI=spiffe://b/two",
       "spiffe://b/one"},
      {"RFC 2253 subject with escaped commas", "Subject=\"CN=Doe\\, Jane,O=Example\\, Inc.\"",
       "Doe, Jane"},
      {"RFC 2253 hex escape", "Subject=\"CN=caf\\C3\\A9,O=x\"", "caf\xC3\xA9"},
      {"OpenSSL one-line subject (Envoy's older form)",
       "By=http://frontend.lyft.com;Hash=468e;Subject=\"/C=US/ST=CA/L=San Francisco/OU=Lyft/"
       "O=Lyft/CN=Test Client\";URI=http://testclient.lyft.com",
       "Test Client"},
      {"unquoted subject without commas", "Subject=CN=solo", "solo"},
      {"only the last element counts",
       "URI=spiffe://forged/by/client,By=spiffe://mesh/gw;URI=spiffe://mesh/ns/a/sa/real",
       "spiffe://mesh/ns/a/sa/real"},
      {"a comma inside quotes does not split elements", "Subject=\"CN=a,O=b\";URI=spiffe://x/y",
       "spiffe://x/y"},
      {"keys are case-insensitive, spaces tolerated", " hash=1 ; uri = spiffe://x/ns/a ; ",
       "spiffe://x/ns/a"},
      {"escaped quote inside a quoted value", "Subject=\"CN=say \\\"hi\\\"\"", "say \"hi\""},
      {"the last element names nobody", "URI=spiffe://earlier/hop,Hash=abc;DNS=a.example", ""},
      {"empty header", "", ""},
      {"subject without CN", "Subject=\"O=Example,C=US\"", ""},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<std::string> principal = PrincipalFromForwardedClientCert(c.header);
    ASSERT_TRUE(principal.ok()) << c.name << ": " << principal.status();
    EXPECT_EQ(*principal, c.principal) << c.name;
  }
}

TEST(ForwardedClientCertTest, RefusesMalformedValues) {
  for (const char* header :
       {"Subject=\"CN=a", "URI=spiffe://a/b;garbage", "Hash=1;\"URI\"", "Subject=\"CN=a\\\""}) {
    absl::StatusOr<std::string> principal = PrincipalFromForwardedClientCert(header);
    ASSERT_FALSE(principal.ok()) << header;
    EXPECT_EQ(principal.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(principal.status().message(), HasSubstr("x-forwarded-client-cert"));
  }
}

}  // namespace
}  // namespace livestream_gateway
