#include "server/logging/escaping.h"

#include <string>

#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using namespace std::string_literals;  // NOLINT(build/namespaces): "\0"s

struct EscapeCase {
  std::string value;
  std::string logfmt;  // AppendLogfmtValue
  std::string json;    // AppendJsonLogValue
};

class EscapingTest : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(EscapingTest, IsByteExactInBothFormats) {
  const EscapeCase& c = GetParam();
  std::string logfmt = "k=";
  AppendLogfmtValue(logfmt, c.value);
  EXPECT_EQ(logfmt, "k=" + c.logfmt);
  std::string json;
  AppendJsonLogValue(json, c.value);
  EXPECT_EQ(json, c.json);
}

INSTANTIATE_TEST_SUITE_P(
    Values, EscapingTest,
    ::testing::Values(
        // Bare in logfmt: printable ASCII without space, =, " or backslash.
        EscapeCase{"webinar/123", "webinar/123", R"("webinar/123")"},
        EscapeCase{"a-b_c.d:e/f'g", "a-b_c.d:e/f'g", R"("a-b_c.d:e/f'g")"},
        // Empty is quoted, so that it cannot swallow the next key.
        EscapeCase{"", R"("")", R"("")"},
        EscapeCase{"two words", R"("two words")", R"("two words")"},
        EscapeCase{"v=2.0;rid=WEB", R"("v=2.0;rid=WEB")", R"("v=2.0;rid=WEB")"},
        EscapeCase{R"(say "hi")", R"("say \"hi\"")", R"("say \"hi\"")"},
        EscapeCase{R"(C:\dir)", R"("C:\\dir")", R"("C:\\dir")"},
        EscapeCase{"a\nb\rc\td", R"("a\nb\rc\td")", R"("a\nb\rc\td")"},
        // Other controls, DEL and C1 controls as \u escapes.
        EscapeCase{"\0x"s, R"("\u0000x")", R"("\u0000x")"},
        EscapeCase{"\x01\x1b[31m\x1f", R"("\u0001\u001b[31m\u001f")",
                   R"("\u0001\u001b[31m\u001f")"},
        EscapeCase{"a\x7f", R"("a\u007f")", R"("a\u007f")"},
        EscapeCase{"\xc2\x85\xc2\x9f", R"("\u0085\u009f")", R"("\u0085\u009f")"},
        // Line and paragraph separators, which some viewers break lines on.
        EscapeCase{"a\xe2\x80\xa8"
                   "b\xe2\x80\xa9",
                   R"("a\u2028b\u2029")", R"("a\u2028b\u2029")"},
        // Well-formed non-ASCII stays itself (quoted in logfmt).
        EscapeCase{"caf\xc3\xa9 \xf0\x9f\x8e\xa5", "\"caf\xc3\xa9 \xf0\x9f\x8e\xa5\"",
                   "\"caf\xc3\xa9 \xf0\x9f\x8e\xa5\""},
        EscapeCase{"\xc3\xa9", "\"\xc3\xa9\"", "\"\xc3\xa9\""},
        // Ill-formed UTF-8: one U+FFFD per maximal subpart; a real U+FFFD is
        // shown the same way.
        EscapeCase{"a\xff"
                   "b",
                   R"("a\ufffdb")", R"("a\ufffdb")"},
        EscapeCase{"\xc3", R"("\ufffd")", R"("\ufffd")"},
        EscapeCase{"\xe2\x82"
                   "x",
                   R"("\ufffdx")", R"("\ufffdx")"},
        EscapeCase{"\xc0\xaf", R"("\ufffd\ufffd")", R"("\ufffd\ufffd")"},
        EscapeCase{"\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")", R"("\ufffd\ufffd\ufffd")"},
        EscapeCase{"\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")",
                   R"("\ufffd\ufffd\ufffd\ufffd")"},
        EscapeCase{"rid=\xef\xbf\xbdWEB", R"("rid=\ufffdWEB")", R"("rid=\ufffdWEB")"}));

}  // namespace
}  // namespace livestream_gateway
