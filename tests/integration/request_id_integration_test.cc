// validate_only (AIP-163) and request_id (AIP-155) end to end: what reaches
// the emulator when a dry run or a repeat comes.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::StartsWith;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_STOP;
using ::zoom::livestream::v1::LiveStreamService;
using ::zoom::livestream::v1::UpdateLiveStreamRequest;
using ::zoom::livestream::v1::UpdateLiveStreamResponse;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

constexpr char kWebinar[] = "99289110036";  // seeded: configured and running
constexpr char kRequestId[] = "0b6f3c2e-8d41-4f0a-9e2b-5c7d1a3f9e60";

UpdateStatusRequest Start(const std::string& request_id) {
  UpdateStatusRequest request;
  request.set_webinar_id(kWebinar);
  request.set_action(LIVE_STREAM_ACTION_START);
  request.set_request_id(request_id);
  return request;
}

// One UpdateStatus, asynchronous.
struct AsyncCall {
  AsyncCall(LiveStreamService::Stub* stub, const UpdateStatusRequest& request) : request(request) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    stub->async()->UpdateStatus(&context, &this->request, &response, [this](grpc::Status s) {
      status = std::move(s);
      done.Notify();
    });
  }
  grpc::ClientContext context;
  UpdateStatusRequest request;
  UpdateStatusResponse response;
  grpc::Status status;
  absl::Notification done;
};

class RequestIdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto emulator = Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
    auto server = Server::Start(emulator_->base_url());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = server_->NewStub();
  }

  grpc::Status Call(const UpdateStatusRequest& request, UpdateStatusResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    return stub_->UpdateStatus(&context, request, response);
  }

  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<LiveStreamService::Stub> stub_;
};

TEST_F(RequestIdTest, ARepeatWhileTheFirstIsInFlightReachesZoomOnce) {
  emulator_->SetDelay(absl::Seconds(2));
  AsyncCall first(stub_.get(), Start(kRequestId));
  ASSERT_TRUE(WaitFor([&] { return emulator_->Requests().size() == 1; }));
  AsyncCall repeat(stub_.get(), Start(kRequestId));
  EXPECT_FALSE(first.done.HasBeenNotified()) << "the first ended before the repeat was sent";
  ASSERT_TRUE(first.done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_TRUE(repeat.done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  ASSERT_TRUE(repeat.status.ok()) << repeat.status.error_message();
  EXPECT_THAT(first.response.tracking_id(), StartsWith("v=2.0;"));
  EXPECT_EQ(repeat.response.tracking_id(), first.response.tracking_id());

  // And after it ended.
  emulator_->SetDelay(absl::ZeroDuration());
  UpdateStatusResponse again;
  ASSERT_TRUE(Call(Start(kRequestId), &again).ok());
  EXPECT_EQ(again.tracking_id(), first.response.tracking_id());
  EXPECT_EQ(emulator_->Requests().size(), 1u);
}

TEST_F(RequestIdTest, AnotherBodyWithTheSameIdIsRefused) {
  UpdateStatusResponse response;
  ASSERT_TRUE(Call(Start(kRequestId), &response).ok());
  UpdateStatusRequest stop = Start(kRequestId);
  stop.set_action(LIVE_STREAM_ACTION_STOP);
  const grpc::Status status = Call(stop, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(status), "REQUEST_ID_REUSED");
  EXPECT_EQ(emulator_->Requests().size(), 1u);
}

TEST_F(RequestIdTest, AnIdThatIsNotAUuidIsABadRequest) {
  UpdateStatusResponse response;
  const grpc::Status status = Call(Start("retry-1"), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(status), "INVALID_REQUEST");
  EXPECT_EQ(emulator_->Requests().size(), 0u);
}

TEST_F(RequestIdTest, ValidateOnlyNeverReachesZoom) {
  UpdateStatusRequest dry = Start(kRequestId);
  dry.set_validate_only(true);
  UpdateStatusResponse response;
  const grpc::Status status = Call(dry, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.tracking_id(), "");

  UpdateLiveStreamRequest configure;
  configure.set_webinar_id(kWebinar);
  configure.mutable_live_stream()->set_stream_url("rtmps://ingest.example.com:443/live");
  configure.mutable_live_stream()->set_stream_key("integration-dry-run-key");
  configure.mutable_live_stream()->set_page_url("https://example.com/watch/1");
  configure.set_validate_only(true);
  UpdateLiveStreamResponse configured;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  const grpc::Status configure_status = stub_->UpdateLiveStream(&context, configure, &configured);
  ASSERT_TRUE(configure_status.ok()) << configure_status.error_message();
  EXPECT_EQ(configured.live_stream().stream_url(), "rtmps://ingest.example.com:443/live");

  UpdateStatusRequest bad = dry;
  bad.set_webinar_id("0");
  EXPECT_EQ(Call(bad, &response).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(emulator_->Requests().size(), 0u);
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), 0);
}

}  // namespace
}  // namespace livestream_gateway::testing
