#include "client/cpp/cli.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace livestream_client::cli {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

FlagKind TestKind(absl::string_view name) {
  static const auto* const kKinds = new absl::flat_hash_map<std::string, FlagKind>{
      {"target", FlagKind::kValue},       {"webinar", FlagKind::kValue},
      {"display_name", FlagKind::kValue}, {"active_speaker_name", FlagKind::kValue},
      {"timeout", FlagKind::kValue},      {"dry_run", FlagKind::kBool},
  };
  auto it = kKinds->find(name);
  return it == kKinds->end() ? FlagKind::kUnknown : it->second;
}

struct NormalizeCase {
  std::string name;
  std::vector<std::string> args;
  std::vector<std::string> expected;
};

void PrintTo(const NormalizeCase& c, std::ostream* os) { *os << c.name; }

class NormalizeFlagNamesTest : public ::testing::TestWithParam<NormalizeCase> {};

TEST_P(NormalizeFlagNamesTest, Rewrites) {
  EXPECT_THAT(NormalizeFlagNames(GetParam().args, TestKind), ElementsAreArray(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Table, NormalizeFlagNamesTest,
    ::testing::Values(
        NormalizeCase{"HyphenWithEqualsKeepsValue",
                      {"--display-name=My-Stream"},
                      {"--display_name=My-Stream"}},
        NormalizeCase{"HyphenThenValueLeavesValueAlone",
                      {"--display-name", "--not-a-flag", "start"},
                      {"--display_name", "--not-a-flag", "start"}},
        NormalizeCase{"SingleDash", {"-active-speaker-name=true"}, {"-active_speaker_name=true"}},
        NormalizeCase{"UnderscoreUnchanged",
                      {"--display_name", "x", "--timeout=1s"},
                      {"--display_name", "x", "--timeout=1s"}},
        NormalizeCase{"UnknownKeepsSpelling", {"--no-such-flag=1"}, {"--no-such-flag=1"}},
        NormalizeCase{"PositionalsUntouched", {"start", "some-thing"}, {"start", "some-thing"}},
        NormalizeCase{"NothingAfterDoubleDash",
                      {"--webinar=1", "--", "--display-name=x"},
                      {"--webinar=1", "--", "--display-name=x"}},
        NormalizeCase{"BoolFlagTakesNoValue",
                      {"--dry-run", "--display-name=x"},
                      {"--dry_run", "--display_name=x"}},
        NormalizeCase{"ValueFlagLast", {"--timeout"}, {"--timeout"}},
        NormalizeCase{"LoneDash", {"-"}, {"-"}}, NormalizeCase{"Empty", {}, {}}),
    [](const ::testing::TestParamInfo<NormalizeCase>& info) { return info.param.name; });

struct InvocationCase {
  std::string name;
  std::vector<std::string> positional;
  Flags flags;
  std::string expected_request;  // text proto; unused when expected_error is set
  std::string expected_error;
};

Flags WebinarFlags() {
  Flags flags;
  flags.target = "localhost:1";
  flags.webinar = "123";
  return flags;
}

Flags With(Flags flags, void (*edit)(Flags&)) {
  edit(flags);
  return flags;
}

void PrintTo(const InvocationCase& c, std::ostream* os) { *os << c.name; }

class ParseInvocationTest : public ::testing::TestWithParam<InvocationCase> {};

TEST_P(ParseInvocationTest, BuildsRequestOrReportsUsageError) {
  const InvocationCase& c = GetParam();
  absl::StatusOr<Invocation> invocation = ParseInvocation(c.positional, c.flags);
  if (!c.expected_error.empty()) {
    ASSERT_FALSE(invocation.ok());
    EXPECT_EQ(invocation.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(invocation.status().message(), HasSubstr(c.expected_error));
    return;
  }
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  UpdateStatusRequest expected;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(c.expected_request, &expected));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(invocation->request, expected))
      << invocation->request.ShortDebugString();
  EXPECT_EQ(invocation->target, c.flags.target);
  EXPECT_EQ(invocation->timeout, c.flags.timeout);
  EXPECT_EQ(invocation->retry, !c.flags.no_retry);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseInvocationTest,
    ::testing::Values(
        InvocationCase{"Start",
                       {"start"},
                       WebinarFlags(),
                       R"pb(webinar_id: "123" action: LIVE_STREAM_ACTION_START)pb",
                       ""},
        InvocationCase{"StopMeeting",
                       {"stop"},
                       With(WebinarFlags(),
                            [](Flags& f) {
                              f.webinar.reset();
                              f.meeting = "456";
                            }),
                       R"pb(meeting_id: "456" action: LIVE_STREAM_ACTION_STOP)pb",
                       ""},
        InvocationCase{"SettingsSendsNoAction",
                       {"settings"},
                       With(WebinarFlags(),
                            [](Flags& f) {
                              f.display_name = "Town hall";
                              f.active_speaker_name = false;
                            }),
                       R"pb(webinar_id: "123"
                            settings { display_name: "Town hall" active_speaker_name: false })pb",
                       ""},
        InvocationCase{"StartWithSettings",
                       {"start"},
                       With(WebinarFlags(), [](Flags& f) { f.active_speaker_name = true; }),
                       R"pb(webinar_id: "123"
                            action: LIVE_STREAM_ACTION_START
                            settings { active_speaker_name: true })pb",
                       ""},
        // The server, not the tool, rejects a settings call with no settings.
        InvocationCase{"SettingsWithoutSettingsIsLeftToServer",
                       {"settings"},
                       WebinarFlags(),
                       R"pb(webinar_id: "123")pb",
                       ""},
        InvocationCase{"IdsAreNotValidated",
                       {"start"},
                       With(WebinarFlags(), [](Flags& f) { f.webinar = "not-a-number"; }),
                       R"pb(webinar_id: "not-a-number" action: LIVE_STREAM_ACTION_START)pb",
                       ""},
        InvocationCase{"CustomTimeout",
                       {"stop"},
                       With(WebinarFlags(), [](Flags& f) { f.timeout = absl::Milliseconds(250); }),
                       R"pb(webinar_id: "123" action: LIVE_STREAM_ACTION_STOP)pb",
                       ""},
        InvocationCase{"NoRetry",
                       {"start"},
                       With(WebinarFlags(), [](Flags& f) { f.no_retry = true; }),
                       R"pb(webinar_id: "123" action: LIVE_STREAM_ACTION_START)pb",
                       ""},
        InvocationCase{"MissingSubcommand", {}, WebinarFlags(), "", "missing subcommand"},
        InvocationCase{
            "UnknownSubcommand", {"restart"}, WebinarFlags(), "", "unknown subcommand: restart"},
        InvocationCase{
            "ExtraArgument", {"start", "now"}, WebinarFlags(), "", "unexpected argument: now"},
        InvocationCase{"MissingTarget",
                       {"start"},
                       With(WebinarFlags(), [](Flags& f) { f.target.clear(); }),
                       "",
                       "missing --target"},
        InvocationCase{"NeitherWebinarNorMeeting",
                       {"start"},
                       With(WebinarFlags(), [](Flags& f) { f.webinar.reset(); }),
                       "",
                       "exactly one of --webinar"},
        InvocationCase{"BothWebinarAndMeeting",
                       {"start"},
                       With(WebinarFlags(), [](Flags& f) { f.meeting = "9"; }),
                       "",
                       "exactly one of --webinar"},
        InvocationCase{"ZeroTimeout",
                       {"start"},
                       With(WebinarFlags(), [](Flags& f) { f.timeout = absl::ZeroDuration(); }),
                       "",
                       "--timeout must be positive"}),
    [](const ::testing::TestParamInfo<InvocationCase>& info) { return info.param.name; });

// get and configure: the request each builds, and configure's update mask,
// which names exactly the flags given.
struct ConfigurationCase {
  std::string name;
  std::vector<std::string> positional;
  Flags flags;
  Command expected_command = Command::kGetLiveStream;
  std::string expected_request;  // text proto of get_request or configure_request
  std::string expected_stream_key_file;
  bool expected_show_stream_key = false;
};

void PrintTo(const ConfigurationCase& c, std::ostream* os) { *os << c.name; }

class ConfigurationInvocationTest : public ::testing::TestWithParam<ConfigurationCase> {};

template <typename Message>
void ExpectMessage(const Message& actual, const std::string& expected_text) {
  Message expected;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(expected_text, &expected))
      << expected_text;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(actual, expected))
      << actual.ShortDebugString();
}

TEST_P(ConfigurationInvocationTest, BuildsRequest) {
  const ConfigurationCase& c = GetParam();
  absl::StatusOr<Invocation> invocation = ParseInvocation(c.positional, c.flags);
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  ASSERT_EQ(invocation->command, c.expected_command);
  if (c.expected_command == Command::kGetLiveStream) {
    ExpectMessage(invocation->get_request, c.expected_request);
  } else {
    ExpectMessage(invocation->configure_request, c.expected_request);
  }
  EXPECT_EQ(invocation->stream_key_file, c.expected_stream_key_file);
  EXPECT_EQ(invocation->show_stream_key, c.expected_show_stream_key);
  EXPECT_EQ(invocation->target, c.flags.target);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ConfigurationInvocationTest,
    ::testing::Values(
        ConfigurationCase{"Get",
                          {"get"},
                          WebinarFlags(),
                          Command::kGetLiveStream,
                          R"pb(webinar_id: "123")pb",
                          ""},
        ConfigurationCase{"GetMeetingShowingKey",
                          {"get"},
                          With(WebinarFlags(),
                               [](Flags& f) {
                                 f.webinar.reset();
                                 f.meeting = "456";
                                 f.show_stream_key = true;
                               }),
                          Command::kGetLiveStream,
                          R"pb(meeting_id: "456")pb",
                          "",
                          true},
        ConfigurationCase{
            "ConfigurePageUrlOnly",
            {"configure"},
            With(WebinarFlags(), [](Flags& f) { f.page_url = "https://example.com/watch"; }),
            Command::kUpdateLiveStream,
            R"pb(webinar_id: "123"
                 live_stream { page_url: "https://example.com/watch" }
                 update_mask { paths: "page_url" })pb",
            ""},
        ConfigurationCase{"ConfigureEverythingInProtoOrder",
                          {"configure"},
                          With(WebinarFlags(),
                               [](Flags& f) {
                                 f.resolution = "1080p";
                                 f.page_url = "https://example.com/w";
                                 f.stream_key_file = "key.txt";
                                 f.stream_url = "rtmp://live.example.com/app";
                                 f.show_stream_key = true;
                               }),
                          Command::kUpdateLiveStream,
                          R"pb(webinar_id: "123"
                               live_stream {
                                 stream_url: "rtmp://live.example.com/app"
                                 page_url: "https://example.com/w"
                                 resolution: LIVE_STREAM_RESOLUTION_1080P
                               }
                               update_mask {
                                 paths: "stream_url"
                                 paths: "stream_key"
                                 paths: "page_url"
                                 paths: "resolution"
                               })pb",
                          "key.txt",
                          true},
        ConfigurationCase{"ConfigureKeyFromStdin",
                          {"configure"},
                          With(WebinarFlags(), [](Flags& f) { f.stream_key_file = "-"; }),
                          Command::kUpdateLiveStream,
                          R"pb(webinar_id: "123"
                               live_stream {}
                               update_mask { paths: "stream_key" })pb",
                          "-"},
        ConfigurationCase{"Configure720p",
                          {"configure"},
                          With(WebinarFlags(), [](Flags& f) { f.resolution = "720p"; }),
                          Command::kUpdateLiveStream,
                          R"pb(webinar_id: "123"
                               live_stream { resolution: LIVE_STREAM_RESOLUTION_720P }
                               update_mask { paths: "resolution" })pb",
                          ""},
        // An empty value is sent as given, for the server to reject by field.
        ConfigurationCase{"EmptyUrlIsLeftToServer",
                          {"configure"},
                          With(WebinarFlags(), [](Flags& f) { f.stream_url = ""; }),
                          Command::kUpdateLiveStream,
                          R"pb(webinar_id: "123"
                               live_stream {}
                               update_mask { paths: "stream_url" })pb",
                          ""}),
    [](const ::testing::TestParamInfo<ConfigurationCase>& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    ConfigurationErrors, ParseInvocationTest,
    ::testing::Values(
        InvocationCase{"ConfigureWithoutFields",
                       {"configure"},
                       WebinarFlags(),
                       "",
                       "configure needs at least one of --stream-url"},
        InvocationCase{"UnknownResolution",
                       {"configure"},
                       With(WebinarFlags(), [](Flags& f) { f.resolution = "4k"; }),
                       "",
                       "--resolution must be 720p or 1080p"},
        InvocationCase{"ResolutionIsCaseSensitiveLikeZoom",
                       {"configure"},
                       With(WebinarFlags(), [](Flags& f) { f.resolution = "720P"; }),
                       "",
                       "--resolution must be 720p or 1080p"},
        InvocationCase{"EmptyStreamKeyFileName",
                       {"configure"},
                       With(WebinarFlags(), [](Flags& f) { f.stream_key_file = ""; }),
                       "",
                       "--stream-key-file needs a file name"},
        InvocationCase{"GetWithoutTarget",
                       {"get"},
                       With(WebinarFlags(), [](Flags& f) { f.webinar.reset(); }),
                       "",
                       "exactly one of --webinar"},
        InvocationCase{"StreamUrlWithGet",
                       {"get"},
                       With(WebinarFlags(), [](Flags& f) { f.stream_url = "rtmp://x"; }),
                       "",
                       "--stream-url applies only to configure"},
        InvocationCase{"PageUrlWithStart",
                       {"start"},
                       With(WebinarFlags(), [](Flags& f) { f.page_url = "https://x"; }),
                       "",
                       "--page-url applies only to configure"},
        InvocationCase{"StreamKeyFileWithSettings",
                       {"settings"},
                       With(WebinarFlags(), [](Flags& f) { f.stream_key_file = "k"; }),
                       "",
                       "--stream-key-file applies only to configure"},
        InvocationCase{"ResolutionWithStop",
                       {"stop"},
                       With(WebinarFlags(), [](Flags& f) { f.resolution = "720p"; }),
                       "",
                       "--resolution applies only to configure"},
        InvocationCase{"ShowStreamKeyWithStart",
                       {"start"},
                       With(WebinarFlags(), [](Flags& f) { f.show_stream_key = true; }),
                       "",
                       "--show-stream-key applies only to get and configure"},
        InvocationCase{"DisplayNameWithGet",
                       {"get"},
                       With(WebinarFlags(), [](Flags& f) { f.display_name = "x"; }),
                       "",
                       "--display-name applies only to start, stop and settings"},
        InvocationCase{"ActiveSpeakerNameWithConfigure",
                       {"configure"},
                       With(WebinarFlags(),
                            [](Flags& f) {
                              f.page_url = "https://x";
                              f.active_speaker_name = true;
                            }),
                       "",
                       "--active-speaker-name applies only to start, stop and settings"}),
    [](const ::testing::TestParamInfo<InvocationCase>& info) { return info.param.name; });

struct StreamKeyCase {
  std::string name;
  std::string contents;
  std::string expected;  // unused when expected_error is set
  bool expected_error = false;
};

void PrintTo(const StreamKeyCase& c, std::ostream* os) { *os << c.name; }

class StreamKeyFromFileContentsTest : public ::testing::TestWithParam<StreamKeyCase> {};

TEST_P(StreamKeyFromFileContentsTest, DropsOneLineEnding) {
  const StreamKeyCase& c = GetParam();
  absl::StatusOr<std::string> key = StreamKeyFromFileContents(c.contents);
  if (c.expected_error) {
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(key.status().message(), HasSubstr("empty"));
    return;
  }
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(*key, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, StreamKeyFromFileContentsTest,
    ::testing::Values(StreamKeyCase{"NoNewline", "abc-123", "abc-123"},
                      StreamKeyCase{"Newline", "abc-123\n", "abc-123"},
                      StreamKeyCase{"CrLf", "abc-123\r\n", "abc-123"},
                      StreamKeyCase{"OnlyOneNewlineDropped", "abc\n\n", "abc\n"},
                      StreamKeyCase{"LoneCrKept", "abc\r", "abc\r"},
                      StreamKeyCase{"SpacesKept", " a b ", " a b "},
                      StreamKeyCase{"Empty", "", "", true},
                      StreamKeyCase{"OnlyNewline", "\n", "", true},
                      StreamKeyCase{"OnlyCrLf", "\r\n", "", true}),
    [](const ::testing::TestParamInfo<StreamKeyCase>& info) { return info.param.name; });

TEST(StreamKeyFromFileContentsTest, ErrorNeverQuotesTheContents) {
  // A key that is only line endings is empty; nothing of it is echoed.
  absl::StatusOr<std::string> key = StreamKeyFromFileContents("\r\n");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message(), "the stream key file is empty");
}

struct FormatLiveStreamCase {
  std::string name;
  std::string live_stream;  // text proto
  std::string tracking_id;
  bool show_stream_key;
  std::string expected;
};

void PrintTo(const FormatLiveStreamCase& c, std::ostream* os) { *os << c.name; }

class FormatLiveStreamTest : public ::testing::TestWithParam<FormatLiveStreamCase> {};

TEST_P(FormatLiveStreamTest, PrintsOneLinePerField) {
  const FormatLiveStreamCase& c = GetParam();
  LiveStream live_stream;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(c.live_stream, &live_stream));
  EXPECT_EQ(FormatLiveStream(live_stream, c.tracking_id, c.show_stream_key), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, FormatLiveStreamTest,
    ::testing::Values(
        FormatLiveStreamCase{"KeyMaskedByDefault",
                             R"pb(stream_url: "rtmp://live.example.com/app"
                                  stream_key: "s3cret-key"
                                  page_url: "https://example.com/watch"
                                  resolution: LIVE_STREAM_RESOLUTION_1080P)pb",
                             "trk-1", false,
                             "stream_url: rtmp://live.example.com/app\n"
                             "stream_key: <hidden: --show-stream-key prints it>\n"
                             "page_url: https://example.com/watch\n"
                             "resolution: 1080p\n"
                             "tracking_id: trk-1\n"},
        FormatLiveStreamCase{"KeyShownOnRequest",
                             R"pb(stream_url: "rtmps://x/y"
                                  stream_key: "s3cret-key"
                                  page_url: "http://p"
                                  resolution: LIVE_STREAM_RESOLUTION_720P)pb",
                             "", true,
                             "stream_url: rtmps://x/y\n"
                             "stream_key: s3cret-key\n"
                             "page_url: http://p\n"
                             "resolution: 720p\n"
                             "tracking_id: \n"},
        FormatLiveStreamCase{"NotConfiguredHasNothingToHide", "", "t", false,
                             "stream_url: \nstream_key: \npage_url: \nresolution: \n"
                             "tracking_id: t\n"},
        FormatLiveStreamCase{"UnknownResolutionByNumber", R"pb(resolution: 7)pb", "", false,
                             "stream_url: \nstream_key: \npage_url: \nresolution: 7\n"
                             "tracking_id: \n"},
        FormatLiveStreamCase{"ControlCharactersEscaped",
                             R"pb(stream_url: "rtmp://a\nb" stream_key: "k\x1b[2J")pb", "t\r", true,
                             "stream_url: rtmp://a\\nb\nstream_key: k\\x1b[2J\npage_url: \n"
                             "resolution: \ntracking_id: t\\r\n"}),
    [](const ::testing::TestParamInfo<FormatLiveStreamCase>& info) { return info.param.name; });

struct ExitCodeCase {
  absl::Status status;
  int expected;
};

void PrintTo(const ExitCodeCase& c, std::ostream* os) { *os << c.status; }

class ExitCodeForTest : public ::testing::TestWithParam<ExitCodeCase> {};

TEST_P(ExitCodeForTest, MapsStatusCode) {
  EXPECT_EQ(ExitCodeFor(GetParam().status), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Table, ExitCodeForTest,
                         ::testing::Values(ExitCodeCase{absl::OkStatus(), 0},
                                           ExitCodeCase{absl::CancelledError(""), 11},
                                           ExitCodeCase{absl::InvalidArgumentError(""), 13},
                                           ExitCodeCase{absl::DeadlineExceededError(""), 14},
                                           ExitCodeCase{absl::NotFoundError(""), 15},
                                           ExitCodeCase{absl::FailedPreconditionError(""), 19},
                                           ExitCodeCase{absl::UnavailableError(""), 24},
                                           ExitCodeCase{absl::UnauthenticatedError(""), 26}));

struct SecurityCase {
  std::string name;
  Flags flags;
  std::optional<TlsFiles> expected_tls;
  std::string expected_error;
};

void PrintTo(const SecurityCase& c, std::ostream* os) { *os << c.name; }

class ChannelSecurityFlagsTest : public ::testing::TestWithParam<SecurityCase> {};

TEST_P(ChannelSecurityFlagsTest, ChoosesTlsOrReportsUsageError) {
  const SecurityCase& c = GetParam();
  absl::StatusOr<Invocation> invocation = ParseInvocation({"start"}, c.flags);
  if (!c.expected_error.empty()) {
    ASSERT_FALSE(invocation.ok());
    EXPECT_THAT(invocation.status().message(), HasSubstr(c.expected_error));
    return;
  }
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  ASSERT_EQ(invocation->tls.has_value(), c.expected_tls.has_value());
  if (c.expected_tls.has_value()) {
    EXPECT_EQ(invocation->tls->ca_file, c.expected_tls->ca_file);
    EXPECT_EQ(invocation->tls->cert_file, c.expected_tls->cert_file);
    EXPECT_EQ(invocation->tls->key_file, c.expected_tls->key_file);
  }
  EXPECT_EQ(invocation->bearer_token_file, c.flags.bearer_token_file);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ChannelSecurityFlagsTest,
    ::testing::Values(
        SecurityCase{"PlaintextByDefault", WebinarFlags(), std::nullopt, ""},
        SecurityCase{"BearerAloneStaysPlaintext",
                     With(WebinarFlags(), [](Flags& f) { f.bearer_token_file = "token"; }),
                     std::nullopt, ""},
        SecurityCase{"TlsWithDefaultRoots", With(WebinarFlags(), [](Flags& f) { f.tls = true; }),
                     TlsFiles{}, ""},
        SecurityCase{"CaFileImpliesTls",
                     With(WebinarFlags(), [](Flags& f) { f.tls_ca_file = "ca.crt"; }),
                     TlsFiles{.ca_file = "ca.crt"}, ""},
        SecurityCase{"ClientCertificateImpliesTls",
                     With(WebinarFlags(),
                          [](Flags& f) {
                            f.tls_cert_file = "c.crt";
                            f.tls_key_file = "c.key";
                            f.bearer_token_file = "token";
                          }),
                     TlsFiles{.cert_file = "c.crt", .key_file = "c.key"}, ""},
        SecurityCase{"CertificateWithoutKey",
                     With(WebinarFlags(), [](Flags& f) { f.tls_cert_file = "c.crt"; }),
                     std::nullopt, "--tls-cert-file and --tls-key-file together"},
        SecurityCase{"KeyWithoutCertificate",
                     With(WebinarFlags(), [](Flags& f) { f.tls_key_file = "c.key"; }), std::nullopt,
                     "--tls-cert-file and --tls-key-file together"}),
    [](const ::testing::TestParamInfo<SecurityCase>& info) { return info.param.name; });

TEST(UsageTest, DocumentsFlagsAndExitCodes) {
  const std::string usage = kUsage;
  for (const char* needle : {"--target",
                             "--webinar",
                             "--meeting",
                             "--display-name",
                             "--active-speaker-name",
                             "--timeout",
                             "--tls",
                             "--tls-ca-file",
                             "--tls-cert-file",
                             "--tls-key-file",
                             "--bearer-token-file",
                             "start",
                             "stop",
                             "settings",
                             "get",
                             "configure",
                             "--stream-url",
                             "--stream-key-file",
                             "--page-url",
                             "--resolution",
                             "--show-stream-key",
                             "shell history",
                             "Exit codes",
                             "10+CODE"}) {
    EXPECT_THAT(usage, HasSubstr(needle));
  }
}

}  // namespace
}  // namespace livestream_client::cli
