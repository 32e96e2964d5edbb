#include "server/authz/forwarded_client_cert.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace livestream_gateway {
namespace {

// Splits at `separator` outside double quotes; a backslash inside quotes
// escapes the next byte.
absl::StatusOr<std::vector<absl::string_view>> SplitUnquoted(absl::string_view text,
                                                             char separator) {
  std::vector<absl::string_view> pieces;
  size_t start = 0;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == separator) {
      pieces.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError("x-forwarded-client-cert has an unterminated quote");
  }
  pieces.push_back(text.substr(start));
  return pieces;
}

// A quoted value, "a\"b", becomes a"b; an unquoted value stays as it is. Envoy escapes only
// double quotes, so other backslashes (a distinguished name's own escapes)
// are kept.
std::string Unquote(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::string(value);
  return absl::StrReplaceAll(value.substr(1, value.size() - 2), {{"\\\"", "\""}});
}

// An RFC 4514/2253 attribute value: "\," "\+" ... escape one character,
// "\2C" one byte in hex.
std::string UnescapeDnValue(absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') return Unquote(value);
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) {
      int byte = 0;
      if (i + 2 < value.size() && absl::ascii_isxdigit(value[i + 1]) &&
          absl::ascii_isxdigit(value[i + 2]) &&
          absl::SimpleHexAtoi(value.substr(i + 1, 2), &byte)) {
        out.push_back(static_cast<char>(byte));
        i += 2;
        continue;
      }
      ++i;
    }
    out.push_back(value[i]);
  }
  return out;
}

// Splits a distinguished name at `separator` where it is not escaped.
std::vector<absl::string_view> SplitDn(absl::string_view dn, char separator) {
  std::vector<absl::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i < dn.size(); ++i) {
    if (dn[i] == '\\') {
      ++i;
    } else if (dn[i] == separator || (separator == ',' && dn[i] == '+')) {
      parts.push_back(dn.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(dn.substr(start));
  return parts;
}

// RFC 2253 lists the most specific name first; OpenSSL's one-line form
// ("/C=US/O=Example/CN=client") last.
std::string CommonName(absl::string_view subject) {
  const bool one_line = absl::StartsWith(subject, "/");
  std::optional<std::string> found;
  for (absl::string_view part : SplitDn(subject, one_line ? '/' : ',')) {
    const size_t equals = part.find('=');
    if (equals == absl::string_view::npos) continue;
    if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(part.substr(0, equals)), "CN")) {
      continue;
    }
    found = UnescapeDnValue(part.substr(equals + 1));
    if (!one_line) break;
  }
  return found.value_or("");
}

}  // namespace

absl::StatusOr<std::string> PrincipalFromForwardedClientCert(absl::string_view header) {
  absl::StatusOr<std::vector<absl::string_view>> elements = SplitUnquoted(header, ',');
  if (!elements.ok()) return elements.status();
  absl::StatusOr<std::vector<absl::string_view>> pairs = SplitUnquoted(elements->back(), ';');
  if (!pairs.ok()) return pairs.status();
  std::string spiffe_id;
  std::string subject;
  for (absl::string_view pair : *pairs) {
    pair = absl::StripAsciiWhitespace(pair);
    if (pair.empty()) continue;  // a trailing ';'
    const size_t equals = pair.find('=');
    if (equals == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          "x-forwarded-client-cert has a field without '=' in its last element");
    }
    const absl::string_view key = absl::StripAsciiWhitespace(pair.substr(0, equals));
    std::string value = Unquote(pair.substr(equals + 1));
    if (absl::EqualsIgnoreCase(key, "URI") && spiffe_id.empty() &&
        absl::StartsWithIgnoreCase(value, "spiffe://")) {
      spiffe_id = std::move(value);
    } else if (absl::EqualsIgnoreCase(key, "Subject") && subject.empty()) {
      subject = std::move(value);
    }
  }
  if (!spiffe_id.empty()) return spiffe_id;
  return CommonName(subject);
}

}  // namespace livestream_gateway
