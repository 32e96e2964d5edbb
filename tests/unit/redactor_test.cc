#include "server/zoom/redactor.h"

#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

// Short dummy strings stand in for secrets, so a failure may print them.
struct Case {
  std::string name;
  std::vector<std::string> secrets;
  std::string text;
  std::string want;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class RedactorTest : public ::testing::TestWithParam<Case> {};

TEST_P(RedactorTest, Redacts) {
  EXPECT_EQ(Redactor(GetParam().secrets).Redact(GetParam().text), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Table, RedactorTest,
    ::testing::Values(Case{"NoSecrets", {}, "Bearer abc", "Bearer abc"},
                      Case{"EmptySecretIsIgnored", {""}, "abc", "abc"},
                      Case{"EmptyText", {"abc"}, "", ""},
                      Case{"Whole", {"tok"}, "tok", "[REDACTED]"},
                      Case{"EveryOccurrence", {"tok"}, "a tok b tok", "a [REDACTED] b [REDACTED]"},
                      Case{"SeveralSecrets", {"tok", "sec"}, "sec tok", "[REDACTED] [REDACTED]"},
                      Case{"RepeatedSecret", {"tok", "tok"}, "tok", "[REDACTED]"},
                      Case{"CaseMatters", {"tok"}, "TOK", "TOK"},
                      Case{"Partial", {"token"}, "toke", "toke"},
                      // Overlaps lose every byte of every secret involved.
                      Case{"OverlappingSecrets", {"abcd", "cdef"}, "xabcdefx", "x[REDACTED]x"},
                      Case{"OverlappingOccurrences", {"aba"}, "ababa", "[REDACTED]"},
                      Case{"Touching", {"ab"}, "abab", "[REDACTED]"},
                      Case{"Nested", {"secret", "cre"}, "a secret", "a [REDACTED]"},
                      Case{"RawBytes", {"\xFF\x01"}, "a\xFF\x01z", "a[REDACTED]z"}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(RedactorTest, WithAddsOneSecretAndLeavesTheOriginal) {
  const Redactor base({"server-tok"});
  const Redactor call = base.With("caller-tok");
  EXPECT_EQ(call.Redact("server-tok caller-tok"), "[REDACTED] [REDACTED]");
  EXPECT_EQ(base.Redact("server-tok caller-tok"), "[REDACTED] caller-tok");
  EXPECT_EQ(Redactor().With("").Redact("x"), "x");
  EXPECT_EQ(Redactor().With("x").Redact("x"), "[REDACTED]");
}

TEST(KnownSecretsTest, RedactsWhatWasAdded) {
  KnownSecrets secrets;
  secrets.Add("static-tok");
  secrets.Add("");
  secrets.AddAccessToken("issued-1");
  EXPECT_EQ(secrets.redactor().Redact("static-tok issued-1 x"), "[REDACTED] [REDACTED] x");
}

TEST(KnownSecretsTest, ARedactorIsASnapshot) {
  KnownSecrets secrets;
  secrets.Add("first");
  const Redactor before = secrets.redactor();
  secrets.Add("second");
  EXPECT_EQ(before.Redact("first second"), "[REDACTED] second");
  EXPECT_EQ(secrets.redactor().Redact("first second"), "[REDACTED] [REDACTED]");
}

TEST(KnownSecretsTest, KeepsTheLatestAccessTokensAndEveryLastingSecret) {
  KnownSecrets secrets;
  secrets.Add("client-secret");
  const size_t issued = KnownSecrets::kRetainedAccessTokens + 2;
  for (size_t i = 0; i < issued; ++i) {
    secrets.AddAccessToken(absl::StrCat("issued-", i, "."));
    // A token issued twice does not push another out.
    secrets.AddAccessToken(absl::StrCat("issued-", i, "."));
  }
  const Redactor redactor = secrets.redactor();
  EXPECT_EQ(redactor.Redact("client-secret"), "[REDACTED]");
  for (size_t i = 0; i < issued; ++i) {
    const std::string token = absl::StrCat("issued-", i, ".");
    const bool retained = i + KnownSecrets::kRetainedAccessTokens >= issued;
    EXPECT_EQ(redactor.Redact(token), retained ? "[REDACTED]" : token) << i;
  }
}

constexpr int kThreads = 4;
constexpr int kTokensEach = 200;

TEST(KnownSecretsTest, IsSafeToShareBetweenThreads) {
  KnownSecrets secrets;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&secrets, t] {
      for (int i = 0; i < kTokensEach; ++i) {
        secrets.AddAccessToken(absl::StrCat("t", t, "-", i, "."));
        EXPECT_EQ(secrets.redactor().Redact("plain text"), "plain text");
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const Redactor redactor = secrets.redactor();
  size_t redacted = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kTokensEach; ++i) {
      redacted += redactor.Redact(absl::StrCat("t", t, "-", i, ".")) == kRedacted ? 1 : 0;
    }
  }
  EXPECT_EQ(redacted, KnownSecrets::kRetainedAccessTokens);
}

}  // namespace
}  // namespace livestream_gateway
