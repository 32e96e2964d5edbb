#include "server/zoom/multipart.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/random/distributions.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace livestream_gateway {
namespace {

constexpr absl::string_view kDispositionPrefix = "Content-Disposition: form-data; name=\"";
constexpr absl::string_view kDispositionSuffix = "\"\r\n\r\n";
constexpr absl::string_view kAlphanumerics =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

size_t EscapedNameSize(absl::string_view name) {
  size_t size = name.size();
  for (char c : name) {
    if (c == '"' || c == '\\' || c == '\r' || c == '\n') size += 2;
  }
  return size;
}

void AppendEscapedName(std::string& out, absl::string_view name) {
  for (char c : name) {
    switch (c) {
      case '"':
        out.append("%22");
        break;
      case '\\':
        out.append("%5C");
        break;
      case '\r':
        out.append("%0D");
        break;
      case '\n':
        out.append("%0A");
        break;
      default:
        out.push_back(c);
    }
  }
}

// RFC 9110 §5.6.2 tchar.
bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
}

}  // namespace

std::string EncodeMultipartForm(const std::vector<FormField>& fields, absl::string_view boundary) {
  // "--" B "\r\n" per part and "--" B "--\r\n" at the end.
  size_t size = boundary.size() + 6;
  for (const FormField& field : fields) {
    size += 2 + boundary.size() + 2 + kDispositionPrefix.size() + EscapedNameSize(field.name) +
            kDispositionSuffix.size() + field.value.size() + 2;
  }
  std::string body;
  body.reserve(size);
  for (const FormField& field : fields) {
    absl::StrAppend(&body, "--", boundary, "\r\n", kDispositionPrefix);
    AppendEscapedName(body, field.name);
    absl::StrAppend(&body, kDispositionSuffix, field.value, "\r\n");
  }
  absl::StrAppend(&body, "--", boundary, "--\r\n");
  return body;
}

std::string ChooseBoundary(const std::vector<FormField>& fields, absl::BitGenRef gen) {
  std::string boundary(kBoundaryDashes, '-');
  boundary.resize(kBoundaryDashes + kBoundaryRandomChars);
  // With 62^24 (about 2^143) choices a clash is practically impossible, but a
  // hostile value could contain a guessed boundary, so check and redraw.
  for (;;) {
    for (size_t i = kBoundaryDashes; i < boundary.size(); ++i) {
      boundary[i] = kAlphanumerics[absl::Uniform<size_t>(gen, 0, kAlphanumerics.size())];
    }
    bool clash = false;
    for (const FormField& field : fields) {
      if (absl::string_view(field.value).find(boundary) != absl::string_view::npos) {
        clash = true;
        break;
      }
    }
    if (!clash) return boundary;
  }
}

std::string MultipartContentType(absl::string_view boundary) {
  // RFC 2046 allows boundary characters (such as ':', '=' or a space) that a
  // parameter value carries only inside a quoted-string (RFC 9110 §5.6.6).
  // Boundary characters include no '"' or '\', so quoting needs no escapes.
  if (!boundary.empty() && std::all_of(boundary.begin(), boundary.end(), IsTokenChar)) {
    return absl::StrCat("multipart/form-data; boundary=", boundary);
  }
  return absl::StrCat("multipart/form-data; boundary=\"", boundary, "\"");
}

}  // namespace livestream_gateway
