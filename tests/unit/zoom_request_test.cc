#include "server/zoom/zoom_request.h"

#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::StartsWith;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_STOP;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_UNSPECIFIED;
using ::zoom::livestream::v1::LiveStreamAction;
using ::zoom::livestream::v1::LiveStreamSettings;
using ::zoom::livestream::v1::UpdateStatusRequest;

constexpr absl::string_view kMultipartPrefix = "multipart/form-data; boundary=";

LiveStreamSettings Settings(std::optional<bool> active_speaker_name,
                            std::optional<std::string> display_name) {
  LiveStreamSettings settings;
  if (active_speaker_name) settings.set_active_speaker_name(*active_speaker_name);
  if (display_name) settings.set_display_name(*display_name);
  return settings;
}

UpdateStatusRequest Request(LiveStreamAction action, std::optional<bool> active_speaker_name,
                            std::optional<std::string> display_name) {
  UpdateStatusRequest request;
  request.set_webinar_id("99289110036");
  request.set_action(action);
  if (active_speaker_name || display_name) {
    *request.mutable_settings() = Settings(active_speaker_name, display_name);
  }
  return request;
}

ZoomRequestOptions Options(BodyEncoding encoding) {
  ZoomRequestOptions options;
  options.api_base_url = "https://api.zoom.us/v2";
  options.encoding = encoding;
  options.user_agent = "zoom-livestream-gateway/0.1.0";
  return options;
}

const std::string* Header(const HttpRequest& request, absl::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string BoundaryOf(const HttpRequest& request) {
  const std::string* content_type = Header(request, "Content-Type");
  if (content_type == nullptr || !absl::StartsWith(*content_type, kMultipartPrefix)) return "";
  return content_type->substr(kMultipartPrefix.size());
}

std::string Part(absl::string_view boundary, absl::string_view name, absl::string_view value) {
  return absl::StrCat("--", boundary, "\r\nContent-Disposition: form-data; name=\"", name,
                      "\"\r\n\r\n", value, "\r\n");
}

struct JsonCase {
  std::string name;
  LiveStreamSettings settings;
  std::string json;
};

void PrintTo(const JsonCase& c, std::ostream* os) { *os << c.name; }

class BuildSettingsJsonTest : public testing::TestWithParam<JsonCase> {};

TEST_P(BuildSettingsJsonTest, IsByteExact) {
  EXPECT_EQ(BuildSettingsJson(GetParam().settings), GetParam().json);
}

INSTANTIATE_TEST_SUITE_P(
    Settings, BuildSettingsJsonTest,
    testing::Values(
        JsonCase{"None", Settings(std::nullopt, std::nullopt), "{}"},
        JsonCase{"SpeakerTrue", Settings(true, std::nullopt), R"({"active_speaker_name":true})"},
        JsonCase{"SpeakerFalse", Settings(false, std::nullopt), R"({"active_speaker_name":false})"},
        JsonCase{"NameOnly", Settings(std::nullopt, "Town hall"),
                 R"({"display_name":"Town hall"})"},
        JsonCase{"Both", Settings(false, "reprehender"),
                 R"({"active_speaker_name":false,"display_name":"reprehender"})"},
        JsonCase{"EmptyName", Settings(std::nullopt, ""), R"({"display_name":""})"},
        JsonCase{"QuoteAndBackslash", Settings(std::nullopt, "say \"hi\" \\o/"),
                 R"({"display_name":"say \"hi\" \\o/"})"},
        JsonCase{"Slash", Settings(std::nullopt, "a/b</script>"),
                 R"({"display_name":"a/b</script>"})"},
        JsonCase{"ShortEscapes", Settings(std::nullopt, "\b\f\n\r\t"),
                 R"({"display_name":"\b\f\n\r\t"})"},
        JsonCase{"OtherControls", Settings(std::nullopt, std::string("\0\x01\x1f\x7f", 4)),
                 R"({"display_name":"\u0000\u0001\u001F\u007F"})"},
        JsonCase{"Unicode", Settings(true, "caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80"),
                 "{\"active_speaker_name\":true,\"display_name\":\"caf\xC3\xA9 \xE4\xB8\xAD "
                 "\xF0\x9F\x98\x80\"}"},
        JsonCase{"LineSeparator",
                 Settings(std::nullopt,
                          "a\xE2\x80\xA8"
                          "b"),
                 "{\"display_name\":\"a\xE2\x80\xA8"
                 "b\"}"}),
    [](const testing::TestParamInfo<JsonCase>& info) { return info.param.name; });

// Whatever the name holds, a JSON parser reads back exactly that name.
TEST(BuildSettingsJsonTest, RoundTripsEveryAsciiCharAndUnicode) {
  std::string name;
  for (int c = 0; c < 0x80; ++c) name.push_back(static_cast<char>(c));
  name += "\xC2\x80\xC3\xA9\xE2\x80\xA8\xEF\xBF\xBF\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF";
  const std::string json = BuildSettingsJson(Settings(true, name));

  google::protobuf::Struct parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok()) << json;
  EXPECT_EQ(parsed.fields().at("display_name").string_value(), name);
  EXPECT_TRUE(parsed.fields().at("active_speaker_name").bool_value());
  EXPECT_EQ(parsed.fields_size(), 2);
}

TEST(TargetPathTest, WebinarAndMeeting) {
  UpdateStatusRequest webinar;
  webinar.set_webinar_id("99289110036");
  EXPECT_EQ(TargetPath(webinar), "/webinars/99289110036/livestream/status");
  UpdateStatusRequest meeting;
  meeting.set_meeting_id("85746065");
  EXPECT_EQ(TargetPath(meeting), "/meetings/85746065/livestream/status");
}

TEST(TargetPathTest, UnvalidatedIdCannotChangeThePath) {
  UpdateStatusRequest request;
  request.set_webinar_id("../../users/me?x=1#");
  const std::string path = TargetPath(request);
  EXPECT_EQ(path, "/webinars/%2E%2E%2F%2E%2E%2Fusers%2Fme%3Fx%3D1%23/livestream/status");
}

class BaseUrlTest : public testing::TestWithParam<std::string> {};

TEST_P(BaseUrlTest, JoinsWithoutDoubleSlash) {
  ZoomRequestOptions options = Options(BodyEncoding::kJson);
  options.api_base_url = GetParam();
  std::mt19937 gen(1);
  HttpRequest http = BuildUpdateStatusRequest(
      Request(LIVE_STREAM_ACTION_START, std::nullopt, std::nullopt), options, gen);
  EXPECT_EQ(http.url, "https://api.zoom.us/v2/webinars/99289110036/livestream/status");
}

INSTANTIATE_TEST_SUITE_P(Bases, BaseUrlTest,
                         testing::Values("https://api.zoom.us/v2", "https://api.zoom.us/v2/",
                                         "https://api.zoom.us/v2//"));

TEST(BuildUpdateStatusRequestTest, MeetingUrlAndMethod) {
  UpdateStatusRequest request = Request(LIVE_STREAM_ACTION_STOP, std::nullopt, std::nullopt);
  request.set_meeting_id("85746065");
  std::mt19937 gen(1);
  HttpRequest http = BuildUpdateStatusRequest(request, Options(BodyEncoding::kMultipart), gen);
  EXPECT_EQ(http.method, "PATCH");
  EXPECT_EQ(http.url, "https://api.zoom.us/v2/meetings/85746065/livestream/status");
}

// Start, stop and settings each name a state: repeating one is safe, so a
// failure after it may have reached Zoom is retried (docs/resilience.md).
TEST(BuildUpdateStatusRequestTest, IsMarkedSafeToRepeat) {
  std::mt19937 gen(1);
  for (const auto action : {LIVE_STREAM_ACTION_START, LIVE_STREAM_ACTION_STOP,
                            zoom::livestream::v1::LIVE_STREAM_ACTION_UNSPECIFIED}) {
    for (const BodyEncoding encoding : {BodyEncoding::kMultipart, BodyEncoding::kJson}) {
      EXPECT_TRUE(
          BuildUpdateStatusRequest(Request(action, true, "x"), Options(encoding), gen).idempotent)
          << action;
    }
  }
}

TEST(BuildUpdateStatusRequestTest, MultipartHeadersAndBodyAreByteExact) {
  std::mt19937 gen(3);
  HttpRequest http =
      BuildUpdateStatusRequest(Request(LIVE_STREAM_ACTION_START, false, "reprehender"),
                               Options(BodyEncoding::kMultipart), gen);
  const std::string boundary = BoundaryOf(http);
  ASSERT_THAT(boundary, testing::MatchesRegex("-{24}[0-9A-Za-z]{24}"));
  EXPECT_THAT(http.headers,
              ElementsAre(Pair("Accept", "application/json"),
                          Pair("Content-Type", absl::StrCat(kMultipartPrefix, boundary)),
                          Pair("User-Agent", "zoom-livestream-gateway/0.1.0")));
  EXPECT_EQ(http.body,
            absl::StrCat(Part(boundary, "action", "start"),
                         Part(boundary, "settings",
                              R"({"active_speaker_name":false,"display_name":"reprehender"})"),
                         "--", boundary, "--\r\n"));
}

struct BodyCase {
  std::string name;
  UpdateStatusRequest request;
  // Multipart parts as (name, value), and the JSON body.
  std::vector<std::pair<std::string, std::string>> parts;
  std::string json;
};

void PrintTo(const BodyCase& c, std::ostream* os) { *os << c.name; }

class BodyTest : public testing::TestWithParam<BodyCase> {};

TEST_P(BodyTest, Multipart) {
  std::mt19937 gen(5);
  HttpRequest http =
      BuildUpdateStatusRequest(GetParam().request, Options(BodyEncoding::kMultipart), gen);
  const std::string boundary = BoundaryOf(http);
  ASSERT_FALSE(boundary.empty());
  std::string expected;
  for (const auto& [name, value] : GetParam().parts) expected += Part(boundary, name, value);
  absl::StrAppend(&expected, "--", boundary, "--\r\n");
  EXPECT_EQ(http.body, expected);
}

TEST_P(BodyTest, Json) {
  std::mt19937 gen(5);
  HttpRequest http =
      BuildUpdateStatusRequest(GetParam().request, Options(BodyEncoding::kJson), gen);
  EXPECT_THAT(http.headers, ElementsAre(Pair("Accept", "application/json"),
                                        Pair("Content-Type", "application/json"),
                                        Pair("User-Agent", "zoom-livestream-gateway/0.1.0")));
  EXPECT_EQ(http.body, GetParam().json);
  google::protobuf::Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(http.body, &parsed).ok());
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, BodyTest,
    testing::Values(
        BodyCase{"Start",
                 Request(LIVE_STREAM_ACTION_START, std::nullopt, std::nullopt),
                 {{"action", "start"}},
                 R"({"action":"start"})"},
        BodyCase{"Stop",
                 Request(LIVE_STREAM_ACTION_STOP, std::nullopt, std::nullopt),
                 {{"action", "stop"}},
                 R"({"action":"stop"})"},
        BodyCase{"SettingsOnly",
                 Request(LIVE_STREAM_ACTION_UNSPECIFIED, std::nullopt, "Jill"),
                 {{"settings", R"({"display_name":"Jill"})"}},
                 R"({"settings":{"display_name":"Jill"}})"},
        BodyCase{"SpeakerOnly",
                 Request(LIVE_STREAM_ACTION_UNSPECIFIED, true, std::nullopt),
                 {{"settings", R"({"active_speaker_name":true})"}},
                 R"({"settings":{"active_speaker_name":true}})"},
        BodyCase{
            "StopWithBoth",
            Request(LIVE_STREAM_ACTION_STOP, true, "Q\"&A"),
            {{"action", "stop"},
             {"settings", R"({"active_speaker_name":true,"display_name":"Q\"&A"})"}},
            R"({"action":"stop","settings":{"active_speaker_name":true,"display_name":"Q\"&A"}})"}),
    [](const testing::TestParamInfo<BodyCase>& info) { return info.param.name; });

TEST(BuildUpdateStatusRequestTest, NeverSetsAuthorization) {
  for (BodyEncoding encoding : {BodyEncoding::kMultipart, BodyEncoding::kJson}) {
    std::mt19937 gen(1);
    HttpRequest http = BuildUpdateStatusRequest(Request(LIVE_STREAM_ACTION_START, true, "x"),
                                                Options(encoding), gen);
    for (const auto& [name, value] : http.headers) {
      EXPECT_FALSE(absl::EqualsIgnoreCase(name, "Authorization"));
    }
  }
}

TEST(BuildUpdateStatusRequestTest, EmptyUserAgentSendsNoHeader) {
  ZoomRequestOptions options = Options(BodyEncoding::kJson);
  options.user_agent.clear();
  std::mt19937 gen(1);
  HttpRequest http = BuildUpdateStatusRequest(
      Request(LIVE_STREAM_ACTION_START, std::nullopt, std::nullopt), options, gen);
  EXPECT_EQ(Header(http, "User-Agent"), nullptr);
  EXPECT_NE(Header(http, "Accept"), nullptr);
}

TEST(BuildUpdateStatusRequestTest, BoundaryComesFromTheGenerator) {
  std::mt19937 a(10);
  std::mt19937 b(11);
  const UpdateStatusRequest request = Request(LIVE_STREAM_ACTION_START, std::nullopt, "x");
  const std::string first =
      BoundaryOf(BuildUpdateStatusRequest(request, Options(BodyEncoding::kMultipart), a));
  const std::string second =
      BoundaryOf(BuildUpdateStatusRequest(request, Options(BodyEncoding::kMultipart), b));
  EXPECT_NE(first, second);
  EXPECT_THAT(first, StartsWith("------------------------"));
}

}  // namespace
}  // namespace livestream_gateway
