#include "server/authz/file_watcher.h"

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace livestream_gateway {
namespace {

// What tells one version of a file from the next without reading it.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t mtime_seconds = 0;
  int64_t mtime_nanos = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

// Follows symlinks, as Kubernetes' mounted ConfigMaps and Secrets are.
// nullopt when the file is missing or cannot be examined.
std::optional<FileIdentity> Identify(const std::string& path) {
  struct stat info = {};
  if (stat(path.c_str(), &info) != 0) return std::nullopt;
  return FileIdentity{info.st_dev, info.st_ino, info.st_size, info.st_mtim.tv_sec,
                      info.st_mtim.tv_nsec};
}

}  // namespace

struct FileWatcher::State {
  State(Scheduler* scheduler, FileWatcherOptions options, Apply apply, Log log)
      : scheduler(scheduler),
        options(std::move(options)),
        apply(std::move(apply)),
        log(std::move(log)) {}

  Scheduler* const scheduler;
  const FileWatcherOptions options;
  absl::Mutex mu;
  Apply apply ABSL_GUARDED_BY(mu);
  Log log ABSL_GUARDED_BY(mu);
  std::optional<FileIdentity> seen ABSL_GUARDED_BY(mu);
  std::shared_ptr<Cancellable> timer ABSL_GUARDED_BY(mu);
  bool stopped ABSL_GUARDED_BY(mu) = false;
};

FileWatcher::FileWatcher(Scheduler* scheduler, FileWatcherOptions options, Apply apply, Log log)
    : state_(std::make_shared<State>(scheduler, std::move(options), std::move(apply),
                                     std::move(log))) {
  {
    absl::MutexLock lock(&state_->mu);
    state_->seen = Identify(state_->options.path);
  }
  Arm(state_);
}

FileWatcher::~FileWatcher() {
  std::shared_ptr<Cancellable> timer;
  {
    // Waits for a poll in progress.
    absl::MutexLock lock(&state_->mu);
    state_->stopped = true;
    timer = std::move(state_->timer);
  }
  if (timer != nullptr) timer->Cancel();
}

void FileWatcher::Arm(const std::shared_ptr<State>& state) {
  absl::MutexLock lock(&state->mu);
  if (state->stopped) return;
  // The timer holds the state, not the watcher: a late tick finds it stopped.
  state->timer = state->scheduler->RunAt(
      state->scheduler->Now() + state->options.interval, [state](const absl::Status& status) {
        if (!status.ok()) return;  // cancelled: the watcher or the scheduler is going away
        Poll(state);
        Arm(state);
      });
}

void FileWatcher::Poll(const std::shared_ptr<State>& state) {
  absl::MutexLock lock(&state->mu);
  if (state->stopped) return;
  const FileWatcherOptions& options = state->options;
  const std::optional<FileIdentity> now = Identify(options.path);
  if (now == state->seen) return;
  state->seen = now;
  absl::StatusOr<ConfigFile> file = ReadConfigFile(options.flag, options.path, options.read);
  if (!file.ok()) {
    state->log(LogLevel::kWarning,
               absl::StrCat(file.status().message(), "; keeping the version in force"));
    return;
  }
  if (!file->warning.empty()) state->log(LogLevel::kWarning, file->warning);
  absl::StatusOr<std::string> applied = state->apply(file->contents);
  if (!applied.ok()) {
    state->log(LogLevel::kWarning,
               absl::StrCat("--", options.flag, ": ", options.path, ": ",
                            applied.status().message(), "; keeping the version in force"));
    return;
  }
  state->log(LogLevel::kInfo,
             absl::StrCat("--", options.flag, ": reloaded ", options.path, ": ", *applied));
}

}  // namespace livestream_gateway
