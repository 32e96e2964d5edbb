#include "server/zoom/upstream_text.h"

#include <algorithm>
#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"
#include "server/zoom/redactor.h"

namespace livestream_gateway {
namespace {

constexpr char kFffd[] = "\xEF\xBF\xBD";  // U+FFFD

// What a client library does with a proto3 string: protobuf refuses to
// parse one that is not UTF-8.
bool ClientCanDecode(const std::string& text) {
  google::protobuf::StringValue sent;
  sent.set_value(text);
  google::protobuf::StringValue received;
  return received.ParseFromString(sent.SerializeAsString()) && received.value() == text;
}

struct Case {
  std::string name;
  std::string raw;
  size_t max_bytes;
  std::string want;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class UpstreamTextTest : public ::testing::TestWithParam<Case> {};

TEST_P(UpstreamTextTest, IsValidUtf8OnOneLineAndBounded) {
  const Case& c = GetParam();
  const std::string text = UpstreamText(c.raw, c.max_bytes, Redactor());
  EXPECT_EQ(text, c.want);
  EXPECT_LE(text.size(), c.max_bytes);
  EXPECT_TRUE(ClientCanDecode(text));
  EXPECT_EQ(text.find_first_of("\r\n"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Table, UpstreamTextTest,
    ::testing::Values(
        Case{"Empty", "", 16, ""},
        Case{"Ascii", "v=2.0;clid=us01;rid=WEB_1", 64, "v=2.0;clid=us01;rid=WEB_1"},
        Case{"ValidMultibyte", "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80", 64,
             "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80"},
        Case{"HighestCodePoint", "\xF4\x8F\xBF\xBF", 8, "\xF4\x8F\xBF\xBF"},
        Case{"ReplacementCharacterStays", "a\xEF\xBF\xBD", 8, "a\xEF\xBF\xBD"},
        // One U+FFFD per maximal ill-formed subpart.
        Case{"StrayContinuation", "a\x80z", 16, absl::StrCat("a", kFffd, "z")},
        Case{"InvalidLeads", "\xC0\xC1\xF5\xFF", 16, absl::StrCat(kFffd, kFffd, kFffd, kFffd)},
        Case{"OverlongSlash", "\xC0\xAF", 16, absl::StrCat(kFffd, kFffd)},
        Case{"OverlongThreeBytes", "\xE0\x80\xAF", 16, absl::StrCat(kFffd, kFffd, kFffd)},
        Case{"OverlongFourBytes", "\xF0\x80\x80\xAF", 16, absl::StrCat(kFffd, kFffd, kFffd, kFffd)},
        Case{"Surrogate", "\xED\xA0\x80", 16, absl::StrCat(kFffd, kFffd, kFffd)},
        Case{"AboveU10FFFF", "\xF4\x90\x80\x80", 16, absl::StrCat(kFffd, kFffd, kFffd, kFffd)},
        Case{"TruncatedThenAscii", "\xE2\x82z", 16, absl::StrCat(kFffd, "z")},
        Case{"TruncatedFourByteThenFourByte", "\xF0\x9F\x98\xF0\x9F\x98\x80", 16,
             absl::StrCat(kFffd, "\xF0\x9F\x98\x80")},
        Case{"TruncatedAtEnd", "ab\xF0\x9F\x98", 16, absl::StrCat("ab", kFffd)},
        // Nothing that could end a log line or start a forged one.
        Case{"C0Controls", "a\r\nb\tc\x1B[2Jd", 32, "a  b c [2Jd"},
        Case{"Nul", std::string("a\0b", 3), 8, "a b"},
        Case{"Del",
             "a\x7F"
             "b",
             8, "a b"},
        Case{"C1Controls",
             "a\xC2\x85"
             "b\xC2\x9F"
             "c",
             8, "a b c"},
        Case{"LineAndParagraphSeparators",
             "a\xE2\x80\xA8"
             "b\xE2\x80\xA9"
             "c",
             8, "a b c"},
        Case{"TrimmedAtBothEnds", "\r\n rid=1 \n", 16, "rid=1"},
        Case{"OnlyControls", "\r\n", 16, ""},
        // Cut at a character boundary, never inside one.
        Case{"CutAscii", "abcdef", 3, "abc"}, Case{"CutBeforeMultibyte", "a\xE4\xB8\xAD", 3, "a"},
        Case{"MultibyteFitsExactly", "a\xE4\xB8\xAD", 4, "a\xE4\xB8\xAD"},
        Case{"CutBeforeFourByte", "ab\xF0\x9F\x98\x80", 5, "ab"},
        Case{"CutBeforeReplacement", "ab\xFF", 4, "ab"},
        Case{"TruncatedMultibyteAtTheBound", "ab\xE4\xB8", 4, "ab"},
        Case{"CutThenTrimmed", "ab cd", 3, "ab"}, Case{"ZeroBound", "abc", 0, ""}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(UpstreamTextTest, ClientCanDecodeSeesInvalidUtf8) {
  // The check above would catch a regression.
  EXPECT_FALSE(ClientCanDecode("\xFF"));
  EXPECT_FALSE(ClientCanDecode("\xED\xA0\x80"));
  EXPECT_TRUE(ClientCanDecode("\xEF\xBF\xBD"));
}

// Fake credentials; compared by position so that a failure prints none.
constexpr char kToken[] = "fake-T0ken-9Zq";
constexpr char kSecret[] = "fake-Secr3t-4Lm";

TEST(UpstreamTextTest, RedactsEverySecretItKnows) {
  const Redactor redactor({kToken, kSecret});
  const std::string text = UpstreamText(
      absl::StrCat("Authorization: Bearer ", kToken, "; secret=", kSecret, "\r\n", kToken), 256,
      redactor);
  EXPECT_EQ(text.find(kToken), std::string::npos);
  EXPECT_EQ(text.find(kSecret), std::string::npos);
  EXPECT_EQ(text.compare("Authorization: Bearer [REDACTED]; secret=[REDACTED]  [REDACTED]"), 0);
}

TEST(UpstreamTextTest, ASecretAtTheBoundLeavesNoPrefix) {
  const Redactor redactor({kToken});
  const std::string raw = absl::StrCat("xxxxxxxx", kToken, "yy");
  const std::string redacted = absl::StrCat("xxxxxxxx", kRedacted, "yy");
  for (size_t max_bytes = 0; max_bytes <= raw.size(); ++max_bytes) {
    const std::string text = UpstreamText(raw, max_bytes, redactor);
    EXPECT_EQ(text.compare(redacted.substr(0, std::min(max_bytes, redacted.size()))), 0)
        << "max_bytes " << max_bytes;
    // Its first character is nowhere else in `raw`.
    EXPECT_EQ(text.find(kToken[0]), std::string::npos) << "max_bytes " << max_bytes;
  }
}

TEST(UpstreamTextTest, RedactsASecretBesideInvalidBytesAndOneHoldingControls) {
  const std::string with_newline = "fake\nsecret";
  const Redactor redactor({kToken, with_newline});
  EXPECT_EQ(UpstreamText(absl::StrCat("\xFF", kToken, "\xC3"), 64, redactor)
                .compare(absl::StrCat(kFffd, kRedacted, kFffd)),
            0);
  // Matched as sent, before the newline would have become a space.
  EXPECT_EQ(UpstreamText(absl::StrCat("<", with_newline, ">"), 64, redactor)
                .compare(absl::StrCat("<", kRedacted, ">")),
            0);
}

}  // namespace
}  // namespace livestream_gateway
