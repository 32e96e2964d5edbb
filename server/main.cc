// livestream_server: flags and environment to Config, signals, wiring.

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/allocator.h"
#include "server/config.h"
#include "server/defaults.h"
#include "server/gateway_server.h"
#include "server/listener_security.h"
#include "server/logging/grpc_log.h"
#include "server/logging/logger.h"
#include "server/logging/protobuf_log.h"
#include "server/version.h"

namespace {

bool WritePortFile(const std::string& path, int port) {
  // Write then rename, so a reader never sees a partial number.
  const std::string temp = absl::StrCat(path, ".tmp.", getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << port << "\n";
    if (!out.good()) return false;
  }
  return std::rename(temp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  livestream_gateway::TuneAllocator();
  const std::string version =
      absl::StrCat(livestream_gateway::kProductName, " ", livestream_gateway::kVersion);
  absl::SetProgramUsageMessage(absl::StrCat(
      version, ": a gRPC gateway that starts and stops Zoom webinar and meeting live streams.\n",
      "Usage: livestream_server [--listen=", livestream_gateway::defaults::kListen,
      "] [--zoom_api_base_url=URL] ...\n\n", livestream_gateway::kEnvironmentUsage));
  absl::FlagsUsageConfig usage = livestream_gateway::ServerFlagsUsageConfig();
  usage.version_string = [version] { return absl::StrCat(version, "\n"); };
  absl::SetFlagsUsageConfig(std::move(usage));
  absl::ParseCommandLine(argc, argv);
#ifdef NDEBUG
  // Debian's abseil keeps mutex deadlock detection on; it cost 3-5% of server
  // CPU in the benchmark (docs/performance.md). Debug builds keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif

  using livestream_gateway::Log;
  using livestream_gateway::LogLevel;
  using livestream_gateway::NumberField;
  // Before anything logs; a bad value is reported below, in the default
  // format.
  if (absl::StatusOr<livestream_gateway::LogFormat> format =
          livestream_gateway::LogFormatFromFlags();
      format.ok()) {
    livestream_gateway::SetLogFormat(*format);
  }
  livestream_gateway::RouteGrpcLogsToLogger();
  livestream_gateway::RouteProtobufLogsToLogger();

  absl::StatusOr<livestream_gateway::Config> config = livestream_gateway::ConfigFromFlagsAndEnv();
  if (!config.ok()) {
    Log(LogLevel::kError, "invalid configuration", {{"error", config.status().message()}});
    return 2;
  }
  for (const std::string& warning : config->warnings) Log(LogLevel::kWarning, warning);

  // Block the shutdown signals before any thread exists, so every thread
  // inherits the mask and only sigwait below receives them.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGTERM);
  sigaddset(&shutdown_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);
  // A peer closing a socket must not kill the process.
  signal(SIGPIPE, SIG_IGN);

  absl::StatusOr<std::unique_ptr<livestream_gateway::GatewayServer>> server =
      livestream_gateway::GatewayServer::Start(*config);
  if (!server.ok()) {
    Log(LogLevel::kError, "cannot start", {{"error", server.status().message()}});
    return 1;
  }
  const std::string port = absl::StrCat((*server)->port());
  const std::string security =
      livestream_gateway::DescribeListenerSecurity(config->listen, config->listener_security);
  Log(LogLevel::kInfo, "listening",
      {{"version", livestream_gateway::kVersion},
       {"listen", config->listen},
       NumberField("port", port),
       {"security", security},
       {"zoom_api", config->zoom_api_base_url},
       {"zoom_body_encoding", config->zoom_body_encoding == livestream_gateway::BodyEncoding::kJson
                                  ? "json"
                                  : "multipart"}});
  if ((*server)->metrics_port() != 0) {
    const std::string metrics_port = absl::StrCat((*server)->metrics_port());
    Log(LogLevel::kInfo, "serving metrics",
        {{"listen", config->metrics_listen},
         NumberField("port", metrics_port),
         {"path", "/metrics"}});
  }
  if (!config->metrics_port_file.empty() &&
      !WritePortFile(config->metrics_port_file, (*server)->metrics_port())) {
    Log(LogLevel::kError, "cannot write --metrics_port_file",
        {{"path", config->metrics_port_file}});
    return 1;
  }
  if (!config->port_file.empty() && !WritePortFile(config->port_file, (*server)->port())) {
    Log(LogLevel::kError, "cannot write --port_file", {{"path", config->port_file}});
    return 1;
  }

  int signal_number = 0;
  sigwait(&shutdown_signals, &signal_number);
  Log(LogLevel::kInfo, "draining",
      {{"signal", sigabbrev_np(signal_number)},
       {"grace", absl::FormatDuration(config->shutdown_grace)}});
  (*server)->Shutdown(config->shutdown_grace);
  server->reset();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}
