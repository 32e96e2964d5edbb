#include "server/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace livestream_gateway {
namespace {

// std::error_code rather than strerror, which is not thread-safe.
std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

absl::Status Refuse(absl::string_view flag, absl::string_view path, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", path, " ", problem));
}

absl::string_view KindOf(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

absl::Status OpenError(absl::string_view flag, absl::string_view path, int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return Refuse(flag, path, "does not exist");
    case EACCES:
    case EPERM:
      return Refuse(flag, path, "is not readable by this process (permission denied)");
    case ENXIO:
      // What open(2) says of a Unix socket.
      return Refuse(flag, path, "is a socket or a device without a driver, not a regular file");
    default:
      return Refuse(flag, path, absl::StrCat("cannot be opened (", ErrnoText(error), ")"));
  }
}

}  // namespace

absl::StatusOr<ConfigFile> ReadConfigFile(absl::string_view flag, const std::string& path,
                                          const ConfigFileOptions& options) {
  // O_NONBLOCK: opening a FIFO without a writer (or a modem line) returns at
  // once instead of waiting. The checks below use the descriptor, never the
  // path again, so the file cannot be swapped between check and read.
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return OpenError(flag, path, errno);
  const absl::Cleanup closer = [fd] { close(fd); };
  struct stat info = {};
  if (fstat(fd, &info) != 0) {
    return Refuse(flag, path, absl::StrCat("cannot be examined (", ErrnoText(errno), ")"));
  }
  if (S_ISDIR(info.st_mode)) return Refuse(flag, path, "is a directory, not a file");
  if (!S_ISREG(info.st_mode)) {
    return Refuse(flag, path, absl::StrCat("is ", KindOf(info.st_mode), ", not a regular file"));
  }
  const std::string too_large = absl::StrCat("is larger than ", options.max_bytes, " bytes");
  if (info.st_size > 0 && static_cast<size_t>(info.st_size) > options.max_bytes) {
    return Refuse(flag, path, too_large);
  }

  // st_size is only a hint (a file may grow, and /proc files report 0): the
  // cap is enforced on what is actually read.
  ConfigFile file;
  char buffer[4096];
  while (true) {
    const ssize_t count = read(fd, buffer, sizeof(buffer));
    if (count < 0) {
      if (errno == EINTR) continue;
      return Refuse(flag, path, absl::StrCat("cannot be read (", ErrnoText(errno), ")"));
    }
    if (count == 0) break;
    file.contents.append(buffer, static_cast<size_t>(count));
    if (file.contents.size() > options.max_bytes) return Refuse(flag, path, too_large);
  }
  if (file.contents.empty()) return Refuse(flag, path, "is empty");

  // Any access by group or others, as OpenSSH judges private key files: a
  // secret others can change is as unsafe as one they can read.
  const mode_t permissions = info.st_mode & 07777;
  if (options.secret && (permissions & (S_IRWXG | S_IRWXO)) != 0) {
    file.warning = absl::StrFormat(
        "--%s: %s is accessible to group or others (mode %04o); restrict it to its owner (chmod "
        "600)",
        flag, path, permissions);
  }
  return file;
}

}  // namespace livestream_gateway
