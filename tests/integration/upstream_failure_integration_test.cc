// Deadlines, cancellation and an upstream that cannot be reached.

#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

// A loopback port on which nothing listens.
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TEST(UpstreamFailureTest, CallerDeadlineBoundsTheZoomCall) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->SetDelay(absl::Seconds(10));

  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Milliseconds(500)));
  UpdateStatusResponse response;
  const absl::Time started = absl::Now();
  grpc::Status status = (*server)->NewStub()->UpdateStatus(&context, StartRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - started, absl::Seconds(5));
  // The server gave up on Zoom too: its upstream connection goes away.
  EXPECT_TRUE(WaitFor([&] { return StatsField(**emulator, "connections_open") <= 1; }))
      << "the upstream transfer was not aborted";
}

TEST(UpstreamFailureTest, ZoomTimeoutBoundsCallsWithoutDeadline) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(), {"--zoom_timeout=300ms"});
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->SetDelay(absl::Seconds(10));

  grpc::ClientContext context;
  UpdateStatusResponse response;
  grpc::Status status = (*server)->NewStub()->UpdateStatus(&context, StartRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(ReasonOf(status), "ZOOM_TIMEOUT");
}

TEST(UpstreamFailureTest, CancellingTheCallAbortsTheUpstreamTransfer) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->SetDelay(absl::Seconds(30));

  auto stub = (*server)->NewStub();
  grpc::ClientContext context;
  UpdateStatusRequest request = StartRequest();
  UpdateStatusResponse response;
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  grpc::Status result;
  stub->async()->UpdateStatus(&context, &request, &response, [&](grpc::Status status) {
    std::lock_guard<std::mutex> lock(mu);
    result = status;
    done = true;
    done_cv.notify_all();
  });
  ASSERT_TRUE(WaitFor([&] { return StatsField(**emulator, "api_requests") == 1; }));
  context.TryCancel();
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(done_cv.wait_for(lock, std::chrono::seconds(10), [&] { return done; }));
  }
  EXPECT_EQ(result.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(WaitFor([&] { return StatsField(**emulator, "connections_open") <= 1; }))
      << "the upstream transfer was not aborted";
}

TEST(UpstreamFailureTest, ConnectionRefusedIsUnavailable) {
  auto server = Server::Start(absl::StrCat("http://127.0.0.1:", ClosedPort(), "/v2"));
  ASSERT_TRUE(server.ok()) << server.status();
  grpc::ClientContext context;
  UpdateStatusResponse response;
  grpc::Status status = (*server)->NewStub()->UpdateStatus(&context, StartRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(status), "ZOOM_UNREACHABLE");
  EXPECT_EQ(CountDetails(status, "google.rpc.ErrorInfo"), 1);
}

TEST(UpstreamFailureTest, ConnectionResetIsUnavailable) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  // One attempt: retries of resets have their own tests.
  auto server = Server::Start((*emulator)->base_url(), {"--zoom_max_attempts=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->Script(R"([{"status":204,"reset":true}])");
  grpc::ClientContext context;
  UpdateStatusResponse response;
  grpc::Status status = (*server)->NewStub()->UpdateStatus(&context, StartRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ReasonOf(status), "ZOOM_UNREACHABLE");
}

TEST(UpstreamFailureTest, WrongTokenIsUnauthenticatedAndNeverEchoed) {
  constexpr char kWrongToken[] = "wrong-token-Zq8v0c";
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server =
      Server::Start((*emulator)->base_url(), {}, {absl::StrCat("ZOOM_ACCESS_TOKEN=", kWrongToken)});
  ASSERT_TRUE(server.ok()) << server.status();
  grpc::ClientContext context;
  UpdateStatusResponse response;
  grpc::Status status = (*server)->NewStub()->UpdateStatus(&context, StartRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ReasonOf(status), "ZOOM_UNAUTHENTICATED");
  EXPECT_EQ(status.error_message().find(kWrongToken), std::string::npos);
  EXPECT_EQ(status.error_details().find(kWrongToken), std::string::npos);
  EXPECT_EQ((*server)->process().Stderr().find(kWrongToken), std::string::npos);
}

TEST(UpstreamFailureTest, JsonEncodingSendsTheSameContentAsJson) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(), {"--zoom_body_encoding=json"});
  ASSERT_TRUE(server.ok()) << server.status();
  UpdateStatusRequest request = StartRequest();
  request.mutable_settings()->set_display_name("Jill Chill");
  grpc::ClientContext context;
  UpdateStatusResponse response;
  ASSERT_TRUE((*server)->NewStub()->UpdateStatus(&context, request, &response).ok());
  auto requests = (*emulator)->Requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& headers = requests[0].fields().at("headers").struct_value();
  EXPECT_EQ(headers.fields().at("content-type").string_value(), "application/json");
  EXPECT_EQ(requests[0].fields().at("body").string_value(),
            R"({"action":"start","settings":{"display_name":"Jill Chill"}})");
}

}  // namespace
}  // namespace livestream_gateway::testing
