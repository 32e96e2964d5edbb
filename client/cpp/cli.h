#ifndef LIVESTREAM_CLIENT_CLI_H_
#define LIVESTREAM_CLIENT_CLI_H_

// The pure parts of livestreamctl: flag spelling, usage rules, exit codes.
// main() in livestreamctl.cc only wires absl flags, the channel and stdio.

#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/cpp/channel_security.h"
#include "client/cpp/livestream_client.h"

namespace livestream_client::cli {

// Exit codes. An RPC failure exits with kExitRpcBase + its gRPC code
// (e.g. 15 for NOT_FOUND, 14 for DEADLINE_EXCEEDED), so scripts can branch on
// the code without parsing stderr.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;
// batch: the call succeeded and at least one item failed (see its line).
inline constexpr int kExitBatchItemFailed = 2;
inline constexpr int kExitRpcBase = 10;

int ExitCodeFor(const absl::Status& status);

extern const char kUsage[];

enum class FlagKind { kUnknown, kBool, kValue };

// absl flags are spelled with underscores; the documented spellings use
// hyphens. Rewrites "--display-name", "--display-name=x" and "-display-name"
// to the underscore form when `kind` knows that form, and leaves the value
// after a value-taking flag ("--display-name --x") and everything after "--"
// untouched. Unknown names keep their spelling so errors quote what the user
// typed.
std::vector<std::string> NormalizeFlagNames(
    const std::vector<std::string>& args,
    absl::FunctionRef<FlagKind(absl::string_view underscored_name)> kind);

// The parsed flag values. Empty optionals mean the flag was not given.
struct Flags {
  std::string target;
  std::optional<std::string> webinar;
  std::optional<std::string> meeting;
  std::optional<std::string> display_name;
  std::optional<bool> active_speaker_name;
  std::optional<std::string> stream_url;
  std::optional<std::string> stream_key_file;
  std::optional<std::string> page_url;
  std::optional<std::string> resolution;
  bool show_stream_key = false;
  bool validate_only = false;
  std::optional<std::string> request_id;
  std::optional<std::string> requests_file;
  absl::Duration timeout = absl::Seconds(5);
  bool no_retry = false;
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string bearer_token_file;
};

// Which RPC a subcommand makes.
enum class Command {
  kUpdateStatus,       // start, stop, settings: `request`
  kGetLiveStream,      // get: `get_request`
  kUpdateLiveStream,   // configure: `configure_request`
  kBatchUpdateStatus,  // batch: `batch_request`, its items read from `requests_file`
};

struct Invocation {
  std::string target;
  Command command = Command::kUpdateStatus;
  UpdateStatusRequest request;
  GetLiveStreamRequest get_request;
  // Without the stream key when `stream_key_file` is set: main() reads the
  // file (ReadStreamKey) and fills it in.
  UpdateLiveStreamRequest configure_request;
  // The file holding the new stream key, "-" for stdin; empty: unchanged.
  std::string stream_key_file;
  // Without its items: main() reads them from `requests_file` ("-" for
  // stdin) with ParseBatchLines.
  BatchUpdateStatusRequest batch_request;
  std::string requests_file;
  // get and configure print the stream key instead of masking it.
  bool show_stream_key = false;
  absl::Duration timeout;
  // Whether the channel retries UNAVAILABLE (RetryServiceConfigJson()).
  bool retry = true;
  // Set when the channel uses TLS: --tls, or any of the TLS file flags.
  std::optional<TlsFiles> tls;
  std::string bearer_token_file;
};

// Applies the usage rules (a subcommand of start|stop|settings|get|configure|
// batch, a target, exactly one of webinar and meeting except for batch, which
// takes neither, --validate-only and --request-id for every subcommand but
// get, only the flags the
// subcommand takes, for configure at least one field to change and a known
// resolution, a positive timeout, a client certificate only with its key)
// and builds the request; configure's update mask names exactly the fields
// given. `positional` excludes the program name. Anything else is left to
// the server to validate. An InvalidArgument result is a usage error whose
// message is meant for the user.
absl::StatusOr<Invocation> ParseInvocation(const std::vector<std::string>& positional,
                                           const Flags& flags);

// The stream key in the contents of a --stream-key-file: the text without
// one final line ending (LF or CRLF, an editor's or `echo`'s). Other
// whitespace is kept: it is the server's to judge. An empty key is a usage
// error; the message never quotes the contents.
absl::StatusOr<std::string> StreamKeyFromFileContents(absl::string_view contents);

// The items of a batch: one UpdateStatusRequest per line in protobuf's JSON
// form (e.g. {"webinarId": "99289110036", "action": "LIVE_STREAM_ACTION_START"});
// blank lines and lines starting with # are skipped. A line that does not
// parse is a usage error naming its number.
absl::StatusOr<std::vector<UpdateStatusRequest>> ParseBatchLines(absl::string_view text);

// What batch prints: one line per item in order, "N: tracking_id: ID" or
// "N: " and the item's FormatStatus (N counts items from 1), and the exit
// code: kExitOk when every item succeeded, else kExitBatchItemFailed.
std::string FormatBatchResults(const BatchUpdateStatusResponse& response);
int BatchExitCode(const BatchUpdateStatusResponse& response);

// What get and configure print: one "name: value" line per field and the
// tracking ID, values with control characters escaped. The stream key is
// shown as kHiddenStreamKey unless `show_stream_key` (an empty key is
// printed as empty: there is nothing to hide).
inline constexpr absl::string_view kHiddenStreamKey = "<hidden: --show-stream-key prints it>";
std::string FormatLiveStream(const LiveStream& live_stream, absl::string_view tracking_id,
                             bool show_stream_key);

}  // namespace livestream_client::cli

#endif  // LIVESTREAM_CLIENT_CLI_H_
