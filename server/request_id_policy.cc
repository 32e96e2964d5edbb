#include "server/request_id_policy.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "server/error_details.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

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

bool RememberBatchOutcome(const idempotency::Outcome& outcome) {
  if (!outcome.status.ok()) return RememberOutcome(outcome);
  zoom::livestream::v1::BatchUpdateStatusResponse response;
  if (!response.ParseFromString(outcome.response)) return true;
  for (const zoom::livestream::v1::BatchUpdateStatusResult& result : response.results()) {
    if (!result.has_error()) return true;
    // The item's error as the edge held it: its details as payloads.
    absl::Status item(static_cast<absl::StatusCode>(result.error().code()),
                      result.error().message());
    for (const google::protobuf::Any& detail : result.error().details()) {
      item.SetPayload(detail.type_url(), absl::Cord(detail.value()));
    }
    if (RememberOutcome(idempotency::Outcome{.status = item, .response = ""})) return true;
  }
  return false;
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
