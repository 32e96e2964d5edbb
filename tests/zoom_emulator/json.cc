#include "tests/zoom_emulator/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"

namespace zoom_emulator {
namespace {

// Checks depth and value count in one pass without building anything. Only
// brackets, commas and string boundaries matter; the real parser judges
// everything else.
bool WithinLimits(absl::string_view text, const JsonLimits& limits) {
  int depth = 0;
  size_t values = 1;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > limits.max_depth) return false;
        ++values;
        break;
      case ']':
      case '}':
        --depth;
        break;
      case ',':
        ++values;
        break;
      default:
        break;
    }
    if (values > limits.max_values) return false;
  }
  return true;
}

// Length of the UTF-8 sequence starting at text[i], or 0 when invalid
// (overlong forms, surrogates and code points above U+10FFFF included).
size_t Utf8SequenceLength(absl::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

void AppendJsonString(absl::string_view s, std::string* out) {
  out->push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void AppendNumber(double d, std::string* out) {
  constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53
  if (!std::isfinite(d)) {
    out->append("null");  // JSON has no NaN or infinity
  } else if (std::floor(d) == d && std::fabs(d) <= kMaxExactInteger) {
    absl::StrAppend(out, static_cast<int64_t>(d));
  } else {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof(buffer), d);
    out->append(buffer, result.ptr);
  }
}

void AppendJson(const google::protobuf::Value& value, std::string* out);

void AppendObject(const google::protobuf::Struct& object, std::string* out) {
  std::vector<const std::string*> keys;
  keys.reserve(object.fields().size());
  for (const auto& [key, unused] : object.fields()) keys.push_back(&key);
  std::sort(keys.begin(), keys.end(), [](const auto* a, const auto* b) { return *a < *b; });
  out->push_back('{');
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(*keys[i], out);
    out->push_back(':');
    AppendJson(object.fields().at(*keys[i]), out);
  }
  out->push_back('}');
}

void AppendJson(const google::protobuf::Value& value, std::string* out) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kStringValue:
      AppendJsonString(value.string_value(), out);
      break;
    case google::protobuf::Value::kNumberValue:
      AppendNumber(value.number_value(), out);
      break;
    case google::protobuf::Value::kBoolValue:
      out->append(value.bool_value() ? "true" : "false");
      break;
    case google::protobuf::Value::kStructValue:
      AppendObject(value.struct_value(), out);
      break;
    case google::protobuf::Value::kListValue: {
      out->push_back('[');
      const auto& values = value.list_value().values();
      for (int i = 0; i < values.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJson(values[i], out);
      }
      out->push_back(']');
      break;
    }
    default:
      out->append("null");
      break;
  }
}

}  // namespace

absl::StatusOr<google::protobuf::Value> ParseJson(absl::string_view text, JsonLimits limits) {
  if (!WithinLimits(text, limits)) {
    return absl::InvalidArgumentError("JSON nests too deeply or holds too many values");
  }
  google::protobuf::Value value;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(text.data(), text.size()), &value);
  if (!status.ok()) return absl::InvalidArgumentError("invalid JSON");
  return value;
}

std::string ToJson(const google::protobuf::Value& value) {
  std::string out;
  AppendJson(value, &out);
  return out;
}

std::string ToJson(const google::protobuf::Struct& object) {
  std::string out;
  AppendObject(object, &out);
  return out;
}

std::optional<size_t> Utf8CodePoints(absl::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size();) {
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) return std::nullopt;
    i += len;
    ++count;
  }
  return count;
}

std::string SanitizeUtf8(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.data() + i, len);
      i += len;
    }
  }
  return out;
}

google::protobuf::Value StringValue(absl::string_view s) {
  google::protobuf::Value v;
  v.set_string_value(SanitizeUtf8(s));
  return v;
}

google::protobuf::Value NumberValue(double d) {
  google::protobuf::Value v;
  v.set_number_value(d);
  return v;
}

google::protobuf::Value BoolValue(bool b) {
  google::protobuf::Value v;
  v.set_bool_value(b);
  return v;
}

google::protobuf::Value StructValue(google::protobuf::Struct s) {
  google::protobuf::Value v;
  *v.mutable_struct_value() = std::move(s);
  return v;
}

}  // namespace zoom_emulator
