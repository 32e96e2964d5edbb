#include "server/batch_validation.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "server/validation.h"

namespace livestream_gateway {
namespace {

using ::google::rpc::BadRequest;

void Add(std::vector<BadRequest::FieldViolation>& violations, std::string field,
         std::string description) {
  BadRequest::FieldViolation& violation = violations.emplace_back();
  violation.set_field(std::move(field));
  violation.set_description(std::move(description));
}

}  // namespace

absl::Status ValidateBatchUpdateStatusRequest(
    const zoom::livestream::v1::BatchUpdateStatusRequest& request) {
  std::vector<BadRequest::FieldViolation> violations;
  if (request.requests().empty() || request.requests_size() > kMaxBatchItems) {
    Add(violations, "requests",
        absl::StrCat("must hold 1 to ", kMaxBatchItems, " requests, got ",
                     request.requests_size()));
  } else {
    for (int i = 0; i < request.requests_size(); ++i) {
      const zoom::livestream::v1::UpdateStatusRequest& item = request.requests(i);
      if (item.validate_only()) {
        Add(violations, absl::StrCat("requests[", i, "].validate_only"),
            "must not be set on an item: set validate_only on the batch");
      }
      if (!item.request_id().empty()) {
        Add(violations, absl::StrCat("requests[", i, "].request_id"),
            "must not be set on an item: set request_id on the batch");
      }
    }
  }
  if (std::optional<std::string> why = CheckRequestId(request.request_id())) {
    Add(violations, "request_id", *std::move(why));
  }
  return InvalidRequestError("BatchUpdateStatusRequest", std::move(violations));
}

}  // namespace livestream_gateway
