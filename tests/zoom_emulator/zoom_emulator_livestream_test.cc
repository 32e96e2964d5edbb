// The pure parts behind the live stream configuration endpoints and request
// matching: Zoom's PATCH body rules, URI checks and path patterns. Their HTTP
// behaviour is tested with the real binary in zoom_emulator_test.cc.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/zoom_emulator/faults.h"
#include "tests/zoom_emulator/json.h"
#include "tests/zoom_emulator/livestream_config.h"
#include "tests/zoom_emulator/request_match.h"

namespace zoom_emulator {
namespace {

google::protobuf::Struct Body(const std::string& json) {
  google::protobuf::Struct body;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &body).ok()) << json;
  return body;
}

// The emulator's own printer: sorted keys, so answers compare as text.
std::string Json(const google::protobuf::Struct& s) { return ToJson(s); }

TEST(LivestreamConfigTest, ParsesEveryField) {
  FieldErrors errors;
  const LivestreamConfig config = ParseLivestreamConfig(
      Body(
          R"({"stream_url":"rtmp://a.example/live","stream_key":"k-1","page_url":"https://a.example/p",
               "resolution":"1080p","unknown":1})"),
      &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(config.stream_url, "rtmp://a.example/live");
  EXPECT_EQ(config.stream_key, "k-1");
  EXPECT_EQ(config.page_url, "https://a.example/p");
  EXPECT_EQ(config.resolution, "1080p");
}

TEST(LivestreamConfigTest, ResolutionIsOptional) {
  FieldErrors errors;
  const LivestreamConfig config = ParseLivestreamConfig(
      Body(R"({"stream_url":"u","stream_key":"k","page_url":"http://p"})"), &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(config.resolution.has_value());
}

struct BadConfigCase {
  std::string name;
  std::string json;
  FieldErrors errors;
};

class BadLivestreamConfigTest : public ::testing::TestWithParam<BadConfigCase> {};

TEST_P(BadLivestreamConfigTest, NamesEveryFailingFieldInOrder) {
  FieldErrors errors;
  ParseLivestreamConfig(Body(GetParam().json), &errors);
  EXPECT_EQ(errors, GetParam().errors);
}

std::string Valid(const std::string& overrides) {
  return absl::StrCat(R"({"stream_url":"rtmp://a/b","stream_key":"k","page_url":"https://p/")",
                      overrides, "}");
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadLivestreamConfigTest,
    ::testing::Values(
        BadConfigCase{"AllMissing",
                      "{}",
                      {{"stream_url", "This field is required."},
                       {"stream_key", "This field is required."},
                       {"page_url", "This field is required."}}},
        BadConfigCase{"EmptyKey",
                      R"({"stream_url":"u","stream_key":"","page_url":"http://p"})",
                      {{"stream_key", "This field is required."}}},
        BadConfigCase{"NotStrings",
                      R"({"stream_url":1,"stream_key":true,"page_url":{}})",
                      {{"stream_url", "Must be a string."},
                       {"stream_key", "Must be a string."},
                       {"page_url", "Must be a string."}}},
        BadConfigCase{"UrlTooLong",
                      absl::StrCat(R"({"stream_url":")", std::string(1025, 'u'),
                                   R"(","stream_key":"k","page_url":"http://p"})"),
                      {{"stream_url", "Must be at most 1024 characters."}}},
        BadConfigCase{"KeyTooLong",
                      absl::StrCat(R"({"stream_url":"u","stream_key":")", std::string(513, 'k'),
                                   R"(","page_url":"http://p"})"),
                      {{"stream_key", "Must be at most 512 characters."}}},
        BadConfigCase{"PageUrlTooLong",
                      absl::StrCat(R"({"stream_url":"u","stream_key":"k","page_url":"http://)",
                                   std::string(1018, 'p'), R"("})"),
                      {{"page_url", "Must be at most 1024 characters."}}},
        BadConfigCase{"PageUrlNotUri",
                      R"({"stream_url":"u","stream_key":"k","page_url":"not a uri"})",
                      {{"page_url", "Must be a valid URI."}}},
        BadConfigCase{"BadResolution",
                      Valid(R"(,"resolution":"4k")"),
                      {{"resolution", "Invalid value. Allowed values: 720p, 1080p."}}},
        BadConfigCase{"ResolutionNotString",
                      Valid(R"(,"resolution":720)"),
                      {{"resolution", "Invalid value. Allowed values: 720p, 1080p."}}}),
    [](const auto& info) { return info.param.name; });

TEST(LivestreamConfigTest, LengthsCountCodePoints) {
  // 512 three-byte characters are 1536 bytes but 512 code points.
  std::string key;
  for (int i = 0; i < 512; ++i) key += "\u20ac";
  FieldErrors errors;
  const LivestreamConfig config = ParseLivestreamConfig(
      Body(absl::StrCat(R"({"stream_url":"u","stream_key":")", key, R"(","page_url":"http://p"})")),
      &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(config.stream_key, key);
}

struct UriCase {
  std::string text;
  bool valid;
};

class AbsoluteUriTest : public ::testing::TestWithParam<UriCase> {};

TEST_P(AbsoluteUriTest, FollowsRfc3986) {
  EXPECT_EQ(IsAbsoluteUri(GetParam().text), GetParam().valid) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AbsoluteUriTest,
    ::testing::Values(
        UriCase{"https://example.com/live?x=1#top", true}, UriCase{"http://[::1]:8080/a%20b", true},
        UriCase{"urn:isbn:0451450523", true}, UriCase{"svn+ssh://host/repo", true},
        UriCase{"", false}, UriCase{"example.com/live", false}, UriCase{":no-scheme", false},
        UriCase{"https:", false}, UriCase{"1http://x", false}, UriCase{"https://a b", false},
        UriCase{"https://a/%2", false}, UriCase{"https://a/%zz", false},
        UriCase{"https://a/\"q\"", false}, UriCase{"https://\xc3\xa9.example", false}));

TEST(LivestreamConfigJsonTest, NeverConfiguredAnswersEmptyStrings) {
  EXPECT_EQ(Json(LivestreamConfigJson(std::nullopt)),
            R"({"page_url":"","stream_key":"","stream_url":""})");
}

TEST(LivestreamConfigJsonTest, ResolutionOnlyWhenSet) {
  LivestreamConfig config{"rtmp://a", "k", "https://p", std::nullopt};
  EXPECT_EQ(Json(LivestreamConfigJson(config)),
            R"({"page_url":"https://p","stream_key":"k","stream_url":"rtmp://a"})");
  config.resolution = "720p";
  EXPECT_EQ(
      Json(LivestreamConfigJson(config)),
      R"({"page_url":"https://p","resolution":"720p","stream_key":"k","stream_url":"rtmp://a"})");
}

struct PathCase {
  std::string pattern;
  std::string path;
  bool matches;
};

class PathMatchesTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(PathMatchesTest, StarStaysWithinASegment) {
  const PathCase& c = GetParam();
  EXPECT_EQ(PathMatches(c.pattern, c.path), c.matches) << c.pattern << " " << c.path;
}

INSTANTIATE_TEST_SUITE_P(
    Table, PathMatchesTest,
    ::testing::Values(
        PathCase{"/v2/webinars/1/livestream", "/v2/webinars/1/livestream", true},
        PathCase{"/v2/webinars/*/livestream", "/v2/webinars/99289110036/livestream", true},
        PathCase{"/v2/*/*/livestream", "/v2/meetings/85746065/livestream", true},
        PathCase{"/v2/*/*/livestream", "/v2/meetings/85746065/livestream/status", false},
        PathCase{"/v2/*/*/livestream/status", "/v2/meetings/85746065/livestream/status", true},
        PathCase{"/v2/*", "/v2/webinars/1/livestream", false},
        PathCase{"/v2/webinars/992*", "/v2/webinars/99289110036", true},
        PathCase{"/v2/webinars/*36", "/v2/webinars/99289110036", true},
        PathCase{"/v2/webinars/*37", "/v2/webinars/99289110036", false},
        PathCase{"/v2/webinars/*", "/v2/webinars/", true},
        PathCase{"/v2/webinars/1", "/v2/webinars/12", false},
        PathCase{"/v2/webinars/a*b*c", "/v2/webinars/axxbyyc", true},
        PathCase{"/v2/webinars/a*b*c", "/v2/webinars/axxbyy", false}));

TEST(RequestMatchTest, EmptyFieldsMatchAnything) {
  EXPECT_TRUE(RequestMatch{}.Matches("GET", "/anything"));
  const RequestMatch get{"GET", ""};
  EXPECT_TRUE(get.Matches("GET", "/v2/x"));
  EXPECT_FALSE(get.Matches("PATCH", "/v2/x"));
  const RequestMatch both{"PATCH", "/v2/webinars/*/livestream"};
  EXPECT_TRUE(both.Matches("PATCH", "/v2/webinars/5/livestream"));
  EXPECT_FALSE(both.Matches("GET", "/v2/webinars/5/livestream"));
  EXPECT_FALSE(both.Matches("PATCH", "/v2/webinars/5/livestream/status"));
}

TEST(RequestMatchTest, ParsesAndReportsBadFields) {
  google::protobuf::Value value;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  R"({"method":"get","path":"v2/x","colour":1})", &value)
                  .ok());
  FieldErrors errors;
  ParseRequestMatch(value, "match", &errors);
  std::sort(errors.begin(), errors.end());
  EXPECT_EQ(errors, (FieldErrors{
                        {"match.colour", "Unknown field."},
                        {"match.method", "Must be an upper-case HTTP method such as GET or PATCH."},
                        {"match.path", "Must be a path pattern starting with /."}}));

  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  R"({"method":"GET","path":"/v2/*/*/livestream"})", &value)
                  .ok());
  errors.clear();
  const RequestMatch match = ParseRequestMatch(value, "match", &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(match.method, "GET");
  EXPECT_EQ(match.path, "/v2/*/*/livestream");
  EXPECT_EQ(Json(RequestMatchJson(match)), R"({"method":"GET","path":"/v2/*/*/livestream"})");
}

TEST(FaultConfigMatchTest, OnlyMatchingRequestsDrawAFault) {
  FieldErrors errors;
  const FaultConfig config = ParseFaultConfig(
      Body(R"({"reset":1,"match":{"method":"GET","path":"/v2/webinars/*/livestream"}})"), &errors);
  ASSERT_TRUE(errors.empty());
  FaultInjector injector;
  injector.Configure(config);
  EXPECT_TRUE(injector.Applies("GET", "/v2/webinars/1/livestream"));
  EXPECT_FALSE(injector.Applies("PATCH", "/v2/webinars/1/livestream"));
  EXPECT_FALSE(injector.Applies("GET", "/v2/meetings/1/livestream"));
  EXPECT_EQ(Json(FaultConfigJson(config).fields().at("match").struct_value()),
            R"({"method":"GET","path":"/v2/webinars/*/livestream"})");

  ParseFaultConfig(Body(R"({"match":"GET"})"), &errors);
  EXPECT_EQ(errors, (FieldErrors{{"match", "Must be an object with optional method and path."}}));
}

}  // namespace
}  // namespace zoom_emulator
