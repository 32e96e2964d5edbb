#ifndef LIVESTREAM_GATEWAY_BENCH_SERVE_H_
#define LIVESTREAM_GATEWAY_BENCH_SERVE_H_

// The life of the bench's gRPC servers: listen, report the port, run until
// SIGINT or SIGTERM.

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "bench/files.h"

namespace livestream_bench {

// Call before any thread starts: every thread inherits the mask, so only
// WaitForTerminationSignal() sees SIGINT and SIGTERM, and a write to a closed
// socket fails with EPIPE instead of killing the process.
inline sigset_t BlockTerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

inline void WaitForTerminationSignal(const sigset_t& signals) {
  int received = 0;
  do {
    sigwait(&signals, &received);
  } while (received == SIGPIPE);
}

// Starts `service` on `listen` and writes the bound port to `port_file` (if
// not empty); nullptr, with a message naming `program`, if either fails.
inline std::unique_ptr<grpc::Server> StartServer(const char* program, grpc::Service* service,
                                                 const std::string& listen,
                                                 const std::string& port_file) {
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "%s: cannot listen on %s\n", program, listen.c_str());
    return nullptr;
  }
  if (!port_file.empty() && !WritePortFile(port_file, port)) {
    std::fprintf(stderr, "%s: cannot write %s\n", program, port_file.c_str());
    return nullptr;
  }
  std::fprintf(stderr, "%s: listening on port %d\n", program, port);
  return server;
}

}  // namespace livestream_bench

#endif  // LIVESTREAM_GATEWAY_BENCH_SERVE_H_
