#ifndef LIVESTREAM_GATEWAY_FUZZ_INVARIANTS_H_
#define LIVESTREAM_GATEWAY_FUZZ_INVARIANTS_H_

// Checks the fuzz targets share. A failed check prints what broke and aborts,
// which libFuzzer reports as a crash and saves the input that caused it.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace livestream_gateway::fuzz {

[[noreturn]] void Fail(absl::string_view what);

inline void Require(bool condition, absl::string_view what) {
  if (!condition) Fail(what);
}

// Whether RequireRichError demands that a client can decode the error: every
// string in the message and the details valid UTF-8, as proto3 requires (issue
// 11, defect 1). Turn it off to fuzz the other invariants of a tree that
// still copies invalid UTF-8 from upstream.
inline constexpr bool kRequireDecodableErrors = true;

// gRPC's default limit on the metadata a client accepts
// (GRPC_ARG_MAX_METADATA_SIZE): trailers beyond it fail the call on the
// client, whatever status they carried.
inline constexpr size_t kClientMetadataLimit = 8 * 1024;

// The contract of every error the server returns (README "Errors"): not OK;
// exactly one ErrorInfo with domain kErrorDomain and a reason; decodable by a
// client (see kRequireDecodableErrors); and its trailers as ToGrpcStatus
// sends them (grpc-status, percent-encoded grpc-message, base64
// grpc-status-details-bin) within kClientMetadataLimit.
void RequireRichError(const absl::Status& status);

}  // namespace livestream_gateway::fuzz

#endif  // LIVESTREAM_GATEWAY_FUZZ_INVARIANTS_H_
