// GetLiveStream and UpdateLiveStream end to end, against the emulator's
// configuration endpoints: what reaches Zoom, what the caller gets back, and
// that the stream key never shows where it must not.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using ::zoom::livestream::v1::GetLiveStreamRequest;
using ::zoom::livestream::v1::GetLiveStreamResponse;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_1080P;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_720P;
using ::zoom::livestream::v1::LiveStream;
using ::zoom::livestream::v1::UpdateLiveStreamRequest;
using ::zoom::livestream::v1::UpdateLiveStreamResponse;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

constexpr char kWebinar[] = "99289110036";       // seeded: configured and running
constexpr char kUnconfigured[] = "99289110037";  // seeded: running, not configured
constexpr char kMeeting[] = "85746065";          // seeded: configured and running
constexpr char kNewKey[] = "integration-new-stream-key-7f3a";

std::string Field(const google::protobuf::Struct& s, const std::string& key) {
  auto found = s.fields().find(key);
  return found == s.fields().end() ? "<absent>" : found->second.string_value();
}

LiveStream NewConfig() {
  LiveStream live_stream;
  live_stream.set_stream_url("rtmps://ingest.example.com:443/live");
  live_stream.set_stream_key(kNewKey);
  live_stream.set_page_url("https://example.com/watch/1");
  live_stream.set_resolution(LIVE_STREAM_RESOLUTION_1080P);
  return live_stream;
}

class LiveStreamConfigTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto emulator = Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    shared_emulator = emulator->release();
    auto server = Server::Start(shared_emulator->base_url());
    ASSERT_TRUE(server.ok()) << server.status();
    shared_server = server->release();
  }
  static void TearDownTestSuite() {
    delete shared_server;
    delete shared_emulator;
  }
  void SetUp() override {
    ASSERT_EQ(HttpCall("POST", absl::StrCat("http://127.0.0.1:", shared_emulator->port(),
                                            "/_emulator/reset"))
                  .status,
              200);
    stub_ = shared_server->NewStub();
  }

  grpc::Status Get(const std::string& webinar_id, GetLiveStreamResponse* response) {
    GetLiveStreamRequest request;
    request.set_webinar_id(webinar_id);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return stub_->GetLiveStream(&context, request, response);
  }

  grpc::Status Update(const UpdateLiveStreamRequest& request, UpdateLiveStreamResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return stub_->UpdateLiveStream(&context, request, response);
  }

  // One emulator and one server for the suite; SetUp resets the emulator.
  inline static Emulator* shared_emulator = nullptr;
  inline static Server* shared_server = nullptr;
  std::unique_ptr<zoom::livestream::v1::LiveStreamService::Stub> stub_;
};

TEST_F(LiveStreamConfigTest, GetReadsTheSeededConfiguration) {
  GetLiveStreamResponse response;
  grpc::Status status = Get(kWebinar, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.live_stream().stream_url(), "rtmp://live.emulator.example/live");
  EXPECT_EQ(response.live_stream().stream_key(), absl::StrCat("emulator-stream-key-", kWebinar));
  EXPECT_EQ(response.live_stream().page_url(),
            absl::StrCat("https://emulator.example/live/", kWebinar));
  EXPECT_EQ(response.live_stream().resolution(), LIVE_STREAM_RESOLUTION_720P);
  EXPECT_THAT(response.tracking_id(), StartsWith("v=2.0;"));
  auto requests = shared_emulator->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(Field(requests[0], "method"), "GET");
  EXPECT_EQ(Field(requests[0], "path"), absl::StrCat("/v2/webinars/", kWebinar, "/livestream"));
}

TEST_F(LiveStreamConfigTest, AWholeUpdateIsOnePatchAndAGetThenReadsIt) {
  UpdateLiveStreamRequest request;
  request.set_meeting_id(kMeeting);
  *request.mutable_live_stream() = NewConfig();
  UpdateLiveStreamResponse updated;
  grpc::Status status = Update(request, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.live_stream().SerializeAsString(), NewConfig().SerializeAsString());
  EXPECT_THAT(updated.tracking_id(), StartsWith("v=2.0;"));

  auto requests = shared_emulator->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(Field(requests[0], "method"), "PATCH");
  EXPECT_EQ(Field(requests[0], "path"), absl::StrCat("/v2/meetings/", kMeeting, "/livestream"));
  EXPECT_EQ(
      Field(requests[0], "body"),
      absl::StrCat(R"({"stream_url":"rtmps://ingest.example.com:443/live","stream_key":")", kNewKey,
                   R"(","page_url":"https://example.com/watch/1","resolution":"1080p"})"));

  GetLiveStreamRequest get;
  get.set_meeting_id(kMeeting);
  GetLiveStreamResponse read;
  grpc::ClientContext context;
  ASSERT_TRUE(stub_->GetLiveStream(&context, get, &read).ok());
  EXPECT_EQ(read.live_stream().SerializeAsString(), NewConfig().SerializeAsString());
}

TEST_F(LiveStreamConfigTest, APartialMaskReadsThenWritesTheMergedWhole) {
  UpdateLiveStreamRequest request;
  request.set_webinar_id(kWebinar);
  *request.mutable_live_stream() = NewConfig();
  request.mutable_update_mask()->add_paths("stream_key");
  UpdateLiveStreamResponse updated;
  grpc::Status status = Update(request, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();

  auto requests = shared_emulator->Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(Field(requests[0], "method"), "GET");
  EXPECT_EQ(Field(requests[1], "method"), "PATCH");
  // Only the key changed: the rest is what Zoom held (resolution included).
  const std::string merged = absl::StrCat(
      R"({"stream_url":"rtmp://live.emulator.example/live","stream_key":")", kNewKey,
      R"(","page_url":"https://emulator.example/live/)", kWebinar, R"(","resolution":"720p"})");
  EXPECT_EQ(Field(requests[1], "body"), merged);
  EXPECT_EQ(updated.live_stream().stream_key(), kNewKey);
  EXPECT_EQ(updated.live_stream().stream_url(), "rtmp://live.emulator.example/live");

  GetLiveStreamResponse read;
  ASSERT_TRUE(Get(kWebinar, &read).ok());
  EXPECT_EQ(read.live_stream().SerializeAsString(), updated.live_stream().SerializeAsString());
}

TEST_F(LiveStreamConfigTest, AnUnknownWebinarIsNotFound) {
  GetLiveStreamResponse response;
  grpc::Status status = Get("12345", &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  EXPECT_EQ(ReasonOf(status), "ZOOM_WEBINAR_NOT_FOUND");
  auto info = Detail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(MetadataOf(*info, "zoomCode"), "3001");
  EXPECT_EQ(CountDetails(status, "google.rpc.ErrorInfo"), 1);

  UpdateLiveStreamRequest request;
  request.set_webinar_id("12345");
  *request.mutable_live_stream() = NewConfig();
  UpdateLiveStreamResponse updated;
  status = Update(request, &updated);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  EXPECT_EQ(ReasonOf(status), "ZOOM_WEBINAR_NOT_FOUND");
  EXPECT_THAT(status.error_message(), Not(HasSubstr(kNewKey)));
}

TEST_F(LiveStreamConfigTest, AFailedReadOfAReadModifyWriteSendsNoPatch) {
  shared_emulator->Script(R"([{"status":503,"body":"{\"code\":503,\"message\":\"busy\"}",)"
                          R"("match":{"method":"GET","path":"/v2/webinars/*/livestream"}},)"
                          R"({"status":503,"body":"{\"code\":503,\"message\":\"busy\"}",)"
                          R"("match":{"method":"GET","path":"/v2/webinars/*/livestream"}},)"
                          R"({"status":503,"body":"{\"code\":503,\"message\":\"busy\"}",)"
                          R"("match":{"method":"GET","path":"/v2/webinars/*/livestream"}}])");
  UpdateLiveStreamRequest request;
  request.set_webinar_id(kWebinar);
  request.mutable_live_stream()->set_page_url("https://example.com/other");
  UpdateLiveStreamResponse updated;
  grpc::Status status = Update(request, &updated);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(ReasonOf(status), "ZOOM_UNAVAILABLE");
  auto info = Detail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(MetadataOf(*info, "attempts"), "3");
  for (const auto& recorded : shared_emulator->Requests()) {
    EXPECT_EQ(Field(recorded, "method"), "GET");
  }
  // Nothing changed.
  GetLiveStreamResponse read;
  ASSERT_TRUE(Get(kWebinar, &read).ok());
  EXPECT_EQ(read.live_stream().page_url(),
            absl::StrCat("https://emulator.example/live/", kWebinar));
}

TEST_F(LiveStreamConfigTest, AGarbledReadIsInvalidResponseAndSendsNoPatch) {
  shared_emulator->Script(R"([{"status":200,"body":"{\"stream_key\":12}",)"
                          R"("match":{"method":"GET","path":"/v2/webinars/*/livestream"}}])");
  UpdateLiveStreamRequest request;
  request.set_webinar_id(kWebinar);
  request.mutable_live_stream()->set_stream_key(kNewKey);
  UpdateLiveStreamResponse updated;
  grpc::Status status = Update(request, &updated);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(ReasonOf(status), "ZOOM_INVALID_RESPONSE");
  EXPECT_EQ(shared_emulator->Requests().size(), 1u);
}

TEST_F(LiveStreamConfigTest, TheStreamKeyNeverReachesLogsOrErrorMessages) {
  const std::string read_key = absl::StrCat("emulator-stream-key-", kWebinar);
  // Zoom echoes both keys, the one read and the one sent, in its error.
  shared_emulator->Script(absl::StrCat(
      R"([{"status":400,"body":"{\"code\":300,\"message\":\"bad key )", kNewKey, " (was ", read_key,
      R"()\"}","match":{"method":"PATCH","path":"/v2/webinars/*/livestream"}}])"));
  UpdateLiveStreamRequest request;
  request.set_webinar_id(kWebinar);
  request.mutable_live_stream()->set_stream_key(kNewKey);
  UpdateLiveStreamResponse updated;
  grpc::Status status = Update(request, &updated);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(ReasonOf(status), "ZOOM_INVALID_REQUEST");
  EXPECT_THAT(status.error_message(), HasSubstr("bad key [REDACTED] (was [REDACTED])"));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(kNewKey)));
  EXPECT_THAT(status.error_details(), Not(HasSubstr(kNewKey)));
  EXPECT_THAT(status.error_details(), Not(HasSubstr(read_key)));

  GetLiveStreamResponse read;
  ASSERT_TRUE(Get(kWebinar, &read).ok());
  EXPECT_EQ(read.live_stream().stream_key(), read_key);
  // The request log lines of both calls are written by now (before Finish).
  ASSERT_TRUE(WaitFor([&] {
    return shared_server->process().Stderr().find("GetLiveStream") != std::string::npos;
  }));
  EXPECT_THAT(shared_server->process().Stderr(), Not(HasSubstr(kNewKey)));
  EXPECT_THAT(shared_server->process().Stderr(), Not(HasSubstr(read_key)));
}

TEST_F(LiveStreamConfigTest, BadInputIsRefusedBeforeZoom) {
  UpdateLiveStreamRequest request;
  request.set_webinar_id(kWebinar);
  request.mutable_live_stream()->set_stream_url("http://not-rtmp.example");
  request.mutable_update_mask()->add_paths("stream_url");
  request.mutable_update_mask()->add_paths("stream_url");
  UpdateLiveStreamResponse updated;
  grpc::Status status = Update(request, &updated);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(status), "INVALID_REQUEST");
  auto bad = Detail<google::rpc::BadRequest>(status);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), "update_mask");
  EXPECT_TRUE(shared_emulator->Requests().empty());
}

TEST_F(LiveStreamConfigTest, StartingAnUnconfiguredWebinarIsAFailedPreconditionUntilConfigured) {
  UpdateStatusRequest start;
  start.set_webinar_id(kUnconfigured);
  start.set_action(LIVE_STREAM_ACTION_START);
  UpdateStatusResponse started;
  grpc::Status status;
  {
    grpc::ClientContext context;
    status = stub_->UpdateStatus(&context, start, &started);
  }
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_EQ(ReasonOf(status), "ZOOM_LIVESTREAM_PRECONDITION_FAILED");

  UpdateLiveStreamRequest configure;
  configure.set_webinar_id(kUnconfigured);
  *configure.mutable_live_stream() = NewConfig();
  UpdateLiveStreamResponse configured;
  ASSERT_TRUE(Update(configure, &configured).ok());
  grpc::ClientContext context;
  status = stub_->UpdateStatus(&context, start, &started);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace livestream_gateway::testing
