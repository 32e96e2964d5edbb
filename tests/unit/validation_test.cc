#include "server/validation.h"

#include <unicode/utf8.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

// `code_point` in UTF-8.
std::string Utf8(char32_t code_point) {
  std::string out(U8_MAX_LENGTH, '\0');
  int32_t length = 0;
  U8_APPEND_UNSAFE(reinterpret_cast<uint8_t*>(out.data()), length, code_point);
  out.resize(length);
  return out;
}

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

  // Characters that change how a name shows without showing themselves: each
  // bidi override and isolate, zero-width character and separator the issue
  // names, and further members of their categories (Cc, Cf, Zl, Zp).
  constexpr absl::string_view kFormat = "must not contain invisible formatting characters";
  constexpr absl::string_view kSeparator = "must not contain line or paragraph separators";
  const std::vector<std::pair<char32_t, absl::string_view>> invisible = {
      {0x202A, kFormat},     // LEFT-TO-RIGHT EMBEDDING
      {0x202B, kFormat},     // RIGHT-TO-LEFT EMBEDDING
      {0x202C, kFormat},     // POP DIRECTIONAL FORMATTING
      {0x202D, kFormat},     // LEFT-TO-RIGHT OVERRIDE
      {0x202E, kFormat},     // RIGHT-TO-LEFT OVERRIDE
      {0x2066, kFormat},     // LEFT-TO-RIGHT ISOLATE
      {0x2067, kFormat},     // RIGHT-TO-LEFT ISOLATE
      {0x2068, kFormat},     // FIRST STRONG ISOLATE
      {0x2069, kFormat},     // POP DIRECTIONAL ISOLATE
      {0x200B, kFormat},     // ZERO WIDTH SPACE
      {0x200C, kFormat},     // ZERO WIDTH NON-JOINER
      {0x200D, kFormat},     // ZERO WIDTH JOINER
      {0x2060, kFormat},     // WORD JOINER
      {0xFEFF, kFormat},     // ZERO WIDTH NO-BREAK SPACE (BOM)
      {0x200E, kFormat},     // LEFT-TO-RIGHT MARK
      {0x200F, kFormat},     // RIGHT-TO-LEFT MARK
      {0x061C, kFormat},     // ARABIC LETTER MARK
      {0x00AD, kFormat},     // SOFT HYPHEN
      {0x180E, kFormat},     // MONGOLIAN VOWEL SEPARATOR
      {0x2064, kFormat},     // INVISIBLE PLUS
      {0xFFF9, kFormat},     // INTERLINEAR ANNOTATION ANCHOR
      {0x110BD, kFormat},    // KAITHI NUMBER SIGN
      {0xE0001, kFormat},    // LANGUAGE TAG
      {0xE007F, kFormat},    // CANCEL TAG
      {0x2028, kSeparator},  // LINE SEPARATOR (Zl)
      {0x2029, kSeparator},  // PARAGRAPH SEPARATOR (Zp)
      {0x0085, kControl},    // NEXT LINE (Cc)
  };
  for (const auto& [code_point, why] : invisible) {
    const std::string hex = absl::StrFormat("%04X", static_cast<uint32_t>(code_point));
    cases.push_back({absl::StrCat("Invisible", hex),
                     DisplayName(absl::StrCat("Town", Utf8(code_point), "hall")),
                     {{"settings.display_name", absl::StrCat("(found U+", hex, ")")}}});
    cases.push_back({absl::StrCat("InvisibleOnly", hex),
                     DisplayName(Utf8(code_point)),
                     {{"settings.display_name", std::string(why)}}});
  }
  // The first such character is named.
  cases.push_back({"FirstInvisibleIsNamed",
                   DisplayName(absl::StrCat("a", Utf8(0x202E), "b", Utf8(0x200B))),
                   {{"settings.display_name", "(found U+202E)"}}});
  // An emoji ZWJ sequence is refused with the rest of Cf (a deliberate cost:
  // U+200D also hides text).
  cases.push_back({"EmojiZwjSequence",
                   DisplayName("\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB"),
                   {{"settings.display_name", "(found U+200D)"}}});

  // Names in other scripts, with marks, symbols and spaces, stay accepted.
  const std::vector<std::pair<std::string, std::string>> legitimate = {
      {"Accents",
       "Jos\xC3\xA9 M\xC3\xBCller \xC3\x85sa \xC5\x81\xC3\xB3"
       "d\xC5\xBA"},
      {"CombiningAccent", "Jose\xCC\x81"},
      {"Cjk", "\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x82\xBF\xE3\x82\xA6\xE3\x83\xB3"},
      {"Hangul", "\xED\x83\x80\xEC\x9A\xB4\xED\x99\x80"},
      {"Emoji", "\xF0\x9F\x8E\x89 Launch \xF0\x9F\x9A\x80"},
      {"EmojiVariationSelector", "\xE2\x9D\xA4\xEF\xB8\x8F Town hall"},
      {"Keycap", "1\xEF\xB8\x8F\xE2\x83\xA3 Keynote"},
      {"Flag", "\xF0\x9F\x87\xAF\xF0\x9F\x87\xB5 Tokyo"},
      {"Arabic",
       "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7 "
       "\xD8\xA8\xD8\xA7\xD9\x84\xD8\xB9\xD8\xA7\xD9\x84\xD9\x85"},
      {"ArabicWithHarakat",
       "\xD9\x85\xD9\x8E\xD8\xB1\xD9\x92\xD8\xAD\xD9\x8E\xD8\xA8\xD9\x8B\xD8\xA7"},
      {"Hebrew", "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"},
      {"Devanagari", "\xE0\xA4\xA8\xE0\xA4\xAE\xE0\xA4\xB8\xE0\xA5\x8D\xE0\xA4\xA4\xE0\xA5\x87"},
      {"Thai", "\xE0\xB8\xAA\xE0\xB8\xA7\xE0\xB8\xB1\xE0\xB8\xAA\xE0\xB8\x94\xE0\xB8\xB5"},
      {"Cyrillic", "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82"},
      {"IdeographicSpace", "\xE6\x9D\xB1\xE3\x80\x80\xE4\xBA\xAC"},
      {"Punctuation",
       "Q&A: \xE2\x80\x9C"
       "All hands\xE2\x80\x9D \xE2\x80\x94 2026 (EU/US) #1 @ 9:00"},
  };
  for (const auto& [name, display_name] : legitimate) {
    cases.push_back({absl::StrCat("Legitimate", name), DisplayName(display_name), {}});
  }

  constexpr char kRequestIdRule[] =
      "must be empty or a UUID: 8-4-4-4-12 hexadecimal digits, e.g. "
      "7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2f";
  const std::vector<std::pair<std::string, std::string>> request_ids = {
      {"Lower", "7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2f"},
      {"Upper", "7F9C24E5-2B1D-4A8E-9C3F-0D6B5E4A1C2F"},
      {"Mixed", "7f9C24e5-2B1d-4a8e-9c3F-0d6b5e4a1c2f"},
  };
  for (const auto& [name, id] : request_ids) {
    UpdateStatusRequest request = Webinar("99289110036");
    request.set_request_id(id);
    cases.push_back({absl::StrCat("RequestId", name), request, {}});
  }
  const std::vector<std::pair<std::string, std::string>> bad_request_ids = {
      {"NoDashes", "7f9c24e52b1d4a8e9c3f0d6b5e4a1c2f"},
      {"Short", "7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2"},
      {"Long", "7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2ff"},
      {"NotHex", "7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2g"},
      {"DashMisplaced", "7f9c24e52-b1d-4a8e-9c3f-0d6b5e4a1c2f"},
      {"Braces", "{7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c}"},
      {"Word", "retry-1"},
  };
  for (const auto& [name, id] : bad_request_ids) {
    UpdateStatusRequest request = Webinar("99289110036");
    request.set_request_id(id);
    cases.push_back(
        {absl::StrCat("BadRequestId", name), request, {{"request_id", kRequestIdRule}}});
  }

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
