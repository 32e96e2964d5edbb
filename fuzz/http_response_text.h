#ifndef LIVESTREAM_GATEWAY_FUZZ_HTTP_RESPONSE_TEXT_H_
#define LIVESTREAM_GATEWAY_FUZZ_HTTP_RESPONSE_TEXT_H_

// The input of the fuzz targets that take an HTTP answer: a readable text
// form, so that seed corpora are real answers one can read and edit, and
// libFuzzer's dictionaries apply to status, header and body alike.
//
//   429 truncated                  status code 0..999, then optionally
//   x-zm-trackingid: v=2.0;...     " truncated" (HttpResponse::body_truncated)
//   retry-after: 120               header lines, "name: value", up to the
//                                  first empty line
//   {"code":429,"message":"..."}   the body: every byte after that line
//
// Lines end with LF or CRLF. Header names are lower-cased, and names and
// values stripped, the way the curl transport stores them; lines without a
// colon are ignored, as there.

#include <optional>

#include "absl/strings/string_view.h"
#include "server/zoom/http.h"

namespace livestream_gateway::fuzz {

// nullopt when the first line is not a status code (with the optional flag).
std::optional<HttpResponse> ParseResponseText(absl::string_view text);

}  // namespace livestream_gateway::fuzz

#endif  // LIVESTREAM_GATEWAY_FUZZ_HTTP_RESPONSE_TEXT_H_
