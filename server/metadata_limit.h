#ifndef LIVESTREAM_GATEWAY_SERVER_METADATA_LIMIT_H_
#define LIVESTREAM_GATEWAY_SERVER_METADATA_LIMIT_H_

// The limit on a call's request metadata (--max_metadata_bytes). gRPC
// enforces it first (GRPC_ARG_MAX_METADATA_SIZE, advertised to clients as
// HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE), but gRPC 1.51 applies it only once
// the client has acknowledged the server's settings, and counts each HTTP/2
// frame on its own: a client that never acknowledges, or that splits its
// headers into CONTINUATION frames, gets any amount through. The service
// therefore measures what reached it again (CheckMetadataSize).

#include <grpcpp/support/string_ref.h>

#include <cstddef>
#include <map>

#include "absl/status/status.h"

namespace livestream_gateway {

// What the server's ServerContext::client_metadata() holds.
using ClientMetadata = std::multimap<grpc::string_ref, grpc::string_ref>;

// The default of --max_metadata_bytes.
inline constexpr int kDefaultMaxMetadataBytes = 16 * 1024;
// The longest x-zoom-access-token the service accepts.
inline constexpr size_t kMaxCallerTokenBytes = size_t{8} * 1024;
// The smallest --max_metadata_bytes: the longest caller token always fits,
// with room for the call's other headers (:path, :authority, user-agent,
// grpc-timeout, tracing headers a mesh adds).
inline constexpr int kMinMaxMetadataBytes = static_cast<int>(kMaxCallerTokenBytes) + 4 * 1024;
inline constexpr int kMaxMaxMetadataBytes = 1024 * 1024;
static_assert(kMinMaxMetadataBytes <= kDefaultMaxMetadataBytes &&
              kDefaultMaxMetadataBytes <= kMaxMaxMetadataBytes);

// The size of `metadata` as HTTP/2 counts a header list (RFC 9113, 6.5.2):
// each entry's name and value plus 32 bytes.
size_t MetadataSize(const ClientMetadata& metadata);

// OK, or RESOURCE_EXHAUSTED with one ErrorInfo (reason METADATA_TOO_LARGE,
// metadata `limit`) when MetadataSize(metadata) exceeds `limit`. The message
// quotes sizes only, never an entry.
absl::Status CheckMetadataSize(const ClientMetadata& metadata, size_t limit);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_METADATA_LIMIT_H_
