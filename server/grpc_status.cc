#include "server/grpc_status.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

constexpr int kMaxGrpcCode = 16;  // UNAUTHENTICATED, the last canonical code.

}  // namespace

grpc::StatusCode ToGrpcCode(absl::StatusCode code) {
  const int raw = static_cast<int>(code);
  if (raw < 0 || raw > kMaxGrpcCode) return grpc::StatusCode::UNKNOWN;
  return static_cast<grpc::StatusCode>(raw);
}

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status rpc_status;
  if (status.ok()) return rpc_status;
  const grpc::StatusCode code = ToGrpcCode(status.code());

  std::vector<std::pair<std::string, std::string>> payloads;
  status.ForEachPayload([&payloads](absl::string_view type_url, const absl::Cord& value) {
    // Payloads under other keys are not details: keep any off the wire.
    if (absl::StartsWith(type_url, kTypeUrlPrefix)) {
      payloads.emplace_back(std::string(type_url), std::string(value));
    }
  });
  const std::string error_info_url = DetailTypeUrl(google::rpc::ErrorInfo());
  // ErrorInfo sorts before everything else: clients look for it first.
  std::sort(payloads.begin(), payloads.end(), [&error_info_url](const auto& a, const auto& b) {
    const bool a_info = a.first == error_info_url;
    const bool b_info = b.first == error_info_url;
    if (a_info != b_info) return a_info;
    return a.first < b.first;
  });

  rpc_status.set_code(static_cast<int>(code));
  rpc_status.set_message(std::string(status.message()));
  if (payloads.empty() || payloads.front().first != error_info_url) {
    google::rpc::ErrorInfo info;
    info.set_reason(::zoom::livestream::v1::ErrorReason_Name(ErrorReason::INTERNAL));
    info.set_domain(std::string(kErrorDomain));
    rpc_status.add_details()->PackFrom(info);
  }
  for (auto& [type_url, value] : payloads) {
    google::protobuf::Any* any = rpc_status.add_details();
    any->set_type_url(std::move(type_url));
    any->set_value(std::move(value));
  }
  return rpc_status;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(ToGrpcCode(status.code()), std::string(status.message()),
                      ToRpcStatus(status).SerializeAsString());
}

}  // namespace livestream_gateway
