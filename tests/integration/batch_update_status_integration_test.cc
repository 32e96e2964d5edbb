// BatchUpdateStatus end to end: per-item results in request order, items
// that run concurrently within the call's deadline, dry runs and request ids
// for the whole batch, and what reaches the emulator.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::StartsWith;
using ::zoom::livestream::v1::BatchUpdateStatusRequest;
using ::zoom::livestream::v1::BatchUpdateStatusResponse;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::LiveStreamService;
using ::zoom::livestream::v1::UpdateStatusRequest;

constexpr char kWebinar[] = "99289110036";  // seeded: configured and running
constexpr char kMeeting[] = "85746065";     // seeded
constexpr char kUnknownWebinar[] = "12345678901";
constexpr char kRequestId[] = "5d0e2a7c-1b3f-4c8e-9a6d-2f4b7c1e8a30";

UpdateStatusRequest StartWebinar(const std::string& id) {
  UpdateStatusRequest request;
  request.set_webinar_id(id);
  request.set_action(LIVE_STREAM_ACTION_START);
  return request;
}

// A settings-only change: Zoom takes any number of them on a stopped stream.
UpdateStatusRequest Rename(const std::string& id, const std::string& name) {
  UpdateStatusRequest request;
  request.set_webinar_id(id);
  request.mutable_settings()->set_display_name(name);
  return request;
}

// The status a batch item's error carries, as a call's trailer would.
grpc::Status ItemStatus(const google::rpc::Status& error) {
  return grpc::Status(static_cast<grpc::StatusCode>(error.code()), error.message(),
                      error.SerializeAsString());
}

class BatchUpdateStatusTest : public ::testing::Test {
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

  grpc::Status Call(const BatchUpdateStatusRequest& request, BatchUpdateStatusResponse* response,
                    absl::Duration timeout = absl::Seconds(20)) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    return stub_->BatchUpdateStatus(&context, request, response);
  }

  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<LiveStreamService::Stub> stub_;
};

TEST_F(BatchUpdateStatusTest, EachItemGetsItsOwnResultInRequestOrder) {
  BatchUpdateStatusRequest batch;
  *batch.add_requests() = StartWebinar(kWebinar);
  *batch.add_requests() = StartWebinar(kUnknownWebinar);
  *batch.add_requests() = StartWebinar("not-a-number");
  UpdateStatusRequest meeting;
  meeting.set_meeting_id(kMeeting);
  meeting.set_action(LIVE_STREAM_ACTION_START);
  *batch.add_requests() = meeting;

  BatchUpdateStatusResponse response;
  const grpc::Status status = Call(batch, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 4);

  ASSERT_TRUE(response.results(0).has_response());
  EXPECT_THAT(response.results(0).response().tracking_id(), StartsWith("v=2.0;"));

  // Zoom's refusal, with the details a single call gets.
  ASSERT_TRUE(response.results(1).has_error());
  const grpc::Status not_found = ItemStatus(response.results(1).error());
  EXPECT_EQ(not_found.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(not_found), "ZOOM_WEBINAR_NOT_FOUND");
  EXPECT_EQ(CountDetails(not_found, "google.rpc.ErrorInfo"), 1);
  const auto info = Detail<google::rpc::ErrorInfo>(not_found);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(MetadataOf(*info, "zoomCode"), "3001");
  EXPECT_EQ(MetadataOf(*info, "attempts"), "1");
  const auto resource = Detail<google::rpc::ResourceInfo>(not_found);
  ASSERT_TRUE(resource.has_value());
  EXPECT_EQ(resource->resource_name(), kUnknownWebinar);

  // Refused before Zoom, as UpdateStatus refuses it.
  ASSERT_TRUE(response.results(2).has_error());
  const grpc::Status invalid = ItemStatus(response.results(2).error());
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const auto bad_request = Detail<google::rpc::BadRequest>(invalid);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(), "webinar_id");

  ASSERT_TRUE(response.results(3).has_response());
  EXPECT_THAT(response.results(3).response().tracking_id(), StartsWith("v=2.0;"));

  // The invalid item never left.
  EXPECT_EQ(emulator_->Requests().size(), 3u);
}

TEST_F(BatchUpdateStatusTest, ItemsRunConcurrently) {
  constexpr int kItems = 20;
  emulator_->SetDelay(absl::Seconds(1));
  BatchUpdateStatusRequest batch;
  for (int i = 0; i < kItems; ++i) *batch.add_requests() = Rename(kWebinar, absl::StrCat("n", i));
  BatchUpdateStatusResponse response;
  const absl::Time started = absl::Now();
  const grpc::Status status = Call(batch, &response, absl::Seconds(30));
  const absl::Duration elapsed = absl::Now() - started;
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), kItems);
  for (const auto& result : response.results()) {
    EXPECT_TRUE(result.has_response()) << result.error().message();
  }
  EXPECT_EQ(emulator_->Requests().size(), static_cast<size_t>(kItems));
  // One after the other they would take 20 s.
  EXPECT_LT(elapsed, absl::Seconds(10)) << absl::FormatDuration(elapsed);
}

// Items still waiting on Zoom end just before the caller's deadline, so the
// caller learns each one's fate instead of a bare DEADLINE_EXCEEDED.
TEST_F(BatchUpdateStatusTest, ItemsOutlastingTheDeadlineFailAloneAndTheBatchAnswers) {
  emulator_->SetDelay(absl::Seconds(5));
  BatchUpdateStatusRequest batch;
  *batch.add_requests() = Rename(kWebinar, "slow");
  *batch.add_requests() = StartWebinar("0");
  BatchUpdateStatusResponse response;
  const grpc::Status status = Call(batch, &response, absl::Seconds(2));
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 2);
  ASSERT_TRUE(response.results(0).has_error());
  const grpc::Status timed_out = ItemStatus(response.results(0).error());
  EXPECT_EQ(timed_out.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  const auto info = Detail<google::rpc::ErrorInfo>(timed_out);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(MetadataOf(*info, "delivered"), "maybe");
  EXPECT_EQ(ItemStatus(response.results(1).error()).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(BatchUpdateStatusTest, ABatchOfTheWrongShapeIsRefusedWholeAndNothingIsSent) {
  struct Case {
    std::string name;
    BatchUpdateStatusRequest batch;
    std::string field;
  };
  Case empty{"empty", {}, "requests"};
  Case too_many{"101 items", {}, "requests"};
  for (int i = 0; i < 101; ++i) *too_many.batch.add_requests() = StartWebinar(kWebinar);
  Case item_id{"an item's request_id", {}, "requests[1].request_id"};
  *item_id.batch.add_requests() = StartWebinar(kWebinar);
  *item_id.batch.add_requests() = StartWebinar(kWebinar);
  item_id.batch.mutable_requests(1)->set_request_id(kRequestId);
  Case item_dry{"an item's validate_only", {}, "requests[0].validate_only"};
  *item_dry.batch.add_requests() = StartWebinar(kWebinar);
  item_dry.batch.mutable_requests(0)->set_validate_only(true);
  Case batch_id{"the batch's request_id", {}, "request_id"};
  *batch_id.batch.add_requests() = StartWebinar(kWebinar);
  batch_id.batch.set_request_id("retry-1");

  for (const Case& c : {empty, too_many, item_id, item_dry, batch_id}) {
    SCOPED_TRACE(c.name);
    BatchUpdateStatusResponse response;
    const grpc::Status status = Call(c.batch, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(ReasonOf(status), "INVALID_REQUEST");
    const auto bad_request = Detail<google::rpc::BadRequest>(status);
    ASSERT_TRUE(bad_request.has_value());
    ASSERT_EQ(bad_request->field_violations_size(), 1);
    EXPECT_EQ(bad_request->field_violations(0).field(), c.field);
  }
  EXPECT_EQ(emulator_->Requests().size(), 0u);
}

TEST_F(BatchUpdateStatusTest, ValidateOnlyAnswersEachItemAndSendsNothing) {
  BatchUpdateStatusRequest batch;
  *batch.add_requests() = StartWebinar(kWebinar);
  *batch.add_requests() = StartWebinar("not-a-number");
  batch.set_validate_only(true);
  BatchUpdateStatusResponse response;
  const grpc::Status status = Call(batch, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 2);
  ASSERT_TRUE(response.results(0).has_response());
  EXPECT_EQ(response.results(0).response().tracking_id(), "");
  EXPECT_EQ(ItemStatus(response.results(1).error()).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(emulator_->Requests().size(), 0u);
}

TEST_F(BatchUpdateStatusTest, ARepeatedRequestIdReachesZoomOnce) {
  BatchUpdateStatusRequest batch;
  *batch.add_requests() = StartWebinar(kWebinar);
  *batch.add_requests() = StartWebinar(kUnknownWebinar);
  batch.set_request_id(kRequestId);
  BatchUpdateStatusResponse first;
  ASSERT_TRUE(Call(batch, &first).ok());
  BatchUpdateStatusResponse repeat;
  ASSERT_TRUE(Call(batch, &repeat).ok());
  EXPECT_EQ(repeat.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(emulator_->Requests().size(), 2u);

  // Other items under the same id.
  BatchUpdateStatusRequest other = batch;
  other.mutable_requests()->RemoveLast();
  BatchUpdateStatusResponse refused;
  const grpc::Status status = Call(other, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(status), "REQUEST_ID_REUSED");
  EXPECT_EQ(emulator_->Requests().size(), 2u);
}

}  // namespace
}  // namespace livestream_gateway::testing
