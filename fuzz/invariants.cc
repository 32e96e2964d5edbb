#include "fuzz/invariants.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "server/error_details.h"
#include "server/grpc_status.h"

namespace livestream_gateway::fuzz {
namespace {

// HPACK's size of a header entry (RFC 7541 §4.1), which gRPC's limit counts.
size_t EntrySize(absl::string_view name, size_t value_size) {
  return 32 + name.size() + value_size;
}

// grpc-message is percent-encoded: every byte outside 0x20..0x7E, and '%'.
size_t PercentEncodedSize(absl::string_view text) {
  size_t size = 0;
  for (const char c : text) size += (c < 0x20 || c > 0x7E || c == '%') ? 3 : 1;
  return size;
}

// -bin metadata travels as unpadded base64.
size_t Base64Size(size_t bytes) { return (bytes * 4 + 2) / 3; }

// Parsing a proto3 message fails when a string field is not valid UTF-8, as
// it does in every client library.
bool ClientCanDecode(const google::protobuf::Any& detail) {
  const absl::string_view type_url = detail.type_url();
  if (!absl::StartsWith(type_url, kTypeUrlPrefix)) return false;
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          std::string(type_url.substr(kTypeUrlPrefix.size())));
  if (descriptor == nullptr) return false;
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  return message->ParseFromString(detail.value());
}

}  // namespace

void Fail(absl::string_view what) {
  std::fprintf(stderr, "fuzz invariant violated: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

void RequireRichError(const absl::Status& status) {
  Require(!status.ok(), "an error was expected, got OK");
  // ToGrpcStatus adds an ErrorInfo to a status without one, so look first.
  const auto info_payload = status.GetPayload(DetailTypeUrl(google::rpc::ErrorInfo()));
  Require(info_payload.has_value(), "the error has no ErrorInfo");

  const grpc::Status rpc = ToGrpcStatus(status);
  Require(rpc.error_code() != grpc::StatusCode::OK, "ToGrpcStatus turned an error into OK");
  const size_t trailers =
      EntrySize("grpc-status", 2) +
      EntrySize("grpc-message", PercentEncodedSize(rpc.error_message())) +
      EntrySize("grpc-status-details-bin", Base64Size(rpc.error_details().size()));
  if (trailers > kClientMetadataLimit) {
    Fail(absl::StrCat("the error's trailers take ", trailers, " bytes, over gRPC's limit of ",
                      kClientMetadataLimit));
  }

  if (!kRequireDecodableErrors) return;
  google::rpc::Status details;
  Require(details.ParseFromString(rpc.error_details()),
          "a client cannot decode the google.rpc.Status (message not UTF-8?)");
  int error_infos = 0;
  for (const google::protobuf::Any& detail : details.details()) {
    if (!ClientCanDecode(detail)) {
      Fail(absl::StrCat("a client cannot decode the detail ", detail.type_url(),
                        " (a string not UTF-8?)"));
    }
    google::rpc::ErrorInfo info;
    if (!detail.UnpackTo(&info)) continue;
    ++error_infos;
    Require(info.domain() == kErrorDomain, "ErrorInfo.domain is not the gateway's");
    Require(!info.reason().empty(), "ErrorInfo.reason is empty");
  }
  if (error_infos != 1) Fail(absl::StrCat("the error carries ", error_infos, " ErrorInfo details"));
}

}  // namespace livestream_gateway::fuzz
