#include "server/error_details.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/rpc/error_details.pb.h"

namespace livestream_gateway {

std::string DetailTypeUrl(const google::protobuf::Message& detail) {
  return absl::StrCat(kTypeUrlPrefix, detail.GetDescriptor()->full_name());
}

void SetDetail(absl::Status& status, const google::protobuf::Message& detail) {
  // absl drops payloads on OK statuses anyway; returning early keeps the
  // serialization off the success path.
  if (status.ok()) return;
  status.SetPayload(DetailTypeUrl(detail), absl::Cord(detail.SerializeAsString()));
}

absl::Status MakeError(absl::StatusCode code, absl::string_view message, ErrorReason reason,
                       std::vector<std::pair<std::string, std::string>> metadata) {
  absl::Status status(code, message);
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  info.set_reason(::zoom::livestream::v1::ErrorReason_Name(reason));
  info.set_domain(std::string(kErrorDomain));
  auto& map = *info.mutable_metadata();
  for (auto& [key, value] : metadata) map[std::move(key)] = std::move(value);
  SetDetail(status, info);
  return status;
}

}  // namespace livestream_gateway
