#ifndef LIVESTREAM_GATEWAY_SERVER_HOST_PORT_H_
#define LIVESTREAM_GATEWAY_SERVER_HOST_PORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace livestream_gateway {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 literal
  int port = 0;
};

// "host:port" or "[ipv6]:port", as --listen and --metrics_listen take them;
// the host must not be empty, the port is 0..65535 (0: any free port).
absl::StatusOr<HostPort> SplitHostPort(absl::string_view address);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_HOST_PORT_H_
