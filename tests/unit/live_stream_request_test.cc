#include "server/zoom/live_stream_request.h"

#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_1080P;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_720P;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_UNSPECIFIED;
using ::zoom::livestream::v1::LiveStream;
using ::zoom::livestream::v1::LiveStreamResolution;

ZoomRequestOptions Options() {
  ZoomRequestOptions options;
  options.api_base_url = "https://api.zoom.us/v2//";
  options.user_agent = "livestream-gateway/1.0";
  return options;
}

LiveStream Config(LiveStreamResolution resolution) {
  LiveStream live_stream;
  live_stream.set_stream_url("rtmp://live.example.com/app");
  live_stream.set_stream_key("key-1");
  live_stream.set_page_url("https://example.com/watch?a=1&b=2");
  live_stream.set_resolution(resolution);
  return live_stream;
}

TEST(BuildGetLiveStreamRequestTest, IsAnIdempotentGetOfTheTargetsLiveStream) {
  const HttpRequest webinar = BuildGetLiveStreamRequest(ZoomTarget::kWebinar, "123", Options());
  EXPECT_EQ(webinar.method, "GET");
  EXPECT_EQ(webinar.url, "https://api.zoom.us/v2/webinars/123/livestream");
  EXPECT_TRUE(webinar.idempotent);
  EXPECT_EQ(webinar.body, "");
  EXPECT_THAT(webinar.headers, ElementsAre(Pair("Accept", "application/json"),
                                           Pair("User-Agent", "livestream-gateway/1.0")));
  EXPECT_EQ(BuildGetLiveStreamRequest(ZoomTarget::kMeeting, "85746065", Options()).url,
            "https://api.zoom.us/v2/meetings/85746065/livestream");
}

TEST(BuildGetLiveStreamRequestTest, AnUnvalidatedIdCannotChangeThePath) {
  EXPECT_EQ(BuildGetLiveStreamRequest(ZoomTarget::kWebinar, "../1", Options()).url,
            "https://api.zoom.us/v2/webinars/%2E%2E%2F1/livestream");
}

struct BodyRow {
  std::string name;
  LiveStream live_stream;
  std::string body;
};

void PrintTo(const BodyRow& row, std::ostream* out) { *out << row.name; }

class LiveStreamJsonTest : public ::testing::TestWithParam<BodyRow> {};

TEST_P(LiveStreamJsonTest, IsByteExact) {
  EXPECT_EQ(LiveStreamJson(GetParam().live_stream), GetParam().body);
}

LiveStream WithKey(std::string key) {
  LiveStream live_stream = Config(LIVE_STREAM_RESOLUTION_UNSPECIFIED);
  live_stream.set_stream_key(std::move(key));
  return live_stream;
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, LiveStreamJsonTest,
    ::testing::Values(
        BodyRow{"720p", Config(LIVE_STREAM_RESOLUTION_720P),
                R"({"stream_url":"rtmp://live.example.com/app","stream_key":"key-1",)"
                R"("page_url":"https://example.com/watch?a=1&b=2","resolution":"720p"})"},
        BodyRow{"1080p", Config(LIVE_STREAM_RESOLUTION_1080P),
                R"({"stream_url":"rtmp://live.example.com/app","stream_key":"key-1",)"
                R"("page_url":"https://example.com/watch?a=1&b=2","resolution":"1080p"})"},
        BodyRow{"UnspecifiedResolutionLeftOut", Config(LIVE_STREAM_RESOLUTION_UNSPECIFIED),
                R"({"stream_url":"rtmp://live.example.com/app","stream_key":"key-1",)"
                R"("page_url":"https://example.com/watch?a=1&b=2"})"},
        BodyRow{"UnknownResolutionLeftOut", Config(LiveStreamResolution(9)),
                R"({"stream_url":"rtmp://live.example.com/app","stream_key":"key-1",)"
                R"("page_url":"https://example.com/watch?a=1&b=2"})"},
        BodyRow{"QuotesAndBackslashesEscaped", WithKey(R"(k"\)"),
                R"({"stream_url":"rtmp://live.example.com/app","stream_key":"k\"\\",)"
                R"("page_url":"https://example.com/watch?a=1&b=2"})"},
        BodyRow{"EmptyStringsStillSent", LiveStream(),
                R"({"stream_url":"","stream_key":"","page_url":""})"}),
    [](const ::testing::TestParamInfo<BodyRow>& info) { return info.param.name; });

TEST(BuildUpdateLiveStreamRequestTest, IsAnIdempotentJsonPatch) {
  ZoomRequestOptions options = Options();
  options.encoding = BodyEncoding::kMultipart;  // Zoom documents only JSON here.
  const HttpRequest http = BuildUpdateLiveStreamRequest(
      ZoomTarget::kMeeting, "85746065", Config(LIVE_STREAM_RESOLUTION_720P), options);
  EXPECT_EQ(http.method, "PATCH");
  EXPECT_EQ(http.url, "https://api.zoom.us/v2/meetings/85746065/livestream");
  EXPECT_TRUE(http.idempotent);
  EXPECT_EQ(http.body, LiveStreamJson(Config(LIVE_STREAM_RESOLUTION_720P)));
  EXPECT_THAT(http.headers, ElementsAre(Pair("Accept", "application/json"),
                                        Pair("User-Agent", "livestream-gateway/1.0"),
                                        Pair("Content-Type", "application/json")));
}

ZoomCallContext Context() {
  ZoomCallContext context{ZoomTarget::kWebinar, "123"};
  context.redactor = Redactor({"server-secret"});
  return context;
}

HttpResponse Ok(std::string body) {
  HttpResponse response;
  response.status_code = 200;
  response.body = std::move(body);
  response.headers.emplace_back("x-zm-trackingid", "rid-1");
  return response;
}

struct ParseRow {
  std::string name;
  std::string body;
  // Set: the parse; else an error whose message has `why`.
  std::optional<LiveStream> expected;
  std::string why = "";
  bool truncated = false;
};

void PrintTo(const ParseRow& row, std::ostream* out) { *out << row.name; }

class ParseLiveStreamTest : public ::testing::TestWithParam<ParseRow> {};

TEST_P(ParseLiveStreamTest, ReadsZoomsAnswer) {
  HttpResponse response = Ok(GetParam().body);
  response.body_truncated = GetParam().truncated;
  const absl::StatusOr<LiveStream> parsed = ParseLiveStream(response, Context());
  if (GetParam().expected.has_value()) {
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->SerializeAsString(), GetParam().expected->SerializeAsString())
        << parsed->DebugString();
    return;
  }
  ASSERT_FALSE(parsed.ok());
  const absl::Status& status = parsed.status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()), HasSubstr(GetParam().why));
  // The body may hold the stream key: never quoted.
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("secret-key")));
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "ZOOM_INVALID_RESPONSE");
  EXPECT_EQ(info->metadata().at("httpStatus"), "200");
  EXPECT_EQ(info->metadata().at("trackingId"), "rid-1");
  EXPECT_EQ(info->metadata().at("webinarId"), "123");
}

LiveStream Parsed(std::string url, std::string key, std::string page,
                  LiveStreamResolution resolution) {
  LiveStream live_stream;
  live_stream.set_stream_url(std::move(url));
  live_stream.set_stream_key(std::move(key));
  live_stream.set_page_url(std::move(page));
  live_stream.set_resolution(resolution);
  return live_stream;
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, ParseLiveStreamTest,
    ::testing::Values(
        ParseRow{"Full",
                 R"({"stream_url":"rtmp://a/b","stream_key":"secret-key",)"
                 R"("page_url":"https://p","resolution":"1080p"})",
                 Parsed("rtmp://a/b", "secret-key", "https://p", LIVE_STREAM_RESOLUTION_1080P)},
        ParseRow{"ResolutionAnyCase", R"({"resolution":"720P"})",
                 Parsed("", "", "", LIVE_STREAM_RESOLUTION_720P)},
        ParseRow{"ResolutionUnknownReadsUnspecified", R"({"resolution":"4k"})",
                 Parsed("", "", "", LIVE_STREAM_RESOLUTION_UNSPECIFIED)},
        ParseRow{"EmptyObject", "{}", LiveStream()},
        ParseRow{"NullsReadEmpty", R"({"stream_url":null,"resolution":null})", LiveStream()},
        ParseRow{"UnknownMembersIgnored",
                 R"({"stream_key":"secret-key","extra":{"a":[1,2]},"n":3})",
                 Parsed("", "secret-key", "", LIVE_STREAM_RESOLUTION_UNSPECIFIED)},
        ParseRow{"NonAsciiKept", "{\"page_url\":\"https://caf\xC3\xA9\"}",
                 Parsed("", "", "https://caf\xC3\xA9", LIVE_STREAM_RESOLUTION_UNSPECIFIED)},
        ParseRow{"Empty", "", std::nullopt, "not a JSON object"},
        ParseRow{"NotJson", "secret-key", std::nullopt, "not a JSON object"},
        ParseRow{"Array", R"(["secret-key"])", std::nullopt, "not a JSON object"},
        ParseRow{"Unterminated", R"({"stream_key":"secret-key")", std::nullopt,
                 "not a JSON object"},
        ParseRow{"KeyAsNumber", R"({"stream_key":12345})", std::nullopt, "must be strings"},
        ParseRow{"UrlAsObject", R"({"stream_url":{"a":1}})", std::nullopt, "must be strings"},
        ParseRow{"ResolutionAsNumber", R"({"resolution":720})", std::nullopt, "must be strings"},
        ParseRow{"NotUtf8", "{\"stream_key\":\"secret-key\xFF\"}", std::nullopt, "not UTF-8"},
        ParseRow{"TooDeep", std::string(64, '[') + std::string(64, ']'), std::nullopt,
                 "not a JSON object"},
        ParseRow{"TooLarge", R"({"stream_key":")" + std::string(size_t{70} * 1024, 'k') + R"("})",
                 std::nullopt, "over 64 KiB"},
        ParseRow{"Truncated", R"({"stream_key":"secret-key"})", std::nullopt, "over 64 KiB", true}),
    [](const ::testing::TestParamInfo<ParseRow>& info) { return info.param.name; });

TEST(ZoomResolutionNameTest, IsZoomsName) {
  EXPECT_EQ(ZoomResolutionName(LIVE_STREAM_RESOLUTION_720P), "720p");
  EXPECT_EQ(ZoomResolutionName(LIVE_STREAM_RESOLUTION_1080P), "1080p");
  EXPECT_EQ(ZoomResolutionName(LIVE_STREAM_RESOLUTION_UNSPECIFIED), "");
}

}  // namespace
}  // namespace livestream_gateway
