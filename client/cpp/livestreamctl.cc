// livestreamctl: start, stop or configure a Zoom live stream through the
// gateway. See cli.cc (kUsage) for usage and exit codes.

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/time/time.h"
#include "client/cpp/cli.h"
#include "client/cpp/livestream_client.h"

ABSL_FLAG(std::string, target, "", "The gateway, HOST:PORT or any gRPC target. Required.");
ABSL_FLAG(std::optional<std::string>, webinar, std::nullopt, "The Zoom webinar ID.");
ABSL_FLAG(std::optional<std::string>, meeting, std::nullopt, "The Zoom meeting ID.");
ABSL_FLAG(std::optional<std::string>, display_name, std::nullopt,
          "The live stream's display name.");
ABSL_FLAG(std::optional<bool>, active_speaker_name, std::nullopt,
          "true or false: whether to show the active speaker's name.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(5), "Deadline of the call.");

namespace {

namespace cli = ::livestream_client::cli;

cli::FlagKind KindOf(absl::string_view name) {
  const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
  if (flag == nullptr) return cli::FlagKind::kUnknown;
  return flag->IsOfType<bool>() ? cli::FlagKind::kBool : cli::FlagKind::kValue;
}

// absl's own --help lists every linked flag in underscore spelling and exits
// 1; ours documents the hyphenated spellings and exits 0.
bool WantsHelp(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "--") return false;
    if (arg == "--help" || arg == "-help" || arg == "-h" || arg == "--helpshort") return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (WantsHelp(args)) {
    std::cout << cli::kUsage;
    return cli::kExitOk;
  }
  absl::SetProgramUsageMessage(cli::kUsage);
  absl::FlagsUsageConfig usage_config;
  usage_config.version_string = [] {
    return std::string("livestreamctl " LIVESTREAM_VERSION "\n");
  };
  absl::SetFlagsUsageConfig(usage_config);

  std::vector<std::string> normalized = cli::NormalizeFlagNames(args, KindOf);
  normalized.insert(normalized.begin(), argv[0]);
  std::vector<char*> normalized_argv;
  normalized_argv.reserve(normalized.size());
  for (std::string& arg : normalized) normalized_argv.push_back(arg.data());
  // Exits with kExitUsage (1) itself on unknown flags or bad values.
  const std::vector<char*> positional_argv =
      absl::ParseCommandLine(static_cast<int>(normalized_argv.size()), normalized_argv.data());
  const std::vector<std::string> positional(positional_argv.begin() + 1, positional_argv.end());

  cli::Flags flags;
  flags.target = absl::GetFlag(FLAGS_target);
  flags.webinar = absl::GetFlag(FLAGS_webinar);
  flags.meeting = absl::GetFlag(FLAGS_meeting);
  flags.display_name = absl::GetFlag(FLAGS_display_name);
  flags.active_speaker_name = absl::GetFlag(FLAGS_active_speaker_name);
  flags.timeout = absl::GetFlag(FLAGS_timeout);
  absl::StatusOr<cli::Invocation> invocation = cli::ParseInvocation(positional, flags);
  if (!invocation.ok()) {
    std::cerr << "livestreamctl: " << invocation.status().message()
              << "\nRun 'livestreamctl --help' for usage.\n";
    return cli::kExitUsage;
  }

  livestream_client::LiveStreamClient client(livestream_client::MakeChannel(invocation->target));
  absl::StatusOr<livestream_client::UpdateStatusResponse> response =
      client.UpdateStatus(invocation->request, invocation->timeout);
  if (!response.ok()) {
    std::cerr << livestream_client::FormatStatus(response.status()) << "\n";
    return cli::ExitCodeFor(response.status());
  }
  std::cout << "tracking_id: " << response->tracking_id() << "\n";
  return cli::kExitOk;
}
