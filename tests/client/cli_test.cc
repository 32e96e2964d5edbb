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
  for (const char* needle :
       {"--target", "--webinar", "--meeting", "--display-name", "--active-speaker-name",
        "--timeout", "--tls", "--tls-ca-file", "--tls-cert-file", "--tls-key-file",
        "--bearer-token-file", "start", "stop", "settings", "Exit codes", "10+CODE"}) {
    EXPECT_THAT(usage, HasSubstr(needle));
  }
}

}  // namespace
}  // namespace livestream_client::cli
