// The gRPC edge in process: the real LiveStreamServiceImpl on a grpc::Server
// bound to 127.0.0.1:0, called through a generic (bytes) stub, in front of the
// fake HTTP client.

#include "server/livestream_service.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <pthread.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/cpp/livestream_client.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/authz/authorizer.h"
#include "server/authz/authz_policy.h"
#include "server/authz/bearer_tokens.h"
#include "server/error_details.h"
#include "server/metadata_limit.h"
#include "server/metrics/gateway_metrics.h"
#include "server/zoom/rate_limiter.h"
#include "server/zoom/scheduler.h"
#include "tests/unit/fake_http_client.h"

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::Answer;
using ::livestream_gateway::testing::FakeHttpClient;
using ::testing::AnyOf;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;
using ::zoom::livestream::v1::GetLiveStreamRequest;
using ::zoom::livestream::v1::GetLiveStreamResponse;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::UpdateLiveStreamRequest;
using ::zoom::livestream::v1::UpdateLiveStreamResponse;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

constexpr char kMethod[] = "/zoom.livestream.v1.LiveStreamService/UpdateStatus";
constexpr char kPushbackKey[] = "grpc-retry-pushback-ms";
// pthread names are at most 15 characters: gRPC 1.51's executor threads
// ("default-executor") show as "default-executo".
std::string ThreadName() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof(name));
  return name;
}

// Long enough for a loaded sanitizer build; every wait below ends as soon as
// its condition holds.
constexpr absl::Duration kPatience = absl::Seconds(30);

// The fake behind a thin decorator that lets a test wait for what happens to
// the service's calls: a call reaching the upstream, the service cancelling
// it, and the service letting go of its handle. The service's reactor holds
// the only reference to the handle it gets, and deletes itself in OnDone, so
// a released handle means the call's OnDone has run, on the thread recorded.
class Upstream final : public AsyncHttpClient {
 public:
  FakeHttpClient fake;

  // Set before the first call: the service's cancellations are counted but
  // do not reach the fake, as when one comes too late for the transfer.
  bool swallow_cancel = false;

  // Runs inside Send, on the thread that builds the reactor, before the
  // call reaches the fake.
  void OnSend(std::function<void()> hook) { on_send_ = std::move(hook); }
  // Runs inside Send once the fake has the request, with its index (for
  // Reply), so that a test can answer a request before Send returns. Set
  // before the first call, as OnSend.
  void AfterSend(std::function<void(int)> hook) { after_send_ = std::move(hook); }

  std::shared_ptr<Cancellable> Send(HttpRequest request, absl::Time deadline,
                                    HttpCallback done) override {
    if (on_send_) on_send_();
    std::shared_ptr<Cancellable> inner = fake.Send(std::move(request), deadline, std::move(done));
    int index = 0;
    {
      absl::MutexLock lock(&mu_);
      index = sent_++;
    }
    if (after_send_) after_send_(index);
    return std::make_shared<Handle>(this, std::move(inner));
  }

  bool AwaitSent(int n) { return Await(&sent_, n); }
  bool AwaitCancelled(int n) { return Await(&cancelled_, n); }
  bool AwaitReleased(int n) { return Await(&released_, n); }
  int Released() {
    absl::MutexLock lock(&mu_);
    return released_;
  }
  // The names of the threads the handles were released on, in order.
  std::vector<std::string> ReleaseThreads() {
    absl::MutexLock lock(&mu_);
    return release_threads_;
  }

 private:
  class Handle final : public Cancellable {
   public:
    Handle(Upstream* upstream, std::shared_ptr<Cancellable> inner)
        : upstream_(upstream), inner_(std::move(inner)) {}
    ~Handle() override {
      absl::MutexLock lock(&upstream_->mu_);
      ++upstream_->released_;
      upstream_->release_threads_.push_back(ThreadName());
    }
    // Counted once the fake has it, so that a test that saw the count sees
    // the fake's call cancelled.
    void Cancel() override {
      if (!upstream_->swallow_cancel) inner_->Cancel();
      absl::MutexLock lock(&upstream_->mu_);
      ++upstream_->cancelled_;
    }

   private:
    Upstream* const upstream_;
    const std::shared_ptr<Cancellable> inner_;
  };

  bool Await(const int* counter, int n) ABSL_LOCKS_EXCLUDED(mu_) {
    auto reached = [counter, n]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return *counter >= n; };
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kPatience);
  }

  std::function<void()> on_send_;
  std::function<void(int)> after_send_;
  absl::Mutex mu_;
  int sent_ ABSL_GUARDED_BY(mu_) = 0;
  int cancelled_ ABSL_GUARDED_BY(mu_) = 0;
  int released_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> release_threads_ ABSL_GUARDED_BY(mu_);
};

LiveStreamServiceOptions DefaultOptions() {
  LiveStreamServiceOptions options;
  options.request.api_base_url = "http://zoom.test/v2";
  options.log_requests = false;
  return options;
}

// One call through a generic stub: the request goes as bytes, so that tests
// can send what no generated stub would. It completes on its own completion
// queue, read by the thread that waits: gRPC's callback client API would hand
// the result over inside libgrpc, where ThreadSanitizer cannot see it.
class PendingCall {
 public:
  struct Result {
    grpc::Status status;
    std::multimap<std::string, std::string> trailers;
    std::optional<UpdateStatusResponse> response;
    // The response's bytes, whatever the method.
    std::string response_bytes;
  };

  PendingCall(grpc::GenericStub* stub, const std::string& request_bytes,
              absl::Duration timeout = absl::Seconds(60),
              const std::vector<std::pair<std::string, std::string>>& metadata = {},
              std::string method = kMethod)
      : stub_(stub), method_(std::move(method)) {
    grpc::Slice slice(request_bytes);
    request_ = grpc::ByteBuffer(&slice, 1);
    context_.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    for (const auto& [key, value] : metadata) context_.AddMetadata(key, value);
  }
  // A call must not outlive its context and queue.
  ~PendingCall() {
    if (reader_ != nullptr && !result_.has_value()) {
      context_.TryCancel();
      Wait();
    }
    cq_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  void Start() {
    reader_ = stub_->PrepareUnaryCall(&context_, method_, request_, &cq_);
    reader_->StartCall();
    reader_->Finish(&response_, &status_, this);
  }
  // Thread-safe.
  void Cancel() { context_.TryCancel(); }

  // The call's end; call from one thread only.
  Result Wait() {
    if (result_.has_value()) return *result_;
    void* tag = nullptr;
    bool ok = false;
    if (cq_.AsyncNext(&tag, &ok, absl::ToChronoTime(absl::Now() + kPatience)) !=
        grpc::CompletionQueue::GOT_EVENT) {
      Result never;
      never.status = grpc::Status(grpc::StatusCode::INTERNAL, "test: the call never ended");
      return never;
    }
    Result result;
    result.status = status_;
    for (const auto& [key, value] : context_.GetServerTrailingMetadata()) {
      result.trailers.emplace(std::string(key.data(), key.size()),
                              std::string(value.data(), value.size()));
    }
    if (status_.ok()) {
      std::vector<grpc::Slice> slices;
      if (response_.Dump(&slices).ok()) {
        for (const grpc::Slice& slice : slices) {
          result.response_bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
        }
      }
      UpdateStatusResponse response;
      if (grpc::SerializationTraits<UpdateStatusResponse>::Deserialize(&response_, &response)
              .ok()) {
        result.response = std::move(response);
      }
    }
    result_ = result;
    return result;
  }

 private:
  grpc::GenericStub* const stub_;
  const std::string method_;
  grpc::CompletionQueue cq_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::Status status_;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader_;
  std::optional<Result> result_;
};

// The service on a started server, with the fake upstream and metrics (which
// count every Finish: the reactor reports to them just before it).
class Edge {
 public:
  explicit Edge(LiveStreamServiceOptions options = DefaultOptions()) {
    options.metrics = &metrics_;
    service_ = std::make_unique<LiveStreamServiceImpl>(&upstream, std::move(options));
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    // As GatewayServer sets it: the longest caller token fits.
    builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, kDefaultMaxMetadataBytes);
    server_ = builder.BuildAndStart();
    if (server_ == nullptr) return;
    stub_ = std::make_unique<grpc::GenericStub>(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  // A test that failed may leave upstream calls open, which would keep
  // Shutdown waiting for their reactors: they end first.
  ~Edge() {
    CompleteOpenCalls();
    Shutdown(absl::ZeroDuration());
  }

  bool Started() const { return server_ != nullptr; }
  grpc::GenericStub* Stub() { return stub_.get(); }
  LiveStreamServiceImpl& Service() { return *service_; }

  // Calls still open after `grace` are cancelled; returns when all are done.
  void Shutdown(absl::Duration grace) {
    if (server_ == nullptr || shut_down_) return;
    shut_down_ = true;
    server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
    server_->Wait();
  }

  void CompleteOpenCalls() {
    for (int i = 0; i < upstream.fake.sent(); ++i) {
      upstream.fake.Reply(i, absl::CancelledError("test: over"));
    }
  }

  PendingCall::Result Call(const std::string& request_bytes,
                           const std::vector<std::pair<std::string, std::string>>& metadata = {},
                           const std::string& method = kMethod) {
    PendingCall call(Stub(), request_bytes, absl::Seconds(60), metadata, method);
    call.Start();
    return call.Wait();
  }

  // Calls finished (each Finish is counted once, just before it) and calls
  // started and not yet finished.
  int Finished(absl::string_view method = kMethod) {
    return Sample("livestream_gateway_rpc_duration_seconds_count", method);
  }
  int InFlight() { return Sample("livestream_gateway_rpcs_in_flight", kMethod); }
  // An unlabeled counter of the gateway's, e.g. "dry_runs_total".
  int Count(absl::string_view name) {
    const std::string prefix = absl::StrCat("livestream_gateway_", name, " ");
    for (absl::string_view line : absl::StrSplit(metrics_.registry().Render(), '\n')) {
      int value = 0;
      if (absl::ConsumePrefix(&line, prefix) && absl::SimpleAtoi(line, &value)) return value;
    }
    return -1;
  }

  // Declared first: it outlives the service and every call.
  Upstream upstream;

 private:
  int Sample(absl::string_view name, absl::string_view method) {
    const std::string prefix = absl::StrCat(name, "{method=\"", method, "\"} ");
    for (absl::string_view line : absl::StrSplit(metrics_.registry().Render(), '\n')) {
      int value = 0;
      if (absl::ConsumePrefix(&line, prefix) && absl::SimpleAtoi(line, &value)) return value;
    }
    return -1;
  }

  metrics::GatewayMetrics metrics_;
  std::unique_ptr<LiveStreamServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::GenericStub> stub_;
  bool shut_down_ = false;
};

std::string Bytes(const UpdateStatusRequest& request) { return request.SerializeAsString(); }

UpdateStatusRequest StartWebinar(const std::string& id = "99289110036") {
  UpdateStatusRequest request;
  request.set_webinar_id(id);
  request.set_action(LIVE_STREAM_ACTION_START);
  return request;
}

std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const grpc::Status& status) {
  return livestream_client::ErrorInfoOf(livestream_client::FromGrpcStatus(status));
}

std::string ReasonOf(const grpc::Status& status) {
  auto info = ErrorInfoOf(status);
  return info.has_value() ? info->reason() : "<no ErrorInfo>";
}

// ErrorInfo metadata `key`, or "<absent>".
std::string InfoMetadata(const grpc::Status& status, const std::string& key) {
  auto info = ErrorInfoOf(status);
  if (!info.has_value()) return "<no ErrorInfo>";
  auto found = info->metadata().find(key);
  return found == info->metadata().end() ? "<absent>" : found->second;
}

// The details as the client receives them: exactly one ErrorInfo of our
// domain, and nothing but google.rpc types.
void ExpectOneErrorInfoAndOnlyPublicDetails(const grpc::Status& status) {
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details())) << "no google.rpc.Status";
  EXPECT_EQ(details.code(), static_cast<int>(status.error_code()));
  int error_infos = 0;
  for (const auto& any : details.details()) {
    EXPECT_TRUE(absl::StartsWith(any.type_url(), "type.googleapis.com/google.rpc."))
        << any.type_url();
    if (any.Is<google::rpc::ErrorInfo>()) {
      ++error_infos;
      google::rpc::ErrorInfo info;
      ASSERT_TRUE(any.UnpackTo(&info));
      EXPECT_EQ(info.domain(), "zoom-livestream-gateway");
    }
  }
  EXPECT_EQ(error_infos, 1);
}

// --- Validation before upstream --------------------------------------------

struct BadRequestRow {
  std::string name;
  std::string bytes;
  std::string reason;
  // BadRequest's fields, in order; empty: no BadRequest expected.
  std::vector<std::string> fields;
};

UpdateStatusRequest With(const std::function<void(UpdateStatusRequest&)>& edit) {
  UpdateStatusRequest request = StartWebinar();
  edit(request);
  return request;
}

void PrintTo(const BadRequestRow& row, std::ostream* out) { *out << row.name; }

class BadRequestTest : public ::testing::TestWithParam<BadRequestRow> {};

// Nothing reaches Zoom: the fake would see a request, and the answer would be
// the fake's rather than INVALID_ARGUMENT, if the service sent before it
// checked.
TEST_P(BadRequestTest, IsRefusedWithItsFieldsAndNothingGoesUpstream) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) { return Answer(204); };
  const PendingCall::Result result = edge.Call(GetParam().bytes);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << result.status.error_message();
  EXPECT_EQ(ReasonOf(result.status), GetParam().reason);
  ExpectOneErrorInfoAndOnlyPublicDetails(result.status);
  std::optional<google::rpc::BadRequest> bad_request =
      livestream_client::BadRequestOf(livestream_client::FromGrpcStatus(result.status));
  if (GetParam().fields.empty()) {
    EXPECT_FALSE(bad_request.has_value());
  } else {
    ASSERT_TRUE(bad_request.has_value());
    std::vector<std::string> fields;
    for (const auto& violation : bad_request->field_violations()) {
      fields.push_back(violation.field());
    }
    EXPECT_THAT(fields, ElementsAreArray(GetParam().fields));
  }
  EXPECT_EQ(edge.upstream.fake.sent(), 0);
  // Refused before any Zoom attempt: a client may retry it at no cost.
  EXPECT_EQ(result.trailers.count(kPushbackKey), 0u);
  EXPECT_EQ(edge.Finished(), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Requests, BadRequestTest,
    ::testing::Values(
        BadRequestRow{"NoTarget",
                      Bytes(With([](auto& r) { r.clear_webinar_id(); })),
                      "INVALID_REQUEST",
                      {"target"}},
        BadRequestRow{"WebinarIdNotANumber",
                      Bytes(With([](auto& r) { r.set_webinar_id("12a"); })),
                      "INVALID_REQUEST",
                      {"webinar_id"}},
        BadRequestRow{"MeetingIdZero",
                      Bytes(With([](auto& r) { r.set_meeting_id("0"); })),
                      "INVALID_REQUEST",
                      {"meeting_id"}},
        BadRequestRow{"NothingToDo",
                      Bytes(With([](auto& r) {
                        r.set_action(zoom::livestream::v1::LIVE_STREAM_ACTION_UNSPECIFIED);
                      })),
                      "INVALID_REQUEST",
                      {"action"}},
        BadRequestRow{"EmptyDisplayName",
                      Bytes(With([](auto& r) { r.mutable_settings()->set_display_name(""); })),
                      "INVALID_REQUEST",
                      {"settings.display_name"}},
        BadRequestRow{"EveryViolationNamed",
                      Bytes(With([](auto& r) {
                        r.clear_webinar_id();
                        r.mutable_settings()->set_display_name("");
                      })),
                      "INVALID_REQUEST",
                      {"target", "settings.display_name"}},
        // Bytes no generated stub sends.
        BadRequestRow{"LengthPastTheEnd",
                      std::string("\x0a\x05"
                                  "12",
                                  4),
                      "MALFORMED_REQUEST",
                      {}},
        BadRequestRow{"WireTypeThatDoesNotExist", std::string("\x0f", 1), "MALFORMED_REQUEST", {}},
        BadRequestRow{"WebinarIdNotUtf8",
                      std::string("\x0a\x02\xc3\x28\x18\x01", 6),
                      "MALFORMED_REQUEST",
                      {}},
        BadRequestRow{
            "WebinarIdSentAsANumber", std::string("\x08\x01\x18\x01", 4), "MALFORMED_REQUEST", {}}),
    [](const ::testing::TestParamInfo<BadRequestRow>& info) { return info.param.name; });

// The control for the table above: the same harness does reach the fake.
TEST(LiveStreamServiceTest, AValidRequestGoesUpstreamAndItsAnswerComesBack) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) {
    return Answer(204, "", {{"x-zm-trackingid", "v=2.0;clid=us06;rid=42"}});
  };
  const PendingCall::Result result = edge.Call(Bytes(StartWebinar("85746065")));
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  ASSERT_TRUE(result.response.has_value());
  EXPECT_EQ(result.response->tracking_id(), "v=2.0;clid=us06;rid=42");
  ASSERT_EQ(edge.upstream.fake.sent(), 1);
  EXPECT_EQ(edge.upstream.fake.request(0).method, "PATCH");
  EXPECT_EQ(edge.upstream.fake.request(0).url,
            "http://zoom.test/v2/webinars/85746065/livestream/status");
  EXPECT_EQ(result.trailers.count(kPushbackKey), 0u);
}

// --- GetLiveStream and UpdateLiveStream ------------------------------------

constexpr char kGetLiveStream[] = "/zoom.livestream.v1.LiveStreamService/GetLiveStream";
constexpr char kUpdateLiveStream[] = "/zoom.livestream.v1.LiveStreamService/UpdateLiveStream";
constexpr char kSentKey[] = "sent-stream-key-5d2c";
constexpr char kReadKey[] = "read-stream-key-9e41";
constexpr char kCurrentJson[] =
    R"({"stream_url":"rtmp://old.example/app","stream_key":"read-stream-key-9e41",)"
    R"("page_url":"https://old.example/watch","resolution":"720p","extra":1})";

GetLiveStreamRequest GetWebinar(const std::string& id = "99289110036") {
  GetLiveStreamRequest request;
  request.set_webinar_id(id);
  return request;
}

// A change of the stream key alone: Zoom needs the rest, which is read first.
UpdateLiveStreamRequest ChangeKey() {
  UpdateLiveStreamRequest request;
  request.set_webinar_id("99289110036");
  request.mutable_live_stream()->set_stream_key(kSentKey);
  request.mutable_live_stream()->set_stream_url("rtmp://ignored.example/not-in-mask");
  request.mutable_update_mask()->add_paths("stream_key");
  return request;
}

struct ConfigBadRequestRow {
  std::string name;
  std::string method;
  std::string bytes;
  std::string reason;
  std::vector<std::string> fields;
};

void PrintTo(const ConfigBadRequestRow& row, std::ostream* out) { *out << row.name; }

class ConfigBadRequestTest : public ::testing::TestWithParam<ConfigBadRequestRow> {};

TEST_P(ConfigBadRequestTest, IsRefusedWithItsFieldsAndNothingGoesUpstream) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) { return Answer(200, kCurrentJson); };
  const PendingCall::Result result = edge.Call(GetParam().bytes, {}, GetParam().method);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << result.status.error_message();
  EXPECT_EQ(ReasonOf(result.status), GetParam().reason);
  ExpectOneErrorInfoAndOnlyPublicDetails(result.status);
  std::optional<google::rpc::BadRequest> bad_request =
      livestream_client::BadRequestOf(livestream_client::FromGrpcStatus(result.status));
  std::vector<std::string> fields;
  if (bad_request.has_value()) {
    for (const auto& violation : bad_request->field_violations()) {
      fields.push_back(violation.field());
    }
  }
  EXPECT_THAT(fields, ElementsAreArray(GetParam().fields));
  EXPECT_THAT(result.status.error_message(), Not(HasSubstr(kSentKey)));
  EXPECT_EQ(edge.upstream.fake.sent(), 0);
  EXPECT_EQ(result.trailers.count(kPushbackKey), 0u);
}

UpdateLiveStreamRequest ChangeKeyWith(const std::function<void(UpdateLiveStreamRequest&)>& edit) {
  UpdateLiveStreamRequest request = ChangeKey();
  edit(request);
  return request;
}

INSTANTIATE_TEST_SUITE_P(
    Requests, ConfigBadRequestTest,
    ::testing::Values(
        ConfigBadRequestRow{"GetNoTarget", kGetLiveStream, "", "INVALID_REQUEST", {"target"}},
        ConfigBadRequestRow{"GetBadWebinarId",
                            kGetLiveStream,
                            GetWebinar("12a").SerializeAsString(),
                            "INVALID_REQUEST",
                            {"webinar_id"}},
        ConfigBadRequestRow{"GetMalformed",
                            kGetLiveStream,
                            std::string("\x0a\x05"
                                        "12",
                                        4),
                            "MALFORMED_REQUEST",
                            {}},
        ConfigBadRequestRow{"UpdateKeyTooLong",
                            kUpdateLiveStream,
                            ChangeKeyWith([](auto& r) {
                              r.mutable_live_stream()->set_stream_key(
                                  absl::StrCat(kSentKey, std::string(600, 'k')));
                            }).SerializeAsString(),
                            "INVALID_REQUEST",
                            {"live_stream.stream_key"}},
        ConfigBadRequestRow{"UpdateEveryField",
                            kUpdateLiveStream,
                            ChangeKeyWith([](auto& r) {
                              r.clear_webinar_id();
                              r.mutable_update_mask()->add_paths("*");
                            }).SerializeAsString(),
                            "INVALID_REQUEST",
                            {"target", "update_mask"}},
        ConfigBadRequestRow{"UpdateBadUrls",
                            kUpdateLiveStream,
                            ChangeKeyWith([](auto& r) {
                              r.mutable_update_mask()->add_paths("stream_url");
                              r.mutable_update_mask()->add_paths("page_url");
                              r.mutable_live_stream()->set_page_url("ftp://x");
                              r.mutable_live_stream()->set_stream_url("http://x");
                            }).SerializeAsString(),
                            "INVALID_REQUEST",
                            {"live_stream.stream_url", "live_stream.page_url"}},
        // update_mask (field 4) sent as a string of bytes that are no FieldMask.
        ConfigBadRequestRow{"UpdateMaskWrongWireType",
                            kUpdateLiveStream,
                            std::string("\x0a\x01"
                                        "1\x20\x01",
                                        5),
                            "MALFORMED_REQUEST",
                            {}}),
    [](const ::testing::TestParamInfo<ConfigBadRequestRow>& info) { return info.param.name; });

TEST(LiveStreamServiceTest, GetLiveStreamReadsZoomsConfiguration) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) {
    return Answer(200, kCurrentJson, {{"x-zm-trackingid", "rid-get"}});
  };
  const PendingCall::Result result =
      edge.Call(GetWebinar().SerializeAsString(), {}, kGetLiveStream);
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  GetLiveStreamResponse response;
  ASSERT_TRUE(response.ParseFromString(result.response_bytes));
  EXPECT_EQ(response.live_stream().stream_url(), "rtmp://old.example/app");
  EXPECT_EQ(response.live_stream().stream_key(), kReadKey);
  EXPECT_EQ(response.live_stream().page_url(), "https://old.example/watch");
  EXPECT_EQ(response.live_stream().resolution(), zoom::livestream::v1::LIVE_STREAM_RESOLUTION_720P);
  EXPECT_EQ(response.tracking_id(), "rid-get");
  ASSERT_EQ(edge.upstream.fake.sent(), 1);
  EXPECT_EQ(edge.upstream.fake.request(0).method, "GET");
  EXPECT_EQ(edge.upstream.fake.request(0).url,
            "http://zoom.test/v2/webinars/99289110036/livestream");
  EXPECT_TRUE(edge.upstream.fake.request(0).idempotent);
}

TEST(LiveStreamServiceTest, AGarbledConfigurationIsAnInvalidResponse) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) {
    return Answer(200, R"({"stream_key":["read-stream-key-9e41"]})");
  };
  const PendingCall::Result result =
      edge.Call(GetWebinar().SerializeAsString(), {}, kGetLiveStream);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(result.status), "ZOOM_INVALID_RESPONSE");
  EXPECT_EQ(InfoMetadata(result.status, "attempts"), "1");
  ExpectOneErrorInfoAndOnlyPublicDetails(result.status);
  EXPECT_THAT(result.status.error_message(), Not(HasSubstr(kReadKey)));
  EXPECT_EQ(result.trailers.count(kPushbackKey), 1u);
}

// The mask names only the key: the rest comes from Zoom's current
// configuration, and the whole goes back in one PATCH.
TEST(LiveStreamServiceTest, APartialUpdateReadsThenSendsTheMergedWhole) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest& request) {
    if (request.method == "GET") return Answer(200, kCurrentJson);
    return Answer(204, "", {{"x-zm-trackingid", "rid-patch"}});
  };
  const PendingCall::Result result =
      edge.Call(ChangeKey().SerializeAsString(), {}, kUpdateLiveStream);
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  ASSERT_EQ(edge.upstream.fake.sent(), 2);
  EXPECT_EQ(edge.upstream.fake.request(0).method, "GET");
  const HttpRequest patch = edge.upstream.fake.request(1);
  EXPECT_EQ(patch.method, "PATCH");
  EXPECT_EQ(patch.url, "http://zoom.test/v2/webinars/99289110036/livestream");
  EXPECT_TRUE(patch.idempotent);
  EXPECT_EQ(patch.body,
            R"({"stream_url":"rtmp://old.example/app","stream_key":"sent-stream-key-5d2c",)"
            R"("page_url":"https://old.example/watch","resolution":"720p"})");
  UpdateLiveStreamResponse response;
  ASSERT_TRUE(response.ParseFromString(result.response_bytes));
  EXPECT_EQ(response.live_stream().stream_key(), kSentKey);
  EXPECT_EQ(response.live_stream().stream_url(), "rtmp://old.example/app");
  EXPECT_EQ(response.tracking_id(), "rid-patch");
}

TEST(LiveStreamServiceTest, AWholeUpdateSendsOnlyThePatch) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) { return Answer(204); };
  UpdateLiveStreamRequest request;
  request.set_meeting_id("85746065");
  request.mutable_live_stream()->set_stream_url("rtmps://new.example/app");
  request.mutable_live_stream()->set_stream_key(kSentKey);
  request.mutable_live_stream()->set_page_url("https://new.example/");
  const PendingCall::Result result = edge.Call(request.SerializeAsString(), {}, kUpdateLiveStream);
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  ASSERT_EQ(edge.upstream.fake.sent(), 1);
  EXPECT_EQ(edge.upstream.fake.request(0).method, "PATCH");
  EXPECT_EQ(edge.upstream.fake.request(0).url, "http://zoom.test/v2/meetings/85746065/livestream");
  EXPECT_EQ(edge.upstream.fake.request(0).body,
            R"({"stream_url":"rtmps://new.example/app","stream_key":"sent-stream-key-5d2c",)"
            R"("page_url":"https://new.example/"})");
}

// Zoom's text quoting either key, the one sent or the one read, reaches the
// caller redacted.
TEST(LiveStreamServiceTest, ZoomsTextIsRedactedOfBothStreamKeys) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest& request) {
    if (request.method == "GET") return Answer(200, kCurrentJson);
    return Answer(400, absl::StrCat(R"({"code":300,"message":"key )", kSentKey, " replaces ",
                                    kReadKey, R"("})"));
  };
  const PendingCall::Result result =
      edge.Call(ChangeKey().SerializeAsString(), {}, kUpdateLiveStream);
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(result.status), "ZOOM_INVALID_REQUEST");
  EXPECT_THAT(result.status.error_message(), HasSubstr("key [REDACTED] replaces [REDACTED]"));
  EXPECT_THAT(result.status.error_details(), Not(HasSubstr(kSentKey)));
  EXPECT_THAT(result.status.error_details(), Not(HasSubstr(kReadKey)));
  // Both requests count.
  EXPECT_EQ(InfoMetadata(result.status, "attempts"), "2");
}

// Without the check between the read and the write, the PATCH would go out
// after the caller had gone.
TEST(LiveStreamServiceTest, ACancellationDuringTheReadSendsNoWrite) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall call(edge.Stub(), ChangeKey().SerializeAsString(), absl::Seconds(60), {},
                   kUpdateLiveStream);
  call.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(1));
  call.Cancel();
  EXPECT_EQ(call.Wait().status.error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(edge.upstream.AwaitCancelled(1));
  ASSERT_TRUE(edge.upstream.AwaitReleased(1));
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
  EXPECT_EQ(edge.upstream.fake.request(0).method, "GET");
}

// The read answers even though the caller cancelled (the cancellation came
// too late for it): the write is not sent.
TEST(LiveStreamServiceTest, AReadThatAnswersAfterTheCancellationSendsNoWrite) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.swallow_cancel = true;
  PendingCall call(edge.Stub(), ChangeKey().SerializeAsString(), absl::Seconds(60), {},
                   kUpdateLiveStream);
  call.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(1));
  call.Cancel();
  ASSERT_TRUE(edge.upstream.AwaitCancelled(1));
  edge.upstream.fake.Reply(0, Answer(200, kCurrentJson));
  EXPECT_EQ(call.Wait().status.error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(edge.upstream.AwaitReleased(1));
  EXPECT_EQ(edge.Finished(kUpdateLiveStream), 1);
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
}

TEST(LiveStreamServiceTest, AbortForShutdownEndsAReadModifyWriteBeforeItsWrite) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall update(edge.Stub(), ChangeKey().SerializeAsString(), absl::Seconds(60), {},
                     kUpdateLiveStream);
  PendingCall get(edge.Stub(), GetWebinar().SerializeAsString(), absl::Seconds(60), {},
                  kGetLiveStream);
  PendingCall status(edge.Stub(), Bytes(StartWebinar()));
  update.Start();
  get.Start();
  status.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(3));
  EXPECT_EQ(edge.Service().AbortCallsForShutdown(), 3);
  for (PendingCall* call : {&update, &get, &status}) {
    const PendingCall::Result result = call->Wait();
    EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(ReasonOf(result.status), "SERVER_SHUTTING_DOWN");
    ExpectOneErrorInfoAndOnlyPublicDetails(result.status);
  }
  EXPECT_EQ(edge.upstream.fake.sent(), 3);
  EXPECT_EQ(edge.Service().AbortCallsForShutdown(), 0);
}

// A policy names methods: allowing one does not allow the others.
TEST(LiveStreamServiceTest, AuthorizationIsPerMethod) {
  absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(R"json({
    "name": "readers",
    "allow_rules": [{"name": "read",
                     "request": {"paths": ["/zoom.livestream.v1.LiveStreamService/GetLiveStream"]}}]
  })json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  LiveStreamServiceOptions options = DefaultOptions();
  options.authorizer = std::make_shared<Authorizer>(
      AuthorizerOptions{.policy = std::make_shared<const AuthzPolicy>(*std::move(policy))});
  Edge edge(options);
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) { return Answer(200, kCurrentJson); };

  EXPECT_TRUE(edge.Call(GetWebinar().SerializeAsString(), {}, kGetLiveStream).status.ok());
  ASSERT_EQ(edge.upstream.fake.sent(), 1);
  for (const auto& [method, bytes] : std::vector<std::pair<std::string, std::string>>{
           {kUpdateLiveStream, ChangeKey().SerializeAsString()},
           {kMethod, Bytes(StartWebinar())}}) {
    const PendingCall::Result result = edge.Call(bytes, {}, method);
    EXPECT_THAT(result.status.error_code(),
                AnyOf(grpc::StatusCode::PERMISSION_DENIED, grpc::StatusCode::UNAUTHENTICATED))
        << method;
    EXPECT_THAT(ReasonOf(result.status), AnyOf("PERMISSION_DENIED", "UNAUTHENTICATED")) << method;
  }
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
}

// --- BatchUpdateStatus -------------------------------------------------------

constexpr char kBatchMethod[] = "/zoom.livestream.v1.LiveStreamService/BatchUpdateStatus";

std::string BatchOf(const std::vector<UpdateStatusRequest>& items) {
  zoom::livestream::v1::BatchUpdateStatusRequest batch;
  for (const UpdateStatusRequest& item : items) *batch.add_requests() = item;
  return batch.SerializeAsString();
}

zoom::livestream::v1::BatchUpdateStatusResponse BatchResponseOf(const PendingCall::Result& result) {
  zoom::livestream::v1::BatchUpdateStatusResponse response;
  EXPECT_TRUE(response.ParseFromString(result.response_bytes));
  return response;
}

grpc::Status ItemStatus(const zoom::livestream::v1::BatchUpdateStatusResult& result) {
  return grpc::Status(static_cast<grpc::StatusCode>(result.error().code()),
                      result.error().message(), result.error().SerializeAsString());
}

TEST(BatchUpdateStatusTest, ItemsGoUpstreamTogetherAndEachGetsItsOwnResult) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall batch(edge.Stub(), BatchOf({StartWebinar("1"), StartWebinar("x"), StartWebinar("2")}),
                    absl::Seconds(60), {}, kBatchMethod);
  batch.Start();
  // Both valid items are out before either is answered.
  ASSERT_TRUE(edge.upstream.AwaitSent(2));
  EXPECT_THAT(edge.upstream.fake.request(0).url, HasSubstr("/webinars/1/"));
  EXPECT_THAT(edge.upstream.fake.request(1).url, HasSubstr("/webinars/2/"));
  ASSERT_TRUE(edge.upstream.fake.Reply(
      1, Answer(404, R"({"code":3001,"message":"Webinar does not exist: 2."})")));
  ASSERT_TRUE(edge.upstream.fake.Reply(0, Answer(204, "", {{"x-zm-trackingid", "trk-1"}})));
  const PendingCall::Result result = batch.Wait();
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  const auto response = BatchResponseOf(result);
  ASSERT_EQ(response.results_size(), 3);
  EXPECT_EQ(response.results(0).response().tracking_id(), "trk-1");
  EXPECT_EQ(ItemStatus(response.results(1)).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ExpectOneErrorInfoAndOnlyPublicDetails(ItemStatus(response.results(1)));
  const grpc::Status not_found = ItemStatus(response.results(2));
  EXPECT_EQ(not_found.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(not_found), "ZOOM_WEBINAR_NOT_FOUND");
  EXPECT_EQ(InfoMetadata(not_found, "attempts"), "1");
  ExpectOneErrorInfoAndOnlyPublicDetails(not_found);
  EXPECT_EQ(edge.upstream.fake.sent(), 2);
}

TEST(BatchUpdateStatusTest, CancellingTheCallCancelsEveryItem) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall batch(edge.Stub(), BatchOf({StartWebinar("1"), StartWebinar("2")}), absl::Seconds(60),
                    {}, kBatchMethod);
  batch.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(2));
  batch.Cancel();
  ASSERT_TRUE(edge.upstream.AwaitCancelled(2));
  EXPECT_EQ(batch.Wait().status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(edge.upstream.fake.cancelled(0));
  EXPECT_TRUE(edge.upstream.fake.cancelled(1));
}

TEST(BatchUpdateStatusTest, AbortForShutdownEndsEachItemAndTheBatchAnswers) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall batch(edge.Stub(), BatchOf({StartWebinar("1"), StartWebinar("2")}), absl::Seconds(60),
                    {}, kBatchMethod);
  batch.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(2));
  EXPECT_EQ(edge.Service().AbortCallsForShutdown(), 1);
  const PendingCall::Result result = batch.Wait();
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  const auto response = BatchResponseOf(result);
  ASSERT_EQ(response.results_size(), 2);
  for (const auto& item : response.results()) {
    const grpc::Status status = ItemStatus(item);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(ReasonOf(status), "SERVER_SHUTTING_DOWN");
  }
}

// Each item is an UpdateStatus: a caller needs both methods.
TEST(BatchUpdateStatusTest, NeedsBothMethodsAllowed) {
  for (const bool allow_update_status : {false, true}) {
    SCOPED_TRACE(allow_update_status);
    absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(absl::StrCat(
        R"json({"name": "batchers", "allow_rules": [{"name": "batch", "request": {"paths": [)json",
        R"json("/zoom.livestream.v1.LiveStreamService/BatchUpdateStatus")json",
        allow_update_status ? R"json(, "/zoom.livestream.v1.LiveStreamService/UpdateStatus")json"
                            : "",
        "]}}]}"));
    ASSERT_TRUE(policy.ok()) << policy.status();
    LiveStreamServiceOptions options = DefaultOptions();
    options.authorizer = std::make_shared<Authorizer>(
        AuthorizerOptions{.policy = std::make_shared<const AuthzPolicy>(*std::move(policy))});
    Edge edge(options);
    ASSERT_TRUE(edge.Started());
    edge.upstream.fake.auto_reply = [](const HttpRequest&) { return Answer(204); };
    const PendingCall::Result result = edge.Call(BatchOf({StartWebinar()}), {}, kBatchMethod);
    if (allow_update_status) {
      EXPECT_TRUE(result.status.ok()) << result.status.error_message();
      EXPECT_EQ(edge.upstream.fake.sent(), 1);
    } else {
      EXPECT_THAT(result.status.error_code(),
                  AnyOf(grpc::StatusCode::PERMISSION_DENIED, grpc::StatusCode::UNAUTHENTICATED));
      EXPECT_EQ(edge.upstream.fake.sent(), 0);
    }
  }
}

// --- validate_only and request_id ------------------------------------------

constexpr char kRequestId[] = "7f9c24e5-2b1d-4a8e-9c3f-0d6b5e4a1c2f";

UpdateStatusRequest StartWebinarOnce(const std::string& request_id = kRequestId) {
  UpdateStatusRequest request = StartWebinar();
  request.set_request_id(request_id);
  return request;
}

// Until `n` calls wait on Zoom or on the first call of their request_id.
bool AwaitWaitingCalls(Edge& edge, int n) {
  const absl::Time give_up = absl::Now() + kPatience;
  while (edge.Service().WaitingCalls() < n) {
    if (absl::Now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(ValidateOnlyTest, SendsNothingAndAnswersAsTheRealCall) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  UpdateStatusRequest status = StartWebinar();
  status.set_validate_only(true);
  const PendingCall::Result status_result = edge.Call(Bytes(status));
  ASSERT_TRUE(status_result.status.ok()) << status_result.status.error_message();
  ASSERT_TRUE(status_result.response.has_value());
  EXPECT_EQ(status_result.response->tracking_id(), "");

  UpdateLiveStreamRequest whole;
  whole.set_meeting_id("85746065");
  whole.mutable_live_stream()->set_stream_url("rtmps://new.example/app");
  whole.mutable_live_stream()->set_stream_key(kSentKey);
  whole.mutable_live_stream()->set_page_url("https://new.example/");
  whole.set_validate_only(true);
  const PendingCall::Result whole_result =
      edge.Call(whole.SerializeAsString(), {}, kUpdateLiveStream);
  ASSERT_TRUE(whole_result.status.ok()) << whole_result.status.error_message();
  UpdateLiveStreamResponse response;
  ASSERT_TRUE(response.ParseFromString(whole_result.response_bytes));
  EXPECT_EQ(response.live_stream().SerializeAsString(), whole.live_stream().SerializeAsString());
  EXPECT_EQ(edge.upstream.fake.sent(), 0);
  EXPECT_EQ(edge.Count("dry_runs_total"), 2);
  EXPECT_EQ(edge.Count("request_id_replays_total"), 0);
}

// A partial update reads (a GET changes nothing) and answers with the whole
// it would send, but sends no PATCH.
TEST(ValidateOnlyTest, APartialUpdateReadsButDoesNotWrite) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) { return Answer(200, kCurrentJson); };
  UpdateLiveStreamRequest request = ChangeKey();
  request.set_validate_only(true);
  const PendingCall::Result result = edge.Call(request.SerializeAsString(), {}, kUpdateLiveStream);
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  ASSERT_EQ(edge.upstream.fake.sent(), 1);
  EXPECT_EQ(edge.upstream.fake.request(0).method, "GET");
  UpdateLiveStreamResponse response;
  ASSERT_TRUE(response.ParseFromString(result.response_bytes));
  EXPECT_EQ(response.live_stream().stream_key(), kSentKey);
  EXPECT_EQ(response.live_stream().stream_url(), "rtmp://old.example/app");
  EXPECT_EQ(response.tracking_id(), "");
}

TEST(ValidateOnlyTest, IsValidatedAndAuthorizedAsTheRealCall) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  UpdateStatusRequest bad = StartWebinar("0");
  const PendingCall::Result real = edge.Call(Bytes(bad));
  bad.set_validate_only(true);
  const PendingCall::Result dry = edge.Call(Bytes(bad));
  EXPECT_EQ(dry.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(dry.status.error_message(), real.status.error_message());
  EXPECT_EQ(dry.status.error_details(), real.status.error_details());
  EXPECT_EQ(edge.upstream.fake.sent(), 0);

  absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(R"json({
    "name": "readers",
    "allow_rules": [{"name": "read",
                     "request": {"paths": ["/zoom.livestream.v1.LiveStreamService/GetLiveStream"]}}]
  })json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  LiveStreamServiceOptions options = DefaultOptions();
  options.authorizer = std::make_shared<Authorizer>(
      AuthorizerOptions{.policy = std::make_shared<const AuthzPolicy>(*std::move(policy))});
  Edge readers(options);
  ASSERT_TRUE(readers.Started());
  UpdateStatusRequest dry_start = StartWebinar();
  dry_start.set_validate_only(true);
  const PendingCall::Result refused = readers.Call(Bytes(dry_start));
  EXPECT_THAT(refused.status.error_code(),
              AnyOf(grpc::StatusCode::PERMISSION_DENIED, grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(readers.upstream.fake.sent(), 0);
}

TEST(ValidateOnlyTest, IsRefusedWhenTheRateLimitHasNoSlotBeforeTheDeadline) {
  ThreadScheduler scheduler;
  LiveStreamServiceOptions options = DefaultOptions();
  options.rate_limiter = RateLimiter::Create(
      &scheduler,
      {.requests_per_second = 0.001, .burst = 1, .log = [](LogLevel, absl::string_view) {}});
  Edge edge(options);
  ASSERT_TRUE(edge.Started());
  UpdateStatusRequest dry = StartWebinar();
  dry.set_validate_only(true);
  EXPECT_TRUE(edge.Call(Bytes(dry)).status.ok()) << "a free slot";
  EXPECT_TRUE(edge.Call(Bytes(dry)).status.ok()) << "the dry run took the slot";
  absl::Notification granted;
  options.rate_limiter->Acquire(absl::InfiniteFuture(),
                                [&granted](const absl::Status&) { granted.Notify(); });
  ASSERT_TRUE(granted.HasBeenNotified());
  const PendingCall::Result refused = edge.Call(Bytes(dry));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ReasonOf(refused.status), "ZOOM_RATE_LIMITED");
  EXPECT_EQ(InfoMetadata(refused.status, "attempts"), "0");
  EXPECT_EQ(edge.upstream.fake.sent(), 0);
}

TEST(RequestIdTest, ARepeatAfterCompletionGetsTheSameAnswerWithoutZoom) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) {
    return Answer(204, "", {{"x-zm-trackingid", "rid-1"}});
  };
  const PendingCall::Result first = edge.Call(Bytes(StartWebinarOnce()));
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  // The same UUID in upper case is the same id.
  const PendingCall::Result repeat =
      edge.Call(Bytes(StartWebinarOnce("7F9C24E5-2B1D-4A8E-9C3F-0D6B5E4A1C2F")));
  ASSERT_TRUE(repeat.status.ok()) << repeat.status.error_message();
  EXPECT_EQ(repeat.response_bytes, first.response_bytes);
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
  EXPECT_EQ(edge.Count("request_id_replays_total"), 1);
  EXPECT_EQ(edge.Count("dry_runs_total"), 0);
}

TEST(RequestIdTest, ARepeatedErrorIsTheSameErrorWithItsDetails) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) {
    return Answer(404, R"({"code":3001,"message":"Webinar does not exist."})");
  };
  const PendingCall::Result first = edge.Call(Bytes(StartWebinarOnce()));
  const PendingCall::Result repeat = edge.Call(Bytes(StartWebinarOnce()));
  EXPECT_EQ(first.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(repeat.status.error_code(), first.status.error_code());
  EXPECT_EQ(repeat.status.error_message(), first.status.error_message());
  EXPECT_EQ(repeat.status.error_details(), first.status.error_details());
  EXPECT_EQ(repeat.trailers.count(kPushbackKey), first.trailers.count(kPushbackKey));
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
}

TEST(RequestIdTest, ARepeatWhileTheFirstIsInFlightWaitsAndGetsTheSameAnswer) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall first(edge.Stub(), Bytes(StartWebinarOnce()));
  first.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(1));
  PendingCall repeat(edge.Stub(), Bytes(StartWebinarOnce()));
  repeat.Start();
  ASSERT_TRUE(AwaitWaitingCalls(edge, 2));
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
  edge.upstream.fake.Reply(0, Answer(204, "", {{"x-zm-trackingid", "rid-1"}}));
  const PendingCall::Result first_result = first.Wait();
  const PendingCall::Result repeat_result = repeat.Wait();
  ASSERT_TRUE(first_result.status.ok()) << first_result.status.error_message();
  ASSERT_TRUE(repeat_result.status.ok()) << repeat_result.status.error_message();
  ASSERT_TRUE(repeat_result.response.has_value());
  EXPECT_EQ(repeat_result.response->tracking_id(), "rid-1");
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
}

TEST(RequestIdTest, ARepeatWithAnotherBodyIsRequestIdReused) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest& request) {
    return request.method == "GET" ? Answer(200, kCurrentJson) : Answer(204);
  };
  ASSERT_TRUE(edge.Call(Bytes(StartWebinarOnce())).status.ok());
  UpdateStatusRequest other = StartWebinarOnce();
  other.set_action(zoom::livestream::v1::LIVE_STREAM_ACTION_STOP);
  const PendingCall::Result result = edge.Call(Bytes(other));
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(result.status), "REQUEST_ID_REUSED");
  ExpectOneErrorInfoAndOnlyPublicDetails(result.status);
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
  // Another method with the same id is another key.
  UpdateLiveStreamRequest configure = ChangeKey();
  configure.set_request_id(kRequestId);
  EXPECT_TRUE(edge.Call(configure.SerializeAsString(), {}, kUpdateLiveStream).status.ok());
}

TEST(RequestIdTest, ACancelledRepeatStopsWaitingAndTheFirstGoesOn) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall first(edge.Stub(), Bytes(StartWebinarOnce()));
  first.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(1));
  {
    PendingCall repeat(edge.Stub(), Bytes(StartWebinarOnce()));
    repeat.Start();
    ASSERT_TRUE(AwaitWaitingCalls(edge, 2));
    repeat.Cancel();
    EXPECT_EQ(repeat.Wait().status.error_code(), grpc::StatusCode::CANCELLED);
  }
  ASSERT_TRUE(AwaitWaitingCalls(edge, 1));
  edge.upstream.fake.Reply(0, Answer(204));
  EXPECT_TRUE(first.Wait().status.ok());
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
}

TEST(RequestIdTest, WhenTheFirstIsCancelledTheWaitingRepeatRunsIt) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall first(edge.Stub(), Bytes(StartWebinarOnce()));
  first.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(1));
  PendingCall repeat(edge.Stub(), Bytes(StartWebinarOnce()));
  repeat.Start();
  ASSERT_TRUE(AwaitWaitingCalls(edge, 2));
  first.Cancel();
  EXPECT_EQ(first.Wait().status.error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(edge.upstream.AwaitSent(2));
  edge.upstream.fake.Reply(1, Answer(204, "", {{"x-zm-trackingid", "rid-2"}}));
  const PendingCall::Result result = repeat.Wait();
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.response->tracking_id(), "rid-2");
}

// The repeat runs the request from the first's cancellation, on its thread:
// outside gRPC's method handler, so that nothing of gRPC's keeps the call
// alive while it sends. An answer that comes before its Send returns must
// not finish it meanwhile (OnDone could delete it under Send, a
// use-after-free that ASan saw once in WhenTheFirstIsCancelledTheWaiting-
// RepeatRunsIt): it is still a waiting call when its answer is in.
TEST(RequestIdTest, ARepeatAnsweredBeforeItsSendReturnsFinishesAfterIt) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  std::atomic<int> waiting_once_answered{-1};
  edge.upstream.AfterSend([&](int index) {
    if (index != 1) return;  // the repeat's
    edge.upstream.fake.Reply(index, Answer(204, "", {{"x-zm-trackingid", "rid-2"}}));
    waiting_once_answered = edge.Service().WaitingCalls();
  });
  PendingCall first(edge.Stub(), Bytes(StartWebinarOnce()));
  first.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(1));
  PendingCall repeat(edge.Stub(), Bytes(StartWebinarOnce()));
  repeat.Start();
  ASSERT_TRUE(AwaitWaitingCalls(edge, 2));
  first.Cancel();
  EXPECT_EQ(first.Wait().status.error_code(), grpc::StatusCode::CANCELLED);
  const PendingCall::Result result = repeat.Wait();
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.response->tracking_id(), "rid-2");
  EXPECT_EQ(waiting_once_answered.load(), 1) << "the repeat finished inside its Send";
}

TEST(RequestIdTest, AFailureThatReachedNothingIsNotRemembered) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall first(edge.Stub(), Bytes(StartWebinarOnce()));
  first.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(1));
  edge.upstream.fake.Reply(0, UpstreamResult::Failed(absl::UnavailableError("connection refused"),
                                                     1, Delivery::kNotDelivered));
  const PendingCall::Result failed = first.Wait();
  EXPECT_EQ(failed.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(InfoMetadata(failed.status, "delivered"), "no");
  PendingCall repeat(edge.Stub(), Bytes(StartWebinarOnce()));
  repeat.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(2)) << "the repeat did not call Zoom again";
  edge.upstream.fake.Reply(1, Answer(204));
  EXPECT_TRUE(repeat.Wait().status.ok());
}

// Two callers using one request_id each get their own call to Zoom.
TEST(RequestIdTest, CallersDoNotShareRequestIds) {
  absl::StatusOr<AuthzPolicy> policy = ParseAuthzPolicy(R"json({
    "name": "two",
    "allow_rules": [{"name": "both", "source": {"principals": ["alice", "bob"]}}]
  })json");
  ASSERT_TRUE(policy.ok()) << policy.status();
  // SHA-256 of "alice-token-0123456789" and "bob-token-0123456789".
  absl::StatusOr<BearerTokens> tokens = BearerTokens::Parse(
      "sha256:965b04f03a8200d4bff70f6df635c1d4d3e9c9a1d164d415efc95b9304bfbaf2 alice\n"
      "sha256:0357e24c1cb1874dde0773886097863f71ac666f63fba1e9d4c623b79ffda11f bob\n");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  LiveStreamServiceOptions options = DefaultOptions();
  options.authorizer = std::make_shared<Authorizer>(
      AuthorizerOptions{.policy = std::make_shared<const AuthzPolicy>(*std::move(policy)),
                        .bearer_tokens = std::make_shared<const BearerTokens>(*std::move(tokens))});
  Edge edge(options);
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) { return Answer(204); };
  for (const char* token : {"alice-token-0123456789", "bob-token-0123456789"}) {
    const PendingCall::Result result =
        edge.Call(Bytes(StartWebinarOnce()), {{"authorization", absl::StrCat("Bearer ", token)}});
    ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  }
  EXPECT_EQ(edge.upstream.fake.sent(), 2);
  // Each caller's repeat is answered from its own outcome.
  EXPECT_TRUE(
      edge.Call(Bytes(StartWebinarOnce()), {{"authorization", "Bearer bob-token-0123456789"}})
          .status.ok());
  EXPECT_EQ(edge.upstream.fake.sent(), 2);
}

TEST(RequestIdTest, ADryRunIsNeitherRememberedNorAnsweredFromTheStore) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) { return Answer(204); };
  UpdateStatusRequest dry = StartWebinarOnce();
  dry.set_validate_only(true);
  ASSERT_TRUE(edge.Call(Bytes(dry)).status.ok());
  EXPECT_EQ(edge.upstream.fake.sent(), 0);
  ASSERT_TRUE(edge.Call(Bytes(StartWebinarOnce())).status.ok());
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
  ASSERT_TRUE(edge.Call(Bytes(dry)).status.ok());
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
}

TEST(RequestIdTest, AbortForShutdownEndsAWaitingRepeat) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall first(edge.Stub(), Bytes(StartWebinarOnce()));
  first.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(1));
  PendingCall repeat(edge.Stub(), Bytes(StartWebinarOnce()));
  repeat.Start();
  ASSERT_TRUE(AwaitWaitingCalls(edge, 2));
  EXPECT_EQ(edge.Service().AbortCallsForShutdown(), 2);
  for (PendingCall* call : {&first, &repeat}) {
    const PendingCall::Result result = call->Wait();
    EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(ReasonOf(result.status), "SERVER_SHUTTING_DOWN");
  }
  EXPECT_EQ(edge.upstream.fake.sent(), 1);
}

// --- Caller tokens ---------------------------------------------------------

struct CallerTokenRow {
  std::string name;
  bool allowed;
  std::optional<std::string> token;  // x-zoom-access-token; nullopt: none sent
  grpc::StatusCode code;
  std::string reason;  // for errors
  // The Authorization header the service adds upstream (nullopt: none, the
  // credentials decorator adds the server's).
  std::optional<std::string> authorization;
};

void PrintTo(const CallerTokenRow& row, std::ostream* out) { *out << row.name; }

class CallerTokenTest : public ::testing::TestWithParam<CallerTokenRow> {};

TEST_P(CallerTokenTest, FollowsTheRules) {
  const CallerTokenRow& row = GetParam();
  LiveStreamServiceOptions options = DefaultOptions();
  options.allow_caller_token = row.allowed;
  Edge edge(options);
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_reply = [](const HttpRequest&) { return Answer(204); };
  std::vector<std::pair<std::string, std::string>> metadata;
  if (row.token.has_value()) metadata.emplace_back("x-zoom-access-token", *row.token);
  const PendingCall::Result result = edge.Call(Bytes(StartWebinar()), metadata);
  EXPECT_EQ(result.status.error_code(), row.code) << result.status.error_message();
  if (row.code != grpc::StatusCode::OK) {
    EXPECT_EQ(ReasonOf(result.status), row.reason);
    ExpectOneErrorInfoAndOnlyPublicDetails(result.status);
    EXPECT_EQ(edge.upstream.fake.sent(), 0);
    // The refusal never quotes the secret.
    if (row.token.has_value() && !row.token->empty()) {
      EXPECT_THAT(result.status.error_message(), Not(HasSubstr(*row.token)));
      EXPECT_THAT(result.status.error_details(), Not(HasSubstr(*row.token)));
    }
    return;
  }
  ASSERT_EQ(edge.upstream.fake.sent(), 1);
  EXPECT_EQ(edge.upstream.fake.Header(0, "Authorization"), row.authorization);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, CallerTokenTest,
    ::testing::Values(
        CallerTokenRow{"RefusedUnlessAllowed", false, "caller-secret-token",
                       grpc::StatusCode::PERMISSION_DENIED, "CALLER_TOKEN_NOT_ALLOWED",
                       std::nullopt},
        CallerTokenRow{"EmptyIsInvalid", true, "", grpc::StatusCode::UNAUTHENTICATED,
                       "INVALID_CALLER_TOKEN", std::nullopt},
        CallerTokenRow{"SpacesAreInvalid", true, "caller secret token",
                       grpc::StatusCode::UNAUTHENTICATED, "INVALID_CALLER_TOKEN", std::nullopt},
        CallerTokenRow{"AllowedIsSentAsTheBearer", true, "caller-secret-token",
                       grpc::StatusCode::OK, "", "Bearer caller-secret-token"},
        CallerTokenRow{"TheLongestIsSentAsTheBearer", true, std::string(kMaxCallerTokenBytes, 't'),
                       grpc::StatusCode::OK, "",
                       absl::StrCat("Bearer ", std::string(kMaxCallerTokenBytes, 't'))},
        CallerTokenRow{"OneByteLongerIsInvalid", true, std::string(kMaxCallerTokenBytes + 1, 't'),
                       grpc::StatusCode::UNAUTHENTICATED, "INVALID_CALLER_TOKEN", std::nullopt},
        CallerTokenRow{"NoneSentAndRefusedLeavesTheServersCredentials", false, std::nullopt,
                       grpc::StatusCode::OK, "", std::nullopt},
        CallerTokenRow{"NoneSentAndAllowedLeavesTheServersCredentials", true, std::nullopt,
                       grpc::StatusCode::OK, "", std::nullopt}),
    [](const ::testing::TestParamInfo<CallerTokenRow>& info) { return info.param.name; });

// --- Cancellation ----------------------------------------------------------

enum class Ending { kClientCancels, kDeadlinePasses };

struct CancelRow {
  std::string name;
  Ending ending;
  grpc::StatusCode code;
};

void PrintTo(const CancelRow& row, std::ostream* out) { *out << row.name; }

class CancelTest : public ::testing::TestWithParam<CancelRow> {};

// Without the reactor's OnCancel forwarding to the upstream call, the fake's
// call stays open (AwaitCancelled times out) and so does the reactor.
TEST_P(CancelTest, AnEndedCallCancelsTheUpstreamCall) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  const bool by_deadline = GetParam().ending == Ending::kDeadlinePasses;
  PendingCall call(edge.Stub(), Bytes(StartWebinar()),
                   by_deadline ? absl::Milliseconds(300) : absl::Seconds(60));
  call.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(1));
  if (!by_deadline) call.Cancel();
  EXPECT_EQ(call.Wait().status.error_code(), GetParam().code);
  ASSERT_TRUE(edge.upstream.AwaitCancelled(1));
  EXPECT_TRUE(edge.upstream.fake.cancelled(0));
  ASSERT_TRUE(edge.upstream.AwaitReleased(1));
  EXPECT_EQ(edge.Finished(), 1);
  EXPECT_EQ(edge.InFlight(), 0);
}

INSTANTIATE_TEST_SUITE_P(Endings, CancelTest,
                         ::testing::Values(CancelRow{"ClientCancels", Ending::kClientCancels,
                                                     grpc::StatusCode::CANCELLED},
                                           CancelRow{"DeadlinePasses", Ending::kDeadlinePasses,
                                                     grpc::StatusCode::DEADLINE_EXCEEDED}),
                         [](const ::testing::TestParamInfo<CancelRow>& info) {
                           return info.param.name;
                         });

// The client cancels while the reactor is still inside Send, before it knows
// the upstream call's handle. gRPC 1.51 runs OnCancel only once the reactor
// is bound (after its constructor returned), so the cancellation reaches
// OnCancel with the handle known, whichever thread notices it first.
TEST(LiveStreamServiceTest, ACancellationBeforeTheUpstreamCallIsKnownIsForwarded) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall call(edge.Stub(), Bytes(StartWebinar()));
  edge.upstream.OnSend([&call] { call.Cancel(); });
  call.Start();
  EXPECT_EQ(call.Wait().status.error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(edge.upstream.AwaitCancelled(1));
  EXPECT_TRUE(edge.upstream.fake.cancelled(0));
  ASSERT_TRUE(edge.upstream.AwaitReleased(1));
  EXPECT_EQ(edge.Finished(), 1);
}

struct RaceRow {
  std::string name;
  std::function<absl::StatusOr<HttpResponse>()> upstream_result;
  grpc::StatusCode code;  // when the completion wins
};

void PrintTo(const RaceRow& row, std::ostream* out) { *out << row.name; }

class CancelRaceTest : public ::testing::TestWithParam<RaceRow> {};

// The client cancels while the fake completes, from two threads released
// together: the call ends once (one Finish, counted just before it), with
// either outcome, and its reactor goes; ASan and TSan check the rest.
TEST_P(CancelRaceTest, EndsOnceWhicheverWins) {
  const int rounds = 25;
  Edge edge;
  ASSERT_TRUE(edge.Started());
  for (int i = 0; i < rounds; ++i) {
    PendingCall call(edge.Stub(), Bytes(StartWebinar()));
    call.Start();
    ASSERT_TRUE(edge.upstream.AwaitSent(i + 1));
    absl::Notification go;
    std::thread completer([&] {
      go.WaitForNotification();
      edge.upstream.fake.Reply(i, GetParam().upstream_result());
    });
    std::thread canceller([&] {
      go.WaitForNotification();
      call.Cancel();
    });
    go.Notify();
    completer.join();
    canceller.join();
    EXPECT_THAT(call.Wait().status.error_code(),
                AnyOf(GetParam().code, grpc::StatusCode::CANCELLED));
    ASSERT_TRUE(edge.upstream.AwaitReleased(i + 1)) << "round " << i;
  }
  EXPECT_EQ(edge.Finished(), rounds);
  EXPECT_EQ(edge.InFlight(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Outcomes, CancelRaceTest,
    ::testing::Values(RaceRow{"Success", [] { return Answer(204); }, grpc::StatusCode::OK},
                      RaceRow{"ZoomError", [] { return Answer(503); },
                              grpc::StatusCode::UNAVAILABLE},
                      RaceRow{"TransportError",
                              []() -> absl::StatusOr<HttpResponse> {
                                return absl::UnavailableError("connection reset");
                              },
                              grpc::StatusCode::UNAVAILABLE}),
    [](const ::testing::TestParamInfo<RaceRow>& info) { return info.param.name; });

// --- Attempts, delivery and the retry pushback ----------------------------

UpstreamResult AnswerAfter(int status_code, int attempts) {
  return UpstreamResult::Answered(Answer(status_code), attempts);
}

UpstreamResult TransportError(absl::Status status, int attempts, Delivery delivery) {
  return UpstreamResult::Failed(std::move(status), attempts, delivery);
}

struct AttemptsRow {
  std::string name;
  std::function<UpstreamResult()> upstream_result;
  grpc::StatusCode code;
  std::string reason;
  std::string attempts;   // ErrorInfo metadata, as sent
  std::string delivered;  // ErrorInfo metadata, or "<absent>"
  bool pushback;          // grpc-retry-pushback-ms: -1
};

void PrintTo(const AttemptsRow& row, std::ostream* out) { *out << row.name; }

class AttemptsTest : public ::testing::TestWithParam<AttemptsRow> {};

TEST_P(AttemptsTest, ReportsWhatTheUpstreamResultSays) {
  const AttemptsRow& row = GetParam();
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_result = [&row](const HttpRequest&) { return row.upstream_result(); };
  const PendingCall::Result result = edge.Call(Bytes(StartWebinar()));
  ASSERT_EQ(result.status.error_code(), row.code) << result.status.error_message();
  EXPECT_EQ(ReasonOf(result.status), row.reason);
  EXPECT_EQ(InfoMetadata(result.status, "attempts"), row.attempts);
  EXPECT_EQ(InfoMetadata(result.status, "delivered"), row.delivered);
  ExpectOneErrorInfoAndOnlyPublicDetails(result.status);
  const auto [first, last] = result.trailers.equal_range(kPushbackKey);
  if (row.pushback) {
    ASSERT_EQ(std::distance(first, last), 1);
    EXPECT_EQ(first->second, "-1");
  } else {
    EXPECT_EQ(first, last);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Results, AttemptsTest,
    ::testing::Values(
        AttemptsRow{"ZoomUnavailableAfterThreeAttempts", [] { return AnswerAfter(503, 3); },
                    grpc::StatusCode::UNAVAILABLE, "ZOOM_UNAVAILABLE", "3", "<absent>", true},
        AttemptsRow{"ZoomNotFoundInOneAttempt", [] { return AnswerAfter(404, 1); },
                    grpc::StatusCode::NOT_FOUND, "ZOOM_WEBINAR_NOT_FOUND", "1", "<absent>", true},
        // docs/resilience.md: a failure after which Zoom may have acted.
        AttemptsRow{"ResetAfterSendingIsMaybeDelivered",
                    [] {
                      return TransportError(absl::UnavailableError("connection reset"), 2,
                                            Delivery::kMaybeDelivered);
                    },
                    grpc::StatusCode::UNAVAILABLE, "ZOOM_UNREACHABLE", "2", "maybe", true},
        // Not safe to repeat and maybe delivered: UNKNOWN, so nobody retries.
        AttemptsRow{"MaybeDeliveredAndNotRepeatableIsUnknown",
                    [] {
                      return TransportError(absl::UnknownError("reset after sending"), 1,
                                            Delivery::kMaybeDelivered);
                    },
                    grpc::StatusCode::UNKNOWN, "ZOOM_UNREACHABLE", "1", "maybe", true},
        // A result that does not say otherwise may have been delivered.
        AttemptsRow{"DeliveryUnknownAfterAnAttemptIsMaybe",
                    [] { return UpstreamResult{absl::UnavailableError("broken answer")}; },
                    grpc::StatusCode::UNAVAILABLE, "ZOOM_UNREACHABLE", "1", "maybe", true},
        AttemptsRow{"TimeoutBeforeSendingIsNotDelivered",
                    [] {
                      return TransportError(absl::DeadlineExceededError("connect timed out"), 1,
                                            Delivery::kNotDelivered);
                    },
                    grpc::StatusCode::DEADLINE_EXCEEDED, "ZOOM_TIMEOUT", "1", "no", true},
        AttemptsRow{"RefusedBeforeAnyAttempt",
                    [] {
                      return TransportError(absl::UnavailableError("no connection slot"), 0,
                                            Delivery::kNotDelivered);
                    },
                    grpc::StatusCode::UNAVAILABLE, "ZOOM_UNREACHABLE", "0", "no", false},
        // Decorators' errors are already rich: passed on, only the count added.
        AttemptsRow{
            "RichErrorFromADecoratorBeforeAnyAttempt",
            [] {
              return TransportError(MakeError(absl::StatusCode::kResourceExhausted, "rate limited",
                                              zoom::livestream::v1::ZOOM_RATE_LIMITED),
                                    0, Delivery::kNotDelivered);
            },
            grpc::StatusCode::RESOURCE_EXHAUSTED, "ZOOM_RATE_LIMITED", "0", "<absent>", false}),
    [](const ::testing::TestParamInfo<AttemptsRow>& info) { return info.param.name; });

TEST(LiveStreamServiceTest, SuccessAfterRetriesCarriesNoPushback) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  edge.upstream.fake.auto_result = [](const HttpRequest&) { return AnswerAfter(204, 3); };
  const PendingCall::Result result = edge.Call(Bytes(StartWebinar()));
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  EXPECT_EQ(result.trailers.count(kPushbackKey), 0u);
}

// --- Shutdown --------------------------------------------------------------

class ShutdownTest : public ::testing::TestWithParam<absl::Duration> {};

// A call the upstream never answers: the server's Shutdown cancels it once
// the grace has passed, the cancellation reaches the upstream, and Shutdown
// returns.
TEST_P(ShutdownTest, ACallInFlightEndsAtShutdown) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall call(edge.Stub(), Bytes(StartWebinar()));
  call.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(1));
  absl::Notification shut_down;
  std::thread shutter([&] {
    edge.Shutdown(GetParam());
    shut_down.Notify();
  });
  const bool ended = shut_down.WaitForNotificationWithTimeout(kPatience);
  EXPECT_TRUE(ended) << "Shutdown never returned: the call stayed open";
  if (!ended) edge.CompleteOpenCalls();
  shutter.join();
  EXPECT_NE(call.Wait().status.error_code(), grpc::StatusCode::OK);
  EXPECT_TRUE(edge.upstream.fake.cancelled(0));
  EXPECT_EQ(edge.upstream.Released(), 1);
  EXPECT_EQ(edge.Finished(), 1);
  EXPECT_EQ(edge.InFlight(), 0);
}

INSTANTIATE_TEST_SUITE_P(Graces, ShutdownTest,
                         ::testing::Values(absl::ZeroDuration(), absl::Milliseconds(200)));

// What GatewayServer::Shutdown does shortly before its grace runs out: each
// call waiting on Zoom ends with the service's own answer, which says why and
// whether Zoom may have received it, instead of gRPC's bare cancellation.
TEST(LiveStreamServiceTest, AbortForShutdownEndsTheWaitingCallsWithAReason) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall first(edge.Stub(), Bytes(StartWebinar("1111111111")));
  PendingCall second(edge.Stub(), Bytes(StartWebinar("2222222222")));
  first.Start();
  second.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(2));

  EXPECT_EQ(edge.Service().AbortCallsForShutdown(), 2);
  for (PendingCall* call : {&first, &second}) {
    PendingCall::Result result = call->Wait();
    EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(ReasonOf(result.status), "SERVER_SHUTTING_DOWN");
    // The fake's cancellation leaves UpstreamResult's default, "maybe"; the
    // service passes on what the upstream says (gateway_server_test has a
    // real request on the wire).
    EXPECT_EQ(InfoMetadata(result.status, "delivered"), "maybe");
    ExpectOneErrorInfoAndOnlyPublicDetails(result.status);
  }
  EXPECT_TRUE(edge.upstream.fake.cancelled(0));
  EXPECT_TRUE(edge.upstream.fake.cancelled(1));
  EXPECT_EQ(edge.Finished(), 2);
  // Finished calls are no longer waiting.
  EXPECT_EQ(edge.Service().AbortCallsForShutdown(), 0);
}

// A call that reaches Send after the sweep (it was accepted just before the
// server stopped taking calls) is ended too, as soon as it has sent.
TEST(LiveStreamServiceTest, ACallThatSendsAfterTheAbortIsEndedToo) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  EXPECT_EQ(edge.Service().AbortCallsForShutdown(), 0);
  PendingCall::Result result = edge.Call(Bytes(StartWebinar()));
  EXPECT_EQ(result.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(result.status), "SERVER_SHUTTING_DOWN");
  EXPECT_TRUE(edge.upstream.fake.cancelled(0));
}

// Only the shutdown's own cancellation is renamed: an answer that wins the
// race keeps its meaning.
TEST(LiveStreamServiceTest, AnAnswerThatArrivesBeforeTheAbortIsKept) {
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PendingCall call(edge.Stub(), Bytes(StartWebinar()));
  call.Start();
  ASSERT_TRUE(edge.upstream.AwaitSent(1));
  edge.upstream.fake.Reply(0, Answer(204));
  EXPECT_TRUE(call.Wait().status.ok());
  EXPECT_EQ(edge.Service().AbortCallsForShutdown(), 0);
}

// --- OnDone inline (InternalInlineable) ------------------------------------

// The control for the test below: a reactor as gRPC expects one by default,
// without the InternalInlineable() override, finished the same way (by a
// thread of the test).
class PlainService final : public zoom::livestream::v1::LiveStreamService::CallbackService {
 public:
  grpc::ServerUnaryReactor* UpdateStatus(grpc::CallbackServerContext* /*context*/,
                                         const UpdateStatusRequest* /*request*/,
                                         UpdateStatusResponse* /*response*/) override {
    auto* reactor = new Reactor(this);
    absl::MutexLock lock(&mu_);
    started_.push_back(reactor);
    return reactor;
  }

  // Waits for call `i` (0-based) and finishes it on this thread.
  bool Finish(size_t i) {
    grpc::ServerUnaryReactor* reactor = nullptr;
    {
      absl::MutexLock lock(&mu_);
      auto started = [this, i]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return started_.size() > i; };
      if (!mu_.AwaitWithTimeout(absl::Condition(&started), kPatience)) return false;
      reactor = started_[i];
    }
    reactor->Finish(grpc::Status::OK);
    return true;
  }

  // The name of the thread call `i`'s OnDone ran on, once it has.
  std::string AwaitDone(size_t i) {
    absl::MutexLock lock(&mu_);
    auto done = [this, i]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return done_on_.size() > i; };
    if (!mu_.AwaitWithTimeout(absl::Condition(&done), kPatience)) return "<never>";
    return done_on_[i];
  }

 private:
  class Reactor final : public grpc::ServerUnaryReactor {
   public:
    explicit Reactor(PlainService* service) : service_(service) {}
    void OnDone() override {
      {
        absl::MutexLock lock(&service_->mu_);
        service_->done_on_.push_back(ThreadName());
      }
      delete this;
    }

   private:
    PlainService* const service_;
  };

  absl::Mutex mu_;
  std::vector<grpc::ServerUnaryReactor*> started_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> done_on_ ABSL_GUARDED_BY(mu_);
};

// What the reactor's InternalInlineable() override buys (docs/performance.md):
// gRPC runs its OnDone on the thread that delivers the call's last
// completion, instead of handing it to its executor thread (one more
// wake-up per call). With gRPC 1.51 the plain reactor's OnDone runs on
// "default-executor" every time and the service's on one of the callback
// completion queue's threads. Without the override both run on the
// executor, and if a gRPC upgrade drops the hook or changes where either
// runs, the two agree or the control stops naming the executor, and this
// fails: the measurement in docs/performance.md is then to be redone.
TEST(LiveStreamServiceTest, OnDoneRunsWhereTheCallCompletesNotOnGrpcsExecutor) {
  const int rounds = 10;
  Edge edge;
  ASSERT_TRUE(edge.Started());
  PlainService plain;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&plain);
  std::unique_ptr<grpc::Server> plain_server = builder.BuildAndStart();
  ASSERT_NE(plain_server, nullptr);
  grpc::GenericStub plain_stub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));

  for (int i = 0; i < rounds; ++i) {
    PendingCall call(edge.Stub(), Bytes(StartWebinar()));
    call.Start();
    ASSERT_TRUE(edge.upstream.AwaitSent(i + 1));
    ASSERT_TRUE(edge.upstream.fake.Reply(i, Answer(204)));
    EXPECT_TRUE(call.Wait().status.ok());
    ASSERT_TRUE(edge.upstream.AwaitReleased(i + 1));
    const std::string service_on = edge.upstream.ReleaseThreads().back();

    PendingCall plain_call(&plain_stub, Bytes(StartWebinar()));
    plain_call.Start();
    ASSERT_TRUE(plain.Finish(static_cast<size_t>(i)));
    EXPECT_TRUE(plain_call.Wait().status.ok());
    const std::string plain_on = plain.AwaitDone(static_cast<size_t>(i));

    EXPECT_EQ(plain_on, "default-executo") << "round " << i;
    EXPECT_NE(service_on, plain_on) << "round " << i;
  }
  plain_server->Shutdown();
  plain_server->Wait();
}

}  // namespace
}  // namespace livestream_gateway
