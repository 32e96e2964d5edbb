// bench_reference_server: LiveStreamService answering every call at once with
// no upstream. It is the gRPC ceiling the gateway is compared to, so it uses
// the same callback API and default reactor as the real server and nothing
// else (no validation, no logging).

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench/serve.h"
#include "zoom/livestream/v1/livestream_service.grpc.pb.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port to listen on (port 0 picks a free one)");
ABSL_FLAG(std::string, port_file, "", "if set, the bound port is written here once listening");

namespace {

using ::zoom::livestream::v1::LiveStreamService;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

class ImmediateService final : public LiveStreamService::CallbackService {
  grpc::ServerUnaryReactor* UpdateStatus(grpc::CallbackServerContext* ctx,
                                         const UpdateStatusRequest* /*request*/,
                                         UpdateStatusResponse* /*response*/) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const sigset_t signals = livestream_bench::BlockTerminationSignals();
  ImmediateService service;
  std::unique_ptr<grpc::Server> server =
      livestream_bench::StartServer("bench_reference_server", &service, absl::GetFlag(FLAGS_listen),
                                    absl::GetFlag(FLAGS_port_file));
  if (server == nullptr) return 1;
  livestream_bench::WaitForTerminationSignal(signals);
  server->Shutdown();
  return 0;
}
