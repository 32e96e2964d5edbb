#ifndef LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_FORM_DATA_H_
#define LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_FORM_DATA_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace zoom_emulator {

// A header value of the form `type/subtype *(; name=value)` (Content-Type) or
// `disposition *(; name=value)` (Content-Disposition).
struct ParameterizedValue {
  std::string value;  // lower-cased, e.g. "multipart/form-data"
  std::vector<std::pair<std::string, std::string>> parameters;  // names lower-cased, unquoted

  // First parameter `lower_case_name`, if present.
  std::optional<std::string> Parameter(absl::string_view lower_case_name) const;
};

// Parses RFC 9110 §5.6.6 parameters (token or quoted-string values).
absl::StatusOr<ParameterizedValue> ParseParameterizedValue(absl::string_view header_value);

struct FormPart {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;  // empty when the part has none
  std::string value;
};

// Parses an RFC 7578 multipart/form-data body delimited by `boundary` (the
// Content-Type parameter, 1..70 characters per RFC 2046). Preamble and
// epilogue are ignored; every part needs a `Content-Disposition: form-data`
// with a name.
absl::StatusOr<std::vector<FormPart>> ParseMultipartFormData(absl::string_view body,
                                                             absl::string_view boundary);

// Parses application/x-www-form-urlencoded text ('+' is a space, %XX a byte).
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseUrlEncoded(
    absl::string_view text);

}  // namespace zoom_emulator

#endif  // LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_FORM_DATA_H_
