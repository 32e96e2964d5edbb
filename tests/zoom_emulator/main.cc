// zoom_emulator: a fake api.zoom.us for local runs and integration tests.
// See tests/zoom_emulator/README.md.

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "tests/zoom_emulator/emulator.h"
#include "tests/zoom_emulator/listen_address.h"
#include "tests/zoom_emulator/server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0",
          "Address to listen on: IPv4:port or [::1]:port. Only 127.0.0.0/8 and ::1 are accepted; "
          "port 0 picks a free port (see --port_file).");
ABSL_FLAG(std::string, port_file, "",
          "If set, once listening write the bound port as decimal plus newline to this file "
          "(atomically: a temporary file renamed into place).");
ABSL_FLAG(std::string, access_token, "emulator-token",
          "The static Bearer token the API accepts besides tokens issued by POST /oauth/token. "
          "Empty accepts issued tokens only.");
ABSL_FLAG(bool, quiet, false, "Do not log one line per request on stderr.");
ABSL_FLAG(std::string, oauth_account_id, "emulator-account",
          "account_id that POST /oauth/token requires.");
ABSL_FLAG(std::string, oauth_client_id, "emulator-client-id",
          "Client id that POST /oauth/token requires in HTTP Basic auth.");
ABSL_FLAG(std::string, oauth_client_secret, "emulator-client-secret",
          "Client secret that POST /oauth/token requires in HTTP Basic auth.");
ABSL_FLAG(int64_t, oauth_expires_in, 3600,
          "Lifetime in seconds of issued tokens (the expires_in answered); after it the API "
          "answers 401 code 124 \"Access token is expired.\".");
ABSL_FLAG(int64_t, max_recorded_requests, 10000,
          "How many API requests (and, separately, OAuth requests) GET /_emulator/requests keeps; "
          "older ones are dropped and counted.");

namespace zoom_emulator {
namespace {

// Thousands of concurrent connections need more descriptors than the usual
// soft limit of 1024.
void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

absl::Status WritePortFile(const std::string& path, int port) {
  const std::string temp = absl::StrCat(path, ".tmp.", getpid());
  FILE* f = std::fopen(temp.c_str(), "w");
  if (f == nullptr) return absl::InternalError(absl::StrCat(temp, ": ", std::strerror(errno)));
  const bool written = absl::FPrintF(f, "%d\n", port) > 0;
  if (std::fclose(f) != 0 || !written) {
    std::remove(temp.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", temp));
  }
  // rename() is atomic: a reader sees no file or the whole port.
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return absl::InternalError(absl::StrCat("rename to ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  // Block the stop signals before anything else so that they are only ever
  // consumed by the event loop's signalfd (a clean exit 0).
  const sigset_t stop = StopSignals();
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  absl::SetProgramUsageMessage(
      "A fake of api.zoom.us (live-stream status API, Server-to-Server OAuth, and a test control "
      "API under /_emulator/). See tests/zoom_emulator/README.md.\nUsage: zoom_emulator "
      "[--listen=127.0.0.1:0] [--port_file=PATH] [--quiet] ...");
  // absl's --help lists only flags of <program>.cc or <program>_main.cc by
  // default; ours live in main.cc.
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_help_flags = [](absl::string_view path) {
    return absl::EndsWith(path, "zoom_emulator/main.cc");
  };
  absl::SetFlagsUsageConfig(usage_config);
  absl::ParseCommandLine(argc, argv);
  RaiseFileLimit();

  const auto address = ParseLoopbackListenAddress(absl::GetFlag(FLAGS_listen));
  if (!address.ok()) {
    absl::FPrintF(stderr, "zoom_emulator: %s\n", address.status().message());
    return 2;
  }
  if (absl::GetFlag(FLAGS_oauth_expires_in) < 0 || absl::GetFlag(FLAGS_max_recorded_requests) < 0) {
    absl::FPrintF(stderr,
                  "zoom_emulator: --oauth_expires_in and --max_recorded_requests must be >= 0\n");
    return 2;
  }

  EmulatorOptions options;
  options.access_token = absl::GetFlag(FLAGS_access_token);
  options.oauth_account_id = absl::GetFlag(FLAGS_oauth_account_id);
  options.oauth_client_id = absl::GetFlag(FLAGS_oauth_client_id);
  options.oauth_client_secret = absl::GetFlag(FLAGS_oauth_client_secret);
  options.oauth_expires_in = absl::Seconds(absl::GetFlag(FLAGS_oauth_expires_in));
  options.max_recorded_requests = static_cast<size_t>(absl::GetFlag(FLAGS_max_recorded_requests));
  Emulator emulator(std::move(options));

  Server server(&emulator, absl::GetFlag(FLAGS_quiet));
  if (auto status = server.Listen(*address); !status.ok()) {
    absl::FPrintF(stderr, "zoom_emulator: %s\n", status.message());
    return 1;
  }
  const auto port = server.Port();
  if (!port.ok()) {
    absl::FPrintF(stderr, "zoom_emulator: %s\n", port.status().message());
    return 1;
  }
  if (const std::string path = absl::GetFlag(FLAGS_port_file); !path.empty()) {
    if (auto status = WritePortFile(path, *port); !status.ok()) {
      absl::FPrintF(stderr, "zoom_emulator: %s\n", status.message());
      return 1;
    }
  }
  absl::FPrintF(stderr, "zoom_emulator listening on %s (port %d)\n", absl::GetFlag(FLAGS_listen),
                *port);
  if (auto status = server.Run(); !status.ok()) {
    absl::FPrintF(stderr, "zoom_emulator: %s\n", status.message());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace zoom_emulator

int main(int argc, char** argv) { return zoom_emulator::Main(argc, argv); }
