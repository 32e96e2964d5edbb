#ifndef LIVESTREAM_GATEWAY_SERVER_VERSION_H_
#define LIVESTREAM_GATEWAY_SERVER_VERSION_H_

#include "absl/strings/string_view.h"

namespace livestream_gateway {

inline constexpr absl::string_view kProductName = "zoom-livestream-gateway";
inline constexpr absl::string_view kVersion = "0.1.0";
// Sent upstream so Zoom support can tell our traffic apart.
inline constexpr absl::string_view kUserAgent = "zoom-livestream-gateway/0.1.0";

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_VERSION_H_
