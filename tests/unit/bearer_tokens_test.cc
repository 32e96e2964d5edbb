#include "server/authz/bearer_tokens.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::string HexSha256(absl::string_view text) {
  const Sha256Digest digest = Sha256(text);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

TEST(BearerTokensTest, Sha256MatchesKnownVectors) {
  EXPECT_EQ(HexSha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(HexSha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(BearerTokensTest, MapsTokensToPrincipalsByHash) {
  const std::string file = absl::StrCat(
      "# callers of the gateway\n"
      "\n"
      "sha256:",
      HexSha256("token-of-billing"), " billing-service\n",
      "  sha256:", absl::AsciiStrToUpper(HexSha256("token-of-ops")),
      "\tspiffe://example.org/ops  \n", "sha256:", HexSha256("token-of-events"),
      " events");  // no final newline
  absl::StatusOr<BearerTokens> tokens = BearerTokens::Parse(file);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->size(), 3u);
  ASSERT_NE(tokens->PrincipalOf("token-of-billing"), nullptr);
  EXPECT_EQ(*tokens->PrincipalOf("token-of-billing"), "billing-service");
  ASSERT_NE(tokens->PrincipalOf("token-of-ops"), nullptr);
  EXPECT_EQ(*tokens->PrincipalOf("token-of-ops"), "spiffe://example.org/ops");
  ASSERT_NE(tokens->PrincipalOf("token-of-events"), nullptr);
  EXPECT_EQ(*tokens->PrincipalOf("token-of-events"), "events");
  EXPECT_EQ(tokens->PrincipalOf("token-of-billin"), nullptr);
  EXPECT_EQ(tokens->PrincipalOf(""), nullptr);
  // The hash itself is not a token.
  EXPECT_EQ(tokens->PrincipalOf(HexSha256("token-of-billing")), nullptr);
}

TEST(BearerTokensTest, RefusesBadLinesNamingTheLineButNoHash) {
  const std::string good = absl::StrCat("sha256:", HexSha256("a"), " a\n");
  const struct {
    std::string file;
    const char* message;
  } kCases[] = {
      {"", "lists no token"},
      {"# only a comment\n\n", "lists no token"},
      {"token-in-clear billing\n", "line 1: expected \"sha256:<64 hex digits> <principal>\""},
      {absl::StrCat(good, "sha256:", HexSha256("b"), "\n"), "line 2: expected"},
      {absl::StrCat(good, "sha256:", HexSha256("b"), " b extra\n"), "line 2: expected"},
      {absl::StrCat("md5:", HexSha256("b"), " b\n"), "line 1: expected"},
      {"sha256:abc b\n", "line 1: the hash must be 64 hex digits"},
      {absl::StrCat("sha256:", std::string(63, 'a'), "g b\n"), "line 1: the hash must be 64 hex"},
      {absl::StrCat("sha256:", HexSha256("b"), " caf\xC3\xA9\n"),
       "line 1: the principal must be printable ASCII"},
      {absl::StrCat(good, good), "line 2: this hash is already listed"},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<BearerTokens> tokens = BearerTokens::Parse(c.file);
    ASSERT_FALSE(tokens.ok()) << c.file;
    EXPECT_EQ(tokens.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(tokens.status().message(),
                AllOf(HasSubstr(c.message), Not(HasSubstr(HexSha256("a"))),
                      Not(HasSubstr(HexSha256("b")))));
  }
}

}  // namespace
}  // namespace livestream_gateway
