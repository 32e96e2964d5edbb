#include "tests/zoom_emulator/form_data.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace zoom_emulator {
namespace {

constexpr size_t kMaxParts = 256;

bool IsTokenChar(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  return absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
}

// Consumes a token at the front of `in`; empty when there is none.
absl::string_view ConsumeToken(absl::string_view* in) {
  size_t n = 0;
  while (n < in->size() && IsTokenChar((*in)[n])) ++n;
  absl::string_view token = in->substr(0, n);
  in->remove_prefix(n);
  return token;
}

void SkipOws(absl::string_view* in) {
  while (!in->empty() && (in->front() == ' ' || in->front() == '\t')) in->remove_prefix(1);
}

// Consumes a quoted-string (the opening quote already checked) and unescapes
// quoted-pairs.
absl::StatusOr<std::string> ConsumeQuotedString(absl::string_view* in) {
  std::string out;
  in->remove_prefix(1);
  while (!in->empty()) {
    const char c = in->front();
    in->remove_prefix(1);
    if (c == '"') return out;
    if (c == '\\') {
      if (in->empty()) break;
      out += in->front();
      in->remove_prefix(1);
    } else {
      out += c;
    }
  }
  return absl::InvalidArgumentError("unterminated quoted string");
}

// RFC 2046 §5.1.1 bchars, space not last.
bool IsValidBoundary(absl::string_view b) {
  if (b.empty() || b.size() > 70 || b.back() == ' ') return false;
  for (char c : b) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        absl::string_view("'()+_,-./:=? ").find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<FormPart> ParsePart(absl::string_view part) {
  absl::string_view header_block;
  absl::string_view content;
  if (absl::StartsWith(part, "\r\n")) {
    content = part.substr(2);
  } else {
    const size_t end = part.find("\r\n\r\n");
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError("part header section is not terminated");
    }
    header_block = part.substr(0, end);
    content = part.substr(end + 4);
  }
  FormPart out;
  bool have_disposition = false;
  if (!header_block.empty()) {
    for (absl::string_view line : absl::StrSplit(header_block, "\r\n")) {
      const size_t colon = line.find(':');
      if (colon == absl::string_view::npos || colon == 0) {
        return absl::InvalidArgumentError("malformed part header");
      }
      const std::string name = absl::AsciiStrToLower(line.substr(0, colon));
      const absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
      if (name == "content-disposition") {
        auto disposition = ParseParameterizedValue(value);
        if (!disposition.ok()) return disposition.status();
        if (disposition->value != "form-data") {
          return absl::InvalidArgumentError("part disposition is not form-data");
        }
        auto field_name = disposition->Parameter("name");
        if (!field_name) return absl::InvalidArgumentError("part without a name");
        out.name = *std::move(field_name);
        out.filename = disposition->Parameter("filename");
        have_disposition = true;
      } else if (name == "content-type") {
        out.content_type = std::string(value);
      }
    }
  }
  if (!have_disposition) return absl::InvalidArgumentError("part without Content-Disposition");
  out.value = std::string(content);
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> PercentDecode(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) {
        return absl::InvalidArgumentError("truncated percent escape");
      }
      const int hi = HexDigit(in[i + 1]);
      const int lo = HexDigit(in[i + 2]);
      if (hi < 0 || lo < 0) return absl::InvalidArgumentError("malformed percent escape");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// The next "CRLF--boundary" at or after `from` that really is a delimiter
// line: followed by "--" (the close delimiter) or by optional whitespace and
// CRLF. Text that merely starts with the boundary (e.g. "--boundaryX") is
// content.
size_t FindDelimiter(absl::string_view body, absl::string_view separator, size_t from) {
  for (size_t pos = body.find(separator, from); pos != absl::string_view::npos;
       pos = body.find(separator, pos + 1)) {
    size_t after = pos + separator.size();
    if (body.substr(after, 2) == "--") return pos;
    while (after < body.size() && (body[after] == ' ' || body[after] == '\t')) ++after;
    if (body.substr(after, 2) == "\r\n") return pos;
  }
  return absl::string_view::npos;
}

}  // namespace

std::optional<std::string> ParameterizedValue::Parameter(absl::string_view lower_case_name) const {
  for (const auto& [name, value] : parameters) {
    if (name == lower_case_name) return value;
  }
  return std::nullopt;
}

absl::StatusOr<ParameterizedValue> ParseParameterizedValue(absl::string_view in) {
  ParameterizedValue out;
  SkipOws(&in);
  absl::string_view value = ConsumeToken(&in);
  if (value.empty()) return absl::InvalidArgumentError("missing value");
  std::string lowered = absl::AsciiStrToLower(value);
  if (absl::ConsumePrefix(&in, "/")) {
    const absl::string_view subtype = ConsumeToken(&in);
    if (subtype.empty()) return absl::InvalidArgumentError("missing media subtype");
    absl::StrAppend(&lowered, "/", absl::AsciiStrToLower(subtype));
  }
  out.value = std::move(lowered);
  while (true) {
    SkipOws(&in);
    if (in.empty()) break;
    if (!absl::ConsumePrefix(&in, ";")) return absl::InvalidArgumentError("expected ';'");
    SkipOws(&in);
    if (in.empty()) break;  // a trailing ';' is tolerated in the wild
    const absl::string_view name = ConsumeToken(&in);
    if (name.empty() || !absl::ConsumePrefix(&in, "=")) {
      return absl::InvalidArgumentError("malformed parameter");
    }
    std::string param_value;
    if (!in.empty() && in.front() == '"') {
      auto quoted = ConsumeQuotedString(&in);
      if (!quoted.ok()) return quoted.status();
      param_value = *std::move(quoted);
    } else {
      param_value = std::string(ConsumeToken(&in));
      if (param_value.empty()) return absl::InvalidArgumentError("empty parameter value");
    }
    out.parameters.emplace_back(absl::AsciiStrToLower(name), std::move(param_value));
  }
  return out;
}

absl::StatusOr<std::vector<FormPart>> ParseMultipartFormData(absl::string_view body,
                                                             absl::string_view boundary) {
  if (!IsValidBoundary(boundary)) return absl::InvalidArgumentError("invalid boundary");
  const std::string delimiter = absl::StrCat("--", boundary);
  const std::string separator = absl::StrCat("\r\n", delimiter);

  size_t pos;
  if (absl::StartsWith(body, delimiter)) {
    pos = 0;
  } else {
    pos = FindDelimiter(body, separator, 0);
    if (pos == absl::string_view::npos) return absl::InvalidArgumentError("no opening boundary");
    pos += 2;
  }
  std::vector<FormPart> parts;
  while (true) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return parts;  // close delimiter; epilogue ignored
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") return absl::InvalidArgumentError("malformed boundary line");
    pos += 2;
    const size_t end = FindDelimiter(body, separator, pos);
    if (end == absl::string_view::npos) return absl::InvalidArgumentError("no closing boundary");
    if (parts.size() == kMaxParts) return absl::InvalidArgumentError("too many parts");
    auto part = ParsePart(body.substr(pos, end - pos));
    if (!part.ok()) return part.status();
    parts.push_back(*std::move(part));
    pos = end + 2;
  }
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseUrlEncoded(
    absl::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view pair : absl::StrSplit(text, '&', absl::SkipEmpty())) {
    const size_t eq = pair.find('=');
    auto name = PercentDecode(pair.substr(0, eq));
    if (!name.ok()) return name.status();
    absl::StatusOr<std::string> value = std::string();
    if (eq != absl::string_view::npos) value = PercentDecode(pair.substr(eq + 1));
    if (!value.ok()) return value.status();
    out.emplace_back(*std::move(name), *std::move(value));
  }
  return out;
}

}  // namespace zoom_emulator
