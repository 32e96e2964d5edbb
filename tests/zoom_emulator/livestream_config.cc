#include "tests/zoom_emulator/livestream_config.h"

#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace zoom_emulator {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

struct StringField {
  absl::string_view name;
  size_t max_code_points;
  std::string LivestreamConfig::*member;
};
constexpr StringField kRequiredFields[] = {
    {"stream_url", 1024, &LivestreamConfig::stream_url},
    {"stream_key", 512, &LivestreamConfig::stream_key},
    {"page_url", 1024, &LivestreamConfig::page_url},
};

const Value* Find(const Struct& s, absl::string_view name) {
  const auto it = s.fields().find(std::string(name));
  return it == s.fields().end() ? nullptr : &it->second;
}

bool IsUriCharacter(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("-._~:/?#[]@!$&'()*+,;=").find(c) != absl::string_view::npos;
}

}  // namespace

bool IsAbsoluteUri(absl::string_view text) {
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos || colon == 0 || colon + 1 == text.size()) return false;
  if (!absl::ascii_isalpha(static_cast<unsigned char>(text[0]))) return false;
  for (char c : text.substr(0, colon)) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  for (size_t i = colon + 1; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size() || !absl::ascii_isxdigit(static_cast<unsigned char>(text[i + 1])) ||
          !absl::ascii_isxdigit(static_cast<unsigned char>(text[i + 2]))) {
        return false;
      }
      i += 2;
    } else if (!IsUriCharacter(text[i])) {
      return false;
    }
  }
  return true;
}

LivestreamConfig ParseLivestreamConfig(const Struct& body, FieldErrors* errors) {
  LivestreamConfig config;
  for (const StringField& field : kRequiredFields) {
    const Value* v = Find(body, field.name);
    if (v == nullptr || (v->has_string_value() && v->string_value().empty())) {
      errors->emplace_back(field.name, "This field is required.");
      continue;
    }
    if (!v->has_string_value()) {
      errors->emplace_back(field.name, "Must be a string.");
      continue;
    }
    const auto length = Utf8CodePoints(v->string_value());
    if (!length || *length > field.max_code_points) {
      errors->emplace_back(field.name,
                           absl::StrCat("Must be at most ", field.max_code_points, " characters."));
      continue;
    }
    if (field.name == "page_url" && !IsAbsoluteUri(v->string_value())) {
      errors->emplace_back(field.name, "Must be a valid URI.");
      continue;
    }
    config.*field.member = v->string_value();
  }
  if (const Value* v = Find(body, "resolution")) {
    if (v->has_string_value() && (v->string_value() == "720p" || v->string_value() == "1080p")) {
      config.resolution = v->string_value();
    } else {
      errors->emplace_back("resolution", "Invalid value. Allowed values: 720p, 1080p.");
    }
  }
  return config;
}

Struct LivestreamConfigJson(const std::optional<LivestreamConfig>& config) {
  const LivestreamConfig empty;
  const LivestreamConfig& c = config ? *config : empty;
  Struct s;
  auto& fields = *s.mutable_fields();
  for (const StringField& field : kRequiredFields) {
    fields[std::string(field.name)] = StringValue(c.*field.member);
  }
  if (c.resolution) fields["resolution"] = StringValue(*c.resolution);
  return s;
}

}  // namespace zoom_emulator
