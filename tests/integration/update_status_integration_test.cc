// UpdateStatus end to end: what reaches Zoom, and what the caller gets back.

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_STOP;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

constexpr char kWebinar[] = "99289110036";  // seeded: configured and running
constexpr char kMeeting[] = "85746065";     // seeded: configured and running

std::string Field(const google::protobuf::Struct& s, const std::string& key) {
  auto found = s.fields().find(key);
  return found == s.fields().end() ? "<absent>" : found->second.string_value();
}

class UpdateStatusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto emulator = Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = emulator->release();
    auto server = Server::Start(emulator_->base_url());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete emulator_;
  }
  void SetUp() override {
    ASSERT_EQ(
        HttpCall("POST", absl::StrCat("http://127.0.0.1:", emulator_->port(), "/_emulator/reset"))
            .status,
        200);
    stub_ = server_->NewStub();
  }

  grpc::Status Call(const UpdateStatusRequest& request, UpdateStatusResponse* response,
                    absl::Duration timeout = absl::Seconds(10)) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    return stub_->UpdateStatus(&context, request, response);
  }

  static Emulator* emulator_;
  static Server* server_;
  std::unique_ptr<zoom::livestream::v1::LiveStreamService::Stub> stub_;
};

Emulator* UpdateStatusTest::emulator_ = nullptr;
Server* UpdateStatusTest::server_ = nullptr;

TEST_F(UpdateStatusTest, StartSendsExactMultipartPatchAndReturnsTrackingId) {
  UpdateStatusRequest request;
  request.set_webinar_id(kWebinar);
  request.set_action(LIVE_STREAM_ACTION_START);
  request.mutable_settings()->set_active_speaker_name(false);
  request.mutable_settings()->set_display_name("reprehender");
  UpdateStatusResponse response;
  grpc::Status status = Call(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(response.tracking_id(), StartsWith("v=2.0;"));

  auto requests = emulator_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& recorded = requests[0];
  EXPECT_EQ(Field(recorded, "method"), "PATCH");
  EXPECT_EQ(Field(recorded, "path"), absl::StrCat("/v2/webinars/", kWebinar, "/livestream/status"));
  const auto& headers = recorded.fields().at("headers").struct_value();
  EXPECT_EQ(Field(headers, "authorization"), absl::StrCat("Bearer ", kEmulatorToken));
  EXPECT_EQ(Field(headers, "accept"), "application/json");
  EXPECT_THAT(Field(headers, "user-agent"), StartsWith("zoom-livestream-gateway/"));
  const std::string content_type = Field(headers, "content-type");
  ASSERT_THAT(content_type, StartsWith("multipart/form-data; boundary="));
  const std::string boundary = content_type.substr(content_type.find('=') + 1);
  EXPECT_EQ(Field(recorded, "body"),
            absl::StrCat("--", boundary,
                         "\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nstart\r\n--",
                         boundary,
                         "\r\nContent-Disposition: form-data; name=\"settings\"\r\n\r\n"
                         "{\"active_speaker_name\":false,\"display_name\":\"reprehender\"}\r\n--",
                         boundary, "--\r\n"));
  const auto& form = recorded.fields().at("form").struct_value();
  EXPECT_EQ(Field(form, "action"), "start");
  EXPECT_EQ(Field(form, "settings"),
            "{\"active_speaker_name\":false,\"display_name\":\"reprehender\"}");
}

TEST_F(UpdateStatusTest, MeetingStopUsesMeetingsPathAndOmitsSettings) {
  UpdateStatusRequest request;
  request.set_meeting_id(kMeeting);
  request.set_action(LIVE_STREAM_ACTION_STOP);
  UpdateStatusResponse response;
  grpc::Status status = Call(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  auto requests = emulator_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(Field(requests[0], "path"),
            absl::StrCat("/v2/meetings/", kMeeting, "/livestream/status"));
  const auto& form = requests[0].fields().at("form").struct_value();
  EXPECT_EQ(Field(form, "action"), "stop");
  EXPECT_FALSE(form.fields().contains("settings"));
}

TEST_F(UpdateStatusTest, SettingsOnlyCallSendsNoAction) {
  UpdateStatusRequest request;
  request.set_webinar_id(kWebinar);
  request.mutable_settings()->set_active_speaker_name(true);
  UpdateStatusResponse response;
  ASSERT_TRUE(Call(request, &response).ok());
  auto requests = emulator_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& form = requests[0].fields().at("form").struct_value();
  EXPECT_FALSE(form.fields().contains("action"));
  EXPECT_EQ(Field(form, "settings"), "{\"active_speaker_name\":true}");
}

TEST_F(UpdateStatusTest, UnknownWebinarIsNotFoundWithZoomDetails) {
  UpdateStatusRequest request;
  request.set_webinar_id("12345");
  request.set_action(LIVE_STREAM_ACTION_START);
  UpdateStatusResponse response;
  grpc::Status status = Call(request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("Webinar does not exist: 12345."));
  auto info = Detail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "ZOOM_WEBINAR_NOT_FOUND");
  EXPECT_EQ(info->domain(), "zoom-livestream-gateway");
  EXPECT_EQ(MetadataOf(*info, "zoomCode"), "3001");
  EXPECT_EQ(MetadataOf(*info, "httpStatus"), "400");
  EXPECT_THAT(MetadataOf(*info, "trackingId"), StartsWith("v=2.0;"));
  auto resource = Detail<google::rpc::ResourceInfo>(status);
  ASSERT_TRUE(resource.has_value());
  EXPECT_EQ(resource->resource_name(), "12345");
}

TEST_F(UpdateStatusTest, WebinarNotStartedIsFailedPrecondition) {
  UpdateStatusRequest request;
  request.set_webinar_id("99289110038");
  request.set_action(LIVE_STREAM_ACTION_START);
  UpdateStatusResponse response;
  grpc::Status status = Call(request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  auto info = Detail<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(MetadataOf(*info, "zoomCode"), "200");
  EXPECT_TRUE(Detail<google::rpc::PreconditionFailure>(status).has_value());
}

struct InvalidCase {
  std::string name;
  std::function<void(UpdateStatusRequest&)> mutate;
  std::string field;
};

// Names the case in test output instead of dumping its bytes.
void PrintTo(const InvalidCase& value, std::ostream* os) { *os << value.name; }

class ValidationTest : public UpdateStatusTest,
                       public ::testing::WithParamInterface<InvalidCase> {};

TEST_P(ValidationTest, RejectsWithBadRequestAndSendsNothingUpstream) {
  UpdateStatusRequest request;
  request.set_webinar_id(kWebinar);
  request.set_action(LIVE_STREAM_ACTION_START);
  GetParam().mutate(request);
  UpdateStatusResponse response;
  grpc::Status status = Call(request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto bad_request = Detail<google::rpc::BadRequest>(status);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_GE(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(), GetParam().field);
  EXPECT_EQ(CountDetails(status, "google.rpc.ErrorInfo"), 1);
  EXPECT_TRUE(emulator_->Requests().empty());
  EXPECT_EQ(emulator_->Stats().fields().at("api_requests").number_value(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidationTest,
    ::testing::Values(
        InvalidCase{"NoTarget", [](UpdateStatusRequest& r) { r.clear_target(); }, "target"},
        InvalidCase{"PathTrick", [](UpdateStatusRequest& r) { r.set_webinar_id("../1"); },
                    "webinar_id"},
        InvalidCase{"NonNumericMeeting", [](UpdateStatusRequest& r) { r.set_meeting_id("abc"); },
                    "meeting_id"},
        InvalidCase{"LeadingZero", [](UpdateStatusRequest& r) { r.set_webinar_id("0123"); },
                    "webinar_id"},
        InvalidCase{"EmptyDisplayName",
                    [](UpdateStatusRequest& r) { r.mutable_settings()->set_display_name(""); },
                    "settings.display_name"},
        InvalidCase{"LongDisplayName",
                    [](UpdateStatusRequest& r) {
                      r.mutable_settings()->set_display_name(std::string(51, 'x'));
                    },
                    "settings.display_name"},
        InvalidCase{"NewlineInDisplayName",
                    [](UpdateStatusRequest& r) {
                      r.mutable_settings()->set_display_name("a\r\nInjected: header");
                    },
                    "settings.display_name"},
        InvalidCase{"NothingToDo",
                    [](UpdateStatusRequest& r) {
                      r.set_action(zoom::livestream::v1::LIVE_STREAM_ACTION_UNSPECIFIED);
                    },
                    "action"}),
    [](const ::testing::TestParamInfo<InvalidCase>& info) { return info.param.name; });

TEST_F(UpdateStatusTest, OversizedRequestIsRejectedBeforeZoom) {
  UpdateStatusRequest request;
  request.set_webinar_id(kWebinar);
  request.mutable_settings()->set_display_name(std::string(70 * 1024, 'x'));
  UpdateStatusResponse response;
  grpc::Status status = Call(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(emulator_->Requests().empty());
}

TEST_F(UpdateStatusTest, HealthIsServing) {
  auto channel = grpc::CreateChannel(server_->target(), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  for (const std::string service : {"", "zoom.livestream.v1.LiveStreamService"}) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    ASSERT_TRUE(health->Check(&context, request, &response).ok());
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
}

}  // namespace
}  // namespace livestream_gateway::testing
