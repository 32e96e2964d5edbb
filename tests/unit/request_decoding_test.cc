#include "server/request_decoding.h"

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using ::zoom::livestream::v1::GetLiveStreamRequest;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::UpdateLiveStreamRequest;
using ::zoom::livestream::v1::UpdateStatusRequest;

constexpr absl::string_view kNotProtobuf =
    "not a valid protobuf encoding, or a string field is not valid UTF-8";
constexpr absl::string_view kWrongWireType = "has the wrong wire type";

UpdateStatusRequest Full() {
  UpdateStatusRequest request;
  request.set_webinar_id("99289110036");
  request.set_action(LIVE_STREAM_ACTION_START);
  request.mutable_settings()->set_active_speaker_name(true);
  request.mutable_settings()->set_display_name("Caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80");
  return request;
}

// webinar_id "1", then `rest`.
std::string Webinar1(absl::string_view rest) {
  return absl::StrCat(
      "\x0A\x01"
      "1",
      rest);
}

struct Case {
  std::string name;
  std::string bytes;
  // Empty: decodes (to the same message as protobuf's own parser). Else a
  // substring of the MALFORMED_REQUEST message.
  std::string malformed;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> Cases() {
  return {
      // Well-formed.
      {"Empty", "", ""},
      {"FullRequest", Full().SerializeAsString(), ""},
      {"MeetingStop",
       "\x12\x08"
       "85746065\x18\x02",
       ""},
      {"UnknownVarintField", Full().SerializeAsString() + "\x98\x06\x01", ""},
      {"UnknownLengthDelimitedField", Full().SerializeAsString() + "\xA2\x06\x02hi", ""},
      {"UnknownFieldInSettings", Webinar1("\x22\x05\x12\x01x\x48\x01"), ""},
      {"UnknownEnumValueStaysOpen", Webinar1("\x18\x07"), ""},
      {"LastValueWins",
       Webinar1("\x0A\x01"
                "2"),
       ""},
      {"RepeatedSettingsMerge", Webinar1("\x22\x02\x08\x01\x22\x03\x12\x01x"), ""},
      {"OverlongVarintValue", Webinar1(absl::string_view("\x18\x81\x80\x80\x80\x00", 6)), ""},

      // Not the wire format.
      {"Garbage", "\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", std::string(kNotProtobuf)},
      {"Text", "this is not a protobuf", std::string(kNotProtobuf)},
      {"TruncatedTag", "\x80", std::string(kNotProtobuf)},
      {"TruncatedVarint", Webinar1("\x18\x80"), std::string(kNotProtobuf)},
      {"VarintOverTenBytes", Webinar1("\x18\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01"),
       std::string(kNotProtobuf)},
      {"LengthPastEnd",
       "\x0A\x05"
       "1",
       std::string(kNotProtobuf)},
      {"NestedLengthPastParent", Webinar1("\x22\x02\x12\x05xy"), std::string(kNotProtobuf)},
      {"InvalidWireType6", Webinar1("\x1E"), std::string(kNotProtobuf)},
      {"InvalidWireType7", Webinar1("\x1F"), std::string(kNotProtobuf)},
      {"UnmatchedEndGroup", Webinar1("\x2C"), std::string(kNotProtobuf)},
      {"UnterminatedGroup", Webinar1("\x2B"), std::string(kNotProtobuf)},
      {"FieldNumberZero", Webinar1(absl::string_view("\x00\x01", 2)), std::string(kNotProtobuf)},
      {"TruncatedFixed32", Webinar1("\x2D\x01\x02"), std::string(kNotProtobuf)},

      // Strings that are not UTF-8 (proto3).
      {"DisplayNameLoneLead", Webinar1("\x22\x04\x12\x02\xC3\x28"), std::string(kNotProtobuf)},
      {"DisplayNameSurrogate", Webinar1("\x22\x05\x12\x03\xED\xA0\x80"), std::string(kNotProtobuf)},
      {"DisplayNameOverlong", Webinar1("\x22\x04\x12\x02\xC0\xAF"), std::string(kNotProtobuf)},
      {"DisplayNameAboveMax", Webinar1("\x22\x06\x12\x04\xF4\x90\x80\x80"),
       std::string(kNotProtobuf)},
      {"WebinarIdNotUtf8", "\x0A\x02\xC3\x28", std::string(kNotProtobuf)},
      {"MeetingIdNotUtf8", "\x12\x01\xFF", std::string(kNotProtobuf)},

      // Fields of the schema with another wire type.
      {"WebinarIdAsVarint", "\x08\x01\x18\x01", "webinar_id has the wrong wire type"},
      {"MeetingIdAsFixed64", "\x11\x01\x02\x03\x04\x05\x06\x07\x08",
       "meeting_id has the wrong wire type"},
      {"ActionAsString", Webinar1("\x1A\x01\x01"), "action has the wrong wire type"},
      {"SettingsAsVarint", Webinar1("\x20\x01"), "settings has the wrong wire type"},
      {"DisplayNameAsFixed32", Webinar1("\x22\x05\x15\x41\x42\x43\x44"),
       "settings.display_name has the wrong wire type"},
      {"ActiveSpeakerNameAsString", Webinar1("\x22\x03\x0A\x01\x01"),
       "settings.active_speaker_name has the wrong wire type"},
      {"WrongWireTypeAfterValidField", Full().SerializeAsString() + "\x1D\x01\x02\x03\x04",
       std::string(kWrongWireType)},
  };
}

void ExpectMalformed(const absl::StatusOr<UpdateStatusRequest>& decoded, absl::string_view why) {
  ASSERT_FALSE(decoded.ok());
  const absl::Status& status = decoded.status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("malformed UpdateStatusRequest: "));
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(why)));
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "MALFORMED_REQUEST");
  EXPECT_EQ(info->domain(), kErrorDomain);
  EXPECT_THAT(info->metadata(), IsEmpty());
  // Nothing but the ErrorInfo: no BadRequest for bytes without fields.
  int payloads = 0;
  status.ForEachPayload([&](absl::string_view, const absl::Cord&) { ++payloads; });
  EXPECT_EQ(payloads, 1);
}

void ExpectMalformedNamed(const absl::Status& status, absl::string_view message) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), message);
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "MALFORMED_REQUEST");
}

void ExpectDecoded(const absl::StatusOr<UpdateStatusRequest>& decoded, const std::string& bytes) {
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  UpdateStatusRequest expected;
  ASSERT_TRUE(expected.ParseFromString(bytes));
  EXPECT_EQ(decoded->SerializeAsString(), expected.SerializeAsString());
}

class DecodeTest : public testing::TestWithParam<Case> {};

TEST_P(DecodeTest, FromBytes) {
  absl::StatusOr<UpdateStatusRequest> decoded = DecodeUpdateStatusRequest(GetParam().bytes);
  if (GetParam().malformed.empty()) {
    ExpectDecoded(decoded, GetParam().bytes);
  } else {
    ExpectMalformed(decoded, GetParam().malformed);
  }
}

TEST_P(DecodeTest, FromOneSlice) {
  grpc::Slice slice(GetParam().bytes);
  absl::StatusOr<UpdateStatusRequest> decoded =
      DecodeUpdateStatusRequest(grpc::ByteBuffer(&slice, 1));
  if (GetParam().malformed.empty()) {
    ExpectDecoded(decoded, GetParam().bytes);
  } else {
    ExpectMalformed(decoded, GetParam().malformed);
  }
}

// gRPC may hand over a message in many slices; a field may straddle them.
TEST_P(DecodeTest, FromOneSlicePerByte) {
  std::vector<grpc::Slice> slices;
  for (char c : GetParam().bytes) slices.emplace_back(std::string(1, c));
  absl::StatusOr<UpdateStatusRequest> decoded =
      DecodeUpdateStatusRequest(grpc::ByteBuffer(slices.data(), slices.size()));
  if (GetParam().malformed.empty()) {
    ExpectDecoded(decoded, GetParam().bytes);
  } else {
    ExpectMalformed(decoded, GetParam().malformed);
  }
}

INSTANTIATE_TEST_SUITE_P(Encodings, DecodeTest, testing::ValuesIn(Cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(DecodeUpdateStatusRequestTest, KeepsEveryField) {
  absl::StatusOr<UpdateStatusRequest> decoded =
      DecodeUpdateStatusRequest(Full().SerializeAsString());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->webinar_id(), "99289110036");
  EXPECT_EQ(decoded->action(), LIVE_STREAM_ACTION_START);
  EXPECT_TRUE(decoded->settings().active_speaker_name());
  EXPECT_EQ(decoded->settings().display_name(), Full().settings().display_name());
}

TEST(DecodeUpdateStatusRequestTest, AnInvalidBufferIsACallWithoutMessage) {
  ExpectMalformed(DecodeUpdateStatusRequest(grpc::ByteBuffer()), "no request message");
}

TEST(DecodeUpdateStatusRequestTest, LeavesTheCallersBufferIntact) {
  const std::string bytes = Full().SerializeAsString();
  grpc::Slice slice(bytes);
  const grpc::ByteBuffer buffer(&slice, 1);
  ASSERT_TRUE(DecodeUpdateStatusRequest(buffer).ok());
  EXPECT_EQ(buffer.Length(), bytes.size());
  ASSERT_TRUE(DecodeUpdateStatusRequest(buffer).ok());
}

TEST(DecodeUpdateStatusRequestTest, MessageNeverQuotesTheBytes) {
  absl::StatusOr<UpdateStatusRequest> decoded = DecodeUpdateStatusRequest("\x0A\x0Asecret-tok\xFF");
  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(std::string(decoded.status().message()), Not(HasSubstr("secret-tok")));
}

// The same rules for the other methods' requests; the message names the
// request's type.
struct OtherCase {
  std::string name;
  std::string bytes;
  std::string malformed;  // empty: decodes
};

void PrintTo(const OtherCase& c, std::ostream* os) { *os << c.name; }

class DecodeUpdateLiveStreamTest : public testing::TestWithParam<OtherCase> {};

TEST_P(DecodeUpdateLiveStreamTest, FollowsTheSameRules) {
  grpc::Slice slice(GetParam().bytes);
  absl::StatusOr<UpdateLiveStreamRequest> decoded =
      DecodeRequest<UpdateLiveStreamRequest>(grpc::ByteBuffer(&slice, 1));
  if (GetParam().malformed.empty()) {
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    UpdateLiveStreamRequest expected;
    ASSERT_TRUE(expected.ParseFromString(GetParam().bytes));
    EXPECT_EQ(decoded->SerializeAsString(), expected.SerializeAsString());
    return;
  }
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(decoded.status().message()),
              StartsWith("malformed UpdateLiveStreamRequest: "));
  EXPECT_THAT(std::string(decoded.status().message()), HasSubstr(GetParam().malformed));
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(decoded.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "MALFORMED_REQUEST");
}

UpdateLiveStreamRequest FullUpdate() {
  UpdateLiveStreamRequest request;
  request.set_meeting_id("85746065");
  request.mutable_live_stream()->set_stream_url("rtmp://a/b");
  request.mutable_live_stream()->set_stream_key("key");
  request.mutable_live_stream()->set_page_url("https://p");
  request.mutable_live_stream()->set_resolution(zoom::livestream::v1::LIVE_STREAM_RESOLUTION_720P);
  request.mutable_update_mask()->add_paths("stream_key");
  return request;
}

INSTANTIATE_TEST_SUITE_P(
    Encodings, DecodeUpdateLiveStreamTest,
    testing::Values(
        OtherCase{"Full", FullUpdate().SerializeAsString(), ""}, OtherCase{"Empty", "", ""},
        OtherCase{"UnknownFieldInLiveStream", Webinar1("\x1A\x02\x48\x01"), ""},
        OtherCase{"Garbage", "\xFF\xFF\xFF", std::string(kNotProtobuf)},
        OtherCase{"StreamKeyNotUtf8", Webinar1("\x1A\x03\x12\x01\xFF"), std::string(kNotProtobuf)},
        OtherCase{"MaskPathNotUtf8", Webinar1("\x22\x03\x0A\x01\xFF"), std::string(kNotProtobuf)},
        OtherCase{"LiveStreamAsVarint", Webinar1("\x18\x01"),
                  "live_stream has the wrong wire type"},
        OtherCase{"ResolutionAsString", Webinar1("\x1A\x03\x22\x01x"),
                  "live_stream.resolution has the wrong wire type"},
        OtherCase{"MaskPathsAsVarint", Webinar1("\x22\x02\x08\x01"),
                  "update_mask.paths has the wrong wire type"}),
    [](const testing::TestParamInfo<OtherCase>& info) { return info.param.name; });

TEST(DecodeGetLiveStreamRequestTest, DecodesAndNamesItsType) {
  GetLiveStreamRequest request;
  request.set_webinar_id("99289110036");
  absl::StatusOr<GetLiveStreamRequest> decoded =
      DecodeRequest<GetLiveStreamRequest>(request.SerializeAsString());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->webinar_id(), "99289110036");
  ExpectMalformedNamed(DecodeRequest<GetLiveStreamRequest>(grpc::ByteBuffer()).status(),
                       "malformed GetLiveStreamRequest: the call carried no request message");
  ExpectMalformedNamed(DecodeRequest<GetLiveStreamRequest>(absl::string_view("\x08\x01")).status(),
                       "malformed GetLiveStreamRequest: webinar_id has the wrong wire type for its "
                       "declared type");
}

}  // namespace
}  // namespace livestream_gateway
