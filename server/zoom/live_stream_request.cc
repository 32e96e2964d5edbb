#include "server/zoom/live_stream_request.h"

#include <unicode/utf8.h>

#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace livestream_gateway {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_1080P;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_720P;
using ::zoom::livestream::v1::LIVE_STREAM_RESOLUTION_UNSPECIFIED;
using ::zoom::livestream::v1::LiveStream;
using ::zoom::livestream::v1::LiveStreamResolution;

void AppendMember(std::string& json, absl::string_view key, const std::string& value) {
  Value string_value;
  string_value.set_string_value(value);
  std::string literal;
  // Printing a string Value fails only for invalid UTF-8, which validation
  // and ParseLiveStream keep out.
  (void)google::protobuf::util::MessageToJsonString(string_value, &literal);
  absl::StrAppend(&json, json.size() > 1 ? "," : "", "\"", key, "\":", literal);
}

std::string LiveStreamUrl(ZoomTarget target, absl::string_view id,
                          const ZoomRequestOptions& options) {
  return absl::StrCat(ZoomApiBase(options), TargetPath(target, id, "/livestream"));
}

void AddCommonHeaders(HttpRequest& http, const ZoomRequestOptions& options) {
  http.headers.emplace_back("Accept", "application/json");
  if (!options.user_agent.empty()) http.headers.emplace_back("User-Agent", options.user_agent);
}

bool IsValidUtf8(absl::string_view text) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  for (int32_t pos = 0; pos < length;) {
    UChar32 c;
    U8_NEXT(bytes, pos, length, c);
    if (c < 0) return false;
  }
  return true;
}

// Sets `*out` from member `key` of `object`; false when it has the wrong type.
bool ReadString(const Struct& object, const std::string& key, std::string* out) {
  auto it = object.fields().find(key);
  if (it == object.fields().end() || it->second.kind_case() == Value::kNullValue) return true;
  if (it->second.kind_case() != Value::kStringValue) return false;
  *out = it->second.string_value();
  return true;
}

LiveStreamResolution ResolutionNamed(absl::string_view name) {
  if (absl::EqualsIgnoreCase(name, "720p")) return LIVE_STREAM_RESOLUTION_720P;
  if (absl::EqualsIgnoreCase(name, "1080p")) return LIVE_STREAM_RESOLUTION_1080P;
  return LIVE_STREAM_RESOLUTION_UNSPECIFIED;
}

}  // namespace

absl::string_view ZoomResolutionName(LiveStreamResolution resolution) {
  switch (resolution) {
    case LIVE_STREAM_RESOLUTION_720P:
      return "720p";
    case LIVE_STREAM_RESOLUTION_1080P:
      return "1080p";
    default:
      return "";
  }
}

std::string LiveStreamJson(const LiveStream& live_stream) {
  std::string json = "{";
  AppendMember(json, "stream_url", live_stream.stream_url());
  AppendMember(json, "stream_key", live_stream.stream_key());
  AppendMember(json, "page_url", live_stream.page_url());
  if (const absl::string_view resolution = ZoomResolutionName(live_stream.resolution());
      !resolution.empty()) {
    AppendMember(json, "resolution", std::string(resolution));
  }
  json.push_back('}');
  return json;
}

HttpRequest BuildGetLiveStreamRequest(ZoomTarget target, absl::string_view id,
                                      const ZoomRequestOptions& options) {
  HttpRequest http;
  http.method = "GET";
  http.url = LiveStreamUrl(target, id, options);
  http.idempotent = true;
  AddCommonHeaders(http, options);
  return http;
}

HttpRequest BuildUpdateLiveStreamRequest(ZoomTarget target, absl::string_view id,
                                         const LiveStream& live_stream,
                                         const ZoomRequestOptions& options) {
  HttpRequest http;
  http.method = "PATCH";
  http.url = LiveStreamUrl(target, id, options);
  // The body is the whole configuration, not a step from the current one
  // (docs/resilience.md, "Did Zoom act?").
  http.idempotent = true;
  http.body = LiveStreamJson(live_stream);
  AddCommonHeaders(http, options);
  http.headers.emplace_back("Content-Type", "application/json");
  return http;
}

absl::StatusOr<LiveStream> ParseLiveStream(const HttpResponse& response,
                                           const ZoomCallContext& context) {
  const absl::string_view body = response.body;
  if (response.body_truncated || body.size() > kMaxZoomErrorBodyBytes) {
    return MapInvalidZoomAnswer(response, context, "the body is over 64 KiB");
  }
  if (!IsValidUtf8(body)) return MapInvalidZoomAnswer(response, context, "the body is not UTF-8");
  Struct object;
  if (!WithinZoomJsonShapeBudget(body) ||
      !google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(body.data(), body.size()), &object)
           .ok()) {
    return MapInvalidZoomAnswer(response, context, "the body is not a JSON object");
  }
  LiveStream live_stream;
  std::string resolution;
  if (!ReadString(object, "stream_url", live_stream.mutable_stream_url()) ||
      !ReadString(object, "stream_key", live_stream.mutable_stream_key()) ||
      !ReadString(object, "page_url", live_stream.mutable_page_url()) ||
      !ReadString(object, "resolution", &resolution)) {
    return MapInvalidZoomAnswer(
        response, context,
        "stream_url, stream_key, page_url and resolution must be strings when present");
  }
  live_stream.set_resolution(ResolutionNamed(resolution));
  return live_stream;
}

}  // namespace livestream_gateway
