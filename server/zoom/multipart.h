#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_MULTIPART_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_MULTIPART_H_

// A multipart/form-data (RFC 7578) encoder for small text-only forms.
//
// libcurl's mime API would do this, but it writes part headers and bodies as
// separate chunks, which cost 25-35% of gateway throughput; building the whole
// body into one string lets curl send it with a single write.

#include <string>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "absl/strings/string_view.h"

namespace livestream_gateway {

struct FormField {
  std::string name;
  std::string value;
};

// Length of a ChooseBoundary() result: a curl-like run of 24 dashes and 24
// random alphanumerics, well under RFC 2046's 70-character limit.
inline constexpr size_t kBoundaryDashes = 24;
inline constexpr size_t kBoundaryRandomChars = 24;

// For each field: "--B\r\nContent-Disposition: form-data; name=\"N\"\r\n\r\nV\r\n",
// then "--B--\r\n". Names are escaped as the WHATWG form encoding does (", CR
// and LF become %22, %0D and %0A) so no name can end its quoted-string or the
// header line, and \ becomes %5C: RFC 9110 parsers read it as an escape,
// WHATWG ones as itself, and only without it do both read the same name.
// Values are copied verbatim: the caller must pick a boundary that occurs in
// none of them (ChooseBoundary does).
std::string EncodeMultipartForm(const std::vector<FormField>& fields, absl::string_view boundary);

// A random boundary (see kBoundaryDashes) that occurs in no field's value, so
// the encoded body parses back to exactly `fields`.
std::string ChooseBoundary(const std::vector<FormField>& fields, absl::BitGenRef gen);

// "multipart/form-data; boundary=B", with B quoted when it holds characters
// that an unquoted parameter value cannot (RFC 2046 allows e.g. ':' and ' ').
// `boundary` must be an RFC 2046 boundary: 1 to 70 of its characters.
std::string MultipartContentType(absl::string_view boundary);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_MULTIPART_H_
