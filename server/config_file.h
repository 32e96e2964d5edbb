#ifndef LIVESTREAM_GATEWAY_SERVER_CONFIG_FILE_H_
#define LIVESTREAM_GATEWAY_SERVER_CONFIG_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace livestream_gateway {

struct ConfigFileOptions {
  // Larger files are refused; each caller sizes it for what the file holds.
  size_t max_bytes = 0;
  // A secret (a token, a client secret, a private key) earns a warning when
  // group or others have any access to it.
  bool secret = false;
};

struct ConfigFile {
  std::string contents;
  // One line for stderr, or empty. Names the flag, the path and the mode,
  // never the contents.
  std::string warning;
};

// Reads the whole file at `path`, named by the flag --`flag`, once at start-up
// (credentials today; certificates and policies later). Each refusal is an
// INVALID_ARGUMENT whose message names the flag and the path and says what is
// wrong: missing, not readable, a directory, another kind of non-regular file
// (a FIFO, socket or device: a FIFO without a writer does not block), larger
// than options.max_bytes, or empty. Never more than max_bytes plus one read
// buffer is held, whatever the file claims its size is.
absl::StatusOr<ConfigFile> ReadConfigFile(absl::string_view flag, const std::string& path,
                                          const ConfigFileOptions& options);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_CONFIG_FILE_H_
