#ifndef LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_LISTEN_ADDRESS_H_
#define LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_LISTEN_ADDRESS_H_

#include <sys/socket.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zoom_emulator {

struct ListenAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

// Parses "IPv4:port" or "[IPv6]:port" (numeric only) and refuses anything
// but 127.0.0.0/8 and ::1: the emulator accepts any client and must never be
// reachable from another machine.
absl::StatusOr<ListenAddress> ParseLoopbackListenAddress(absl::string_view spec);

}  // namespace zoom_emulator

#endif  // LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_LISTEN_ADDRESS_H_
