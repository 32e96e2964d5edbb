#include "tests/zoom_emulator/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace zoom_emulator {

absl::StatusOr<ListenAddress> ParseLoopbackListenAddress(absl::string_view spec) {
  const size_t colon = spec.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen must be host:port, got \"", spec, "\""));
  }
  absl::string_view host = spec.substr(0, colon);
  const absl::string_view port_text = spec.substr(colon + 1);
  uint32_t port = 0;
  if (port_text.empty() || port_text.size() > 5 || !absl::ascii_isdigit(port_text[0]) ||
      !absl::SimpleAtoi(port_text, &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("invalid port in --listen \"", spec, "\""));
  }
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  const std::string host_string(host);

  ListenAddress out;
  if (!bracketed) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host_string.c_str(), &v4.sin_addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--listen host must be a numeric IPv4 address or [::1], got \"", host, "\""));
    }
    if ((ntohl(v4.sin_addr.s_addr) >> 24) != 127) {
      return absl::InvalidArgumentError(
          absl::StrCat("refusing to listen on ", host, ": only 127.0.0.0/8 and ::1 are allowed"));
    }
    std::memcpy(&out.storage, &v4, sizeof(v4));
    out.length = sizeof(v4);
    return out;
  }
  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET6, host_string.c_str(), &v6.sin6_addr) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen host must be a numeric IPv4 address or [::1], got \"", host, "\""));
  }
  if (!IN6_IS_ADDR_LOOPBACK(&v6.sin6_addr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("refusing to listen on ", host, ": only 127.0.0.0/8 and ::1 are allowed"));
  }
  std::memcpy(&out.storage, &v6, sizeof(v6));
  out.length = sizeof(v6);
  return out;
}

}  // namespace zoom_emulator
