#ifndef LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_LIVESTREAM_CONFIG_H_
#define LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_LIVESTREAM_CONFIG_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "tests/zoom_emulator/json.h"

namespace zoom_emulator {

// A webinar's or meeting's custom live stream configuration, as
// `PATCH /v2/{webinars|meetings}/{id}/livestream` stores it.
struct LivestreamConfig {
  std::string stream_url;
  std::string stream_key;
  std::string page_url;
  std::optional<std::string> resolution;  // "720p" or "1080p" when given

  bool operator==(const LivestreamConfig&) const = default;
};

// Zoom's rules for the PATCH body (zoom-api notes §2): stream_url,
// stream_key and page_url are required non-empty strings of at most
// 1024/512/1024 code points, page_url is an absolute URI (RFC 3986), and
// the optional resolution is "720p" or "1080p". Other keys are ignored.
// Every failing field is appended to `errors`, in that field order; the
// result is meaningful only when none were.
LivestreamConfig ParseLivestreamConfig(const google::protobuf::Struct& body, FieldErrors* errors);

// RFC 3986 absolute URI: a scheme, ':', then at least one character, all
// from the URI character set with well-formed percent escapes.
bool IsAbsoluteUri(absl::string_view text);

// The GET body. A resource that was never configured answers the three
// required fields as empty strings; resolution appears only when set.
google::protobuf::Struct LivestreamConfigJson(const std::optional<LivestreamConfig>& config);

}  // namespace zoom_emulator

#endif  // LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_LIVESTREAM_CONFIG_H_
