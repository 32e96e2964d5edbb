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
  absl::Duration timeout = absl::Seconds(5);
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string bearer_token_file;
};

struct Invocation {
  std::string target;
  UpdateStatusRequest request;
  absl::Duration timeout;
  // Set when the channel uses TLS: --tls, or any of the TLS file flags.
  std::optional<TlsFiles> tls;
  std::string bearer_token_file;
};

// Applies the usage rules (a subcommand of start|stop|settings, a target,
// exactly one of webinar and meeting, a positive timeout, a client
// certificate only with its key) and builds the
// request. `positional` excludes the program name. Anything else is left to
// the server to validate. An InvalidArgument result is a usage error whose
// message is meant for the user.
absl::StatusOr<Invocation> ParseInvocation(const std::vector<std::string>& positional,
                                           const Flags& flags);

}  // namespace livestream_client::cli

#endif  // LIVESTREAM_CLIENT_CLI_H_
