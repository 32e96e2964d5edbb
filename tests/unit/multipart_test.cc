#include "server/zoom/multipart.h"

#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::MatchesRegex;

struct ParsedField {
  std::string name;  // As it appears between the quotes, still escaped.
  std::string value;
  bool operator==(const ParsedField&) const = default;
};

// A strict reader of EncodeMultipartForm's output, used to check that every
// body parses back to exactly the fields that went in (RFC 2046 §5.1.1: a part
// ends at the first CRLF "--" boundary).
std::optional<std::vector<ParsedField>> Parse(absl::string_view body, absl::string_view boundary) {
  const std::string delimiter = absl::StrCat("--", boundary);
  const std::string next_delimiter = absl::StrCat("\r\n", delimiter);
  constexpr absl::string_view kHeader = "Content-Disposition: form-data; name=\"";
  if (!absl::StartsWith(body, delimiter)) return std::nullopt;
  size_t pos = delimiter.size();
  std::vector<ParsedField> fields;
  for (;;) {
    absl::string_view rest = body.substr(pos);
    if (rest == "--\r\n") return fields;
    if (!absl::StartsWith(rest, "\r\n")) return std::nullopt;
    pos += 2;
    const size_t end = body.find(next_delimiter, pos);
    if (end == absl::string_view::npos) return std::nullopt;
    absl::string_view part = body.substr(pos, end - pos);
    const size_t header_end = part.find("\r\n\r\n");
    if (header_end == absl::string_view::npos) return std::nullopt;
    absl::string_view header = part.substr(0, header_end);
    if (!absl::StartsWith(header, kHeader) || !absl::EndsWith(header, "\"")) return std::nullopt;
    absl::string_view name = header.substr(kHeader.size(), header.size() - kHeader.size() - 1);
    if (absl::StrContains(name, "\"")) return std::nullopt;
    fields.push_back({std::string(name), std::string(part.substr(header_end + 4))});
    pos = end + next_delimiter.size();
  }
}

TEST(EncodeMultipartFormTest, IsByteExact) {
  const std::string body = EncodeMultipartForm(
      {{"action", "start"}, {"settings", R"({"active_speaker_name":false})"}}, "XyZ");
  EXPECT_EQ(body,
            "--XyZ\r\n"
            "Content-Disposition: form-data; name=\"action\"\r\n"
            "\r\n"
            "start\r\n"
            "--XyZ\r\n"
            "Content-Disposition: form-data; name=\"settings\"\r\n"
            "\r\n"
            "{\"active_speaker_name\":false}\r\n"
            "--XyZ--\r\n");
}

TEST(EncodeMultipartFormTest, NoFieldsIsJustTheCloseDelimiter) {
  EXPECT_EQ(EncodeMultipartForm({}, "b"), "--b--\r\n");
}

TEST(EncodeMultipartFormTest, EmptyValueKeepsItsPart) {
  EXPECT_EQ(EncodeMultipartForm({{"a", ""}}, "b"),
            "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\r\n--b--\r\n");
}

TEST(EncodeMultipartFormTest, CopiesValuesVerbatim) {
  const std::string value = "line1\r\nline2\r\n--not-the-boundary\"\\\x01";
  const std::string body = EncodeMultipartForm({{"v", value}}, "B0undary");
  EXPECT_TRUE(absl::StrContains(body, absl::StrCat("\r\n\r\n", value, "\r\n--B0undary--\r\n")));
  EXPECT_EQ(Parse(body, "B0undary"), (std::vector<ParsedField>{{"v", value}}));
}

struct NameCase {
  std::string name;
  std::string escaped;
};

void PrintTo(const NameCase& c, std::ostream* os) { *os << testing::PrintToString(c.name); }

class FieldNameTest : public testing::TestWithParam<NameCase> {};

TEST_P(FieldNameTest, EscapesQuoteBackslashCrAndLf) {
  const std::string body = EncodeMultipartForm({{GetParam().name, "v"}}, "B");
  EXPECT_EQ(body, absl::StrCat("--B\r\nContent-Disposition: form-data; name=\"", GetParam().escaped,
                               "\"\r\n\r\nv\r\n--B--\r\n"));
  // The name can neither close the quoted string nor the header line.
  EXPECT_EQ(Parse(body, "B"), (std::vector<ParsedField>{{GetParam().escaped, "v"}}));
}

INSTANTIATE_TEST_SUITE_P(Names, FieldNameTest,
                         testing::Values(NameCase{"action", "action"}, NameCase{"a\"b", "a%22b"},
                                         NameCase{"a\r\nContent-Type: text/html",
                                                  "a%0D%0AContent-Type: text/html"},
                                         NameCase{"\"; filename=\"x", "%22; filename=%22x"},
                                         NameCase{"caf\xC3\xA9", "caf\xC3\xA9"},
                                         NameCase{"50%", "50%"}, NameCase{"", ""},
                                         // Found by fuzz/multipart_roundtrip_fuzzer: a
                                         // trailing backslash escaped the closing quote.
                                         NameCase{"a\\", "a%5C"}, NameCase{"\\\"", "%5C%22"}));

TEST(ChooseBoundaryTest, LooksLikeCurls) {
  std::mt19937 gen(1);
  const std::string boundary = ChooseBoundary({{"a", "b"}}, gen);
  EXPECT_THAT(boundary, MatchesRegex("-{24}[0-9A-Za-z]{24}"));
  EXPECT_EQ(boundary.size(), kBoundaryDashes + kBoundaryRandomChars);
  EXPECT_LE(boundary.size(), 70u);  // RFC 2046 §5.1.1.
}

TEST(ChooseBoundaryTest, DrawsFreshBoundaries) {
  std::mt19937 gen(2);
  const std::string first = ChooseBoundary({}, gen);
  const std::string second = ChooseBoundary({}, gen);
  EXPECT_NE(first, second);
}

TEST(ChooseBoundaryTest, RedrawsWhenAValueContainsTheBoundary) {
  // The same seed draws the same first candidate, so plant it in a value.
  std::mt19937 probe(7);
  const std::string first_candidate = ChooseBoundary({}, probe);

  std::mt19937 gen(7);
  const std::vector<FormField> fields = {
      {"settings", absl::StrCat("prefix\r\n--", first_candidate, "--\r\nsuffix")}};
  const std::string boundary = ChooseBoundary(fields, gen);
  EXPECT_NE(boundary, first_candidate);
  EXPECT_FALSE(absl::StrContains(fields[0].value, boundary));
}

TEST(ChooseBoundaryTest, BoundaryNeverInContentAndBodiesParseBack) {
  std::mt19937 gen(42);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 300);
  // Values built from boundary-like material: dashes, CRLF, earlier boundaries.
  std::vector<std::string> pieces = {"--", "\r\n", "-", "\r", "\n", "\"", "a", "Z", "0"};
  for (int round = 0; round < 300; ++round) {
    std::vector<FormField> fields;
    for (int f = 0; f < 3; ++f) {
      std::string value;
      const int n = length(gen);
      for (int i = 0; i < n; ++i) {
        if (i % 7 == 0) {
          value.push_back(static_cast<char>(byte(gen)));
        } else {
          value += pieces[static_cast<size_t>(byte(gen)) % pieces.size()];
        }
      }
      fields.push_back({absl::StrCat("field", f), std::move(value)});
    }
    const std::string boundary = ChooseBoundary(fields, gen);
    pieces.push_back(boundary.substr(0, 30));
    for (const FormField& field : fields) {
      ASSERT_FALSE(absl::StrContains(field.value, boundary));
    }
    std::optional<std::vector<ParsedField>> parsed =
        Parse(EncodeMultipartForm(fields, boundary), boundary);
    ASSERT_TRUE(parsed.has_value()) << "round " << round;
    ASSERT_EQ(parsed->size(), fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
      EXPECT_EQ((*parsed)[i].name, fields[i].name);
      EXPECT_EQ((*parsed)[i].value, fields[i].value);
    }
  }
}

TEST(MultipartContentTypeTest, NamesTheBoundary) {
  EXPECT_EQ(MultipartContentType("------abc"), "multipart/form-data; boundary=------abc");
}

// Found by fuzz/multipart_roundtrip_fuzzer: "boundary=(" is no parameter
// value a parser accepts.
TEST(MultipartContentTypeTest, QuotesABoundaryThatIsNoToken) {
  EXPECT_EQ(MultipartContentType("("), "multipart/form-data; boundary=\"(\"");
  EXPECT_EQ(MultipartContentType("a:b=c/d e"), "multipart/form-data; boundary=\"a:b=c/d e\"");
  EXPECT_EQ(MultipartContentType("'+_-.9Az"), "multipart/form-data; boundary='+_-.9Az");
}

}  // namespace
}  // namespace livestream_gateway
