#ifndef LIVESTREAM_GATEWAY_SERVER_ERROR_DETAILS_H_
#define LIVESTREAM_GATEWAY_SERVER_ERROR_DETAILS_H_

// Rich errors inside the server are absl::Status values whose google.rpc
// detail messages ride along as payloads, keyed by their type URL
// ("type.googleapis.com/google.rpc.ErrorInfo"), as absl recommends. Only the
// RPC edge (grpc_status.h) turns them into a grpc::Status.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "protos/error_domain.h"
#include "zoom/livestream/v1/error_reason.pb.h"

namespace livestream_gateway {

// The ErrorInfo.domain of every error this service returns.
using ::zoom::livestream::v1::kErrorDomain;

// ErrorInfo.reason is the name of one of these values (error_reason.proto);
// taking the enum, not a string, keeps the server from sending any other.
using ::zoom::livestream::v1::ErrorReason;

// Prefix of every detail's type URL, as google.protobuf.Any uses it.
inline constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";

// Type URL under which `detail` is stored, e.g.
// "type.googleapis.com/google.rpc.ErrorInfo".
std::string DetailTypeUrl(const google::protobuf::Message& detail);

// Stores `detail` on `status` (replacing one of the same type). No-op on OK.
void SetDetail(absl::Status& status, const google::protobuf::Message& detail);

// Reads back a detail of type T, if present and parseable.
template <typename T>
std::optional<T> GetDetail(const absl::Status& status) {
  T detail;
  auto payload = status.GetPayload(DetailTypeUrl(detail));
  if (!payload.has_value() || !detail.ParseFromString(std::string(*payload))) {
    return std::nullopt;
  }
  return detail;
}

// A status with `code` and `message` and exactly one ErrorInfo (domain
// kErrorDomain, reason ErrorReason_Name(`reason`), `metadata`; a repeated key
// keeps its last value). `code` must not be OK (an OK status carries no
// message or details).
absl::Status MakeError(absl::StatusCode code, absl::string_view message, ErrorReason reason,
                       std::vector<std::pair<std::string, std::string>> metadata = {});

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ERROR_DETAILS_H_
