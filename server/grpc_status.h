#ifndef LIVESTREAM_GATEWAY_SERVER_GRPC_STATUS_H_
#define LIVESTREAM_GATEWAY_SERVER_GRPC_STATUS_H_

// The RPC edge: the only place where an absl::Status (with google.rpc detail
// payloads, see error_details.h) becomes a grpc::Status. Reading one back is
// the C++ client library's job (client/cpp/livestream_client.h), for clients
// and tests alike.

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"

namespace livestream_gateway {

// The same canonical code; codes outside 0..16 become UNKNOWN, as gRPC only
// defines those.
grpc::StatusCode ToGrpcCode(absl::StatusCode code);

// The google.rpc.Status of a non-OK `status`: the same code and message, and
// as details the status's payloads keyed by a type URL
// (kTypeUrlPrefix; other payloads stay inside the process) packed as Any: the
// ErrorInfo first, then the others sorted by type URL, so the bytes are
// deterministic. A status without an ErrorInfo (a bug elsewhere) still gets
// one (reason INTERNAL, the code kept), since the API promises exactly one.
// An empty message for OK. Also what a batch item's error carries.
google::rpc::Status ToRpcStatus(const absl::Status& status);

// OK becomes grpc::Status::OK. Any other status keeps its code and message,
// and error_details() is its serialized ToRpcStatus.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_GRPC_STATUS_H_
