// The server wiring in process: GatewayServer with its real transport and
// decorators, on 127.0.0.1:0, in front of a loopback socket that stands in
// for Zoom and never answers.

#include "server/gateway_server.h"

#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <ostream>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "server/config.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {
namespace {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

constexpr char kMethod[] = "/zoom.livestream.v1.LiveStreamService/UpdateStatus";
constexpr char kServerToken[] = "server-test-token";
// Long enough for a loaded sanitizer build; every wait below ends as soon as
// its condition holds.
constexpr absl::Duration kPatience = absl::Seconds(30);

bool Readable(int fd) {
  pollfd waiting{.fd = fd, .events = POLLIN, .revents = 0};
  return poll(&waiting, 1, static_cast<int>(absl::ToInt64Milliseconds(kPatience))) == 1;
}

// Zoom's stand-in: takes the gateway's connection and its request, and never
// answers, so that the call stays in flight; then tells whether the gateway
// gave up on the request (closed or reset the connection).
class SilentUpstream {
 public:
  SilentUpstream() {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        listen(listener_, 4) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
  }
  ~SilentUpstream() {
    if (connection_ >= 0) close(connection_);
    if (listener_ >= 0) close(listener_);
  }

  int Port() const { return port_; }
  std::string BaseUrl() const { return absl::StrCat("http://127.0.0.1:", port_, "/v2"); }

  // The head of the first request (up to its blank line), or what came of it
  // by the time the wait ended.
  std::string AwaitRequestHead() {
    if (!Readable(listener_)) return "";
    connection_ = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    std::string head;
    char buffer[4096];
    while (connection_ >= 0 && !absl::StrContains(head, "\r\n\r\n") && Readable(connection_)) {
      const ssize_t n = read(connection_, buffer, sizeof(buffer));
      if (n <= 0) break;
      head.append(buffer, static_cast<size_t>(n));
    }
    return head;
  }

  // Whether the gateway closed or reset the connection within kPatience;
  // whatever else it sends (the rest of the body) is skipped.
  bool AwaitClosed() {
    char buffer[4096];
    while (connection_ >= 0 && Readable(connection_)) {
      if (read(connection_, buffer, sizeof(buffer)) <= 0) return true;
    }
    return false;
  }

 private:
  int listener_ = -1;
  int connection_ = -1;
  int port_ = 0;
};

Config ConfigFor(const SilentUpstream& upstream) {
  Config config;
  config.listen = "127.0.0.1:0";
  config.zoom_api_base_url = upstream.BaseUrl();
  config.zoom_access_token = kServerToken;
  config.zoom_rate_limit_qps = 0;
  config.zoom_max_attempts = 1;
  // Far beyond the test: only the shutdown may end the call.
  config.zoom_timeout = absl::Minutes(5);
  config.log_requests = false;
  return config;
}

std::shared_ptr<grpc::Channel> ChannelTo(const GatewayServer& server) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port()),
                             grpc::InsecureChannelCredentials());
}

TEST(GatewayServerTest, StartsOnAPickedPortAndServesHealth) {
  SilentUpstream upstream;
  ASSERT_NE(upstream.Port(), 0);
  absl::StatusOr<std::unique_ptr<GatewayServer>> server = GatewayServer::Start(ConfigFor(upstream));
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_GT((*server)->port(), 0);
  EXPECT_EQ((*server)->metrics_port(), 0) << "--metrics_listen is off";
  auto health = grpc::health::v1::Health::NewStub(ChannelTo(**server));
  for (const char* service : {"", "zoom.livestream.v1.LiveStreamService"}) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + kPatience));
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    const grpc::Status status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << "'" << service << "': " << status.error_message();
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING) << "'" << service << "'";
  }
}

TEST(GatewayServerTest, StartFailsWhereItCannotListen) {
  SilentUpstream upstream;
  Config config = ConfigFor(upstream);
  config.listen = "256.0.0.1:0";
  absl::StatusOr<std::unique_ptr<GatewayServer>> server = GatewayServer::Start(config);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(server.status().message(), HasSubstr("cannot listen on 256.0.0.1:0"));
}

enum class Stop { kShutdownWithGrace, kDestructor };

struct StopRow {
  std::string name;
  Stop stop;
};

void PrintTo(const StopRow& row, std::ostream* out) { *out << row.name; }

class GatewayStopTest : public ::testing::TestWithParam<StopRow> {};

// A call that Zoom holds: stopping the server ends it, and the cancellation
// goes down the whole chain (service, retries, credentials) to the transport,
// which drops the request. The request carries the server's token: the
// credentials decorator is in the chain.
TEST_P(GatewayStopTest, ACallInFlightEndsAndItsUpstreamRequestIsDropped) {
  SilentUpstream upstream;
  ASSERT_NE(upstream.Port(), 0);
  absl::StatusOr<std::unique_ptr<GatewayServer>> server = GatewayServer::Start(ConfigFor(upstream));
  ASSERT_TRUE(server.ok()) << server.status();

  grpc::GenericStub stub(ChannelTo(**server));
  zoom::livestream::v1::UpdateStatusRequest request;
  request.set_webinar_id("99289110036");
  request.set_action(zoom::livestream::v1::LIVE_STREAM_ACTION_START);
  grpc::Slice slice(request.SerializeAsString());
  grpc::ByteBuffer request_bytes(&slice, 1);
  grpc::ByteBuffer response_bytes;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Minutes(5)));
  // Completes on a queue this thread reads: the callback API would hand the
  // result over inside libgrpc, where ThreadSanitizer cannot see it.
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub.PrepareUnaryCall(&context, kMethod, request_bytes, &cq);
  call->StartCall();
  grpc::Status call_status;
  call->Finish(&response_bytes, &call_status, &call_status);

  const std::string head = upstream.AwaitRequestHead();
  EXPECT_THAT(head, HasSubstr("PATCH /v2/webinars/99289110036/livestream/status HTTP/1.1"));
  // Not printed: a token is a secret, even a test's.
  EXPECT_TRUE(absl::StrContains(head, absl::StrCat("Authorization: Bearer ", kServerToken)))
      << "the request lacks the server's token";

  absl::Notification stopped;
  std::thread stopper([&] {
    if (GetParam().stop == Stop::kShutdownWithGrace) {
      (*server)->Shutdown(absl::Milliseconds(200));
    } else {
      server->reset();
    }
    stopped.Notify();
  });
  if (!stopped.WaitForNotificationWithTimeout(kPatience)) {
    // Nothing can clean up after a server that does not stop.
    ADD_FAILURE() << "the server never stopped: the call stayed open";
    std::abort();
  }
  stopper.join();
  void* tag = nullptr;
  bool ok = false;
  ASSERT_EQ(cq.AsyncNext(&tag, &ok, absl::ToChronoTime(absl::Now() + kPatience)),
            grpc::CompletionQueue::GOT_EVENT)
      << "the call never ended";
  if (GetParam().stop == Stop::kShutdownWithGrace) {
    // Ended by the service shortly before the grace ran out, not by gRPC:
    // the caller learns why, and that Zoom may have the request.
    EXPECT_EQ(call_status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << call_status.error_message();
    google::rpc::Status details;
    ASSERT_TRUE(details.ParseFromString(call_status.error_details())) << "no google.rpc.Status";
    ASSERT_EQ(details.details_size(), 1);
    google::rpc::ErrorInfo info;
    ASSERT_TRUE(details.details(0).UnpackTo(&info));
    EXPECT_EQ(info.reason(), "SERVER_SHUTTING_DOWN");
    EXPECT_EQ(info.metadata().at("delivered"), "maybe");
  } else {
    EXPECT_NE(call_status.error_code(), grpc::StatusCode::OK);
  }
  EXPECT_TRUE(upstream.AwaitClosed()) << "the upstream request was never dropped";
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

INSTANTIATE_TEST_SUITE_P(Stops, GatewayStopTest,
                         ::testing::Values(StopRow{"ShutdownWithGrace", Stop::kShutdownWithGrace},
                                           StopRow{"Destructor", Stop::kDestructor}),
                         [](const ::testing::TestParamInfo<StopRow>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace livestream_gateway
