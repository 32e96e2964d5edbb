#include "tests/client/fake_livestream_server.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace livestream_client::testing {

using ::zoom::livestream::v1::GetLiveStreamRequest;
using ::zoom::livestream::v1::GetLiveStreamResponse;
using ::zoom::livestream::v1::LiveStreamService;
using ::zoom::livestream::v1::UpdateLiveStreamRequest;
using ::zoom::livestream::v1::UpdateLiveStreamResponse;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

class FakeLiveStreamServer::HoldReactor : public grpc::ServerUnaryReactor {
 public:
  explicit HoldReactor(FakeLiveStreamServer* owner) : owner_(owner) {}

  void OnCancel() override {
    {
      absl::MutexLock lock(&owner_->mu_);
      ++owner_->cancellations_;
    }
    Finish(grpc::Status::CANCELLED);
  }

  void OnDone() override { delete this; }

  // Like the real server's reactor (server/livestream_service.cc): OnDone
  // only frees, so gRPC may run it on the thread that ends the call instead
  // of handing it to its executor thread. That hand-off is invisible to
  // ThreadSanitizer (uninstrumented gRPC), which then reports gRPC's own
  // teardown of the call against the finishing thread (docs/building.md).
  bool InternalInlineable() override { return true; }

 private:
  FakeLiveStreamServer* owner_;
};

template <typename Fill>
FakeReply FakeLiveStreamServer::Receive(grpc::CallbackServerContext* context, Fill fill) {
  absl::MutexLock lock(&mu_);
  ReceivedCall call;
  fill(call);
  call.deadline = context->deadline();
  const auto [begin, end] = context->client_metadata().equal_range("authorization");
  for (auto entry = begin; entry != end; ++entry) {
    call.authorization.emplace_back(entry->second.data(), entry->second.size());
  }
  for (const grpc::string_ref& identity : context->auth_context()->GetPeerIdentity()) {
    call.peer_identity.emplace_back(identity.data(), identity.size());
  }
  calls_.push_back(std::move(call));
  FakeReply reply = replies_.front();
  if (replies_.size() > 1) replies_.pop_front();
  return reply;
}

class FakeLiveStreamServer::Service : public LiveStreamService::CallbackService {
 public:
  explicit Service(FakeLiveStreamServer* owner) : owner_(owner) {}

  grpc::ServerUnaryReactor* UpdateStatus(grpc::CallbackServerContext* context,
                                         const UpdateStatusRequest* request,
                                         UpdateStatusResponse* response) override {
    const FakeReply reply = owner_->Receive(context, [&](ReceivedCall& call) {
      call.method = "UpdateStatus";
      call.request = *request;
    });
    response->set_tracking_id(reply.tracking_id);
    return Answer(context, reply);
  }

  grpc::ServerUnaryReactor* GetLiveStream(grpc::CallbackServerContext* context,
                                          const GetLiveStreamRequest* request,
                                          GetLiveStreamResponse* response) override {
    const FakeReply reply = owner_->Receive(context, [&](ReceivedCall& call) {
      call.method = "GetLiveStream";
      call.get_request = *request;
    });
    response->set_tracking_id(reply.tracking_id);
    *response->mutable_live_stream() = reply.live_stream;
    return Answer(context, reply);
  }

  grpc::ServerUnaryReactor* UpdateLiveStream(grpc::CallbackServerContext* context,
                                             const UpdateLiveStreamRequest* request,
                                             UpdateLiveStreamResponse* response) override {
    const FakeReply reply = owner_->Receive(context, [&](ReceivedCall& call) {
      call.method = "UpdateLiveStream";
      call.update_request = *request;
    });
    response->set_tracking_id(reply.tracking_id);
    *response->mutable_live_stream() = reply.live_stream;
    return Answer(context, reply);
  }

 private:
  grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context, const FakeReply& reply) {
    if (reply.hold) return new HoldReactor(owner_);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(reply.status);
    return reactor;
  }

  FakeLiveStreamServer* owner_;
};

FakeLiveStreamServer::FakeLiveStreamServer(
    const std::shared_ptr<grpc::ServerCredentials>& credentials)
    : replies_{FakeReply{}}, service_(std::make_unique<Service>(this)) {
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0",
                           credentials != nullptr ? credentials : grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(service_.get());
  server_ = builder.BuildAndStart();
  target_ = absl::StrCat("127.0.0.1:", port);
}

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

std::shared_ptr<grpc::ServerCredentials> TlsServerCredentialsFromFiles(
    const std::string& cert_file, const std::string& key_file, const std::string& client_ca_file) {
  grpc::SslServerCredentialsOptions options(
      client_ca_file.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                             : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_key_cert_pairs.push_back({ReadFile(key_file), ReadFile(cert_file)});
  if (!client_ca_file.empty()) options.pem_root_certs = ReadFile(client_ca_file);
  return grpc::SslServerCredentials(options);
}

FakeLiveStreamServer::~FakeLiveStreamServer() {
  // An immediate deadline cancels held calls instead of waiting for them.
  server_->Shutdown(std::chrono::system_clock::now());
  server_->Wait();
}

void FakeLiveStreamServer::SetReplies(std::vector<FakeReply> replies) {
  absl::MutexLock lock(&mu_);
  replies_.assign(replies.begin(), replies.end());
}

std::vector<ReceivedCall> FakeLiveStreamServer::calls() {
  absl::MutexLock lock(&mu_);
  return calls_;
}

bool FakeLiveStreamServer::WaitForCalls(size_t count, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto arrived = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return calls_.size() >= count; };
  return mu_.AwaitWithTimeout(absl::Condition(&arrived), timeout);
}

bool FakeLiveStreamServer::WaitForCancellations(size_t count, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto cancelled = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return cancellations_ >= count; };
  return mu_.AwaitWithTimeout(absl::Condition(&cancelled), timeout);
}

grpc::Status RichStatusOf(grpc::StatusCode code, const std::string& message,
                          const std::vector<const google::protobuf::Message*>& details) {
  google::rpc::Status rpc_status;
  rpc_status.set_code(code);
  rpc_status.set_message(message);
  for (const google::protobuf::Message* detail : details) {
    rpc_status.add_details()->PackFrom(*detail);
  }
  return grpc::Status(code, message, rpc_status.SerializeAsString());
}

}  // namespace livestream_client::testing
