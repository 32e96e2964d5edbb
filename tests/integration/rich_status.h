#ifndef LIVESTREAM_GATEWAY_TESTS_INTEGRATION_RICH_STATUS_H_
#define LIVESTREAM_GATEWAY_TESTS_INTEGRATION_RICH_STATUS_H_

// Reads the google.rpc details of a grpc::Status the way a client would.

#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace livestream_gateway::testing {

inline google::rpc::Status DetailsOf(const grpc::Status& status) {
  google::rpc::Status details;
  details.ParseFromString(status.error_details());
  return details;
}

inline int CountDetails(const grpc::Status& status, const std::string& full_name) {
  int count = 0;
  const google::rpc::Status details = DetailsOf(status);
  for (const auto& any : details.details()) {
    if (any.type_url() == "type.googleapis.com/" + full_name) ++count;
  }
  return count;
}

template <typename T>
std::optional<T> Detail(const grpc::Status& status) {
  const google::rpc::Status details = DetailsOf(status);
  for (const auto& any : details.details()) {
    T detail;
    if (any.Is<T>() && any.UnpackTo(&detail)) return detail;
  }
  return std::nullopt;
}

// The ErrorInfo reason, or "<none>".
inline std::string ReasonOf(const grpc::Status& status) {
  auto info = Detail<google::rpc::ErrorInfo>(status);
  return info.has_value() ? info->reason() : "<none>";
}

inline std::string MetadataOf(const google::rpc::ErrorInfo& info, const std::string& key) {
  auto found = info.metadata().find(key);
  return found == info.metadata().end() ? "<absent>" : found->second;
}

}  // namespace livestream_gateway::testing

#endif  // LIVESTREAM_GATEWAY_TESTS_INTEGRATION_RICH_STATUS_H_
