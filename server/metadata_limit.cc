#include "server/metadata_limit.h"

#include "absl/strings/str_cat.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

// RFC 9113, 6.5.2: "the size of a field entry ... plus an overhead of 32
// octets for each field line".
constexpr size_t kEntryOverhead = 32;

}  // namespace

size_t MetadataSize(const ClientMetadata& metadata) {
  size_t size = 0;
  for (const auto& [name, value] : metadata) size += name.size() + value.size() + kEntryOverhead;
  return size;
}

absl::Status CheckMetadataSize(const ClientMetadata& metadata, size_t limit) {
  const size_t size = MetadataSize(metadata);
  if (size <= limit) return absl::OkStatus();
  return MakeError(
      absl::StatusCode::kResourceExhausted,
      absl::StrCat("request metadata is ", size, " bytes, over the server's limit of ", limit,
                   " (each entry counts its name, its value and 32 bytes; see "
                   "--max_metadata_bytes)"),
      ErrorReason::METADATA_TOO_LARGE, {{"limit", absl::StrCat(limit)}});
}

}  // namespace livestream_gateway
