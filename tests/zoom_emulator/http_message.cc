#include "tests/zoom_emulator/http_message.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace zoom_emulator {
namespace {

// RFC 9110 tchar.
bool IsTokenChar(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  return absl::string_view("!#$%&'*+-.^_`|~").find(c) != absl::string_view::npos;
}

bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// field-value: visible ASCII, obs-text, SP and HTAB; no other controls.
bool IsFieldValue(absl::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7F) return false;
  }
  return true;
}

// origin-form request-target: visible ASCII without spaces, starting '/'.
bool IsOriginForm(absl::string_view s) {
  if (s.empty() || s[0] != '/') return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
  }
  return true;
}

bool HasToken(absl::string_view list, absl::string_view token) {
  for (absl::string_view item : absl::StrSplit(list, ',')) {
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(item), token)) return true;
  }
  return false;
}

HttpError Bad(std::string message) { return HttpError{400, std::move(message)}; }

}  // namespace

std::string JoinedHeader(const HttpHeaders& headers, absl::string_view lower_case_name) {
  std::string out;
  for (const auto& [name, value] : headers) {
    if (name != lower_case_name) continue;
    if (!out.empty()) out += ", ";
    out += value;
  }
  return out;
}

bool HasHeader(const HttpHeaders& headers, absl::string_view lower_case_name) {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return true;
  }
  return false;
}

size_t FindHeadEnd(absl::string_view buffer, size_t from) {
  const size_t pos = buffer.find("\r\n\r\n", from);
  return pos == absl::string_view::npos ? pos : pos + 4;
}

std::variant<RequestHead, HttpError> ParseRequestHead(absl::string_view head) {
  if (!absl::ConsumeSuffix(&head, "\r\n\r\n")) return Bad("request head does not end in CRLF CRLF");
  if (head.find('\0') != absl::string_view::npos) return Bad("NUL byte in request head");
  std::vector<absl::string_view> lines = absl::StrSplit(head, "\r\n");
  for (absl::string_view line : lines) {
    if (line.find_first_of("\r\n") != absl::string_view::npos) return Bad("bare CR or LF");
  }

  RequestHead out;
  std::vector<absl::string_view> parts = absl::StrSplit(lines[0], ' ');
  if (parts.size() != 3) return Bad("malformed request line");
  if (!IsToken(parts[0])) return Bad("malformed method");
  if (!IsOriginForm(parts[1])) return Bad("request target must be an absolute path");
  const absl::string_view version = parts[2];
  if (version == "HTTP/1.1") {
    out.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    out.minor_version = 0;
  } else if (version.size() == 8 && absl::StartsWith(version, "HTTP/") &&
             absl::ascii_isdigit(version[5]) && version[6] == '.' &&
             absl::ascii_isdigit(version[7])) {
    return HttpError{505, "only HTTP/1.0 and HTTP/1.1 are supported"};
  } else {
    return Bad("malformed HTTP version");
  }
  out.method = std::string(parts[0]);
  out.target = std::string(parts[1]);
  const size_t q = out.target.find('?');
  out.path = out.target.substr(0, q);
  if (q != std::string::npos) out.query = out.target.substr(q + 1);

  for (size_t i = 1; i < lines.size(); ++i) {
    const absl::string_view line = lines[i];
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      return Bad("obsolete line folding");
    }
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) return Bad("header line without a colon");
    const absl::string_view name = line.substr(0, colon);
    if (!IsToken(name)) return Bad("malformed header name");
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (!IsFieldValue(value)) return Bad("control character in header value");
    out.headers.emplace_back(absl::AsciiStrToLower(name), std::string(value));
  }

  int hosts = 0;
  bool have_length = false;
  for (const auto& [name, value] : out.headers) {
    if (name == "host") ++hosts;
    if (name != "content-length") continue;
    uint64_t length = 0;
    if (value.empty() || value.size() > 18 || !absl::ascii_isdigit(value[0]) ||
        !absl::SimpleAtoi(value, &length)) {
      return Bad("malformed Content-Length");
    }
    if (have_length && length != out.content_length) return Bad("conflicting Content-Length");
    have_length = true;
    out.content_length = static_cast<size_t>(length);
  }
  if (out.minor_version == 1 && hosts != 1) return Bad("HTTP/1.1 requires exactly one Host");
  if (HasHeader(out.headers, "transfer-encoding")) {
    if (have_length) return Bad("both Transfer-Encoding and Content-Length");
    return HttpError{411, "only Content-Length request bodies are supported"};
  }
  if (out.content_length > kMaxBodyBytes) {
    return HttpError{413, absl::StrCat("request body exceeds ", kMaxBodyBytes, " bytes")};
  }

  const std::string connection = JoinedHeader(out.headers, "connection");
  out.keep_alive =
      out.minor_version == 1 ? !HasToken(connection, "close") : HasToken(connection, "keep-alive");
  if (HasHeader(out.headers, "expect")) {
    if (!absl::EqualsIgnoreCase(JoinedHeader(out.headers, "expect"), "100-continue")) {
      return HttpError{417, "only Expect: 100-continue is supported"};
    }
    out.expect_continue = out.minor_version == 1;
  }
  return out;
}

absl::string_view ReasonPhrase(int status) {
  static constexpr std::pair<int, absl::string_view> kPhrases[] = {
      {100, "Continue"},
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {304, "Not Modified"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {411, "Length Required"},
      {413, "Content Too Large"},
      {417, "Expectation Failed"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
      {505, "HTTP Version Not Supported"},
  };
  for (const auto& [code, phrase] : kPhrases) {
    if (code == status) return phrase;
  }
  return "Unknown";
}

std::string SerializeResponse(const HttpResponse& response, bool head_only) {
  const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
  std::string out =
      absl::StrCat("HTTP/1.1 ", response.status, " ", ReasonPhrase(response.status), "\r\n");
  for (const auto& [name, value] : response.headers) {
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  if (!bodiless) absl::StrAppend(&out, "Content-Length: ", response.body.size(), "\r\n");
  if (response.close) out += "Connection: close\r\n";
  out += "\r\n";
  if (!bodiless && !head_only) out += response.body;
  return out;
}

}  // namespace zoom_emulator
