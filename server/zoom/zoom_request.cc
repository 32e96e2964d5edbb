#include "server/zoom/zoom_request.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/zoom/multipart.h"

namespace livestream_gateway {
namespace {

using ::zoom::livestream::v1::LiveStreamSettings;
using ::zoom::livestream::v1::UpdateStatusRequest;

constexpr absl::string_view kHexDigits = "0123456789ABCDEF";

absl::string_view ActionName(zoom::livestream::v1::LiveStreamAction action) {
  switch (action) {
    case zoom::livestream::v1::LIVE_STREAM_ACTION_START:
      return "start";
    case zoom::livestream::v1::LIVE_STREAM_ACTION_STOP:
      return "stop";
    default:
      return "";
  }
}

bool HasAnySetting(const UpdateStatusRequest& request) {
  return request.has_settings() &&
         (request.settings().has_active_speaker_name() || request.settings().has_display_name());
}

absl::string_view TrimTrailingSlashes(absl::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return url;
}

}  // namespace

void AppendJsonString(std::string& out, absl::string_view value) {
  out.push_back('"');
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (byte < 0x20 || byte == 0x7F) {
          out.append("\\u00");
          out.push_back(kHexDigits[byte >> 4]);
          out.push_back(kHexDigits[byte & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

std::string BuildSettingsJson(const LiveStreamSettings& settings) {
  std::string json;
  // Room for both keys; only names needing escapes grow past it.
  json.reserve(64 + settings.display_name().size());
  json.push_back('{');
  if (settings.has_active_speaker_name()) {
    json.append("\"active_speaker_name\":");
    json.append(settings.active_speaker_name() ? "true" : "false");
  }
  if (settings.has_display_name()) {
    if (settings.has_active_speaker_name()) json.push_back(',');
    json.append("\"display_name\":");
    AppendJsonString(json, settings.display_name());
  }
  json.push_back('}');
  return json;
}

absl::string_view ZoomApiBase(const ZoomRequestOptions& options) {
  return TrimTrailingSlashes(options.api_base_url);
}

std::string TargetPath(ZoomTarget target, absl::string_view id, absl::string_view suffix) {
  const bool meeting = target == ZoomTarget::kMeeting;
  std::string path;
  path.reserve(16 + 3 * id.size() + suffix.size());
  path.append(meeting ? "/meetings/" : "/webinars/");
  for (char c : id) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      path.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      path.push_back('%');
      path.push_back(kHexDigits[byte >> 4]);
      path.push_back(kHexDigits[byte & 0xF]);
    }
  }
  path.append(suffix.data(), suffix.size());
  return path;
}

std::string TargetPath(const UpdateStatusRequest& request) {
  const bool meeting = request.target_case() == UpdateStatusRequest::kMeetingId;
  return TargetPath(meeting ? ZoomTarget::kMeeting : ZoomTarget::kWebinar,
                    meeting ? request.meeting_id() : request.webinar_id(), "/livestream/status");
}

HttpRequest BuildUpdateStatusRequest(const UpdateStatusRequest& request,
                                     const ZoomRequestOptions& options, absl::BitGenRef gen) {
  HttpRequest http;
  http.method = "PATCH";
  http.url = absl::StrCat(TrimTrailingSlashes(options.api_base_url), TargetPath(request));
  // The body names the state to be in (streaming or not, these settings), not
  // a step from the current one: sending it twice ends where sending it once
  // does (docs/resilience.md, "Did Zoom act?").
  http.idempotent = true;

  const absl::string_view action = ActionName(request.action());
  std::string settings_json;
  if (HasAnySetting(request)) settings_json = BuildSettingsJson(request.settings());

  std::string content_type;
  if (options.encoding == BodyEncoding::kJson) {
    content_type = "application/json";
    http.body.reserve(32 + action.size() + settings_json.size());
    http.body.push_back('{');
    if (!action.empty()) absl::StrAppend(&http.body, "\"action\":\"", action, "\"");
    if (!settings_json.empty()) {
      if (!action.empty()) http.body.push_back(',');
      absl::StrAppend(&http.body, "\"settings\":", settings_json);
    }
    http.body.push_back('}');
  } else {
    std::vector<FormField> fields;
    fields.reserve(2);
    if (!action.empty()) fields.push_back({"action", std::string(action)});
    if (!settings_json.empty()) fields.push_back({"settings", std::move(settings_json)});
    const std::string boundary = ChooseBoundary(fields, gen);
    content_type = MultipartContentType(boundary);
    http.body = EncodeMultipartForm(fields, boundary);
  }

  http.headers.reserve(3);
  http.headers.emplace_back("Accept", "application/json");
  http.headers.emplace_back("Content-Type", std::move(content_type));
  // An empty User-Agent would break RFC 9110's grammar (one product at least).
  if (!options.user_agent.empty()) http.headers.emplace_back("User-Agent", options.user_agent);
  return http;
}

}  // namespace livestream_gateway
