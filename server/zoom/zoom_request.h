#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_ZOOM_REQUEST_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_ZOOM_REQUEST_H_

// Turns a validated UpdateStatusRequest into Zoom's
// PATCH {base}/{webinars|meetings}/{id}/livestream/status. Runs once per RPC,
// so it builds each string in one pass with the size reserved up front.

#include <string>

#include "absl/random/bit_gen_ref.h"
#include "absl/strings/string_view.h"
#include "server/zoom/error_mapping.h"
#include "server/zoom/http.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_gateway {

// Zoom documents only application/json for this endpoint, while its Postman
// collection sends multipart/form-data with `settings` as a JSON string; both
// are supported so a deployment can pick what its Zoom account accepts.
enum class BodyEncoding { kMultipart, kJson };

struct ZoomRequestOptions {
  // E.g. "https://api.zoom.us/v2"; trailing slashes are ignored.
  std::string api_base_url;
  BodyEncoding encoding = BodyEncoding::kMultipart;
  // Sent as User-Agent; no header when empty.
  std::string user_agent;
};

// Appends `value` to `out` as a JSON string literal (quotes included). `"`,
// `\` and every control character (U+0000..U+001F, U+007F) are escaped;
// everything else, including non-ASCII UTF-8, is copied verbatim.
void AppendJsonString(std::string& out, absl::string_view value);

// The settings that are set, as a JSON object with keys in the order
// active_speaker_name, display_name, e.g.
// {"active_speaker_name":false,"display_name":"Town hall"}; "{}" when none.
std::string BuildSettingsJson(const zoom::livestream::v1::LiveStreamSettings& settings);

// options.api_base_url without its trailing slashes.
absl::string_view ZoomApiBase(const ZoomRequestOptions& options);

// "/webinars/{id}{suffix}" or "/meetings/{id}{suffix}". Validation allows
// only digits in the ID; anything else is percent-encoded anyway so an
// unvalidated ID can never change the path.
std::string TargetPath(ZoomTarget target, absl::string_view id, absl::string_view suffix);

// "/webinars/{id}/livestream/status" or "/meetings/{id}/livestream/status".
std::string TargetPath(const zoom::livestream::v1::UpdateStatusRequest& request);

// The Zoom request for `request`, which must have passed
// ValidateUpdateStatusRequest: method PATCH, headers Accept, Content-Type and
// User-Agent, and a body carrying `action` ("start"/"stop", left out when
// UNSPECIFIED) and `settings` (BuildSettingsJson, left out when no setting is
// set), either as multipart form fields (`gen` picks the boundary) or as one
// JSON object. There is no Authorization header: the credentials decorator
// adds it.
HttpRequest BuildUpdateStatusRequest(const zoom::livestream::v1::UpdateStatusRequest& request,
                                     const ZoomRequestOptions& options, absl::BitGenRef gen);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_ZOOM_REQUEST_H_
