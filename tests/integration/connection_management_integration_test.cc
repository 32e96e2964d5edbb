// Connection age and idle limits (--max_connection_age, --max_connection_idle):
// the server ends a client's connection, so that the client reconnects and
// may land on another replica, without failing a call in flight.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/integration/raw_http2.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::zoom::livestream::v1::LiveStreamService;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

std::shared_ptr<grpc::Channel> ConnectedChannel(const Server& server) {
  auto channel = grpc::CreateChannel(server.target(), grpc::InsecureChannelCredentials());
  EXPECT_TRUE(channel->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(10))));
  return channel;
}

// Whether the channel leaves READY within `timeout`: a client channel does
// so when the server sends GOAWAY or closes its connection.
bool LeavesReady(grpc::Channel& channel, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (channel.GetState(false) == GRPC_CHANNEL_READY) {
    if (!channel.WaitForStateChange(GRPC_CHANNEL_READY, absl::ToChronoTime(deadline))) {
      return false;
    }
  }
  return true;
}

TEST(ConnectionManagementTest, AgedConnectionIsEndedWhileItsCallInFlightCompletes) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start(
      (*emulator)->base_url(),
      {"--max_connection_age=1s", "--max_connection_age_grace=30s", "--max_connection_idle=0s"});
  ASSERT_TRUE(server.ok()) << server.status();
  // Longer than the age (plus gRPC's 10 % jitter), far shorter than the grace.
  (*emulator)->SetDelay(absl::Seconds(4));
  auto channel = ConnectedChannel(**server);
  auto stub = LiveStreamService::NewStub(channel);

  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  const UpdateStatusRequest request = StartRequest();
  UpdateStatusResponse response;
  grpc::Status status;
  absl::Notification done;
  stub->async()->UpdateStatus(&context, &request, &response, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  ASSERT_TRUE(WaitFor([&] { return StatsField(**emulator, "api_requests") == 1; }));

  ASSERT_TRUE(LeavesReady(*channel, absl::Seconds(10)))
      << "the server kept the connection past --max_connection_age";
  EXPECT_FALSE(done.HasBeenNotified()) << "the connection ended only with its call";

  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();

  // The client reconnects for its next call.
  (*emulator)->SetDelay(absl::ZeroDuration());
  grpc::ClientContext next;
  next.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  EXPECT_TRUE(stub->UpdateStatus(&next, StartRequest(), &response).ok());
}

TEST(ConnectionManagementTest, IdleConnectionIsEnded) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(),
                              {"--max_connection_idle=1s", "--max_connection_age=0s"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = ConnectedChannel(**server);
  auto stub = LiveStreamService::NewStub(channel);
  UpdateStatusResponse response;
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    ASSERT_TRUE(stub->UpdateStatus(&context, StartRequest(), &response).ok());
  }

  EXPECT_TRUE(LeavesReady(*channel, absl::Seconds(10)))
      << "the server kept an idle connection past --max_connection_idle";

  grpc::ClientContext next;
  next.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  EXPECT_TRUE(stub->UpdateStatus(&next, StartRequest(), &response).ok());
}

// The same on the wire: a GOAWAY frame, the stream in flight still answered,
// then the connection closed.
TEST(ConnectionManagementTest, AgedConnectionGetsGoawayAndItsStreamIsStillAnswered) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start(
      (*emulator)->base_url(),
      {"--max_connection_age=1s", "--max_connection_age_grace=30s", "--max_connection_idle=0s"});
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->SetDelay(absl::Seconds(4));
  auto connection = RawHttp2Connection::Connect((*server)->port());
  ASSERT_TRUE(connection.ok()) << connection.status();
  ASSERT_TRUE((*connection)->Handshake().ok());
  (*connection)->StartReading();
  auto stream = (*connection)
                    ->SendWatchedRequest(
                        GrpcRequestHeaders("/zoom.livestream.v1.LiveStreamService/UpdateStatus",
                                           (*server)->target()),
                        GrpcFrame(StartRequest().SerializeAsString()));
  ASSERT_TRUE(stream.ok()) << stream.status();
  ASSERT_TRUE(WaitFor([&] { return StatsField(**emulator, "api_requests") == 1; }));

  EXPECT_TRUE((*connection)->WaitForGoaway(absl::Seconds(10)));
  std::string data;
  ASSERT_TRUE((*connection)->WaitForStreamEnd(*stream, absl::Seconds(20), &data));
  // A response message (an error would have come as trailers alone).
  EXPECT_GE(data.size(), 5u);
  EXPECT_TRUE((*connection)->WaitForClose(absl::Seconds(20)));
}

TEST(ConnectionManagementTest, IdleConnectionGetsGoaway) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(),
                              {"--max_connection_idle=1s", "--max_connection_age=0s"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto connection = RawHttp2Connection::Connect((*server)->port());
  ASSERT_TRUE(connection.ok()) << connection.status();
  ASSERT_TRUE((*connection)->Handshake().ok());
  (*connection)->StartReading();
  EXPECT_TRUE((*connection)->WaitForGoaway(absl::Seconds(10)));
  EXPECT_TRUE((*connection)->WaitForClose(absl::Seconds(10)));
}

TEST(ConnectionManagementTest, DefaultsKeepABusyConnectionOpen) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url());
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = ConnectedChannel(**server);
  auto stub = LiveStreamService::NewStub(channel);
  UpdateStatusResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->UpdateStatus(&context, StartRequest(), &response).ok());
  // Minutes of age and idle limit: nothing ends the connection in 2 s.
  EXPECT_FALSE(LeavesReady(*channel, absl::Seconds(2)));
}

}  // namespace
}  // namespace livestream_gateway::testing
