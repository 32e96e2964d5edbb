#include "server/request_decoding.h"

#include <grpcpp/support/proto_buffer_reader.h>

#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/unknown_field_set.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;
using ::google::protobuf::UnknownFieldSet;
absl::Status Malformed(const Message& request, absl::string_view why) {
  return MakeError(absl::StatusCode::kInvalidArgument,
                   absl::StrCat("malformed ", request.GetDescriptor()->name(), ": ", why),
                   ErrorReason::MALFORMED_REQUEST);
}

absl::Status NotProtobuf(const Message& request) {
  return Malformed(request, "not a valid protobuf encoding, or a string field is not valid UTF-8");
}

// The path (e.g. "settings.display_name") of a schema field that arrived with
// the wrong wire type, which the parser keeps among the unknown fields. The
// path is built only when there is one; a valid request costs a look at each
// message's (empty) unknown fields.
std::optional<std::string> FindMistypedField(const Message& message) {
  const Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  const UnknownFieldSet& unknown = reflection->GetUnknownFields(message);
  for (int i = 0; i < unknown.field_count(); ++i) {
    if (const FieldDescriptor* field = descriptor->FindFieldByNumber(unknown.field(i).number())) {
      return field->name();
    }
  }
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated() ||
        !reflection->HasField(message, field)) {
      continue;
    }
    if (std::optional<std::string> inner =
            FindMistypedField(reflection->GetMessage(message, field))) {
      return absl::StrCat(field->name(), ".", *inner);
    }
  }
  return std::nullopt;
}

absl::Status Checked(const Message& request) {
  if (std::optional<std::string> field = FindMistypedField(request)) {
    return Malformed(request,
                     absl::StrCat(*field, " has the wrong wire type for its declared type"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DecodeInto(absl::string_view bytes, Message& request) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !request.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return NotProtobuf(request);
  }
  return Checked(request);
}

absl::Status DecodeInto(const grpc::ByteBuffer& bytes, Message& request) {
  if (!bytes.Valid()) return Malformed(request, "the call carried no request message");
  // The reader needs a mutable buffer; a copy takes references to the same
  // slices and copies no bytes.
  grpc::ByteBuffer slices(bytes);
  grpc::ProtoBufferReader reader(&slices);
  if (!reader.status().ok() || !request.ParseFromZeroCopyStream(&reader)) {
    return NotProtobuf(request);
  }
  return Checked(request);
}

}  // namespace livestream_gateway
