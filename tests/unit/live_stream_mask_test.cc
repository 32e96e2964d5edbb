#include "server/live_stream_mask.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::HasSubstr;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_1080P;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_720P;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_UNSPECIFIED;
using ::zoom::livestream::v1::LiveStream;
using ::zoom::livestream::v1::UpdateLiveStreamRequest;

google::protobuf::FieldMask Mask(const std::vector<std::string>& paths) {
  google::protobuf::FieldMask mask;
  for (const std::string& path : paths) mask.add_paths(path);
  return mask;
}

struct MaskRow {
  std::string name;
  std::vector<std::string> paths;
  // Empty: acceptable; else a substring of why not.
  std::string why;
};

void PrintTo(const MaskRow& row, std::ostream* out) { *out << row.name; }

class CheckUpdateMaskTest : public ::testing::TestWithParam<MaskRow> {};

TEST_P(CheckUpdateMaskTest, AcceptsOnlyTheFourNamesOrAStarAlone) {
  const std::optional<std::string> why = CheckUpdateMask(Mask(GetParam().paths));
  if (GetParam().why.empty()) {
    EXPECT_EQ(why, std::nullopt);
  } else {
    ASSERT_TRUE(why.has_value());
    EXPECT_THAT(*why, HasSubstr(GetParam().why));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Masks, CheckUpdateMaskTest,
    ::testing::Values(
        MaskRow{"Empty", {}, ""}, MaskRow{"Star", {"*"}, ""},
        MaskRow{"AllFour", {"stream_url", "stream_key", "page_url", "resolution"}, ""},
        MaskRow{"One", {"page_url"}, ""},
        MaskRow{"Unknown", {"stream_url", "title"}, "paths[1] is not one of"},
        MaskRow{"Prefixed", {"live_stream.stream_url"}, "paths[0] is not one of"},
        MaskRow{"CaseMatters", {"Stream_URL"}, "paths[0] is not one of"},
        MaskRow{"EmptyPath", {""}, "paths[0] is not one of"},
        MaskRow{"Twice", {"page_url", "resolution", "page_url"}, "paths[2] repeats \"page_url\""},
        MaskRow{"StarWithAName", {"*", "page_url"}, "`*` must be the only path"},
        MaskRow{"StarTwice", {"*", "*"}, "`*` must be the only path"}),
    [](const ::testing::TestParamInfo<MaskRow>& info) { return info.param.name; });

TEST(CheckUpdateMaskTest, NeverQuotesAnUnknownPath) {
  const std::optional<std::string> why = CheckUpdateMask(Mask({"secret\xff\n"}));
  ASSERT_TRUE(why.has_value());
  EXPECT_THAT(*why, ::testing::Not(HasSubstr("secret")));
}

LiveStream Full() {
  LiveStream live_stream;
  live_stream.set_stream_url("rtmp://new.example/app");
  live_stream.set_stream_key("new-key");
  live_stream.set_page_url("https://new.example/watch");
  live_stream.set_resolution(LIVE_STREAM_RESOLUTION_1080P);
  return live_stream;
}

struct FieldsRow {
  std::string name;
  LiveStream live_stream;
  std::vector<std::string> paths;
  LiveStreamFields expected;
  bool needs_read;
};

void PrintTo(const FieldsRow& row, std::ostream* out) { *out << row.name; }

class FieldsToChangeTest : public ::testing::TestWithParam<FieldsRow> {};

TEST_P(FieldsToChangeTest, FollowsTheMaskOrWhatIsSet) {
  UpdateLiveStreamRequest request;
  request.set_webinar_id("1");
  *request.mutable_live_stream() = GetParam().live_stream;
  *request.mutable_update_mask() = Mask(GetParam().paths);
  const LiveStreamFields fields = FieldsToChange(request);
  EXPECT_EQ(fields, GetParam().expected);
  EXPECT_EQ(NeedsCurrentConfiguration(fields), GetParam().needs_read);
}

LiveStream Only(void (*edit)(LiveStream&)) {
  LiveStream live_stream;
  edit(live_stream);
  return live_stream;
}

INSTANTIATE_TEST_SUITE_P(
    Requests, FieldsToChangeTest,
    ::testing::Values(
        FieldsRow{"NoMaskAllSet", Full(), {}, {true, true, true, true}, false},
        FieldsRow{"NoMaskThreeStrings",
                  Only([](LiveStream& l) {
                    l.set_stream_url("u");
                    l.set_stream_key("k");
                    l.set_page_url("p");
                  }),
                  {},
                  {true, true, true, false},
                  false},
        FieldsRow{"NoMaskKeyOnly",
                  Only([](LiveStream& l) { l.set_stream_key("k"); }),
                  {},
                  {false, true, false, false},
                  true},
        FieldsRow{"NoMaskResolutionOnly",
                  Only([](LiveStream& l) { l.set_resolution(LIVE_STREAM_RESOLUTION_720P); }),
                  {},
                  {false, false, false, true},
                  true},
        FieldsRow{"NoMaskNothing", LiveStream(), {}, {}, true},
        FieldsRow{"StarChangesAll", LiveStream(), {"*"}, {true, true, true, true}, false},
        // AIP-134: fields set but not named are ignored.
        FieldsRow{"MaskNamesOne", Full(), {"page_url"}, {false, false, true, false}, true},
        FieldsRow{"MaskNamesAnEmptyField",
                  LiveStream(),
                  {"stream_url", "stream_key", "page_url"},
                  {true, true, true, false},
                  false}),
    [](const ::testing::TestParamInfo<FieldsRow>& info) { return info.param.name; });

LiveStream Current() {
  LiveStream live_stream;
  live_stream.set_stream_url("rtmp://old.example/app");
  live_stream.set_stream_key("old-key");
  live_stream.set_page_url("https://old.example/watch");
  live_stream.set_resolution(LIVE_STREAM_RESOLUTION_720P);
  return live_stream;
}

TEST(MergeLiveStreamTest, TakesTheChangedFieldsFromTheUpdateAndTheRestFromTheCurrent) {
  const LiveStream merged = MergeLiveStream(Current(), Full(), {false, true, false, true});
  EXPECT_EQ(merged.stream_url(), "rtmp://old.example/app");
  EXPECT_EQ(merged.stream_key(), "new-key");
  EXPECT_EQ(merged.page_url(), "https://old.example/watch");
  EXPECT_EQ(merged.resolution(), LIVE_STREAM_RESOLUTION_1080P);
}

TEST(MergeLiveStreamTest, AWholeUpdateNeedsNoCurrent) {
  const LiveStream merged = MergeLiveStream(LiveStream(), Full(), {true, true, true, true});
  EXPECT_EQ(merged.SerializeAsString(), Full().SerializeAsString());
}

TEST(MergeLiveStreamTest, AChangedResolutionLeftUnspecifiedKeepsTheCurrent) {
  LiveStream update = Full();
  update.set_resolution(LIVE_STREAM_RESOLUTION_UNSPECIFIED);
  EXPECT_EQ(MergeLiveStream(Current(), update, {false, false, false, true}).resolution(),
            LIVE_STREAM_RESOLUTION_720P);
  EXPECT_EQ(MergeLiveStream(LiveStream(), update, {true, true, true, true}).resolution(),
            LIVE_STREAM_RESOLUTION_UNSPECIFIED);
}

TEST(MergeLiveStreamTest, AnUnchangedResolutionIsTheCurrent) {
  EXPECT_EQ(MergeLiveStream(Current(), Full(), {true, true, true, false}).resolution(),
            LIVE_STREAM_RESOLUTION_720P);
}

}  // namespace
}  // namespace livestream_gateway
