#include "tests/zoom_emulator/request_match.h"

#include <cstddef>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace zoom_emulator {
namespace {

// Glob match of one segment: '*' is any run of characters. Greedy with one
// backtrack point, linear in practice for the short patterns tests write.
bool SegmentMatches(absl::string_view pattern, absl::string_view text) {
  size_t p = 0;
  size_t t = 0;
  size_t star = absl::string_view::npos;
  size_t resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool IsMethodToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

bool PathMatches(absl::string_view pattern, absl::string_view path) {
  const std::vector<absl::string_view> want = absl::StrSplit(pattern, '/');
  const std::vector<absl::string_view> got = absl::StrSplit(path, '/');
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!SegmentMatches(want[i], got[i])) return false;
  }
  return true;
}

bool RequestMatch::Matches(absl::string_view request_method, absl::string_view request_path) const {
  return (method.empty() || method == request_method) &&
         (path.empty() || PathMatches(path, request_path));
}

RequestMatch ParseRequestMatch(const google::protobuf::Value& value, absl::string_view field,
                               FieldErrors* errors) {
  RequestMatch match;
  if (!value.has_struct_value()) {
    errors->emplace_back(field, "Must be an object with optional method and path.");
    return match;
  }
  for (const auto& [key, v] : value.struct_value().fields()) {
    const std::string name = absl::StrCat(field, ".", SanitizeUtf8(key));
    if (key == "method") {
      if (v.has_string_value() && IsMethodToken(v.string_value())) {
        match.method = v.string_value();
      } else {
        errors->emplace_back(name, "Must be an upper-case HTTP method such as GET or PATCH.");
      }
    } else if (key == "path") {
      if (v.has_string_value() && absl::StartsWith(v.string_value(), "/")) {
        match.path = v.string_value();
      } else {
        errors->emplace_back(name, "Must be a path pattern starting with /.");
      }
    } else {
      errors->emplace_back(name, "Unknown field.");
    }
  }
  return match;
}

google::protobuf::Struct RequestMatchJson(const RequestMatch& match) {
  google::protobuf::Struct s;
  if (!match.method.empty()) (*s.mutable_fields())["method"] = StringValue(match.method);
  if (!match.path.empty()) (*s.mutable_fields())["path"] = StringValue(match.path);
  return s;
}

}  // namespace zoom_emulator
