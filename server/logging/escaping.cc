#include "server/logging/escaping.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/string_view.h"

namespace livestream_gateway {
namespace {

constexpr UChar32 kReplacement = 0xFFFD;
constexpr char kHexDigits[] = "0123456789abcdef";

// Printable ASCII that needs no escape inside quotes.
bool IsPlainByte(uint8_t byte) {
  return byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\';
}

// Code points shown as an escape rather than as themselves: controls a
// terminal or log viewer would act on, line breaks that some viewers split
// on, and U+FFFD, so that a replaced byte is visible as such.
bool NeedsEscape(UChar32 c) {
  return c < 0x20 || c == '"' || c == '\\' || (c >= 0x7F && c <= 0x9F) || c == 0x2028 ||
         c == 0x2029 || c == kReplacement;
}

void AppendEscape(std::string& out, UChar32 c) {
  switch (c) {
    case '"':
      out.append("\\\"");
      return;
    case '\\':
      out.append("\\\\");
      return;
    case '\n':
      out.append("\\n");
      return;
    case '\r':
      out.append("\\r");
      return;
    case '\t':
      out.append("\\t");
      return;
    default:
      break;
  }
  const char escape[] = {'\\',
                         'u',
                         kHexDigits[(c >> 12) & 0xF],
                         kHexDigits[(c >> 8) & 0xF],
                         kHexDigits[(c >> 4) & 0xF],
                         kHexDigits[c & 0xF]};
  out.append(escape, sizeof(escape));
}

}  // namespace

void AppendEscaped(std::string& out, absl::string_view value) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(value.data());
  // ICU indexes with int32_t; no log value comes near 2 GiB.
  const auto length =
      static_cast<int32_t>(std::min<size_t>(value.size(), std::numeric_limits<int32_t>::max()));
  int32_t copied = 0;  // bytes before this are in `out`
  int32_t i = 0;
  while (i < length) {
    if (IsPlainByte(bytes[i])) {
      ++i;
      continue;
    }
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) c = kReplacement;  // ill-formed: i is past the maximal subpart
    if (!NeedsEscape(c)) continue;
    out.append(value.data() + copied, start - copied);
    AppendEscape(out, c);
    copied = i;
  }
  out.append(value.data() + copied, length - copied);
}

void AppendJsonLogValue(std::string& out, absl::string_view value) {
  out.push_back('"');
  AppendEscaped(out, value);
  out.push_back('"');
}

void AppendLogfmtValue(std::string& out, absl::string_view value) {
  const bool bare = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return c > ' ' && c < 0x7F && c != '=' && c != '"' && c != '\\';
  });
  if (bare) {
    out.append(value.data(), value.size());
  } else {
    AppendJsonLogValue(out, value);
  }
}

}  // namespace livestream_gateway
