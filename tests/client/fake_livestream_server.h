#ifndef LIVESTREAM_TESTS_CLIENT_FAKE_LIVESTREAM_SERVER_H_
#define LIVESTREAM_TESTS_CLIENT_FAKE_LIVESTREAM_SERVER_H_

// An in-process LiveStreamService on 127.0.0.1 (port 0) that answers from a
// script and records what it received, for testing clients.

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/support/status.h"
#include "zoom/livestream/v1/livestream_service.grpc.pb.h"

namespace livestream_client::testing {

struct FakeReply {
  grpc::Status status = grpc::Status::OK;
  std::string tracking_id;
  // The configuration GetLiveStream and UpdateLiveStream answer with.
  zoom::livestream::v1::LiveStream live_stream;
  // Never answers; the call ends only when the client cancels it, its
  // deadline passes or the server shuts down.
  bool hold = false;

  static FakeReply Ok(std::string tracking_id) { return Ok(std::move(tracking_id), {}); }
  static FakeReply Ok(std::string tracking_id, zoom::livestream::v1::LiveStream live_stream) {
    return {grpc::Status::OK, std::move(tracking_id), std::move(live_stream)};
  }
  static FakeReply Error(grpc::Status status) { return {std::move(status), "", {}}; }
  static FakeReply Hold() { return {grpc::Status::OK, "", {}, true}; }
};

struct ReceivedCall {
  // The method's name, e.g. "UpdateStatus"; only its request field is set.
  std::string method;
  zoom::livestream::v1::UpdateStatusRequest request;
  zoom::livestream::v1::GetLiveStreamRequest get_request;
  zoom::livestream::v1::UpdateLiveStreamRequest update_request;
  std::chrono::system_clock::time_point deadline;
  // Every `authorization` metadata value, in order.
  std::vector<std::string> authorization;
  // The peer's verified certificate identity (SAN entries, else the subject
  // CN), empty without mTLS.
  std::vector<std::string> peer_identity;
};

class FakeLiveStreamServer {
 public:
  // Plaintext unless `credentials` is given (e.g. grpc::SslServerCredentials).
  explicit FakeLiveStreamServer(
      const std::shared_ptr<grpc::ServerCredentials>& credentials = nullptr);
  ~FakeLiveStreamServer();

  // "127.0.0.1:PORT".
  std::string target() const { return target_; }

  // Calls are answered with these replies in order; the last one repeats.
  void SetReplies(std::vector<FakeReply> replies);

  std::vector<ReceivedCall> calls();

  // Wait until `count` calls arrived, or held calls were cancelled; false
  // after `timeout`, which only guards against a hung test.
  bool WaitForCalls(size_t count, absl::Duration timeout = absl::Seconds(30));
  bool WaitForCancellations(size_t count, absl::Duration timeout = absl::Seconds(30));

 private:
  class Service;
  class HoldReactor;

  // Records the call (`fill` sets its request) and takes the next reply.
  template <typename Fill>
  FakeReply Receive(grpc::CallbackServerContext* context, Fill fill);

  absl::Mutex mu_;
  std::deque<FakeReply> replies_ ABSL_GUARDED_BY(mu_);
  std::vector<ReceivedCall> calls_ ABSL_GUARDED_BY(mu_);
  size_t cancellations_ ABSL_GUARDED_BY(mu_) = 0;
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string target_;
};

// TLS server credentials from PEM files; with `client_ca_file`, clients must
// present a certificate it signed.
std::shared_ptr<grpc::ServerCredentials> TlsServerCredentialsFromFiles(
    const std::string& cert_file, const std::string& key_file,
    const std::string& client_ca_file = "");

// A gRPC status carrying `details` the way the gateway sends them: a
// google.rpc.Status with the same code and message in the details trailer.
grpc::Status RichStatusOf(grpc::StatusCode code, const std::string& message,
                          const std::vector<const google::protobuf::Message*>& details);

template <typename... Details>
grpc::Status RichStatus(grpc::StatusCode code, const std::string& message,
                        const Details&... details) {
  return RichStatusOf(code, message, {&details...});
}

}  // namespace livestream_client::testing

#endif  // LIVESTREAM_TESTS_CLIENT_FAKE_LIVESTREAM_SERVER_H_
