// UpdateStatus request bytes through what the server does with them: decode,
// validate, and (when valid) build the Zoom request in both body encodings.
// Undecodable bytes and a bad request get a rich INVALID_ARGUMENT error
// (invariants.h); a valid one is what the proto promises, and becomes a PATCH
// to exactly its target whose body parses back (with parsers independent of
// the encoders) to its action and settings.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "fuzz/invariants.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "server/error_details.h"
#include "server/request_decoding.h"
#include "server/validation.h"
#include "server/zoom/zoom_request.h"
#include "tests/zoom_emulator/form_data.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway::fuzz {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;
using ::zoom::livestream::v1::UpdateStatusRequest;

constexpr absl::string_view kApiBase = "https://api.zoom.us/v2";

const std::string& TargetId(const UpdateStatusRequest& request) {
  return request.target_case() == UpdateStatusRequest::kMeetingId ? request.meeting_id()
                                                                  : request.webinar_id();
}

bool HasAnySetting(const UpdateStatusRequest& request) {
  return request.settings().has_active_speaker_name() || request.settings().has_display_name();
}

// The proto's promises for a valid request, checked independently of
// validation.cc.
void CheckValid(const UpdateStatusRequest& request) {
  Require(request.target_case() != UpdateStatusRequest::TARGET_NOT_SET, "valid without a target");
  const std::string& id = TargetId(request);
  int64_t number = 0;
  Require(absl::SimpleAtoi(id, &number) && number > 0 && absl::StrCat(number) == id,
          "a valid ID that is not a positive int64 in canonical decimal");
  Require(request.action() == zoom::livestream::v1::LIVE_STREAM_ACTION_START ||
              request.action() == zoom::livestream::v1::LIVE_STREAM_ACTION_STOP ||
              (request.action() == zoom::livestream::v1::LIVE_STREAM_ACTION_UNSPECIFIED &&
               HasAnySetting(request)),
          "valid without a known action or a setting");
  // AIP-155: empty, or a UUID as 8-4-4-4-12 hex digits in either case.
  const std::string& id_of_request = request.request_id();
  bool uuid = id_of_request.size() == 36;
  for (size_t i = 0; uuid && i < id_of_request.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    uuid = dash ? id_of_request[i] == '-' : absl::ascii_isxdigit(id_of_request[i]);
  }
  Require(id_of_request.empty() || uuid, "a valid request_id that is not a UUID");
  if (request.settings().has_display_name()) {
    const std::string& name = request.settings().display_name();
    size_t code_points = 0;
    for (const char c : name) {
      const auto byte = static_cast<unsigned char>(c);
      if ((byte & 0xC0) != 0x80) ++code_points;
      Require(byte >= 0x20 && byte != 0x7F, "a valid display_name with a C0 control or DEL");
    }
    Require(code_points >= 1 && code_points <= kMaxDisplayNameCodePoints,
            "a valid display_name outside 1..50 code points");
    // U+0080..U+009F are C2 80..C2 9F.
    for (size_t i = 0; i + 1 < name.size(); ++i) {
      Require(static_cast<unsigned char>(name[i]) != 0xC2 ||
                  static_cast<unsigned char>(name[i + 1]) > 0x9F,
              "a valid display_name with a C1 control");
    }
    // The spoofing characters the proto names (format characters and the
    // line and paragraph separators), spelled in UTF-8.
    for (const absl::string_view spoofing :
         {"\u200B", "\u200C", "\u200D", "\u2028", "\u2029", "\u202A", "\u202B", "\u202C", "\u202D",
          "\u202E", "\u2060", "\u2066", "\u2067", "\u2068", "\u2069", "\uFEFF", "\u00AD"}) {
      Require(!absl::StrContains(name, spoofing),
              "a valid display_name with a bidi, zero-width or separator character");
    }
  }
}

void CheckInvalid(const UpdateStatusRequest& request, const absl::Status& status) {
  RequireRichError(status);
  Require(status.code() == absl::StatusCode::kInvalidArgument, "invalid, but not INVALID_ARGUMENT");
  const std::optional<google::rpc::BadRequest> bad_request =
      GetDetail<google::rpc::BadRequest>(status);
  Require(bad_request.has_value() && bad_request->field_violations_size() > 0,
          "invalid without a BadRequest naming a field");
  for (const auto& violation : bad_request->field_violations()) {
    const std::string& field = violation.field();
    Require(field == "target" || field == "webinar_id" || field == "meeting_id" ||
                field == "action" || field == "settings.display_name" || field == "request_id",
            "a BadRequest field that is not one of the request's");
  }
}

// The settings JSON as the request set them: exactly the fields that are set.
void CheckSettings(const Struct& settings, const UpdateStatusRequest& request) {
  const auto& fields = settings.fields();
  Require(static_cast<int>(fields.size()) ==
              request.settings().has_active_speaker_name() + request.settings().has_display_name(),
          "settings JSON has other members than the settings set");
  if (request.settings().has_active_speaker_name()) {
    const auto it = fields.find("active_speaker_name");
    Require(it != fields.end() && it->second.kind_case() == Value::kBoolValue &&
                it->second.bool_value() == request.settings().active_speaker_name(),
            "settings JSON lost active_speaker_name");
  }
  if (request.settings().has_display_name()) {
    const auto it = fields.find("display_name");
    Require(it != fields.end() && it->second.kind_case() == Value::kStringValue &&
                it->second.string_value() == request.settings().display_name(),
            "settings JSON lost display_name");
  }
}

std::optional<Struct> ParseJsonObject(absl::string_view json) {
  Struct object;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(json.data(), json.size()), &object)
           .ok()) {
    return std::nullopt;
  }
  return object;
}

absl::string_view ActionName(const UpdateStatusRequest& request) {
  switch (request.action()) {
    case zoom::livestream::v1::LIVE_STREAM_ACTION_START:
      return "start";
    case zoom::livestream::v1::LIVE_STREAM_ACTION_STOP:
      return "stop";
    default:
      return "";
  }
}

const std::string* Header(const HttpRequest& http, absl::string_view name) {
  for (const auto& [header, value] : http.headers) {
    if (header == name) return &value;
  }
  return nullptr;
}

void CheckJsonBody(const HttpRequest& http, const UpdateStatusRequest& request) {
  const std::string* content_type = Header(http, "Content-Type");
  Require(content_type != nullptr && *content_type == "application/json",
          "JSON body without Content-Type application/json");
  const std::optional<Struct> body = ParseJsonObject(http.body);
  Require(body.has_value(), "the JSON body does not parse");
  const absl::string_view action = ActionName(request);
  const auto& fields = body->fields();
  Require(static_cast<int>(fields.size()) == !action.empty() + HasAnySetting(request),
          "the JSON body has other members than action and settings");
  if (!action.empty()) {
    const auto it = fields.find("action");
    Require(it != fields.end() && it->second.kind_case() == Value::kStringValue &&
                it->second.string_value() == action,
            "the JSON body lost the action");
  }
  if (HasAnySetting(request)) {
    const auto it = fields.find("settings");
    Require(it != fields.end() && it->second.kind_case() == Value::kStructValue,
            "the JSON body lost the settings");
    CheckSettings(it->second.struct_value(), request);
  }
}

void CheckMultipartBody(const HttpRequest& http, const UpdateStatusRequest& request) {
  const std::string* content_type = Header(http, "Content-Type");
  Require(content_type != nullptr, "multipart body without Content-Type");
  const absl::StatusOr<zoom_emulator::ParameterizedValue> media_type =
      zoom_emulator::ParseParameterizedValue(*content_type);
  Require(media_type.ok() && media_type->value == "multipart/form-data",
          "Content-Type is not multipart/form-data");
  const std::optional<std::string> boundary = media_type->Parameter("boundary");
  Require(boundary.has_value(), "Content-Type without a boundary");
  const absl::StatusOr<std::vector<zoom_emulator::FormPart>> parts =
      zoom_emulator::ParseMultipartFormData(http.body, *boundary);
  Require(parts.ok(), "the multipart body does not parse");
  const absl::string_view action = ActionName(request);
  Require(static_cast<int>(parts->size()) == !action.empty() + HasAnySetting(request),
          "the multipart body has other parts than action and settings");
  size_t next = 0;
  if (!action.empty()) {
    const zoom_emulator::FormPart& part = (*parts)[next++];
    Require(part.name == "action" && part.value == action, "the multipart body lost the action");
  }
  if (HasAnySetting(request)) {
    const zoom_emulator::FormPart& part = (*parts)[next++];
    Require(part.name == "settings", "the multipart body lost the settings");
    const std::optional<Struct> settings = ParseJsonObject(part.value);
    Require(settings.has_value(), "the settings part is not a JSON object");
    CheckSettings(*settings, request);
  }
}

void CheckZoomRequest(const UpdateStatusRequest& request, BodyEncoding encoding) {
  // A trailing slash on the base URL must not double the path's.
  const ZoomRequestOptions options{
      .api_base_url = absl::StrCat(kApiBase, "/"), .encoding = encoding, .user_agent = "fuzz"};
  // Fixed seed: a crash must replay from its input alone.
  std::mt19937_64 gen(0);
  const HttpRequest http = BuildUpdateStatusRequest(request, options, gen);
  Require(http.method == "PATCH", "not a PATCH");
  const absl::string_view collection =
      request.target_case() == UpdateStatusRequest::kMeetingId ? "meetings" : "webinars";
  Require(http.url ==
              absl::StrCat(kApiBase, "/", collection, "/", TargetId(request), "/livestream/status"),
          "the URL is not the target's live stream status");
  const std::string* accept = Header(http, "Accept");
  Require(accept != nullptr && *accept == "application/json", "no Accept: application/json");
  if (encoding == BodyEncoding::kJson) {
    CheckJsonBody(http, request);
  } else {
    CheckMultipartBody(http, request);
  }
}

// TargetPath promises that even an unvalidated ID cannot change the path.
void CheckTargetPath(const UpdateStatusRequest& request) {
  const std::string path = TargetPath(request);
  absl::string_view id = path;
  Require(absl::ConsumePrefix(&id, "/webinars/") || absl::ConsumePrefix(&id, "/meetings/"),
          "TargetPath does not start with the collection");
  Require(absl::ConsumeSuffix(&id, "/livestream/status"), "TargetPath does not end in the method");
  for (const char c : id) {
    Require(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '%',
            "TargetPath lets a byte other than [A-Za-z0-9%] into the path");
  }
}

}  // namespace
}  // namespace livestream_gateway::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace livestream_gateway;  // NOLINT(google-build-using-namespace)
  const absl::StatusOr<zoom::livestream::v1::UpdateStatusRequest> request =
      DecodeUpdateStatusRequest(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!request.ok()) {
    fuzz::RequireRichError(request.status());
    fuzz::Require(request.status().code() == absl::StatusCode::kInvalidArgument,
                  "undecodable, but not INVALID_ARGUMENT");
    const std::optional<google::rpc::ErrorInfo> info =
        GetDetail<google::rpc::ErrorInfo>(request.status());
    fuzz::Require(info.has_value() && info->reason() == "MALFORMED_REQUEST",
                  "undecodable, but not MALFORMED_REQUEST");
    return 0;
  }
  fuzz::CheckTargetPath(*request);
  const absl::Status status = ValidateUpdateStatusRequest(*request);
  fuzz::Require(status.ok() == FindViolations(*request).empty(),
                "ValidateUpdateStatusRequest and FindViolations disagree");
  if (!status.ok()) {
    fuzz::CheckInvalid(*request, status);
    return 0;
  }
  fuzz::CheckValid(*request);
  fuzz::CheckZoomRequest(*request, BodyEncoding::kJson);
  fuzz::CheckZoomRequest(*request, BodyEncoding::kMultipart);
  return 0;
}
