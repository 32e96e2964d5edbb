// livestreamctl: start, stop or configure a Zoom live stream, or read its
// configuration, through the gateway. See cli.cc (kUsage) for usage and exit codes.

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/cpp/channel_security.h"
#include "client/cpp/cli.h"
#include "client/cpp/livestream_client.h"

ABSL_FLAG(std::string, target, "", "The gateway, HOST:PORT or any gRPC target. Required.");
ABSL_FLAG(std::optional<std::string>, webinar, std::nullopt, "The Zoom webinar ID.");
ABSL_FLAG(std::optional<std::string>, meeting, std::nullopt, "The Zoom meeting ID.");
ABSL_FLAG(std::optional<std::string>, display_name, std::nullopt,
          "The live stream's display name.");
ABSL_FLAG(std::optional<bool>, active_speaker_name, std::nullopt,
          "true or false: whether to show the active speaker's name.");
ABSL_FLAG(std::optional<std::string>, stream_url, std::nullopt,
          "configure: the rtmp:// or rtmps:// ingest URL.");
ABSL_FLAG(std::optional<std::string>, stream_key_file, std::nullopt,
          "configure: file holding the new stream key, - for stdin.");
ABSL_FLAG(std::optional<std::string>, page_url, std::nullopt,
          "configure: the page viewers watch the live stream on.");
ABSL_FLAG(std::optional<std::string>, resolution, std::nullopt, "configure: 720p or 1080p.");
ABSL_FLAG(bool, show_stream_key, false, "get, configure: print the stream key unmasked.");
ABSL_FLAG(bool, validate_only, false, "All but get: validate only, send nothing to Zoom.");
ABSL_FLAG(std::optional<std::string>, request_id, std::nullopt,
          "All but get: an idempotency key, a UUID.");
ABSL_FLAG(std::optional<std::string>, requests_file, std::nullopt,
          "batch: file of requests, one JSON object per line; - or unset for stdin.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(5), "Deadline of the call.");
ABSL_FLAG(bool, no_retry, false, "Do not retry a call that fails with UNAVAILABLE.");
ABSL_FLAG(bool, tls, false, "Use TLS, trusting gRPC's default roots.");
ABSL_FLAG(std::string, tls_ca_file, "", "PEM CA bundle the gateway's certificate must chain to.");
ABSL_FLAG(std::string, tls_cert_file, "", "PEM client certificate for mTLS.");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file.");
ABSL_FLAG(std::string, bearer_token_file, "",
          "File holding a token sent as 'authorization: Bearer' metadata.");

namespace {

namespace cli = ::livestream_client::cli;

cli::FlagKind KindOf(absl::string_view name) {
  const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
  if (flag == nullptr) return cli::FlagKind::kUnknown;
  return flag->IsOfType<bool>() ? cli::FlagKind::kBool : cli::FlagKind::kValue;
}

// The whole file, or stdin for "-". The error names the file (as `what`),
// never what it holds.
absl::StatusOr<std::string> ReadFileOrStdin(const std::string& path, absl::string_view what) {
  std::string contents;
  if (path == "-") {
    contents.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (std::cin.bad())
      return absl::InvalidArgumentError(absl::StrCat("cannot read the ", what, " from stdin"));
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " file ", path));
    contents.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
      return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " file ", path));
    }
  }
  return contents;
}

absl::StatusOr<std::string> ReadStreamKeyFile(const std::string& path) {
  absl::StatusOr<std::string> contents = ReadFileOrStdin(path, "stream key");
  if (!contents.ok()) return contents.status();
  return cli::StreamKeyFromFileContents(*contents);
}

// Makes the call the invocation names and prints its result; returns the
// exit code.
int Run(livestream_client::LiveStreamClient& client, const cli::Invocation& invocation) {
  absl::Status failure;
  switch (invocation.command) {
    case cli::Command::kUpdateStatus: {
      absl::StatusOr<livestream_client::UpdateStatusResponse> response =
          client.UpdateStatus(invocation.request, invocation.timeout);
      if (!response.ok()) {
        failure = response.status();
        break;
      }
      std::cout << "tracking_id: " << response->tracking_id() << "\n";
      return cli::kExitOk;
    }
    case cli::Command::kGetLiveStream: {
      absl::StatusOr<livestream_client::GetLiveStreamResponse> response =
          client.GetLiveStream(invocation.get_request, invocation.timeout);
      if (!response.ok()) {
        failure = response.status();
        break;
      }
      std::cout << cli::FormatLiveStream(response->live_stream(), response->tracking_id(),
                                         invocation.show_stream_key);
      return cli::kExitOk;
    }
    case cli::Command::kUpdateLiveStream: {
      absl::StatusOr<livestream_client::UpdateLiveStreamResponse> response =
          client.UpdateLiveStream(invocation.configure_request, invocation.timeout);
      if (!response.ok()) {
        failure = response.status();
        break;
      }
      std::cout << cli::FormatLiveStream(response->live_stream(), response->tracking_id(),
                                         invocation.show_stream_key);
      return cli::kExitOk;
    }
    case cli::Command::kBatchUpdateStatus: {
      absl::StatusOr<livestream_client::BatchUpdateStatusResponse> response =
          client.BatchUpdateStatus(invocation.batch_request, invocation.timeout);
      if (!response.ok()) {
        failure = response.status();
        break;
      }
      std::cout << cli::FormatBatchResults(*response);
      return cli::BatchExitCode(*response);
    }
  }
  std::cerr << livestream_client::FormatStatus(failure) << "\n";
  return cli::ExitCodeFor(failure);
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
  flags.stream_url = absl::GetFlag(FLAGS_stream_url);
  flags.stream_key_file = absl::GetFlag(FLAGS_stream_key_file);
  flags.page_url = absl::GetFlag(FLAGS_page_url);
  flags.resolution = absl::GetFlag(FLAGS_resolution);
  flags.show_stream_key = absl::GetFlag(FLAGS_show_stream_key);
  flags.validate_only = absl::GetFlag(FLAGS_validate_only);
  flags.request_id = absl::GetFlag(FLAGS_request_id);
  flags.requests_file = absl::GetFlag(FLAGS_requests_file);
  flags.timeout = absl::GetFlag(FLAGS_timeout);
  flags.no_retry = absl::GetFlag(FLAGS_no_retry);
  flags.tls = absl::GetFlag(FLAGS_tls);
  flags.tls_ca_file = absl::GetFlag(FLAGS_tls_ca_file);
  flags.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  flags.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  flags.bearer_token_file = absl::GetFlag(FLAGS_bearer_token_file);
  absl::StatusOr<cli::Invocation> invocation = cli::ParseInvocation(positional, flags);
  if (!invocation.ok()) {
    std::cerr << "livestreamctl: " << invocation.status().message()
              << "\nRun 'livestreamctl --help' for usage.\n";
    return cli::kExitUsage;
  }

  if (!invocation->stream_key_file.empty()) {
    absl::StatusOr<std::string> key = ReadStreamKeyFile(invocation->stream_key_file);
    if (!key.ok()) {
      std::cerr << "livestreamctl: " << key.status().message() << "\n";
      return cli::kExitUsage;
    }
    invocation->configure_request.mutable_live_stream()->set_stream_key(*std::move(key));
  }
  if (invocation->command == cli::Command::kBatchUpdateStatus) {
    absl::StatusOr<std::string> lines = ReadFileOrStdin(invocation->requests_file, "requests");
    absl::StatusOr<std::vector<livestream_client::UpdateStatusRequest>> requests =
        lines.ok() ? cli::ParseBatchLines(*lines) : lines.status();
    if (!requests.ok()) {
      std::cerr << "livestreamctl: " << requests.status().message() << "\n";
      return cli::kExitUsage;
    }
    for (livestream_client::UpdateStatusRequest& request : *requests) {
      *invocation->batch_request.add_requests() = std::move(request);
    }
  }

  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (invocation->tls.has_value()) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> tls =
        livestream_client::MakeTlsCredentials(*invocation->tls);
    if (!tls.ok()) {
      std::cerr << "livestreamctl: " << tls.status().message() << "\n";
      return cli::kExitUsage;
    }
    credentials = *std::move(tls);
  }
  livestream_client::ClientOptions options;
  if (!invocation->bearer_token_file.empty()) {
    absl::StatusOr<std::string> token =
        livestream_client::ReadBearerTokenFile(invocation->bearer_token_file);
    if (!token.ok()) {
      std::cerr << "livestreamctl: " << token.status().message() << "\n";
      return cli::kExitUsage;
    }
    options.bearer_token = *std::move(token);
  }
  livestream_client::ChannelOptions channel_options{.credentials = std::move(credentials)};
  if (!invocation->retry) channel_options.service_config_json = std::nullopt;
  livestream_client::LiveStreamClient client(
      livestream_client::MakeChannel(invocation->target, channel_options), std::move(options));
  return Run(client, *invocation);
}
