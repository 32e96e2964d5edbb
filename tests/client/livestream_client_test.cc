#include "client/cpp/livestream_client.h"

#include <atomic>
#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/client/fake_livestream_server.h"

namespace livestream_client {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::livestream_client::testing::FakeLiveStreamServer;
using ::livestream_client::testing::FakeReply;
using ::livestream_client::testing::RichStatus;

template <typename T>
T Parse(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

google::rpc::ErrorInfo NotFoundInfo() {
  return Parse<google::rpc::ErrorInfo>(R"pb(
    reason: "ZOOM_WEBINAR_NOT_FOUND"
    domain: "zoom-livestream-gateway"
    metadata { key: "zoomCode" value: "3001" }
    metadata { key: "trackingId" value: "trk-9" }
    metadata { key: "httpStatus" value: "404" }
  )pb");
}

google::rpc::ResourceInfo WebinarResource() {
  return Parse<google::rpc::ResourceInfo>(R"pb(
    resource_type: "zoom.us/Webinar"
    resource_name: "123"
    description: "Webinar does not exist."
  )pb");
}

// A status whose details trailer is `bytes` as is, to test undecodable or
// hand-built payloads.
grpc::Status StatusWithRawDetails(grpc::StatusCode code, const std::string& message,
                                  const std::string& bytes) {
  return grpc::Status(code, message, bytes);
}

std::string DetailsWithUnknownType() {
  google::rpc::Status rpc_status;
  google::protobuf::Any* any = rpc_status.add_details();
  any->set_type_url("type.googleapis.com/acme.v1.Mystery");
  any->set_value("abc");
  return rpc_status.SerializeAsString();
}

struct FormatCase {
  std::string name;
  grpc::Status status;
  std::string expected;
};

void PrintTo(const FormatCase& c, std::ostream* os) { *os << c.name; }

class FormatStatusTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(FormatStatusTest, PrintsCodeMessageAndEveryDetail) {
  EXPECT_EQ(FormatStatus(GetParam().status), GetParam().expected);
  // The absl form keeps the details, so it prints the same.
  EXPECT_EQ(FormatStatus(FromGrpcStatus(GetParam().status)), GetParam().expected);
}

google::rpc::ErrorInfo SampleBareInfo() {
  return Parse<google::rpc::ErrorInfo>(R"pb(reason: "INTERNAL_ERROR" domain: "d")pb");
}
google::rpc::BadRequest SampleBadRequest() {
  return Parse<google::rpc::BadRequest>(R"pb(
    field_violations { field: "settings.display_name" description: "must be 1 to 50 characters" }
    field_violations { field: "webinar_id" description: "must be a positive integer" }
  )pb");
}

google::rpc::PreconditionFailure SamplePrecondition() {
  return Parse<google::rpc::PreconditionFailure>(R"pb(
    violations {
      type: "LIVE_STREAM"
      subject: "webinars/123"
      description: "Live streaming is not enabled."
    }
  )pb");
}
google::rpc::RetryInfo SampleRetryInfo() {
  return Parse<google::rpc::RetryInfo>(R"pb(retry_delay { seconds: 1 nanos: 500000000 })pb");
}
google::rpc::QuotaFailure SampleQuotaFailure() {
  return Parse<google::rpc::QuotaFailure>(R"pb(
    violations { subject: "account" description: "Daily request limit reached." }
  )pb");
}
google::rpc::DebugInfo SampleDebugInfo() {
  return Parse<google::rpc::DebugInfo>(R"pb(detail: "upstream reset")pb");
}

INSTANTIATE_TEST_SUITE_P(
    AllDetails, FormatStatusTest,
    ::testing::Values(
        FormatCase{"Ok", grpc::Status::OK, "OK"},
        FormatCase{"NoDetails", grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"),
                   "UNAVAILABLE: connection refused"},
        FormatCase{"NoMessage", grpc::Status(grpc::StatusCode::CANCELLED, ""), "CANCELLED"},
        FormatCase{
            "ErrorInfoMetadataSortedByKey",
            RichStatus(grpc::StatusCode::NOT_FOUND, "Zoom webinar 123 not found", NotFoundInfo()),
            "NOT_FOUND: Zoom webinar 123 not found\n"
            "  ErrorInfo: reason=ZOOM_WEBINAR_NOT_FOUND domain=zoom-livestream-gateway "
            "metadata{httpStatus=404, trackingId=trk-9, zoomCode=3001}"},
        FormatCase{"ErrorInfoWithoutMetadata",
                   RichStatus(grpc::StatusCode::INTERNAL, "oops", SampleBareInfo()),
                   "INTERNAL: oops\n  ErrorInfo: reason=INTERNAL_ERROR domain=d"},
        FormatCase{"ResourceInfoSkipsEmptyFields",
                   RichStatus(grpc::StatusCode::NOT_FOUND, "nf", WebinarResource()),
                   "NOT_FOUND: nf\n  ResourceInfo: resource_type=zoom.us/Webinar "
                   "resource_name=123 description=Webinar does not exist."},
        FormatCase{
            "BadRequestOneLinePerViolation",
            RichStatus(grpc::StatusCode::INVALID_ARGUMENT, "invalid request", SampleBadRequest()),
            "INVALID_ARGUMENT: invalid request\n"
            "  BadRequest: settings.display_name: must be 1 to 50 characters\n"
            "  BadRequest: webinar_id: must be a positive integer"},
        FormatCase{"EmptyBadRequest",
                   RichStatus(grpc::StatusCode::INVALID_ARGUMENT, "bad", google::rpc::BadRequest()),
                   "INVALID_ARGUMENT: bad\n  BadRequest: (no field violations)"},
        FormatCase{
            "PreconditionFailure",
            RichStatus(grpc::StatusCode::FAILED_PRECONDITION, "not ready", SamplePrecondition()),
            "FAILED_PRECONDITION: not ready\n  PreconditionFailure: type=LIVE_STREAM "
            "subject=webinars/123: Live streaming is not enabled."},
        FormatCase{"RetryInfo",
                   RichStatus(grpc::StatusCode::UNAVAILABLE, "try later", SampleRetryInfo()),
                   "UNAVAILABLE: try later\n  RetryInfo: retry_delay=1.5s"},
        FormatCase{
            "QuotaFailure",
            RichStatus(grpc::StatusCode::RESOURCE_EXHAUSTED, "slow down", SampleQuotaFailure()),
            "RESOURCE_EXHAUSTED: slow down\n"
            "  QuotaFailure: account: Daily request limit reached."},
        FormatCase{"OtherGoogleRpcTypeInTextFormat",
                   RichStatus(grpc::StatusCode::INTERNAL, "x", SampleDebugInfo()),
                   "INTERNAL: x\n  DebugInfo: detail: \"upstream reset\""},
        FormatCase{"UnknownTypeByUrl",
                   StatusWithRawDetails(grpc::StatusCode::INTERNAL, "x", DetailsWithUnknownType()),
                   "INTERNAL: x\n  type.googleapis.com/acme.v1.Mystery (3 bytes)"},
        FormatCase{"UndecodableDetails",
                   StatusWithRawDetails(grpc::StatusCode::INTERNAL, "x", "\xff\xff\xff"),
                   "INTERNAL: x\n  (undecodable error details, 3 bytes)"},
        FormatCase{"ControlCharactersEscapedUtf8Kept",
                   grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                "name \"a\nb\x1b[31m\" \xc3\xa9t\xc3\xa9"),
                   "INVALID_ARGUMENT: name \"a\\nb\\x1b[31m\" \xc3\xa9t\xc3\xa9"},
        FormatCase{"DetailsInServerOrder",
                   RichStatus(grpc::StatusCode::NOT_FOUND, "Zoom webinar 123 not found",
                              NotFoundInfo(), WebinarResource(), SampleBadRequest()),
                   "NOT_FOUND: Zoom webinar 123 not found\n"
                   "  ErrorInfo: reason=ZOOM_WEBINAR_NOT_FOUND domain=zoom-livestream-gateway "
                   "metadata{httpStatus=404, trackingId=trk-9, zoomCode=3001}\n"
                   "  ResourceInfo: resource_type=zoom.us/Webinar resource_name=123 "
                   "description=Webinar does not exist.\n"
                   "  BadRequest: settings.display_name: must be 1 to 50 characters\n"
                   "  BadRequest: webinar_id: must be a positive integer"}),
    [](const ::testing::TestParamInfo<FormatCase>& info) { return info.param.name; });

TEST(FormatStatusCodeTest, OutOfRangeCodeIsPrintedAsNumber) {
  // 20 is past the last code but, unlike larger values, still a valid value of
  // the StatusCode enum (UBSan rejects those).
  EXPECT_EQ(FormatStatus(grpc::Status(static_cast<grpc::StatusCode>(20), "odd")), "CODE_20: odd");
}

TEST(StatusConversionTest, RoundTripKeepsCodeMessageAndDetails) {
  const grpc::Status original = RichStatus(grpc::StatusCode::NOT_FOUND, "Zoom webinar not found",
                                           NotFoundInfo(), SampleRetryInfo());
  const absl::Status converted = FromGrpcStatus(original);
  EXPECT_EQ(converted.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(converted.message(), "Zoom webinar not found");
  const grpc::Status back = ToGrpcStatus(converted);
  EXPECT_EQ(back.error_code(), original.error_code());
  EXPECT_EQ(back.error_message(), original.error_message());
  EXPECT_EQ(back.error_details(), original.error_details());
}

TEST(StatusConversionTest, OkAndOutOfRangeCodes) {
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(20), "odd")).code(),
            absl::StatusCode::kUnknown);
}

TEST(DetailAccessorsTest, FindEachDetailType) {
  const absl::Status status = FromGrpcStatus(RichStatus(
      grpc::StatusCode::FAILED_PRECONDITION, "m", NotFoundInfo(), WebinarResource(),
      SampleBadRequest(), SamplePrecondition(), SampleRetryInfo(), SampleQuotaFailure()));
  ASSERT_TRUE(RpcStatusOf(status).has_value());
  EXPECT_EQ(RpcStatusOf(status)->details_size(), 6);
  ASSERT_TRUE(ErrorInfoOf(status).has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*ErrorInfoOf(status), NotFoundInfo()));
  ASSERT_TRUE(ResourceInfoOf(status).has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*ResourceInfoOf(status), WebinarResource()));
  ASSERT_TRUE(BadRequestOf(status).has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*BadRequestOf(status), SampleBadRequest()));
  ASSERT_TRUE(PreconditionFailureOf(status).has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*PreconditionFailureOf(status), SamplePrecondition()));
  ASSERT_TRUE(RetryInfoOf(status).has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*RetryInfoOf(status), SampleRetryInfo()));
  ASSERT_TRUE(QuotaFailureOf(status).has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*QuotaFailureOf(status), SampleQuotaFailure()));
  EXPECT_EQ(RetryDelayOf(status), absl::Milliseconds(1500));
}

TEST(DetailAccessorsTest, AbsentDetails) {
  const absl::Status plain = absl::NotFoundError("no details");
  EXPECT_FALSE(RpcStatusOf(plain).has_value());
  EXPECT_FALSE(ErrorInfoOf(plain).has_value());
  EXPECT_FALSE(RetryDelayOf(plain).has_value());
  const absl::Status only_info =
      FromGrpcStatus(RichStatus(grpc::StatusCode::NOT_FOUND, "m", NotFoundInfo()));
  EXPECT_TRUE(ErrorInfoOf(only_info).has_value());
  EXPECT_FALSE(BadRequestOf(only_info).has_value());
  EXPECT_FALSE(RetryInfoOf(only_info).has_value());
  const absl::Status garbage =
      FromGrpcStatus(StatusWithRawDetails(grpc::StatusCode::INTERNAL, "m", "\xff\xff\xff"));
  EXPECT_FALSE(RpcStatusOf(garbage).has_value());
  EXPECT_FALSE(ErrorInfoOf(garbage).has_value());
}

TEST(ErrorReasonOfTest, ReadsTheGatewaysReasonAsTheEnum) {
  EXPECT_EQ(
      ErrorReasonOf(FromGrpcStatus(RichStatus(grpc::StatusCode::NOT_FOUND, "m", NotFoundInfo()))),
      ErrorReason::ZOOM_WEBINAR_NOT_FOUND);
  EXPECT_EQ(ErrorReasonOf(absl::NotFoundError("no details")),
            ErrorReason::ERROR_REASON_UNSPECIFIED);

  google::rpc::ErrorInfo other_domain = NotFoundInfo();
  other_domain.set_domain("googleapis.com");
  EXPECT_EQ(
      ErrorReasonOf(FromGrpcStatus(RichStatus(grpc::StatusCode::NOT_FOUND, "m", other_domain))),
      ErrorReason::ERROR_REASON_UNSPECIFIED);

  google::rpc::ErrorInfo newer_reason = NotFoundInfo();
  newer_reason.set_reason("ZOOM_SOMETHING_NEW");
  EXPECT_EQ(
      ErrorReasonOf(FromGrpcStatus(RichStatus(grpc::StatusCode::NOT_FOUND, "m", newer_reason))),
      ErrorReason::ERROR_REASON_UNSPECIFIED);
}

class LiveStreamClientTest : public ::testing::Test {
 protected:
  FakeLiveStreamServer server_;
  LiveStreamClient client_{MakeChannel(server_.target())};
};

UpdateStatusRequest StartWebinar() {
  return Parse<UpdateStatusRequest>(R"pb(
    webinar_id: "99289110036"
    action: LIVE_STREAM_ACTION_START
    settings { display_name: "Town hall" active_speaker_name: true }
  )pb");
}

TEST_F(LiveStreamClientTest, SuccessSendsRequestAndReturnsTrackingId) {
  server_.SetReplies({FakeReply::Ok("trk-1")});
  absl::StatusOr<UpdateStatusResponse> response =
      client_.UpdateStatus(StartWebinar(), absl::Seconds(30));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->tracking_id(), "trk-1");
  const std::vector<testing::ReceivedCall> calls = server_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(calls[0].request, StartWebinar()));
}

TEST_F(LiveStreamClientTest, RichErrorSurvivesTheWire) {
  const grpc::Status sent = RichStatus(grpc::StatusCode::NOT_FOUND, "Zoom webinar 123 not found",
                                       NotFoundInfo(), WebinarResource());
  server_.SetReplies({FakeReply::Error(sent)});
  absl::StatusOr<UpdateStatusResponse> response =
      client_.UpdateStatus(StartWebinar(), absl::Seconds(30));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(response.status().message(), "Zoom webinar 123 not found");
  ASSERT_TRUE(ErrorInfoOf(response.status()).has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*ErrorInfoOf(response.status()), NotFoundInfo()));
  ASSERT_TRUE(ResourceInfoOf(response.status()).has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*ResourceInfoOf(response.status()), WebinarResource()));
  EXPECT_EQ(FormatStatus(response.status()), FormatStatus(sent));
}

TEST_F(LiveStreamClientTest, DeadlineIsSentAndHonoured) {
  server_.SetReplies({FakeReply::Hold()});
  const auto before = std::chrono::system_clock::now();
  absl::StatusOr<UpdateStatusResponse> response =
      client_.UpdateStatus(StartWebinar(), absl::Milliseconds(300));
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded);
  const auto after = std::chrono::system_clock::now();
  ASSERT_TRUE(server_.WaitForCancellations(1));
  const std::vector<testing::ReceivedCall> calls = server_.calls();
  ASSERT_EQ(calls.size(), 1u);
  // The server sees the caller's deadline. gRPC sends it as a relative
  // timeout and both ends read a cached clock, hence the slack.
  EXPECT_GE(calls[0].deadline, before + std::chrono::milliseconds(300 - 50));
  EXPECT_LE(calls[0].deadline, after + std::chrono::milliseconds(100));
}

TEST_F(LiveStreamClientTest, InfiniteTimeoutSendsNoDeadline) {
  server_.SetReplies({FakeReply::Ok("t")});
  ASSERT_TRUE(client_.UpdateStatus(StartWebinar(), absl::InfiniteDuration()).ok());
  const std::vector<testing::ReceivedCall> calls = server_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_GT(calls[0].deadline, std::chrono::system_clock::now() + std::chrono::hours(24 * 365));
}

TEST_F(LiveStreamClientTest, AsyncSuccess) {
  server_.SetReplies({FakeReply::Ok("trk-async")});
  absl::Notification done;
  absl::StatusOr<UpdateStatusResponse> result;
  client_.UpdateStatusAsync(StartWebinar(), absl::Seconds(30),
                            [&](absl::StatusOr<UpdateStatusResponse> r) {
                              result = std::move(r);
                              done.Notify();
                            });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->tracking_id(), "trk-async");
  ASSERT_EQ(server_.calls().size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(server_.calls()[0].request, StartWebinar()));
}

TEST_F(LiveStreamClientTest, AsyncRichError) {
  const grpc::Status sent =
      RichStatus(grpc::StatusCode::INVALID_ARGUMENT, "invalid request", SampleBadRequest());
  server_.SetReplies({FakeReply::Error(sent)});
  absl::Notification done;
  absl::StatusOr<UpdateStatusResponse> result;
  client_.UpdateStatusAsync(StartWebinar(), absl::Seconds(30),
                            [&](absl::StatusOr<UpdateStatusResponse> r) {
                              result = std::move(r);
                              done.Notify();
                            });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(BadRequestOf(result.status()).has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*BadRequestOf(result.status()), SampleBadRequest()));
}

TEST_F(LiveStreamClientTest, AsyncDeadline) {
  server_.SetReplies({FakeReply::Hold()});
  absl::Notification done;
  absl::StatusOr<UpdateStatusResponse> result;
  client_.UpdateStatusAsync(StartWebinar(), absl::Milliseconds(200),
                            [&](absl::StatusOr<UpdateStatusResponse> r) {
                              result = std::move(r);
                              done.Notify();
                            });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST_F(LiveStreamClientTest, AsyncCancelReachesServer) {
  server_.SetReplies({FakeReply::Hold()});
  absl::Notification done;
  absl::StatusOr<UpdateStatusResponse> result;
  PendingCall call = client_.UpdateStatusAsync(StartWebinar(), absl::Seconds(60),
                                               [&](absl::StatusOr<UpdateStatusResponse> r) {
                                                 result = std::move(r);
                                                 done.Notify();
                                               });
  ASSERT_TRUE(server_.WaitForCalls(1));
  EXPECT_FALSE(done.HasBeenNotified());
  call.Cancel();
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(server_.WaitForCancellations(1));
  call.Cancel();  // After completion: harmless.
}

// Destroying a client with calls in flight cancels them and returns only
// once every callback has run and gRPC has let go of each call (so that the
// channel's last reference never drops on a gRPC thread; async_calls.h).
TEST_F(LiveStreamClientTest, DestroyingTheClientCancelsItsCallsAndWaitsForTheirCallbacks) {
  server_.SetReplies({FakeReply::Hold()});
  std::atomic<int> callbacks{0};
  std::atomic<int> cancelled{0};
  auto client = std::make_unique<LiveStreamClient>(MakeChannel(server_.target()));
  for (int i = 0; i < 3; ++i) {
    client->UpdateStatusAsync(StartWebinar(), absl::Seconds(60),
                              [&](absl::StatusOr<UpdateStatusResponse> r) {
                                if (r.status().code() == absl::StatusCode::kCancelled) ++cancelled;
                                ++callbacks;
                              });
  }
  ASSERT_TRUE(server_.WaitForCalls(3));
  EXPECT_EQ(callbacks.load(), 0);
  client.reset();
  EXPECT_EQ(callbacks.load(), 3);
  EXPECT_EQ(cancelled.load(), 3);
  EXPECT_TRUE(server_.WaitForCancellations(3));
}

// A callback may destroy its own client: it waits for the other calls, not
// for itself (the channel outlives it here, as the header asks).
TEST_F(LiveStreamClientTest, ACallbackMayDestroyItsOwnClient) {
  server_.SetReplies({FakeReply::Ok("t")});
  std::shared_ptr<grpc::Channel> channel = MakeChannel(server_.target());
  auto client = std::make_unique<LiveStreamClient>(channel);
  absl::Notification destroyed;
  client->UpdateStatusAsync(StartWebinar(), absl::Seconds(30),
                            [&](absl::StatusOr<UpdateStatusResponse> r) {
                              EXPECT_TRUE(r.ok()) << r.status();
                              client.reset();
                              destroyed.Notify();
                            });
  ASSERT_TRUE(destroyed.WaitForNotificationWithTimeout(absl::Seconds(30)));
}

GetLiveStreamRequest GetWebinar() {
  return Parse<GetLiveStreamRequest>(R"pb(webinar_id: "99289110036")pb");
}

UpdateLiveStreamRequest ConfigureWebinar() {
  return Parse<UpdateLiveStreamRequest>(R"pb(
    webinar_id: "99289110036"
    live_stream { page_url: "https://example.com/watch" resolution: LIVE_STREAM_RESOLUTION_1080P }
    update_mask { paths: "page_url" paths: "resolution" }
  )pb");
}

LiveStream SampleLiveStream() {
  return Parse<LiveStream>(R"pb(
    stream_url: "rtmp://live.example.com/app"
    stream_key: "s3cret-key"
    page_url: "https://example.com/watch"
    resolution: LIVE_STREAM_RESOLUTION_1080P
  )pb");
}

TEST_F(LiveStreamClientTest, GetLiveStreamSendsRequestAndReturnsConfiguration) {
  server_.SetReplies({FakeReply::Ok("trk-get", SampleLiveStream())});
  absl::StatusOr<GetLiveStreamResponse> response =
      client_.GetLiveStream(GetWebinar(), absl::Seconds(30));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->tracking_id(), "trk-get");
  EXPECT_TRUE(MessageDifferencer::Equals(response->live_stream(), SampleLiveStream()));
  const std::vector<testing::ReceivedCall> calls = server_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "GetLiveStream");
  EXPECT_TRUE(MessageDifferencer::Equals(calls[0].get_request, GetWebinar()));
}

TEST_F(LiveStreamClientTest, UpdateLiveStreamSendsRequestWithMaskAndReturnsConfiguration) {
  server_.SetReplies({FakeReply::Ok("trk-patch", SampleLiveStream())});
  absl::StatusOr<UpdateLiveStreamResponse> response =
      client_.UpdateLiveStream(ConfigureWebinar(), absl::Seconds(30));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->tracking_id(), "trk-patch");
  EXPECT_TRUE(MessageDifferencer::Equals(response->live_stream(), SampleLiveStream()));
  const std::vector<testing::ReceivedCall> calls = server_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "UpdateLiveStream");
  EXPECT_TRUE(MessageDifferencer::Equals(calls[0].update_request, ConfigureWebinar()));
}

TEST_F(LiveStreamClientTest, ConfigurationCallsKeepRichErrors) {
  const grpc::Status not_found =
      RichStatus(grpc::StatusCode::NOT_FOUND, "Zoom webinar 123 not found", NotFoundInfo());
  const grpc::Status invalid =
      RichStatus(grpc::StatusCode::INVALID_ARGUMENT, "invalid request", SampleBadRequest());
  server_.SetReplies({FakeReply::Error(not_found), FakeReply::Error(invalid)});

  absl::StatusOr<GetLiveStreamResponse> got =
      client_.GetLiveStream(GetWebinar(), absl::Seconds(30));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ErrorReasonOf(got.status()), ErrorReason::ZOOM_WEBINAR_NOT_FOUND);
  EXPECT_EQ(FormatStatus(got.status()), FormatStatus(not_found));

  absl::StatusOr<UpdateLiveStreamResponse> updated =
      client_.UpdateLiveStream(ConfigureWebinar(), absl::Seconds(30));
  EXPECT_EQ(updated.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(BadRequestOf(updated.status()).has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(*BadRequestOf(updated.status()), SampleBadRequest()));
  EXPECT_EQ(FormatStatus(updated.status()), FormatStatus(invalid));
}

TEST_F(LiveStreamClientTest, ConfigurationCallsSendTheDeadline) {
  server_.SetReplies({FakeReply::Hold()});
  EXPECT_EQ(client_.GetLiveStream(GetWebinar(), absl::Milliseconds(200)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(client_.UpdateLiveStream(ConfigureWebinar(), absl::Milliseconds(200)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  ASSERT_TRUE(server_.WaitForCancellations(2));
  const std::vector<testing::ReceivedCall> calls = server_.calls();
  ASSERT_EQ(calls.size(), 2u);
  for (const testing::ReceivedCall& call : calls) {
    EXPECT_LT(call.deadline, std::chrono::system_clock::now() + std::chrono::seconds(10))
        << call.method;
  }
}

TEST(LiveStreamClientOptionsTest, ConfigurationCallsSendTheBearerToken) {
  FakeLiveStreamServer server;
  LiveStreamClient client(MakeChannel(server.target()), {.bearer_token = "tok-123"});
  ASSERT_TRUE(client.GetLiveStream(GetWebinar(), absl::Seconds(30)).ok());
  ASSERT_TRUE(client.UpdateLiveStream(ConfigureWebinar(), absl::Seconds(30)).ok());
  const std::vector<testing::ReceivedCall> calls = server.calls();
  ASSERT_EQ(calls.size(), 2u);
  for (const testing::ReceivedCall& call : calls) {
    ASSERT_EQ(call.authorization.size(), 1u) << call.method;
    EXPECT_EQ(call.authorization[0], "Bearer tok-123") << call.method;
  }
}

TEST_F(LiveStreamClientTest, AsyncGetLiveStream) {
  server_.SetReplies({FakeReply::Ok("trk-async-get", SampleLiveStream())});
  absl::Notification done;
  absl::StatusOr<GetLiveStreamResponse> result;
  client_.GetLiveStreamAsync(GetWebinar(), absl::Seconds(30),
                             [&](absl::StatusOr<GetLiveStreamResponse> r) {
                               result = std::move(r);
                               done.Notify();
                             });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->tracking_id(), "trk-async-get");
  EXPECT_TRUE(MessageDifferencer::Equals(result->live_stream(), SampleLiveStream()));
  ASSERT_EQ(server_.calls().size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(server_.calls()[0].get_request, GetWebinar()));
}

TEST_F(LiveStreamClientTest, AsyncUpdateLiveStreamRichError) {
  const grpc::Status sent =
      RichStatus(grpc::StatusCode::INVALID_ARGUMENT, "invalid request", SampleBadRequest());
  server_.SetReplies({FakeReply::Error(sent)});
  absl::Notification done;
  absl::StatusOr<UpdateLiveStreamResponse> result;
  client_.UpdateLiveStreamAsync(ConfigureWebinar(), absl::Seconds(30),
                                [&](absl::StatusOr<UpdateLiveStreamResponse> r) {
                                  result = std::move(r);
                                  done.Notify();
                                });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(BadRequestOf(result.status()).has_value());
  ASSERT_EQ(server_.calls().size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(server_.calls()[0].update_request, ConfigureWebinar()));
}

TEST_F(LiveStreamClientTest, AsyncUpdateLiveStreamCancelReachesServer) {
  server_.SetReplies({FakeReply::Hold()});
  absl::Notification done;
  absl::StatusOr<UpdateLiveStreamResponse> result;
  PendingCall call = client_.UpdateLiveStreamAsync(ConfigureWebinar(), absl::Seconds(60),
                                                   [&](absl::StatusOr<UpdateLiveStreamResponse> r) {
                                                     result = std::move(r);
                                                     done.Notify();
                                                   });
  ASSERT_TRUE(server_.WaitForCalls(1));
  call.Cancel();
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(30)));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(server_.WaitForCancellations(1));
}

TEST(MakeChannelTest, AppliesServiceConfig) {
  FakeLiveStreamServer server;
  const grpc::Status unavailable(grpc::StatusCode::UNAVAILABLE, "try again");
  server.SetReplies(
      {FakeReply::Error(unavailable), FakeReply::Error(unavailable), FakeReply::Ok("third time")});
  LiveStreamClient client(MakeChannel(server.target(), {.service_config_json = R"json({
    "methodConfig": [{
      "name": [{"service": "zoom.livestream.v1.LiveStreamService"}],
      "retryPolicy": {"maxAttempts": 3, "initialBackoff": "0.01s", "maxBackoff": "0.05s",
                      "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}
    }]})json"}));
  absl::StatusOr<UpdateStatusResponse> response =
      client.UpdateStatus(StartWebinar(), absl::Seconds(30));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->tracking_id(), "third time");
  EXPECT_EQ(server.calls().size(), 3u);
}

// The shipped policy (client/service_config.json) names the whole service,
// so it covers the configuration calls too.
TEST(MakeChannelTest, ServiceWideRetryPolicyCoversConfigurationCalls) {
  FakeLiveStreamServer server;
  const grpc::Status unavailable(grpc::StatusCode::UNAVAILABLE, "try again");
  server.SetReplies({FakeReply::Error(unavailable), FakeReply::Ok("get", SampleLiveStream()),
                     FakeReply::Error(unavailable), FakeReply::Ok("patch", SampleLiveStream())});
  LiveStreamClient client(MakeChannel(server.target(), {.service_config_json = R"json({
    "methodConfig": [{
      "name": [{"service": "zoom.livestream.v1.LiveStreamService"}],
      "retryPolicy": {"maxAttempts": 3, "initialBackoff": "0.01s", "maxBackoff": "0.05s",
                      "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}
    }]})json"}));
  absl::StatusOr<GetLiveStreamResponse> got = client.GetLiveStream(GetWebinar(), absl::Seconds(30));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->tracking_id(), "get");
  absl::StatusOr<UpdateLiveStreamResponse> updated =
      client.UpdateLiveStream(ConfigureWebinar(), absl::Seconds(30));
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->tracking_id(), "patch");
  EXPECT_EQ(server.calls().size(), 4u);
}

// client/service_config.json, compiled in, is what a channel gets unless told
// otherwise.
TEST(MakeChannelTest, RetriesUnavailableByDefault) {
  FakeLiveStreamServer server;
  server.SetReplies({FakeReply::Error(grpc::Status(grpc::StatusCode::UNAVAILABLE, "shed")),
                     FakeReply::Ok("second attempt")});
  LiveStreamClient client(MakeChannel(server.target()));
  absl::StatusOr<UpdateStatusResponse> response =
      client.UpdateStatus(StartWebinar(), absl::Seconds(30));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->tracking_id(), "second attempt");
  EXPECT_EQ(server.calls().size(), 2u);
}

TEST(MakeChannelTest, DefaultServiceConfigRetriesOnlyUnavailable) {
  FakeLiveStreamServer server;
  server.SetReplies(
      {FakeReply::Error(grpc::Status(grpc::StatusCode::INTERNAL, "no")), FakeReply::Ok("unused")});
  LiveStreamClient client(MakeChannel(server.target()));
  EXPECT_EQ(client.UpdateStatus(StartWebinar(), absl::Seconds(30)).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(server.calls().size(), 1u);
}

TEST(MakeChannelTest, WithoutServiceConfigDoesNotRetry) {
  FakeLiveStreamServer server;
  server.SetReplies({FakeReply::Error(grpc::Status(grpc::StatusCode::UNAVAILABLE, "no")),
                     FakeReply::Ok("unused")});
  LiveStreamClient client(MakeChannel(server.target(), {.service_config_json = std::nullopt}));
  EXPECT_EQ(client.UpdateStatus(StartWebinar(), absl::Seconds(30)).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(server.calls().size(), 1u);
}

TEST(MakeChannelTest, InvalidServiceConfigFailsCallsInsteadOfCrashing) {
  FakeLiveStreamServer server;
  LiveStreamClient client(MakeChannel(server.target(), {.service_config_json = "{not json"}));
  absl::StatusOr<UpdateStatusResponse> response =
      client.UpdateStatus(StartWebinar(), absl::Seconds(30));
  EXPECT_FALSE(response.ok());
  EXPECT_TRUE(server.calls().empty());
}

}  // namespace
}  // namespace livestream_client
