// "Did Zoom act?": every transport failure says whether the request may have
// reached Zoom (ErrorInfo metadata `delivered`), and UpdateStatus, which is
// safe to repeat (docs/resilience.md), is sent again after either.

#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::zoom::livestream::v1::UpdateStatusResponse;

grpc::Status CallOnce(Server& server, absl::Duration timeout = absl::Seconds(10)) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  UpdateStatusResponse response;
  return server.NewStub()->UpdateStatus(&context, StartRequest(), &response);
}

std::string ErrorInfoMetadata(const grpc::Status& status, const std::string& key) {
  auto info = Detail<google::rpc::ErrorInfo>(status);
  return info.has_value() ? MetadataOf(*info, key) : "<no ErrorInfo>";
}

// Only google.rpc details reach the client: the attempt count and the
// delivery arrive as ErrorInfo metadata, never as details of their own.
void ExpectOnlyPublicDetails(const grpc::Status& status) {
  EXPECT_EQ(CountDetails(status, "google.rpc.ErrorInfo"), 1);
  const google::rpc::Status details = DetailsOf(status);
  for (const auto& any : details.details()) {
    EXPECT_TRUE(absl::StartsWith(any.type_url(), "type.googleapis.com/google.rpc."))
        << any.type_url();
  }
}

TEST(DeliveryTest, AResetAfterZoomGotTheRequestIsMaybeDelivered) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->Script(
      R"([{"status":204,"reset":true},{"status":204,"reset":true},{"status":204,"reset":true}])");
  grpc::Status status = CallOnce(**server);
  // Safe to repeat, so retried, and UNAVAILABLE is a fair invitation to retry.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(ReasonOf(status), "ZOOM_UNREACHABLE");
  EXPECT_EQ(ErrorInfoMetadata(status, "delivered"), "maybe");
  EXPECT_EQ(ErrorInfoMetadata(status, "attempts"), "3");
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("Zoom may have received the request"));
  ExpectOnlyPublicDetails(status);
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 3);
}

// The decision in docs/resilience.md: a start Zoom may have acted on is sent
// again, and ends where one start would have.
TEST(DeliveryTest, AStartThatMayHaveReachedZoomIsSentAgain) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->Script(R"([{"status":204,"reset":true}])");
  grpc::Status status = CallOnce(**server);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::vector<google::protobuf::Struct> requests = (*emulator)->Requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const google::protobuf::Struct& request : requests) {
    EXPECT_EQ(request.fields().at("form").struct_value().fields().at("action").string_value(),
              "start");
  }
}

TEST(DeliveryTest, AnAnswerAfterTheDeadlineIsMaybeDelivered) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  // The server's bound, not the caller's: the caller then gets the server's
  // answer rather than its own library's deadline error.
  auto server = Server::Start((*emulator)->base_url(), {"--zoom_timeout=500ms"});
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->SetDelay(absl::Seconds(5));
  grpc::Status status = CallOnce(**server);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_EQ(ReasonOf(status), "ZOOM_TIMEOUT");
  EXPECT_EQ(ErrorInfoMetadata(status, "delivered"), "maybe");
  ExpectOnlyPublicDetails(status);
}

TEST(DeliveryTest, AClosedPortIsNotDelivered) {
  // Bound and never listening: connections are refused, and no other process
  // can take the port while the test holds it.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  auto server = Server::Start(absl::StrCat("http://127.0.0.1:", ntohs(address.sin_port), "/v2"));
  ASSERT_TRUE(server.ok()) << server.status();
  grpc::Status status = CallOnce(**server);
  close(fd);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(ReasonOf(status), "ZOOM_UNREACHABLE");
  EXPECT_EQ(ErrorInfoMetadata(status, "delivered"), "no");
  EXPECT_EQ(ErrorInfoMetadata(status, "attempts"), "3");
  ExpectOnlyPublicDetails(status);
}

}  // namespace
}  // namespace livestream_gateway::testing
