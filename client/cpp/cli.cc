#include "client/cpp/cli.h"

#include <cstddef>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace livestream_client::cli {

using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_STOP;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_UNSPECIFIED;

const char kUsage[] =
    R"(Usage: livestreamctl --target=HOST:PORT start|stop|settings (--webinar ID | --meeting ID)
                     [--display-name NAME] [--active-speaker-name=true|false] [--timeout 5s]
                     [--tls] [--tls-ca-file FILE] [--tls-cert-file FILE --tls-key-file FILE]
                     [--bearer-token-file FILE]

Starts or stops the live stream of a Zoom webinar or meeting through the
zoom-livestream-gateway, or updates its settings. The gateway validates the
request; this tool only checks usage.

Subcommands:
  start     start the live stream (settings given with it are sent too)
  stop      stop the live stream
  settings  send settings only, no action (Zoom applies them to a stopped
            live stream)

Flags (--flag=value and --flag value both work, and so do underscores instead
of hyphens, e.g. --display_name):
  --target=HOST:PORT          the gateway, any gRPC target (e.g.
                              dns:///gateway.internal:50051); plaintext
                              unless a TLS flag is given. Required.
  --webinar=ID                the Zoom webinar ID
  --meeting=ID                the Zoom meeting ID (give exactly one of
                              --webinar and --meeting)
  --display-name=NAME         the live stream's display name
  --active-speaker-name=BOOL  true or false: whether to show the active
                              speaker's name; unchanged when not given
  --timeout=DURATION          deadline of the call, e.g. 500ms, 5s, 1m
                              (default 5s)
  --tls                       use TLS, trusting gRPC's default roots (implied
                              by each flag below but --bearer-token-file)
  --tls-ca-file=FILE          PEM CA bundle the gateway's certificate must
                              chain to
  --tls-cert-file=FILE        PEM client certificate for mTLS (with
  --tls-key-file=FILE         its PEM private key)
  --bearer-token-file=FILE    send the token in FILE as "authorization:
                              Bearer <token>" metadata; never printed. Use it
                              with TLS, or plaintext only to loopback
  --help                      show this help
  --version                   show the version

Output: on success "tracking_id: ID" on stdout (Zoom's tracking ID, empty when
Zoom sent none). On failure the status code, message and every error detail
(ErrorInfo reason and metadata, BadRequest, ...) go to stderr.

Exit codes:
  0        success
  1        usage error
  10+CODE  the call failed with gRPC status CODE, e.g. 13 INVALID_ARGUMENT,
           14 DEADLINE_EXCEEDED, 15 NOT_FOUND, 17 PERMISSION_DENIED,
           18 RESOURCE_EXHAUSTED, 19 FAILED_PRECONDITION, 24 UNAVAILABLE,
           26 UNAUTHENTICATED
)";

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  return kExitRpcBase + static_cast<int>(status.code());
}

std::vector<std::string> NormalizeFlagNames(
    const std::vector<std::string>& args,
    absl::FunctionRef<FlagKind(absl::string_view underscored_name)> kind) {
  std::vector<std::string> out;
  out.reserve(args.size());
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      out.push_back(arg);
      continue;
    }
    const size_t dashes = arg[1] == '-' ? 2 : 1;
    const size_t equals = arg.find('=');
    const bool has_value = equals != std::string::npos;
    const absl::string_view name =
        absl::string_view(arg).substr(dashes, has_value ? equals - dashes : std::string::npos);
    const std::string underscored = absl::StrReplaceAll(name, {{"-", "_"}});
    const FlagKind flag_kind = kind(underscored);
    if (flag_kind == FlagKind::kUnknown) {
      out.push_back(arg);
      continue;
    }
    out.push_back(absl::StrCat(arg.substr(0, dashes), underscored,
                               has_value ? absl::string_view(arg).substr(equals) : ""));
    if (!has_value && flag_kind == FlagKind::kValue && i + 1 < args.size()) {
      out.push_back(args[++i]);
    }
  }
  return out;
}

absl::StatusOr<Invocation> ParseInvocation(const std::vector<std::string>& positional,
                                           const Flags& flags) {
  if (positional.empty()) {
    return absl::InvalidArgumentError("missing subcommand: start, stop or settings");
  }
  if (positional.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat("unexpected argument: ", positional[1]));
  }
  Invocation invocation;
  const std::string& subcommand = positional[0];
  if (subcommand == "start") {
    invocation.request.set_action(LIVE_STREAM_ACTION_START);
  } else if (subcommand == "stop") {
    invocation.request.set_action(LIVE_STREAM_ACTION_STOP);
  } else if (subcommand == "settings") {
    invocation.request.set_action(LIVE_STREAM_ACTION_UNSPECIFIED);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown subcommand: ", subcommand, " (want start, stop or settings)"));
  }
  if (flags.target.empty()) return absl::InvalidArgumentError("missing --target=HOST:PORT");
  invocation.target = flags.target;
  if (flags.webinar.has_value() == flags.meeting.has_value()) {
    return absl::InvalidArgumentError("give exactly one of --webinar=ID and --meeting=ID");
  }
  if (flags.webinar.has_value()) invocation.request.set_webinar_id(*flags.webinar);
  if (flags.meeting.has_value()) invocation.request.set_meeting_id(*flags.meeting);
  if (flags.display_name.has_value()) {
    invocation.request.mutable_settings()->set_display_name(*flags.display_name);
  }
  if (flags.active_speaker_name.has_value()) {
    invocation.request.mutable_settings()->set_active_speaker_name(*flags.active_speaker_name);
  }
  if (flags.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--timeout must be positive");
  }
  invocation.timeout = flags.timeout;
  if (flags.tls_cert_file.empty() != flags.tls_key_file.empty()) {
    return absl::InvalidArgumentError("give --tls-cert-file and --tls-key-file together");
  }
  if (flags.tls || !flags.tls_ca_file.empty() || !flags.tls_cert_file.empty()) {
    invocation.tls = TlsFiles{.ca_file = flags.tls_ca_file,
                              .cert_file = flags.tls_cert_file,
                              .key_file = flags.tls_key_file};
  }
  invocation.bearer_token_file = flags.bearer_token_file;
  return invocation;
}

}  // namespace livestream_client::cli
