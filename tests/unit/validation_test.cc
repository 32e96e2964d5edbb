#include "server/validation.h"

#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_STOP;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_UNSPECIFIED;
using ::zoom::livestream::v1::LiveStreamAction;
using ::zoom::livestream::v1::UpdateStatusRequest;

std::string Repeat(absl::string_view unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out.append(unit.data(), unit.size());
  return out;
}

// A request that passes unless a test breaks one field.
UpdateStatusRequest Webinar(std::string id, LiveStreamAction action = LIVE_STREAM_ACTION_START) {
  UpdateStatusRequest request;
  request.set_webinar_id(std::move(id));
  request.set_action(action);
  return request;
}

UpdateStatusRequest Meeting(std::string id, LiveStreamAction action = LIVE_STREAM_ACTION_STOP) {
  UpdateStatusRequest request;
  request.set_meeting_id(std::move(id));
  request.set_action(action);
  return request;
}

UpdateStatusRequest DisplayName(std::string name) {
  UpdateStatusRequest request = Webinar("99289110036", LIVE_STREAM_ACTION_UNSPECIFIED);
  request.mutable_settings()->set_display_name(std::move(name));
  return request;
}

UpdateStatusRequest NoTarget() {
  UpdateStatusRequest request;
  request.set_action(LIVE_STREAM_ACTION_START);
  return request;
}

struct Case {
  std::string name;
  UpdateStatusRequest request;
  // (field, a substring of its description), in the expected order.
  std::vector<std::pair<std::string, std::string>> violations;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> Cases() {
  constexpr absl::string_view kBadId = "must be a positive decimal integer of at most 19 digits";
  constexpr absl::string_view kTooBig = "must not exceed 9223372036854775807";
  constexpr absl::string_view kUtf8 = "must be valid UTF-8";
  constexpr absl::string_view kControl = "must not contain control characters";
  constexpr absl::string_view kTooLong = "must be at most 50 characters";
  const std::string e_acute = "\xC3\xA9";        // U+00E9, 2 bytes
  const std::string han = "\xE4\xB8\xAD";        // U+4E2D, 3 bytes
  const std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes

  std::vector<Case> cases = {
      // Valid requests.
      {"WebinarStart", Webinar("99289110036"), {}},
      {"MeetingStop", Meeting("85746065"), {}},
      {"SingleDigitId", Webinar("1"), {}},
      {"Int64Max", Webinar("9223372036854775807"), {}},
      {"MeetingInt64Max", Meeting("9223372036854775807"), {}},
      {"DisplayNameOnly", DisplayName("Town hall"), {}},
      {"DisplayName50Ascii", DisplayName(std::string(50, 'a')), {}},
      {"DisplayName50TwoByte", DisplayName(Repeat(e_acute, 50)), {}},
      {"DisplayName50ThreeByte", DisplayName(Repeat(han, 50)), {}},
      {"DisplayName50FourByte", DisplayName(Repeat(emoji, 50)), {}},
      {"DisplayNameQuotesAndBackslash", DisplayName("say \"hi\" \\o/"), {}},
      {"DisplayNameNbsp",
       DisplayName("a\xC2\xA0"
                   "b"),
       {}},
      {"DisplayNameLastBeforeSurrogates", DisplayName("\xED\x9F\xBF"), {}},
      {"DisplayNameFirstAfterSurrogates", DisplayName("\xEE\x80\x80"), {}},
      {"DisplayNameMaxCodePoint", DisplayName("\xF4\x8F\xBF\xBF"), {}},
      {"DisplayNameSmallest3Byte", DisplayName("\xE0\xA0\x80"), {}},
      {"DisplayNameSmallest4Byte", DisplayName("\xF0\x90\x80\x80"), {}},

      // Target.
      {"TargetUnset", NoTarget(), {{"target", "set webinar_id or meeting_id"}}},
      {"WebinarEmpty", Webinar(""), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarZero", Webinar("0"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarLeadingZero", Webinar("0123"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarNegative", Webinar("-1"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarPlus", Webinar("+1"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarDecimal", Webinar("1.0"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarLeadingSpace", Webinar(" 1"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarTrailingNewline", Webinar("1\n"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarDotDot", Webinar("../1"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarSlash", Webinar("1/2"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarPercent", Webinar("%31"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarQuery", Webinar("1?x=2"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarEmbeddedNul",
       Webinar(std::string("1\0"
                           "2",
                           3)),
       {{"webinar_id", std::string(kBadId)}}},
      {"WebinarFullwidthDigit", Webinar("\xEF\xBC\x91"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarHex", Webinar("0x1F"), {{"webinar_id", std::string(kBadId)}}},
      {"Webinar20Digits", Webinar("12345678901234567890"), {{"webinar_id", std::string(kBadId)}}},
      {"WebinarInt64MaxPlusOne",
       Webinar("9223372036854775808"),
       {{"webinar_id", std::string(kTooBig)}}},
      {"Webinar19Nines", Webinar("9999999999999999999"), {{"webinar_id", std::string(kTooBig)}}},
      {"MeetingEmpty", Meeting(""), {{"meeting_id", std::string(kBadId)}}},
      {"MeetingLetters", Meeting("abc"), {{"meeting_id", std::string(kBadId)}}},
      {"MeetingInt64MaxPlusOne",
       Meeting("9223372036854775808"),
       {{"meeting_id", std::string(kTooBig)}}},

      // Action.
      {"ActionUnknown", Webinar("1", static_cast<LiveStreamAction>(7)), {{"action", "got 7"}}},
      {"ActionNegative", Webinar("1", static_cast<LiveStreamAction>(-1)), {{"action", "got -1"}}},
      {"NothingToDo",
       Webinar("1", LIVE_STREAM_ACTION_UNSPECIFIED),
       {{"action", "set action or at least one field of settings"}}},

      // Display name.
      {"DisplayNameEmpty", DisplayName(""), {{"settings.display_name", "must not be empty"}}},
      {"DisplayName51Ascii",
       DisplayName(std::string(51, 'a')),
       {{"settings.display_name", absl::StrCat(kTooLong, " (Unicode code points), got 51")}}},
      {"DisplayName51TwoByte",
       DisplayName(Repeat(e_acute, 51)),
       {{"settings.display_name", std::string(kTooLong)}}},
      {"DisplayName51ThreeByte",
       DisplayName(Repeat(han, 51)),
       {{"settings.display_name", std::string(kTooLong)}}},
      {"DisplayName51FourByte",
       DisplayName(Repeat(emoji, 51)),
       {{"settings.display_name", std::string(kTooLong)}}},
      {"DisplayNameLf", DisplayName("a\nb"), {{"settings.display_name", "found U+000A"}}},
      {"DisplayNameCr", DisplayName("a\rb"), {{"settings.display_name", "found U+000D"}}},
      {"DisplayNameTab", DisplayName("a\tb"), {{"settings.display_name", "found U+0009"}}},
      {"DisplayNameNul",
       DisplayName(std::string("a\0b", 3)),
       {{"settings.display_name", "found U+0000"}}},
      {"DisplayNameUnitSeparator",
       DisplayName("\x1F"),
       {{"settings.display_name", "found U+001F"}}},
      {"DisplayNameDel", DisplayName("a\x7F"), {{"settings.display_name", "found U+007F"}}},
      {"DisplayNameC1First", DisplayName("\xC2\x80"), {{"settings.display_name", "found U+0080"}}},
      {"DisplayNameC1Nel", DisplayName("\xC2\x85"), {{"settings.display_name", "found U+0085"}}},
      {"DisplayNameC1Last", DisplayName("\xC2\x9F"), {{"settings.display_name", "found U+009F"}}},
      {"DisplayNameControlBeatsLength",
       DisplayName(std::string(60, 'a') + "\n"),
       {{"settings.display_name", std::string(kControl)}}},
      {"Utf8InvalidByte", DisplayName("\xFF"), {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8LoneContinuation",
       DisplayName("a\x80"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8Overlong2Byte",
       DisplayName("\xC0\xAF"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8Overlong2ByteC1",
       DisplayName("\xC1\xBF"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8Overlong3Byte",
       DisplayName("\xE0\x80\xAF"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8Overlong3ByteMax",
       DisplayName("\xE0\x9F\xBF"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8Overlong4Byte",
       DisplayName("\xF0\x80\x80\xAF"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8Overlong4ByteMax",
       DisplayName("\xF0\x8F\xBF\xBF"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8HighSurrogate",
       DisplayName("\xED\xA0\x80"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8LowSurrogate",
       DisplayName("\xED\xBF\xBF"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8SurrogatePair",
       DisplayName("\xED\xA0\xBD\xED\xB8\x80"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8AboveMax",
       DisplayName("\xF4\x90\x80\x80"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8F5Lead",
       DisplayName("\xF5\x80\x80\x80"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8FiveByte",
       DisplayName("\xF8\x88\x80\x80\x80"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8Truncated2Byte",
       DisplayName("ab\xC3"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8Truncated3Byte",
       DisplayName("\xE4\xB8"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8Truncated4Byte",
       DisplayName("\xF0\x9F\x98"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8BadContinuation",
       DisplayName("\xC3(x"),
       {{"settings.display_name", std::string(kUtf8)}}},
      {"Utf8BadThirdByte",
       DisplayName("\xE4\xB8("),
       {{"settings.display_name", std::string(kUtf8)}}},
  };

  // Settings present but empty count as no settings.
  UpdateStatusRequest empty_settings = Webinar("1", LIVE_STREAM_ACTION_UNSPECIFIED);
  empty_settings.mutable_settings();
  cases.push_back({"EmptySettingsMessage",
                   empty_settings,
                   {{"action", "set action or at least one field of settings"}}});

  // Presence, not value: `false` is a setting.
  UpdateStatusRequest speaker_off = Webinar("1", LIVE_STREAM_ACTION_UNSPECIFIED);
  speaker_off.mutable_settings()->set_active_speaker_name(false);
  cases.push_back({"ActiveSpeakerNameFalseOnly", speaker_off, {}});

  // Every violation is reported, in field order.
  UpdateStatusRequest nothing;
  cases.push_back({"EmptyRequest",
                   nothing,
                   {{"target", "set webinar_id or meeting_id"},
                    {"action", "set action or at least one field of settings"}}});

  UpdateStatusRequest three = Webinar("../1", static_cast<LiveStreamAction>(9));
  three.mutable_settings()->set_display_name("");
  cases.push_back({"ThreeBadFields",
                   three,
                   {{"webinar_id", std::string(kBadId)},
                    {"action", "got 9"},
                    {"settings.display_name", "must not be empty"}}});

  UpdateStatusRequest no_target_bad_name = NoTarget();
  no_target_bad_name.mutable_settings()->set_display_name("\xED\xA0\x80");
  cases.push_back({"NoTargetAndBadName",
                   no_target_bad_name,
                   {{"target", "set webinar_id or meeting_id"},
                    {"settings.display_name", std::string(kUtf8)}}});
  return cases;
}

class FindViolationsTest : public testing::TestWithParam<Case> {};

TEST_P(FindViolationsTest, ReportsExactlyTheBadFields) {
  std::vector<google::rpc::BadRequest::FieldViolation> violations =
      FindViolations(GetParam().request);
  ASSERT_EQ(violations.size(), GetParam().violations.size());
  for (size_t i = 0; i < violations.size(); ++i) {
    EXPECT_EQ(violations[i].field(), GetParam().violations[i].first);
    EXPECT_THAT(violations[i].description(), HasSubstr(GetParam().violations[i].second));
  }
}

TEST_P(FindViolationsTest, ValidateAgreesWithFindViolations) {
  absl::Status status = ValidateUpdateStatusRequest(GetParam().request);
  if (GetParam().violations.empty()) {
    EXPECT_TRUE(status.ok()) << status;
    return;
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  std::optional<google::rpc::BadRequest> bad_request = GetDetail<google::rpc::BadRequest>(status);
  ASSERT_TRUE(bad_request.has_value());
  std::vector<std::string> fields;
  for (const auto& violation : bad_request->field_violations()) {
    fields.push_back(violation.field());
    EXPECT_THAT(status.message(), HasSubstr(violation.field() + ": " + violation.description()));
  }
  std::vector<std::string> expected_fields;
  for (const auto& [field, description] : GetParam().violations) expected_fields.push_back(field);
  EXPECT_THAT(fields, ElementsAreArray(expected_fields));

  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INVALID_REQUEST");
  EXPECT_EQ(info->domain(), kErrorDomain);
  EXPECT_THAT(info->metadata(), ElementsAre(Pair("fields", absl::StrJoin(expected_fields, ","))));
}

INSTANTIATE_TEST_SUITE_P(Rules, FindViolationsTest, testing::ValuesIn(Cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ValidateUpdateStatusRequestTest, MessageListsEveryViolation) {
  UpdateStatusRequest request = Webinar("abc");
  request.mutable_settings()->set_display_name(std::string(51, 'x'));
  absl::Status status = ValidateUpdateStatusRequest(request);
  EXPECT_EQ(status.message(),
            "invalid UpdateStatusRequest: webinar_id: must be a positive decimal integer of at "
            "most 19 digits; settings.display_name: must be at most 50 characters (Unicode code "
            "points), got 51");
  EXPECT_EQ(GetDetail<google::rpc::ErrorInfo>(status)->metadata().at("fields"),
            "webinar_id,settings.display_name");
}

TEST(ValidateUpdateStatusRequestTest, MessageNeverEchoesTheValue) {
  absl::Status status = ValidateUpdateStatusRequest(Webinar("secret-looking-token"));
  EXPECT_THAT(std::string(status.message()), testing::Not(HasSubstr("secret-looking-token")));
}

}  // namespace
}  // namespace livestream_gateway
