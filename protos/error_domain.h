#ifndef LIVESTREAM_GATEWAY_PROTOS_ERROR_DOMAIN_H_
#define LIVESTREAM_GATEWAY_PROTOS_ERROR_DOMAIN_H_

// The one C++ definition of the gateway's ErrorInfo.domain, for the server
// and the C++ client library alike. Proto has no constants, so it lives
// beside the API it belongs to (zoom/livestream/v1/error_reason.proto names
// it too); the other clients' copies are checked against this one
// (tests/docs/error_reasons_test.py).

#include "absl/strings/string_view.h"

namespace zoom::livestream::v1 {

// The ErrorInfo.domain of every error the gateway returns.
inline constexpr absl::string_view kErrorDomain = "zoom-livestream-gateway";

}  // namespace zoom::livestream::v1

#endif  // LIVESTREAM_GATEWAY_PROTOS_ERROR_DOMAIN_H_
