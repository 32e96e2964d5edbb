#ifndef LIVESTREAM_GATEWAY_TESTS_INTEGRATION_RICH_STATUS_H_
#define LIVESTREAM_GATEWAY_TESTS_INTEGRATION_RICH_STATUS_H_

// Reads the google.rpc details of a grpc::Status the way a client does: with
// the C++ client library (client/cpp/livestream_client.h), the one C++ reader
// of the gateway's rich errors. These only adapt it to grpc::Status.

#include <grpcpp/grpcpp.h>

#include <optional>
#include <string>

#include "client/cpp/livestream_client.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace livestream_gateway::testing {

// The google.rpc.Status of the trailer; empty when there is none or it does
// not parse.
inline google::rpc::Status DetailsOf(const grpc::Status& status) {
  return livestream_client::RpcStatusOf(livestream_client::FromGrpcStatus(status))
      .value_or(google::rpc::Status());
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
  return livestream_client::DetailOf<T>(livestream_client::FromGrpcStatus(status));
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
