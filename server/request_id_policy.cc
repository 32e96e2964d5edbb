#include "server/request_id_policy.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "google/rpc/error_details.pb.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

// The ErrorInfo metadata value of `key`, empty when absent.
std::string MetadataOf(const google::rpc::ErrorInfo& info, const std::string& key) {
  auto found = info.metadata().find(key);
  return found == info.metadata().end() ? "" : found->second;
}

}  // namespace

bool RememberOutcome(const idempotency::Outcome& outcome) {
  switch (outcome.status.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kCancelled:
      break;
    default:
      return true;
  }
  const std::optional<google::rpc::ErrorInfo> info =
      GetDetail<google::rpc::ErrorInfo>(outcome.status);
  if (!info.has_value()) return true;
  if (MetadataOf(*info, "delivered") == "no") return false;
  return !(info->reason() ==
               zoom::livestream::v1::ErrorReason_Name(ErrorReason::ZOOM_RATE_LIMITED) &&
           MetadataOf(*info, "limitedBy") == "gateway");
}

idempotency::RequestKey RequestKeyOf(absl::string_view principal, absl::string_view method,
                                     absl::string_view request_id) {
  return idempotency::RequestKey{.principal = std::string(principal),
                                 .method = std::string(method),
                                 .request_id = absl::AsciiStrToLower(request_id)};
}

absl::Status RequestIdReusedError() {
  absl::Status status = MakeError(
      absl::StatusCode::kInvalidArgument,
      "request_id was used before with a different request: use a new request_id for a new request",
      ErrorReason::REQUEST_ID_REUSED);
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("request_id");
  violation->set_description("was used before with a different request");
  SetDetail(status, bad_request);
  return status;
}

absl::Status RequestIdStoreFullError() {
  return MakeError(absl::StatusCode::kResourceExhausted,
                   "the server cannot remember another request_id now (--request_id_max_entries "
                   "are in flight, or too many repeats wait for this one); retry later",
                   ErrorReason::REQUEST_ID_STORE_FULL);
}

}  // namespace livestream_gateway
