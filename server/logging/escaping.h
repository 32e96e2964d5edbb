#ifndef LIVESTREAM_GATEWAY_SERVER_LOGGING_ESCAPING_H_
#define LIVESTREAM_GATEWAY_SERVER_LOGGING_ESCAPING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace livestream_gateway {

// Log values come from callers and from Zoom, so one rule, shared by both
// formats, keeps every line one line of valid UTF-8 whatever the bytes:
//   `"`, `\`                 -> \" and \\ (respectively)
//   newline, CR, tab          -> \n, \r, \t
//   other C0 controls, DEL,
//   C1 controls, U+2028/2029  -> \u00XX / \u2028 / \u2029 (lower-case hex)
//   a byte that is not part of
//   well-formed UTF-8, U+FFFD -> \ufffd (one per maximal ill-formed subpart)
//   everything else           -> itself
// The result is a valid body of a JSON string and of a quoted logfmt value
// (go-logfmt escapes the same way).
void AppendEscaped(std::string& out, absl::string_view value);

// A JSON string: `"`, AppendEscaped, `"`. (zoom_request.h has the one for
// request bodies, whose text is validated UTF-8 already.)
void AppendJsonLogValue(std::string& out, absl::string_view value);

// A logfmt value: as is when it is non-empty printable ASCII without space,
// `=`, `"` or `\`; otherwise quoted like a JSON string.
void AppendLogfmtValue(std::string& out, absl::string_view value);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LOGGING_ESCAPING_H_
