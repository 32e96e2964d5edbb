#include "server/logging/traceparent.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace livestream_gateway {
namespace {

constexpr size_t kVersion00Length = 55;  // 2 + 1 + 32 + 1 + 16 + 1 + 2

// The spec allows only lower-case hex (HEXDIGLC).
bool IsLowerHex(absl::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool AllZero(absl::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

// Two lower-case hex digits, already checked.
uint8_t HexByte(absl::string_view two) {
  auto digit = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  return static_cast<uint8_t>(digit(two[0]) * 16 + digit(two[1]));
}

}  // namespace

std::optional<TraceParent> ParseTraceparent(absl::string_view header) {
  if (header.size() < kVersion00Length) return std::nullopt;
  const absl::string_view version = header.substr(0, 2);
  const absl::string_view trace_id = header.substr(3, 32);
  const absl::string_view parent_id = header.substr(36, 16);
  const absl::string_view flags = header.substr(53, 2);
  if (header[2] != '-' || header[35] != '-' || header[52] != '-' || !IsLowerHex(version) ||
      !IsLowerHex(trace_id) || !IsLowerHex(parent_id) || !IsLowerHex(flags)) {
    return std::nullopt;
  }
  if (version == "ff" || AllZero(trace_id) || AllZero(parent_id)) return std::nullopt;
  if (version == "00" ? header.size() != kVersion00Length
                      : header.size() > kVersion00Length && header[kVersion00Length] != '-') {
    return std::nullopt;
  }
  return TraceParent{HexByte(version), trace_id, parent_id, HexByte(flags)};
}

}  // namespace livestream_gateway
