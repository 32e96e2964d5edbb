#include "server/zoom/upstream_text.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace livestream_gateway {
namespace {

constexpr absl::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

struct Decoded {
  bool valid;
  char32_t code_point;
  // Of the character, or of the maximal ill-formed subpart when not valid.
  size_t length;
};

// The character at the start of non-empty `text`, after Unicode's table 3-7
// of well-formed byte sequences.
Decoded DecodeFirst(absl::string_view text) {
  const auto byte = [text](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {true, lead, 1};
  size_t length = 0;
  char32_t code_point = 0;
  // The range of the second byte; later ones are always 80..BF.
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;   // overlong below U+0800
    if (lead == 0xED) high = 0x9F;  // surrogates U+D800..U+DFFF
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
    if (lead == 0xF0) low = 0x90;   // overlong below U+10000
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return {false, 0, 1};  // a continuation byte, C0, C1 or F5..FF
  }
  for (size_t i = 1; i < length; ++i) {
    if (i >= text.size() || byte(i) < low || byte(i) > high) return {false, 0, i};
    code_point = (code_point << 6) | (byte(i) & 0x3F);
    low = 0x80;
    high = 0xBF;
  }
  return {true, code_point, length};
}

bool BreaksLogLines(char32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F) || code_point == 0x2028 ||
         code_point == 0x2029;
}

}  // namespace

std::string UpstreamText(absl::string_view raw, size_t max_bytes, const Redactor& redactor) {
  const std::string redacted = redactor.Redact(raw);
  std::string clean;
  clean.reserve(redacted.size());
  for (absl::string_view rest = redacted; !rest.empty();) {
    const Decoded decoded = DecodeFirst(rest);
    if (!decoded.valid) {
      absl::StrAppend(&clean, kReplacementCharacter);
    } else if (BreaksLogLines(decoded.code_point)) {
      clean.push_back(' ');
    } else {
      clean.append(rest.data(), decoded.length);
    }
    rest.remove_prefix(decoded.length);
  }
  absl::string_view text = absl::StripLeadingAsciiWhitespace(clean);
  if (text.size() > max_bytes) {
    size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  return std::string(absl::StripTrailingAsciiWhitespace(text));
}

}  // namespace livestream_gateway
