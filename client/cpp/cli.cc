#include "client/cpp/cli.h"

#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/util/json_util.h"

namespace livestream_client::cli {

using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_STOP;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_UNSPECIFIED;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_1080P;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_720P;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_UNSPECIFIED;
using ::zoom::livestream::v1::LiveStreamResolution;

const char kUsage[] =
    R"(Usage: livestreamctl --target=HOST:PORT start|stop|settings (--webinar ID | --meeting ID)
                     [--display-name NAME] [--active-speaker-name=true|false] [CALL FLAGS]
       livestreamctl --target=HOST:PORT get (--webinar ID | --meeting ID)
                     [--show-stream-key] [CALL FLAGS]
       livestreamctl --target=HOST:PORT configure (--webinar ID | --meeting ID)
                     [--stream-url URL] [--stream-key-file FILE|-] [--page-url URL]
                     [--resolution 720p|1080p] [--show-stream-key] [CALL FLAGS]
       livestreamctl --target=HOST:PORT batch [--requests-file FILE|-] [CALL FLAGS]
CALL FLAGS: [--validate-only] [--request-id UUID] (all but get) [--timeout 5s] [--tls] [--tls-ca-file FILE]
            [--no-retry] [--tls-cert-file FILE --tls-key-file FILE] [--bearer-token-file FILE]

Starts or stops the live stream of a Zoom webinar or meeting through the
zoom-livestream-gateway, updates its settings, or reads and sets its custom
live streaming configuration. The gateway validates the request; this tool
only checks usage.

Subcommands:
  start      start the live stream (settings given with it are sent too)
  stop       stop the live stream
  settings   send settings only, no action (Zoom applies them to a stopped
             live stream)
  get        print the custom live streaming configuration: stream URL,
             stream key (masked unless --show-stream-key), page URL and
             resolution
  configure  change the configuration fields given, and only those (the
             update mask names exactly them; the gateway reads the others
             and sends them unchanged, which is not atomic); prints the
             configuration the gateway sent, the key masked as with get
  batch      send up to 100 start/stop/settings requests in one call, read
             from --requests-file (stdin by default), one per line as JSON,
             e.g. {"webinarId": "99289110036", "action":
             "LIVE_STREAM_ACTION_START"}; blank lines and # comments are
             skipped. The items run concurrently; each gets its own result

Flags (--flag=value and --flag value both work, and so do underscores instead
of hyphens, e.g. --display_name):
  --target=HOST:PORT          the gateway, any gRPC target (e.g.
                              dns:///gateway.internal:50051); plaintext
                              unless a TLS flag is given. Required.
  --webinar=ID                the Zoom webinar ID
  --meeting=ID                the Zoom meeting ID (give exactly one of
                              --webinar and --meeting)
  --display-name=NAME         start, stop, settings: the live stream's
                              display name
  --active-speaker-name=BOOL  start, stop, settings: true or false, whether
                              to show the active speaker's name; unchanged
                              when not given
  --stream-url=URL            configure: the rtmp:// or rtmps:// ingest URL
  --stream-key-file=FILE      configure: read the new stream key from FILE,
                              or from stdin with "-", without its final
                              newline. The key is a secret, so there is no
                              flag that takes it: a command line lands in
                              shell history and in ps output
  --page-url=URL              configure: the http(s) page viewers watch on
  --resolution=RES            configure: 720p or 1080p
  --show-stream-key           get, configure: print the stream key. Without
                              it the key is shown as
                              "<hidden: --show-stream-key prints it>"
  --requests-file=FILE|-      batch: the requests, one JSON object per line
                              (default: stdin)
  --validate-only             all but get: the gateway checks the request
                              (validation, authorization, rate limit) and
                              answers as the real call would, sending nothing
                              to Zoom
  --request-id=UUID           all but get: an idempotency key; the gateway
                              answers a repeat with the same id and request
                              as it answered the first, without calling Zoom
                              again (retry with the same id after a timeout)
  --timeout=DURATION          deadline of the call, e.g. 500ms, 5s, 1m
                              (default 5s)
  --no-retry                  do not retry a call that fails with
                              UNAVAILABLE. Without it such a call is tried
                              up to 3 times within the deadline
                              (client/service_config.json)
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

Output: start, stop and settings print "tracking_id: ID" on stdout (Zoom's
tracking ID, empty when Zoom sent none). get and configure print one line
each of "stream_url: ", "stream_key: ", "page_url: ", "resolution: " and
"tracking_id: " with the value; an empty value is unset (an empty stream_url:
no configuration; an empty resolution: Zoom's default). batch prints one line
per item, in order: "N: tracking_id: ID", or "N: " and the item's error as a
failed call's. On failure the status code, message and every error detail
(ErrorInfo reason and metadata, BadRequest, ...) go to stderr.

Exit codes:
  0        success
  1        usage error (including an unreadable or empty --stream-key-file,
           or a --requests-file line that is not a request)
  2        batch: the call succeeded and at least one item failed
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

namespace {

// Which subcommands take a flag, for the usage error of one given to another.
absl::Status OnlyFor(bool given, absl::string_view flag, bool allowed,
                     absl::string_view subcommands) {
  if (!given || allowed) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(flag, " applies only to ", subcommands));
}

absl::Status CheckFlagsFitCommand(Command command, const Flags& flags) {
  const bool status = command == Command::kUpdateStatus;
  const bool configure = command == Command::kUpdateLiveStream;
  const bool get = command == Command::kGetLiveStream;
  const bool batch = command == Command::kBatchUpdateStatus;
  for (const absl::Status& check : {
           OnlyFor(flags.validate_only, "--validate-only", !get,
                   "start, stop, settings, configure and batch"),
           OnlyFor(flags.request_id.has_value(), "--request-id", !get,
                   "start, stop, settings, configure and batch"),
           OnlyFor(flags.requests_file.has_value(), "--requests-file", batch, "batch"),
           OnlyFor(flags.display_name.has_value(), "--display-name", status,
                   "start, stop and settings"),
           OnlyFor(flags.active_speaker_name.has_value(), "--active-speaker-name", status,
                   "start, stop and settings"),
           OnlyFor(flags.stream_url.has_value(), "--stream-url", configure, "configure"),
           OnlyFor(flags.stream_key_file.has_value(), "--stream-key-file", configure, "configure"),
           OnlyFor(flags.page_url.has_value(), "--page-url", configure, "configure"),
           OnlyFor(flags.resolution.has_value(), "--resolution", configure, "configure"),
           OnlyFor(flags.show_stream_key, "--show-stream-key", get || configure,
                   "get and configure"),
       }) {
    if (!check.ok()) return check;
  }
  return absl::OkStatus();
}

// The configure request without the target: the fields given, and a mask
// naming exactly them, so that what was not given is left as it is.
absl::Status BuildConfigure(const Flags& flags, Invocation& invocation) {
  UpdateLiveStreamRequest& request = invocation.configure_request;
  LiveStream& live_stream = *request.mutable_live_stream();
  google::protobuf::FieldMask& mask = *request.mutable_update_mask();
  if (flags.stream_url.has_value()) {
    live_stream.set_stream_url(*flags.stream_url);
    mask.add_paths("stream_url");
  }
  if (flags.stream_key_file.has_value()) {
    if (flags.stream_key_file->empty()) {
      return absl::InvalidArgumentError("--stream-key-file needs a file name, or - for stdin");
    }
    invocation.stream_key_file = *flags.stream_key_file;
    mask.add_paths("stream_key");
  }
  if (flags.page_url.has_value()) {
    live_stream.set_page_url(*flags.page_url);
    mask.add_paths("page_url");
  }
  if (flags.resolution.has_value()) {
    if (*flags.resolution == "720p") {
      live_stream.set_resolution(LIVE_STREAM_RESOLUTION_720P);
    } else if (*flags.resolution == "1080p") {
      live_stream.set_resolution(LIVE_STREAM_RESOLUTION_1080P);
    } else {
      return absl::InvalidArgumentError("--resolution must be 720p or 1080p");
    }
    mask.add_paths("resolution");
  }
  if (mask.paths().empty()) {
    return absl::InvalidArgumentError(
        "configure needs at least one of --stream-url, --stream-key-file, --page-url and "
        "--resolution");
  }
  return absl::OkStatus();
}

// Sets the oneof target of any of the three requests.
template <typename Request>
void SetTarget(const Flags& flags, Request& request) {
  if (flags.webinar.has_value()) request.set_webinar_id(*flags.webinar);
  if (flags.meeting.has_value()) request.set_meeting_id(*flags.meeting);
}

// validate_only and request_id, which every mutating request has.
template <typename Request>
void SetOnce(const Flags& flags, Request& request) {
  request.set_validate_only(flags.validate_only);
  if (flags.request_id.has_value()) request.set_request_id(*flags.request_id);
}

// Zoom's spelling; empty when unset, the number for a value this build does
// not know (a newer server).
std::string ResolutionName(LiveStreamResolution resolution) {
  switch (resolution) {
    case LIVE_STREAM_RESOLUTION_UNSPECIFIED:
      return "";
    case LIVE_STREAM_RESOLUTION_720P:
      return "720p";
    case LIVE_STREAM_RESOLUTION_1080P:
      return "1080p";
    default:
      return absl::StrCat(static_cast<int>(resolution));
  }
}

}  // namespace

absl::StatusOr<Invocation> ParseInvocation(const std::vector<std::string>& positional,
                                           const Flags& flags) {
  if (positional.empty()) {
    return absl::InvalidArgumentError(
        "missing subcommand: start, stop, settings, get, configure or batch");
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
  } else if (subcommand == "get") {
    invocation.command = Command::kGetLiveStream;
  } else if (subcommand == "configure") {
    invocation.command = Command::kUpdateLiveStream;
  } else if (subcommand == "batch") {
    invocation.command = Command::kBatchUpdateStatus;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown subcommand: ", subcommand,
                     " (want start, stop, settings, get, configure or batch)"));
  }
  if (flags.target.empty()) return absl::InvalidArgumentError("missing --target=HOST:PORT");
  invocation.target = flags.target;
  if (invocation.command == Command::kBatchUpdateStatus) {
    if (flags.webinar.has_value() || flags.meeting.has_value()) {
      return absl::InvalidArgumentError(
          "batch takes no --webinar or --meeting: each request line names its own");
    }
  } else if (flags.webinar.has_value() == flags.meeting.has_value()) {
    return absl::InvalidArgumentError("give exactly one of --webinar=ID and --meeting=ID");
  }
  if (absl::Status fits = CheckFlagsFitCommand(invocation.command, flags); !fits.ok()) {
    return fits;
  }
  switch (invocation.command) {
    case Command::kUpdateStatus:
      SetTarget(flags, invocation.request);
      if (flags.display_name.has_value()) {
        invocation.request.mutable_settings()->set_display_name(*flags.display_name);
      }
      if (flags.active_speaker_name.has_value()) {
        invocation.request.mutable_settings()->set_active_speaker_name(*flags.active_speaker_name);
      }
      SetOnce(flags, invocation.request);
      break;
    case Command::kGetLiveStream:
      SetTarget(flags, invocation.get_request);
      break;
    case Command::kUpdateLiveStream:
      SetTarget(flags, invocation.configure_request);
      if (absl::Status built = BuildConfigure(flags, invocation); !built.ok()) return built;
      SetOnce(flags, invocation.configure_request);
      break;
    case Command::kBatchUpdateStatus:
      invocation.requests_file = flags.requests_file.value_or("-");
      if (invocation.requests_file.empty()) {
        return absl::InvalidArgumentError("--requests-file needs a file name, or - for stdin");
      }
      SetOnce(flags, invocation.batch_request);
      break;
  }
  invocation.show_stream_key = flags.show_stream_key;
  if (flags.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--timeout must be positive");
  }
  invocation.timeout = flags.timeout;
  invocation.retry = !flags.no_retry;
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

absl::StatusOr<std::string> StreamKeyFromFileContents(absl::string_view contents) {
  if (absl::ConsumeSuffix(&contents, "\n")) absl::ConsumeSuffix(&contents, "\r");
  if (contents.empty()) return absl::InvalidArgumentError("the stream key file is empty");
  return std::string(contents);
}

absl::StatusOr<std::vector<UpdateStatusRequest>> ParseBatchLines(absl::string_view text) {
  std::vector<UpdateStatusRequest> requests;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    UpdateStatusRequest request;
    const google::protobuf::util::Status parsed = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(line.data(), line.size()), &request);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--requests-file line ", line_number,
                       " is not an UpdateStatusRequest in JSON: ", parsed.message().ToString()));
    }
    requests.push_back(std::move(request));
  }
  return requests;
}

std::string FormatBatchResults(const BatchUpdateStatusResponse& response) {
  std::string out;
  for (int i = 0; i < response.results_size(); ++i) {
    const BatchUpdateStatusResult& result = response.results(i);
    if (result.has_error()) {
      absl::StrAppend(&out, i + 1, ": ", FormatStatus(ItemStatus(result)), "\n");
    } else {
      absl::StrAppend(&out, i + 1,
                      ": tracking_id: ", EscapeControlCharacters(result.response().tracking_id()),
                      "\n");
    }
  }
  return out;
}

int BatchExitCode(const BatchUpdateStatusResponse& response) {
  for (const BatchUpdateStatusResult& result : response.results()) {
    if (result.has_error()) return kExitBatchItemFailed;
  }
  return kExitOk;
}

std::string FormatLiveStream(const LiveStream& live_stream, absl::string_view tracking_id,
                             bool show_stream_key) {
  const std::string stream_key = show_stream_key || live_stream.stream_key().empty()
                                     ? EscapeControlCharacters(live_stream.stream_key())
                                     : std::string(kHiddenStreamKey);
  return absl::StrCat("stream_url: ", EscapeControlCharacters(live_stream.stream_url()),
                      "\nstream_key: ", stream_key,
                      "\npage_url: ", EscapeControlCharacters(live_stream.page_url()),
                      "\nresolution: ", ResolutionName(live_stream.resolution()),
                      "\ntracking_id: ", EscapeControlCharacters(tracking_id), "\n");
}

}  // namespace livestream_client::cli
