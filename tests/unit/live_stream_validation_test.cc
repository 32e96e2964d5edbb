#include "server/live_stream_validation.h"

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::zoom::livestream::v1::GetLiveStreamRequest;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_1080P;
using ::zoom::livestream::v1::LiveStreamResolution;
using ::zoom::livestream::v1::UpdateLiveStreamRequest;

constexpr char kKey[] = "live-key-0123";

UpdateLiveStreamRequest Valid() {
  UpdateLiveStreamRequest request;
  request.set_webinar_id("99289110036");
  request.mutable_live_stream()->set_stream_url("rtmp://live.example.com/app");
  request.mutable_live_stream()->set_stream_key(kKey);
  request.mutable_live_stream()->set_page_url("https://example.com/watch");
  request.mutable_live_stream()->set_resolution(LIVE_STREAM_RESOLUTION_1080P);
  return request;
}

struct Row {
  std::string name;
  std::function<void(UpdateLiveStreamRequest&)> edit;
  // The BadRequest's fields, in order; empty: valid.
  std::vector<std::string> fields;
  // A substring of the first violation's description.
  std::string why = "";
};

void PrintTo(const Row& row, std::ostream* out) { *out << row.name; }

class UpdateLiveStreamValidationTest : public ::testing::TestWithParam<Row> {};

TEST_P(UpdateLiveStreamValidationTest, NamesEachBadField) {
  UpdateLiveStreamRequest request = Valid();
  GetParam().edit(request);
  std::vector<std::string> fields;
  const auto violations = FindViolations(request);
  for (const auto& violation : violations) {
    fields.push_back(violation.field());
    // The stream key is a secret: no description quotes it.
    if (!request.live_stream().stream_key().empty()) {
      EXPECT_THAT(violation.description(), Not(HasSubstr(request.live_stream().stream_key())))
          << violation.field();
    }
  }
  EXPECT_THAT(fields, ElementsAreArray(GetParam().fields));
  if (!GetParam().why.empty()) {
    ASSERT_FALSE(violations.empty());
    EXPECT_THAT(violations[0].description(), HasSubstr(GetParam().why));
  }
}

auto Key(const std::string& key) {
  return [key](UpdateLiveStreamRequest& r) { r.mutable_live_stream()->set_stream_key(key); };
}
auto Url(const std::string& url) {
  return [url](UpdateLiveStreamRequest& r) { r.mutable_live_stream()->set_stream_url(url); };
}
auto Page(const std::string& url) {
  return [url](UpdateLiveStreamRequest& r) { r.mutable_live_stream()->set_page_url(url); };
}
auto Paths(const std::vector<std::string>& paths) {
  return [paths](UpdateLiveStreamRequest& r) {
    for (const std::string& path : paths) r.mutable_update_mask()->add_paths(path);
  };
}

INSTANTIATE_TEST_SUITE_P(
    Requests, UpdateLiveStreamValidationTest,
    ::testing::Values(
        Row{"Valid", [](auto&) {}, {}},
        Row{"Rtmps", Url("rtmps://live.example.com:443/app"), {}},
        Row{"SchemeAnyCase", Url("RTMP://live.example.com/app"), {}},
        Row{"HttpPage", Page("http://example.com"), {}},
        Row{"LongestUrl", Url("rtmp://h/" + std::string(1015, 'a')), {}},
        Row{"LongestKey", Key(std::string(512, 'k')), {}},
        Row{"KeyWithSpaceAndPunctuation", Key("a b~!"), {}},
        Row{"NoTarget",
            [](auto& r) { r.clear_webinar_id(); },
            {"target"},
            "set webinar_id or meeting_id"},
        Row{"BadMeetingId", [](auto& r) { r.set_meeting_id("0"); }, {"meeting_id"}},
        Row{"UrlTooLong",
            Url("rtmp://h/" + std::string(1016, 'a')),
            {"live_stream.stream_url"},
            "at most 1024"},
        Row{"UrlHttp", Url("http://live.example.com/app"), {"live_stream.stream_url"}, "rtmp://"},
        Row{"UrlNoHost", Url("rtmp:///app"), {"live_stream.stream_url"}},
        Row{"UrlNoScheme", Url("live.example.com/app"), {"live_stream.stream_url"}},
        Row{"UrlSpace", Url("rtmp://live.example.com/a b"), {"live_stream.stream_url"}, "ASCII"},
        Row{"UrlNonAscii", Url("rtmp://caf\xC3\xA9.example/app"), {"live_stream.stream_url"}},
        Row{"KeyTooLong", Key(std::string(513, 'k')), {"live_stream.stream_key"}, "at most 512"},
        Row{"KeyControl", Key("key\n"), {"live_stream.stream_key"}, "printable"},
        Row{"KeyNonAscii", Key("cl\xC3\xA9"), {"live_stream.stream_key"}},
        Row{"PageRtmp", Page("rtmp://example.com"), {"live_stream.page_url"}, "http://"},
        Row{"PageTooLong",
            Page("https://h/" + std::string(1015, 'a')),
            {"live_stream.page_url"},
            "at most 1024"},
        Row{"ResolutionUnknown",
            [](auto& r) { r.mutable_live_stream()->set_resolution(LiveStreamResolution(7)); },
            {"live_stream.resolution"},
            "got 7"},
        Row{"NothingToChange",
            [](auto& r) { r.clear_live_stream(); },
            {"live_stream"},
            "at least one field"},
        Row{"EveryFieldNamed",
            [](auto& r) {
              r.clear_webinar_id();
              r.mutable_live_stream()->set_stream_url("ftp://x");
              r.mutable_live_stream()->set_stream_key(std::string(600, 'k'));
              r.mutable_live_stream()->set_page_url("x");
              r.mutable_live_stream()->set_resolution(LiveStreamResolution(-1));
            },
            {"target", "live_stream.stream_url", "live_stream.stream_key", "live_stream.page_url",
             "live_stream.resolution"}},
        // With a mask, only the named fields are checked (AIP-134).
        Row{"MaskIgnoresUnnamedBadFields",
            [](auto& r) {
              r.mutable_live_stream()->set_stream_url("bad");
              Paths({"stream_key"})(r);
            },
            {}},
        Row{"MaskedEmptyStringIsInvalid",
            [](auto& r) {
              r.mutable_live_stream()->clear_page_url();
              Paths({"page_url"})(r);
            },
            {"live_stream.page_url"},
            "must not be empty"},
        Row{"StarChecksAll",
            [](auto& r) {
              r.mutable_live_stream()->clear_stream_key();
              Paths({"*"})(r);
            },
            {"live_stream.stream_key"}},
        Row{"MaskedUnspecifiedResolutionIsFine",
            [](auto& r) {
              r.clear_live_stream();
              Paths({"resolution"})(r);
            },
            {}},
        Row{"BadMask", Paths({"stream_url", "title"}), {"update_mask"}, "paths[1]"},
        Row{"DuplicateMask", Paths({"page_url", "page_url"}), {"update_mask"}, "repeats"},
        Row{"StarNotAlone", Paths({"*", "page_url"}), {"update_mask"}},
        Row{"BadMaskAndTarget",
            [](auto& r) {
              r.set_webinar_id("x");
              Paths({"nope"})(r);
            },
            {"webinar_id", "update_mask"}},
        Row{"RequestIdUuid",
            [](auto& r) { r.set_request_id("7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2f"); },
            {}},
        Row{"RequestIdUpperCase",
            [](auto& r) { r.set_request_id("7F9C24E5-2B1D-4A8E-9C3F-0D6B5E4A1C2F"); },
            {}},
        Row{"RequestIdNotUuid",
            [](auto& r) { r.set_request_id("retry-1"); },
            {"request_id"},
            "UUID"},
        Row{"RequestIdAfterBadMask",
            [](auto& r) {
              r.set_request_id("7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2");
              Paths({"nope"})(r);
            },
            {"update_mask", "request_id"}}),
    [](const ::testing::TestParamInfo<Row>& info) { return info.param.name; });

TEST(ValidateUpdateLiveStreamRequestTest, IsInvalidArgumentWithBadRequestAndOneErrorInfo) {
  UpdateLiveStreamRequest request = Valid();
  request.mutable_live_stream()->set_stream_url("http://x");
  const absl::Status status = ValidateUpdateLiveStreamRequest(request);
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              HasSubstr("invalid UpdateLiveStreamRequest: live_stream.stream_url: "));
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INVALID_REQUEST");
  EXPECT_EQ(info->metadata().at("fields"), "live_stream.stream_url");
  std::optional<google::rpc::BadRequest> bad = GetDetail<google::rpc::BadRequest>(status);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_THAT(std::string(status.ToString()), Not(HasSubstr(kKey)));
}

TEST(ValidateUpdateLiveStreamRequestTest, OkWhenValid) {
  EXPECT_TRUE(ValidateUpdateLiveStreamRequest(Valid()).ok());
}

TEST(ValidateGetLiveStreamRequestTest, ChecksTheTargetAsUpdateStatusDoes) {
  GetLiveStreamRequest request;
  EXPECT_THAT(FindViolations(request), ::testing::SizeIs(1));
  EXPECT_EQ(FindViolations(request)[0].field(), "target");
  request.set_meeting_id("9223372036854775808");
  ASSERT_THAT(FindViolations(request), ::testing::SizeIs(1));
  EXPECT_EQ(FindViolations(request)[0].field(), "meeting_id");
  request.set_meeting_id("85746065");
  EXPECT_THAT(FindViolations(request), IsEmpty());
  EXPECT_TRUE(ValidateGetLiveStreamRequest(request).ok());
  request.set_webinar_id("01");
  const absl::Status status = ValidateGetLiveStreamRequest(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("invalid GetLiveStreamRequest: webinar_id"));
}

}  // namespace
}  // namespace livestream_gateway
