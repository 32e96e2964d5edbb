// bench_reference_server: LiveStreamService answering every call at once with
// no upstream. It is the gRPC ceiling the gateway is compared to, so it uses
// the same callback API and default reactor as the real server and nothing
// else (no validation, no logging).

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench/files.h"
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

  // Blocked before gRPC starts its threads so that only sigwait below sees
  // SIGINT/SIGTERM.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ImmediateService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::GetFlag(FLAGS_listen), grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "bench_reference_server: cannot listen on %s\n",
                 absl::GetFlag(FLAGS_listen).c_str());
    return 1;
  }
  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty() && !livestream_bench::WritePortFile(port_file, port)) {
    std::fprintf(stderr, "bench_reference_server: cannot write %s\n", port_file.c_str());
    return 1;
  }
  std::fprintf(stderr, "bench_reference_server: listening on port %d\n", port);

  int received = 0;
  sigwait(&signals, &received);
  server->Shutdown();
  return 0;
}
