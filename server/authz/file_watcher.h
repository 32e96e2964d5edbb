#ifndef LIVESTREAM_GATEWAY_SERVER_AUTHZ_FILE_WATCHER_H_
#define LIVESTREAM_GATEWAY_SERVER_AUTHZ_FILE_WATCHER_H_

#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/config_file.h"
#include "server/defaults.h"
#include "server/logging/log_line.h"
#include "server/zoom/scheduler.h"

namespace livestream_gateway {

struct FileWatcherOptions {
  std::string flag;  // e.g. "authz_policy_file", for messages
  std::string path;
  ConfigFileOptions read;
  absl::Duration interval = defaults::kAuthzReloadInterval;
};

// Reloads a file read at start-up when it changes, without a restart. Polls
// the file's device, inode, size and modification time every
// options.interval on the shared Scheduler (no thread of its own); a
// Kubernetes ConfigMap or Secret update (a symlink swap) changes the inode.
// Each change is read with ReadConfigFile and handed to `apply`; a file that
// cannot be read or that `apply` refuses leaves the version in force and
// costs one warning line, until the file changes again.
class FileWatcher {
 public:
  // Returns a short description of what was loaded for the log line, or why
  // the contents are refused.
  using Apply = absl::AnyInvocable<absl::StatusOr<std::string>(const std::string& contents)>;
  // One message per reload (info) or refusal (warning), without a trailing
  // newline, for the process's logger.
  using Log = absl::AnyInvocable<void(LogLevel level, absl::string_view message)>;

  // The file as it is now counts as loaded. `scheduler` must outlive the
  // watcher.
  FileWatcher(Scheduler* scheduler, FileWatcherOptions options, Apply apply, Log log);
  // Neither `apply` nor `log` runs once it returns. Must not be called from
  // either.
  ~FileWatcher();

  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

 private:
  struct State;
  static void Poll(const std::shared_ptr<State>& state);
  static void Arm(const std::shared_ptr<State>& state);

  const std::shared_ptr<State> state_;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_AUTHZ_FILE_WATCHER_H_
