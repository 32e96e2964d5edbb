#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_UPSTREAM_TEXT_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_UPSTREAM_TEXT_H_

// Every string the server quotes from an upstream answer (Zoom's API or its
// OAuth token endpoint) passes through UpstreamText() before it reaches a
// response field, a status message, an error detail or a log line: proto3
// strings must be valid UTF-8 (a client library fails to decode a reply that
// is not, even an OK one), log lines must not be forged, and no credential
// may be quoted back.

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "server/zoom/redactor.h"

namespace livestream_gateway {

// `raw`, in this order:
//  1. every secret `redactor` knows replaced (see Redactor::Redact);
//  2. bytes that are not UTF-8 (stray continuation bytes, overlong forms,
//     surrogates, code points above U+10FFFF, a sequence cut short)
//     replaced by U+FFFD, one per maximal ill-formed subpart (Unicode 15,
//     section 3.9, as the WHATWG decoder does);
//  3. C0 controls, DEL, C1 controls and U+2028/U+2029 replaced by spaces,
//     so that the text cannot start a log line of its own;
//  4. leading and trailing spaces removed, and cut to at most `max_bytes`
//     at a character boundary.
// Redacting before cutting keeps a secret that straddles the bound from
// leaving its prefix behind.
std::string UpstreamText(absl::string_view raw, size_t max_bytes, const Redactor& redactor);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_UPSTREAM_TEXT_H_
