// Runs the livestreamctl binary against the in-process fake server, and its
// configuration subcommands against the real server and the Zoom emulator.

#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/cpp/livestream_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/client/fake_livestream_server.h"
#include "tests/integration/test_harness.h"
#include "tests/tls/test_pki.h"

extern char** environ;

namespace livestream_client {
namespace {

using ::livestream_client::testing::FakeLiveStreamServer;
using ::livestream_client::testing::FakeReply;
using ::livestream_client::testing::RichStatus;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;
using ::zoom::livestream::v1::LiveStream;
using ::zoom::livestream::v1::UpdateLiveStreamRequest;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadAll(int fd) {
  std::string text;
  lseek(fd, 0, SEEK_SET);
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0) text.append(buffer, n);
  return text;
}

// stdin, stdout and stderr are in-memory files rather than pipes, so the
// child can never block on a full pipe while we wait for it. Without
// `stdin_text` stdin is /dev/null.
RunResult RunLivestreamctl(const std::vector<std::string>& args,
                           const std::optional<std::string>& stdin_text = std::nullopt) {
  RunResult result;
  const int out_fd = memfd_create("stdout", MFD_CLOEXEC);
  const int err_fd = memfd_create("stderr", MFD_CLOEXEC);
  EXPECT_GE(out_fd, 0);
  EXPECT_GE(err_fd, 0);
  int in_fd = -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_text.has_value()) {
    in_fd = memfd_create("stdin", MFD_CLOEXEC);
    EXPECT_GE(in_fd, 0);
    EXPECT_EQ(write(in_fd, stdin_text->data(), stdin_text->size()),
              static_cast<ssize_t>(stdin_text->size()));
    lseek(in_fd, 0, SEEK_SET);
    posix_spawn_file_actions_adddup2(&actions, in_fd, STDIN_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  std::vector<std::string> argv_strings = {LIVESTREAMCTL_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(argv_strings.size() + 1);
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawn_error =
      posix_spawn(&pid, LIVESTREAMCTL_PATH, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(spawn_error, 0) << LIVESTREAMCTL_PATH;
  if (spawn_error == 0) {
    int wait_status = 0;
    EXPECT_EQ(waitpid(pid, &wait_status, 0), pid);
    EXPECT_TRUE(WIFEXITED(wait_status)) << "wait status " << wait_status;
    if (WIFEXITED(wait_status)) result.exit_code = WEXITSTATUS(wait_status);
  }
  result.out = ReadAll(out_fd);
  result.err = ReadAll(err_fd);
  close(out_fd);
  close(err_fd);
  if (in_fd >= 0) close(in_fd);
  return result;
}

UpdateStatusRequest ParseRequest(const std::string& text) {
  UpdateStatusRequest request;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &request)) << text;
  return request;
}

struct ArgsCase {
  std::string name;
  std::vector<std::string> args;  // --target is added
  std::string expected_request;   // text proto
};

void PrintTo(const ArgsCase& c, std::ostream* os) { *os << c.name; }

class LivestreamctlArgsTest : public ::testing::TestWithParam<ArgsCase> {
 protected:
  FakeLiveStreamServer server_;
};

TEST_P(LivestreamctlArgsTest, SendsRequestAndPrintsTrackingId) {
  server_.SetReplies({FakeReply::Ok("trk-42")});
  std::vector<std::string> args = {"--target=" + server_.target()};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());
  const RunResult result = RunLivestreamctl(args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "tracking_id: trk-42\n");
  EXPECT_THAT(result.err, IsEmpty());
  const std::vector<testing::ReceivedCall> calls = server_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      calls[0].request, ParseRequest(GetParam().expected_request)))
      << calls[0].request.ShortDebugString();
}

INSTANTIATE_TEST_SUITE_P(
    Forms, LivestreamctlArgsTest,
    ::testing::Values(
        ArgsCase{"StartWebinarSpaceForm",
                 {"start", "--webinar", "99289110036"},
                 R"pb(webinar_id: "99289110036" action: LIVE_STREAM_ACTION_START)pb"},
        ArgsCase{"StopMeetingEqualsForm",
                 {"stop", "--meeting=85746065"},
                 R"pb(meeting_id: "85746065" action: LIVE_STREAM_ACTION_STOP)pb"},
        ArgsCase{
            "SettingsHyphenated",
            {"settings", "--webinar=1", "--display-name=Town hall", "--active-speaker-name=false"},
            R"pb(webinar_id: "1"
                 settings { display_name: "Town hall" active_speaker_name: false })pb"},
        ArgsCase{"SettingsUnderscoredSpaceForm",
                 {"settings", "--webinar", "1", "--display_name", "Town hall",
                  "--active_speaker_name", "true"},
                 R"pb(webinar_id: "1"
                      settings { display_name: "Town hall" active_speaker_name: true })pb"},
        ArgsCase{"HyphenatedSpaceForm",
                 {"settings", "--meeting", "2", "--display-name", "-leading-dash",
                  "--active-speaker-name", "false"},
                 R"pb(meeting_id: "2"
                      settings { display_name: "-leading-dash" active_speaker_name: false })pb"},
        ArgsCase{"FlagsBeforeSubcommand",
                 {"--webinar=7", "--timeout=20s", "start"},
                 R"pb(webinar_id: "7" action: LIVE_STREAM_ACTION_START)pb"},
        ArgsCase{"SingleDashFlags",
                 {"-meeting=3", "-active-speaker-name=true", "start"},
                 R"pb(meeting_id: "3"
                      action: LIVE_STREAM_ACTION_START
                      settings { active_speaker_name: true })pb"},
        ArgsCase{"ValidateOnlyAndRequestId",
                 {"start", "--webinar=9", "--validate-only",
                  "--request-id=5d0e2a7c-1b3f-4c8e-9a6d-2f4b7c1e8a30"},
                 R"pb(webinar_id: "9"
                      action: LIVE_STREAM_ACTION_START
                      validate_only: true
                      request_id: "5d0e2a7c-1b3f-4c8e-9a6d-2f4b7c1e8a30")pb"},
        ArgsCase{"Utf8DisplayName",
                 {"settings", "--webinar=5", "--display-name=R\xc3\xa9union"},
                 R"pb(webinar_id: "5"
                      settings { display_name: "R\303\251union" })pb"}),
    [](const ::testing::TestParamInfo<ArgsCase>& info) { return info.param.name; });

class LivestreamctlTest : public ::testing::Test {
 protected:
  std::vector<std::string> Args(std::vector<std::string> rest) {
    rest.insert(rest.begin(), "--target=" + server_.target());
    return rest;
  }

  FakeLiveStreamServer server_;
};

TEST_F(LivestreamctlTest, RichErrorGoesToStderrWithExitCodeTenPlusCode) {
  google::rpc::ErrorInfo info;
  info.set_reason("ZOOM_WEBINAR_NOT_FOUND");
  info.set_domain("zoom-livestream-gateway");
  (*info.mutable_metadata())["zoomCode"] = "3001";
  google::rpc::ResourceInfo resource;
  resource.set_resource_type("zoom.us/Webinar");
  resource.set_resource_name("123");
  const grpc::Status sent =
      RichStatus(grpc::StatusCode::NOT_FOUND, "Zoom webinar 123 not found", info, resource);
  server_.SetReplies({FakeReply::Error(sent)});
  const RunResult result = RunLivestreamctl(Args({"start", "--webinar=123"}));
  EXPECT_EQ(result.exit_code, 15);
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_EQ(result.err, FormatStatus(sent) + "\n");
  EXPECT_THAT(result.err, HasSubstr("ErrorInfo: reason=ZOOM_WEBINAR_NOT_FOUND"));
}

TEST_F(LivestreamctlTest, EmptyTrackingIdStillPrintsTheLine) {
  server_.SetReplies({FakeReply::Ok("")});
  const RunResult result = RunLivestreamctl(Args({"stop", "--meeting=1"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "tracking_id: \n");
}

TEST_F(LivestreamctlTest, TimeoutFlagSetsTheDeadline) {
  server_.SetReplies({FakeReply::Hold()});
  const RunResult result = RunLivestreamctl(Args({"start", "--webinar=1", "--timeout", "300ms"}));
  EXPECT_EQ(result.exit_code, 14) << result.err;
  EXPECT_THAT(result.err, StartsWith("DEADLINE_EXCEEDED"));
  EXPECT_TRUE(server_.WaitForCancellations(1));
}

TEST_F(LivestreamctlTest, DefaultTimeoutIsFiveSeconds) {
  server_.SetReplies({FakeReply::Ok("t")});
  const auto before = std::chrono::system_clock::now();
  const RunResult result = RunLivestreamctl(Args({"start", "--webinar=1"}));
  const auto after = std::chrono::system_clock::now();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<testing::ReceivedCall> calls = server_.calls();
  ASSERT_EQ(calls.size(), 1u);
  // Slack for gRPC's relative timeout and cached clocks.
  EXPECT_GE(calls[0].deadline, before + std::chrono::seconds(5) - std::chrono::milliseconds(50));
  EXPECT_LE(calls[0].deadline, after + std::chrono::seconds(5) + std::chrono::milliseconds(100));
}

LiveStream FakeConfiguration() {
  LiveStream live_stream;
  live_stream.set_stream_url("rtmp://live.example.com/app");
  live_stream.set_stream_key("fake-s3cret-key");
  live_stream.set_page_url("https://example.com/watch");
  live_stream.set_resolution(zoom::livestream::v1::LIVE_STREAM_RESOLUTION_720P);
  return live_stream;
}

template <typename Message>
Message ParseMessage(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

// A temporary directory for key files, removed at the end of the test.
class LivestreamctlConfigurationTest : public LivestreamctlTest {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "ctl-key-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteFile(const std::string& name, const std::string& contents) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  std::string dir_;
};

TEST_F(LivestreamctlConfigurationTest, GetPrintsTheConfigurationWithTheKeyMasked) {
  server_.SetReplies({FakeReply::Ok("trk-get", FakeConfiguration())});
  const RunResult result = RunLivestreamctl(Args({"get", "--webinar=99289110036"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out,
            "stream_url: rtmp://live.example.com/app\n"
            "stream_key: <hidden: --show-stream-key prints it>\n"
            "page_url: https://example.com/watch\n"
            "resolution: 720p\n"
            "tracking_id: trk-get\n");
  EXPECT_THAT(result.err, IsEmpty());
  const std::vector<testing::ReceivedCall> calls = server_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "GetLiveStream");
  EXPECT_EQ(calls[0].get_request.webinar_id(), "99289110036");
}

TEST_F(LivestreamctlConfigurationTest, GetShowsTheKeyOnlyWhenAsked) {
  server_.SetReplies({FakeReply::Ok("t", FakeConfiguration())});
  const RunResult result =
      RunLivestreamctl(Args({"get", "--meeting", "85746065", "--show-stream-key"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\nstream_key: fake-s3cret-key\n"));
  ASSERT_EQ(server_.calls().size(), 1u);
  EXPECT_EQ(server_.calls()[0].get_request.meeting_id(), "85746065");
}

TEST_F(LivestreamctlConfigurationTest, ConfigurePageUrlSendsAMaskOfOnlyThePageUrl) {
  server_.SetReplies({FakeReply::Ok("trk-patch", FakeConfiguration())});
  const RunResult result = RunLivestreamctl(
      Args({"configure", "--webinar=1", "--page-url", "https://example.com/watch"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("stream_key: <hidden: --show-stream-key prints it>\n"));
  EXPECT_THAT(result.out, HasSubstr("tracking_id: trk-patch\n"));
  EXPECT_THAT(result.out, Not(HasSubstr("fake-s3cret-key")));
  const std::vector<testing::ReceivedCall> calls = server_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "UpdateLiveStream");
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      calls[0].update_request, ParseMessage<UpdateLiveStreamRequest>(R"pb(
        webinar_id: "1"
        live_stream { page_url: "https://example.com/watch" }
        update_mask { paths: "page_url" }
      )pb")))
      << calls[0].update_request.ShortDebugString();
}

TEST_F(LivestreamctlConfigurationTest, ConfigureReadsTheKeyFromAFileOrStdin) {
  server_.SetReplies({FakeReply::Ok("t", FakeConfiguration())});
  const std::string key_file = WriteFile("key", "file-key-1\n");
  RunResult result =
      RunLivestreamctl(Args({"configure", "--webinar=1", "--stream-key-file", key_file,
                             "--stream-url=rtmp://a/b", "--resolution=1080p"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  result = RunLivestreamctl(Args({"configure", "--meeting=2", "--stream_key_file=-"}),
                            "stdin-key-2\r\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out + result.err, Not(HasSubstr("stdin-key-2")));

  const std::vector<testing::ReceivedCall> calls = server_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      calls[0].update_request, ParseMessage<UpdateLiveStreamRequest>(R"pb(
        webinar_id: "1"
        live_stream {
          stream_url: "rtmp://a/b"
          stream_key: "file-key-1"
          resolution: LIVE_STREAM_RESOLUTION_1080P
        }
        update_mask { paths: "stream_url" paths: "stream_key" paths: "resolution" }
      )pb")))
      << calls[0].update_request.ShortDebugString();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      calls[1].update_request, ParseMessage<UpdateLiveStreamRequest>(R"pb(
        meeting_id: "2"
        live_stream { stream_key: "stdin-key-2" }
        update_mask { paths: "stream_key" }
      )pb")))
      << calls[1].update_request.ShortDebugString();
}

TEST_F(LivestreamctlConfigurationTest, RichErrorGoesToStderrWithExitCodeTenPlusCode) {
  google::rpc::ErrorInfo info;
  info.set_reason("ZOOM_WEBINAR_NOT_FOUND");
  info.set_domain("zoom-livestream-gateway");
  const grpc::Status sent =
      RichStatus(grpc::StatusCode::NOT_FOUND, "Zoom webinar 9 not found", info);
  server_.SetReplies({FakeReply::Error(sent)});
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"get", "--webinar=9"},
        std::vector<std::string>{"configure", "--webinar=9", "--resolution=720p"}}) {
    const RunResult result = RunLivestreamctl(Args(args));
    EXPECT_EQ(result.exit_code, 15) << args[0];
    EXPECT_THAT(result.out, IsEmpty()) << args[0];
    EXPECT_EQ(result.err, FormatStatus(sent) + "\n") << args[0];
  }
}

TEST_F(LivestreamctlConfigurationTest, UnreadableOrEmptyKeyFileIsAUsageErrorWithoutTheContents) {
  const std::string blank = WriteFile("blank", "\n");
  RunResult result = RunLivestreamctl(
      Args({"configure", "--webinar=1", "--stream-key-file=" + dir_ + "/missing"}));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("cannot read stream key file " + dir_ + "/missing"));
  result = RunLivestreamctl(Args({"configure", "--webinar=1", "--stream-key-file=" + blank}));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("the stream key file is empty"));
  result = RunLivestreamctl(Args({"configure", "--webinar=1", "--stream-key-file=-"}), "");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("the stream key file is empty"));
  EXPECT_TRUE(server_.calls().empty());
}

TEST(LivestreamctlUnreachableTest, UnavailableExitsTwentyFour) {
  // A bound socket that never listens refuses connections for as long as it
  // is held, unlike a port that was merely free a moment ago.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const RunResult result =
      RunLivestreamctl({absl::StrCat("--target=127.0.0.1:", ntohs(address.sin_port)), "start",
                        "--webinar=1", "--timeout=20s"});
  close(fd);
  EXPECT_EQ(result.exit_code, 24) << result.err;
  EXPECT_THAT(result.err, StartsWith("UNAVAILABLE"));
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(LivestreamctlTest, RetriesUnavailableUnlessNoRetry) {
  const grpc::Status shed(grpc::StatusCode::UNAVAILABLE, "shed");
  server_.SetReplies({FakeReply::Error(shed), FakeReply::Ok("trk-retried")});
  RunResult result = RunLivestreamctl(Args({"start", "--webinar=123"}));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "tracking_id: trk-retried\n");
  EXPECT_EQ(server_.calls().size(), 2u);

  server_.SetReplies({FakeReply::Error(shed), FakeReply::Ok("unused")});
  result = RunLivestreamctl(Args({"start", "--webinar=123", "--no-retry"}));
  EXPECT_EQ(result.exit_code, 24) << result.err;
  EXPECT_THAT(result.err, StartsWith("UNAVAILABLE: shed"));
  EXPECT_EQ(server_.calls().size(), 3u);
}

TEST_F(LivestreamctlTest, HelpExitsZero) {
  for (const char* flag : {"--help", "-h"}) {
    const RunResult result = RunLivestreamctl({flag});
    EXPECT_EQ(result.exit_code, 0) << flag;
    EXPECT_THAT(result.out, StartsWith("Usage: livestreamctl --target=HOST:PORT")) << flag;
    EXPECT_THAT(result.out, HasSubstr("Exit codes")) << flag;
    EXPECT_THAT(result.out, HasSubstr("--show-stream-key")) << flag;
    EXPECT_THAT(result.out, HasSubstr("shell history")) << flag;
  }
  EXPECT_TRUE(server_.calls().empty());
}

TEST_F(LivestreamctlTest, VersionExitsZero) {
  const RunResult result = RunLivestreamctl({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, StartsWith("livestreamctl "));
}

struct UsageCase {
  std::string name;
  std::vector<std::string> args;  // --target is added unless without_target
  std::string expected_stderr;
  bool without_target = false;
};

void PrintTo(const UsageCase& c, std::ostream* os) { *os << c.name; }

class LivestreamctlUsageTest : public ::testing::TestWithParam<UsageCase> {
 protected:
  FakeLiveStreamServer server_;
};

TEST_P(LivestreamctlUsageTest, ExitsOneWithoutCalling) {
  std::vector<std::string> args = GetParam().args;
  if (!GetParam().without_target) args.insert(args.begin(), "--target=" + server_.target());
  const RunResult result = RunLivestreamctl(args);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr(GetParam().expected_stderr));
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_TRUE(server_.calls().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Errors, LivestreamctlUsageTest,
    ::testing::Values(
        UsageCase{"NoSubcommand", {"--webinar=1"}, "missing subcommand", false},
        UsageCase{"NoTarget", {"start", "--webinar=1"}, "missing --target", true},
        UsageCase{
            "UnknownSubcommand", {"restart", "--webinar=1"}, "unknown subcommand: restart", false},
        UsageCase{
            "TwoSubcommands", {"start", "stop", "--webinar=1"}, "unexpected argument: stop", false},
        UsageCase{"NoWebinarOrMeeting", {"start"}, "exactly one of --webinar", false},
        UsageCase{"WebinarAndMeeting",
                  {"start", "--webinar=1", "--meeting=2"},
                  "exactly one of --webinar",
                  false},
        UsageCase{"UnknownFlag", {"start", "--webinar=1", "--bogus-flag=1"}, "bogus-flag", false},
        UsageCase{"BadBool",
                  {"start", "--webinar=1", "--active-speaker-name=maybe"},
                  "active_speaker_name",
                  false},
        UsageCase{"DurationWithoutUnit", {"start", "--webinar=1", "--timeout=5"}, "timeout", false},
        UsageCase{"ValidateOnlyOnGet",
                  {"get", "--webinar=1", "--validate-only"},
                  "--validate-only applies only to",
                  false},
        UsageCase{"RequestIdOnGet",
                  {"get", "--webinar=1", "--request-id=x"},
                  "--request-id applies only to",
                  false},
        UsageCase{"BatchWithAWebinar", {"batch", "--webinar=1"}, "batch takes no --webinar", false},
        UsageCase{"RequestsFileOutsideBatch",
                  {"start", "--webinar=1", "--requests-file=x"},
                  "--requests-file applies only to batch",
                  false},
        UsageCase{"BatchFromAnAbsentFile",
                  {"batch", "--requests-file=/nonexistent/requests"},
                  "cannot read requests file /nonexistent/requests",
                  false},
        UsageCase{
            "ZeroTimeout", {"start", "--webinar=1", "--timeout=0s"}, "must be positive", false},
        UsageCase{"MissingValue", {"start", "--webinar"}, "webinar", false},
        UsageCase{"ClientCertificateWithoutKey",
                  {"start", "--webinar=1", "--tls-cert-file=client.crt"},
                  "--tls-cert-file and --tls-key-file together",
                  false},
        UsageCase{"MissingCaFile",
                  {"start", "--webinar=1", "--tls-ca-file=/nonexistent/ca.crt"},
                  "TLS CA file /nonexistent/ca.crt",
                  false},
        UsageCase{"ConfigureWithoutFields",
                  {"configure", "--webinar=1"},
                  "configure needs at least one of",
                  false},
        UsageCase{"UnknownResolution",
                  {"configure", "--webinar=1", "--resolution=480p"},
                  "--resolution must be 720p or 1080p",
                  false},
        UsageCase{"StreamUrlWithGet",
                  {"get", "--webinar=1", "--stream-url=rtmp://x/y"},
                  "--stream-url applies only to configure",
                  false},
        UsageCase{"ShowStreamKeyWithStart",
                  {"start", "--webinar=1", "--show-stream-key"},
                  "--show-stream-key applies only to get and configure",
                  false},
        // A key on the command line would land in shell history and ps.
        UsageCase{"NoFlagTakesTheKeyItself",
                  {"configure", "--webinar=1", "--stream-key=abc"},
                  "stream-key",
                  false},
        UsageCase{"MissingTokenFile",
                  {"start", "--webinar=1", "--bearer-token-file=/nonexistent/token"},
                  "bearer token file /nonexistent/token",
                  false}),
    [](const ::testing::TestParamInfo<UsageCase>& info) { return info.param.name; });

// A TLS or mTLS fake server with certificates made by the openssl CLI.
class LivestreamctlTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ctl-tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = new std::string(pattern);
    pki_ = new livestream_testing::TestPki(*dir_);
    const absl::Status made = pki_->MakeStandardSet();
    ASSERT_TRUE(made.ok()) << made;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete pki_;
    delete dir_;
  }

  static std::vector<std::string> MtlsArgs(const FakeLiveStreamServer& server) {
    return {"--target=" + server.target(),
            "start",
            "--webinar=1",
            "--tls-ca-file=" + pki_->cert("ca"),
            "--tls-cert-file=" + pki_->cert("client"),
            "--tls-key-file=" + pki_->key("client")};
  }

  static std::string* dir_;
  static livestream_testing::TestPki* pki_;
};

std::string* LivestreamctlTlsTest::dir_ = nullptr;
livestream_testing::TestPki* LivestreamctlTlsTest::pki_ = nullptr;

TEST_F(LivestreamctlTlsTest, MtlsAndABearerTokenReachTheServerAndTheTokenIsNeverPrinted) {
  FakeLiveStreamServer server(testing::TlsServerCredentialsFromFiles(
      pki_->cert("server"), pki_->key("server"), pki_->cert("ca")));
  constexpr char kToken[] = "s3cret-token.abc";
  const std::string token_file = *dir_ + "/token";
  std::ofstream(token_file) << kToken << "\n";
  std::vector<std::string> args = MtlsArgs(server);
  args.push_back("--bearer-token-file=" + token_file);

  server.SetReplies({FakeReply::Ok("trk-mtls"),
                     FakeReply::Error(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no"))});
  RunResult result = RunLivestreamctl(args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "tracking_id: trk-mtls\n");
  result = RunLivestreamctl(args);
  EXPECT_EQ(result.exit_code, 26) << result.err;
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kToken)));

  const std::vector<testing::ReceivedCall> calls = server.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_THAT(calls[0].authorization, ElementsAre(absl::StrCat("Bearer ", kToken)));
  EXPECT_THAT(calls[0].peer_identity, Contains("caller"));
}

TEST_F(LivestreamctlTlsTest, WithoutTlsOrAClientCertificateTheCallIsUnavailable) {
  FakeLiveStreamServer server(testing::TlsServerCredentialsFromFiles(
      pki_->cert("server"), pki_->key("server"), pki_->cert("ca")));
  RunResult result =
      RunLivestreamctl({"--target=" + server.target(), "start", "--webinar=1", "--timeout=10s"});
  EXPECT_EQ(result.exit_code, 24) << result.err;
  result = RunLivestreamctl({"--target=" + server.target(), "start", "--webinar=1",
                             "--tls-ca-file=" + pki_->cert("ca"), "--timeout=10s"});
  EXPECT_EQ(result.exit_code, 24) << result.err;
  EXPECT_TRUE(server.calls().empty());
}

// get and configure end to end: the real server against the Zoom emulator.
class LivestreamctlEmulatorTest : public ::testing::Test {
 protected:
  // Seeded in the emulator: running, never configured.
  static constexpr char kUnconfigured[] = "99289110037";
  static constexpr char kKey[] = "ctl-e2e-s3cret-key-9c1d";

  static void SetUpTestSuite() {
    auto emulator = livestream_gateway::testing::Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    shared_emulator = emulator->release();
    auto server = livestream_gateway::testing::Server::Start(shared_emulator->base_url());
    ASSERT_TRUE(server.ok()) << server.status();
    shared_server = server->release();
  }
  static void TearDownTestSuite() {
    delete shared_server;
    delete shared_emulator;
  }
  void SetUp() override {
    ASSERT_EQ(
        livestream_gateway::testing::HttpCall(
            "POST", absl::StrCat("http://127.0.0.1:", shared_emulator->port(), "/_emulator/reset"))
            .status,
        200);
    std::ofstream(key_file_.path("key")) << kKey << "\n";
  }

  std::vector<std::string> Args(std::vector<std::string> rest) {
    rest.insert(rest.begin(), {"--target=" + shared_server->target(), "--timeout=20s"});
    return rest;
  }

  std::string KeyFile() const { return key_file_.path("key"); }

  inline static livestream_gateway::testing::Emulator* shared_emulator = nullptr;
  inline static livestream_gateway::testing::Server* shared_server = nullptr;
  livestream_gateway::testing::TempDir key_file_;
};

TEST_F(LivestreamctlEmulatorTest, ConfigureThenGetMasksTheKeyUnlessAsked) {
  RunResult result = RunLivestreamctl(
      Args({"configure", std::string("--webinar=") + kUnconfigured,
            "--stream-url=rtmps://ingest.example.com:443/live", "--stream-key-file=" + KeyFile(),
            "--page-url=https://example.com/watch/1", "--resolution=1080p"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("stream_url: rtmps://ingest.example.com:443/live\n"
                                     "stream_key: <hidden: --show-stream-key prints it>\n"
                                     "page_url: https://example.com/watch/1\n"
                                     "resolution: 1080p\n"
                                     "tracking_id: "));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kKey)));

  result = RunLivestreamctl(Args({"get", std::string("--webinar=") + kUnconfigured}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith("stream_url: rtmps://ingest.example.com:443/live\n"
                                     "stream_key: <hidden: --show-stream-key prints it>\n"
                                     "page_url: https://example.com/watch/1\n"
                                     "resolution: 1080p\n"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kKey)));

  result = RunLivestreamctl(
      Args({"get", std::string("--webinar=") + kUnconfigured, "--show-stream-key"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr(absl::StrCat("\nstream_key: ", kKey, "\n")));
}

// A batch from stdin, one JSON request per line, against the real server:
// one line per item in order, the failed one with its error, exit 2.
TEST_F(LivestreamctlEmulatorTest, BatchPrintsALinePerItemAndExitsTwoWhenOneFailed) {
  const std::string requests =
      "# start two, one of which Zoom does not know\n"
      "{\"webinarId\": \"99289110036\", \"action\": \"LIVE_STREAM_ACTION_START\"}\n"
      "\n"
      "{\"webinarId\": \"12345678901\", \"action\": \"LIVE_STREAM_ACTION_START\"}\n";
  RunResult result = RunLivestreamctl(Args({"batch"}), requests);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.out, StartsWith("1: tracking_id: v=2.0;"));
  EXPECT_THAT(result.out, HasSubstr("\n2: NOT_FOUND: "));
  EXPECT_THAT(result.out, HasSubstr("ZOOM_WEBINAR_NOT_FOUND"));
  EXPECT_THAT(result.err, IsEmpty());

  // Every item succeeds: exit 0.
  result =
      RunLivestreamctl(Args({"batch", "--validate-only"}),
                       "{\"meetingId\": \"85746065\", \"action\": \"LIVE_STREAM_ACTION_STOP\"}\n");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "1: tracking_id: \n");

  // A line that is not a request: a usage error naming it, nothing sent.
  result = RunLivestreamctl(Args({"batch"}), "{\"webinarId\": 1\n");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("--requests-file line 1"));
}

TEST_F(LivestreamctlEmulatorTest, ConfigurePageUrlChangesOnlyThePageUrl) {
  RunResult result = RunLivestreamctl(
      Args({"configure", std::string("--webinar=") + kUnconfigured,
            "--stream-url=rtmp://live.example.com/app", "--stream-key-file=" + KeyFile(),
            "--page-url=https://example.com/old", "--resolution=720p"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = RunLivestreamctl(Args({"configure", std::string("--webinar=") + kUnconfigured,
                                  "--page-url=https://example.com/new"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  result = RunLivestreamctl(
      Args({"get", std::string("--webinar=") + kUnconfigured, "--show-stream-key"}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, StartsWith(absl::StrCat("stream_url: rtmp://live.example.com/app\n"
                                                  "stream_key: ",
                                                  kKey,
                                                  "\n"
                                                  "page_url: https://example.com/new\n"
                                                  "resolution: 720p\n")));
}

TEST_F(LivestreamctlEmulatorTest, GetOfAnUnconfiguredWebinarPrintsEmptyValues) {
  const RunResult result =
      RunLivestreamctl(Args({"get", std::string("--webinar=") + kUnconfigured}));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              StartsWith("stream_url: \nstream_key: \npage_url: \nresolution: \ntracking_id: "));
}

TEST_F(LivestreamctlEmulatorTest, ErrorsCarryTheirReasonAndNeverTheKey) {
  // The gateway refuses a non-RTMP stream URL before reaching Zoom.
  RunResult result = RunLivestreamctl(
      Args({"configure", std::string("--webinar=") + kUnconfigured,
            "--stream-url=http://not-rtmp.example.com", "--stream-key-file=" + KeyFile(),
            "--page-url=https://example.com/watch"}));
  EXPECT_EQ(result.exit_code, 13) << result.err;
  EXPECT_THAT(result.err, StartsWith("INVALID_ARGUMENT"));
  EXPECT_THAT(result.err, HasSubstr("BadRequest: live_stream.stream_url"));
  EXPECT_THAT(result.out, IsEmpty());
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kKey)));

  // A key the gateway refuses is named by its field, not quoted.
  const std::string long_key = absl::StrCat(kKey, std::string(600, 'k'));
  std::ofstream(KeyFile()) << long_key;
  result = RunLivestreamctl(Args(
      {"configure", std::string("--webinar=") + kUnconfigured, "--stream-key-file=" + KeyFile()}));
  EXPECT_EQ(result.exit_code, 13) << result.err;
  EXPECT_THAT(result.err, HasSubstr("BadRequest: live_stream.stream_key"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kKey)));

  // Zoom's answer for an unknown webinar, with its reason.
  std::ofstream(KeyFile()) << kKey;
  result = RunLivestreamctl(
      Args({"configure", "--webinar=12345", "--stream-key-file=" + KeyFile(),
            "--stream-url=rtmp://live.example.com/app", "--page-url=https://example.com/watch"}));
  EXPECT_EQ(result.exit_code, 15) << result.err;
  EXPECT_THAT(result.err, HasSubstr("ErrorInfo: reason=ZOOM_WEBINAR_NOT_FOUND"));
  EXPECT_THAT(result.out + result.err, Not(HasSubstr(kKey)));
  result = RunLivestreamctl(Args({"get", "--webinar=12345"}));
  EXPECT_EQ(result.exit_code, 15) << result.err;
  EXPECT_THAT(result.err, HasSubstr("ErrorInfo: reason=ZOOM_WEBINAR_NOT_FOUND"));
}

}  // namespace
}  // namespace livestream_client
