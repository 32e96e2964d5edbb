#ifndef LIVESTREAM_GATEWAY_SERVER_REQUEST_DECODING_H_
#define LIVESTREAM_GATEWAY_SERVER_REQUEST_DECODING_H_

// Turns the bytes of a call into its request. The service decodes requests
// itself (raw callback methods) so that bytes which are no request of the
// method get a rich INVALID_ARGUMENT like any other bad request, instead of
// the bare status gRPC's own decoding failure gives.

#include <grpcpp/support/byte_buffer.h>

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {

// Parses `bytes` into the empty `request`, with the rules of
// DecodeUpdateStatusRequest below for any request type (the message names
// the type, e.g. "malformed GetLiveStreamRequest: ...").
absl::Status DecodeInto(absl::string_view bytes, google::protobuf::Message& request);
absl::Status DecodeInto(const grpc::ByteBuffer& bytes, google::protobuf::Message& request);

// The request of type `Request` in `bytes` (a string_view or a ByteBuffer),
// or MALFORMED_REQUEST as below.
template <typename Request, typename Bytes>
absl::StatusOr<Request> DecodeRequest(const Bytes& bytes) {
  Request request;
  if (absl::Status status = DecodeInto(bytes, request); !status.ok()) return status;
  return request;
}

// The request, or INVALID_ARGUMENT with exactly one ErrorInfo (reason
// MALFORMED_REQUEST) when `bytes` are not an UpdateStatusRequest in the
// protobuf wire format: a truncated or overlong varint, a length past the
// end, a wire type that does not exist, an unmatched group, field number 0, a
// string field that is not valid UTF-8 (proto3 requires it), or a field of
// the schema sent with another wire type than its declared one (protobuf
// would keep it as an unknown field, and e.g. a webinar_id sent as a number
// would read as "no target"). Field numbers the schema does not know are
// accepted, for newer clients. The message never quotes the bytes.
inline absl::StatusOr<zoom::livestream::v1::UpdateStatusRequest> DecodeUpdateStatusRequest(
    absl::string_view bytes) {
  return DecodeRequest<zoom::livestream::v1::UpdateStatusRequest>(bytes);
}

// The same for the message as gRPC received it: its slices are parsed in
// place, not flattened. An invalid (null) buffer, a call without a message,
// is malformed too.
inline absl::StatusOr<zoom::livestream::v1::UpdateStatusRequest> DecodeUpdateStatusRequest(
    const grpc::ByteBuffer& bytes) {
  return DecodeRequest<zoom::livestream::v1::UpdateStatusRequest>(bytes);
}

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_REQUEST_DECODING_H_
