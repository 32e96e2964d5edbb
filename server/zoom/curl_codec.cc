#include "server/zoom/curl_codec.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace livestream_gateway::curl_codec {
namespace {

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::StrContains("!#$%&'*+-.^_`|~", c);
}

bool IsToken(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

bool HasLineBreakOrNul(absl::string_view s) {
  return s.find_first_of(absl::string_view("\r\n\0", 3)) != absl::string_view::npos;
}

bool HasHeader(const HttpHeaders& headers, absl::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return absl::EqualsIgnoreCase(h.first, name); });
}

// Headers libcurl would add by itself unless the request has them: no
// `Expect: 100-continue` round trip, no form Content-Type, no Accept.
constexpr absl::string_view kSuppressed[] = {"Expect", "Content-Type", "Accept"};

}  // namespace

absl::Status ValidateRequest(const HttpRequest& request) {
  if (!IsToken(request.method)) {
    return absl::InvalidArgumentError("HTTP transport: invalid request method");
  }
  if (HasLineBreakOrNul(request.url) || !(absl::StartsWithIgnoreCase(request.url, "http://") ||
                                          absl::StartsWithIgnoreCase(request.url, "https://"))) {
    return absl::InvalidArgumentError("HTTP transport: URL must be http:// or https://");
  }
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name) || HasLineBreakOrNul(value)) {
      // The name is safe to show (a token); the value may be a credential.
      return absl::InvalidArgumentError(absl::StrCat("HTTP transport: invalid header ",
                                                     IsToken(name) ? name : std::string("name"),
                                                     " in request"));
    }
  }
  return absl::OkStatus();
}

// "Name:" suppresses a header of kSuppressed; libcurl's spelling of a header
// with an empty value is "Name;".
void HeaderList::Assign(const HttpHeaders& headers) {
  lines_.clear();
  for (const auto& [name, value] : headers) {
    absl::StrAppend(&lines_, name, value.empty() ? ";" : ": ", value);
    lines_.push_back('\0');
  }
  for (absl::string_view name : kSuppressed) {
    if (HasHeader(headers, name)) continue;
    absl::StrAppend(&lines_, name, ":");
    lines_.push_back('\0');
  }
  // Linked only now that `lines_` will not move again.
  nodes_.clear();
  for (size_t start = 0; start < lines_.size(); start = lines_.find('\0', start) + 1) {
    nodes_.push_back(curl_slist{lines_.data() + start, nullptr});
  }
  for (size_t i = 0; i + 1 < nodes_.size(); ++i) nodes_[i].next = &nodes_[i + 1];
}

void HeaderList::Clear() {
  nodes_.clear();
  lines_.clear();
}

Method MethodOf(const HttpRequest& request) {
  const std::string& method = request.method;
  if (method == "HEAD") return {Method::Kind::kHead, nullptr};
  if (!request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    return {Method::Kind::kWithBody, method == "POST" ? nullptr : method.c_str()};
  }
  return {Method::Kind::kNoBody, method == "GET" ? nullptr : method.c_str()};
}

// NOLINTNEXTLINE(google-runtime-int): libcurl's type
long TimeoutMs(absl::Time deadline, absl::Time now) {
  if (deadline == absl::InfiniteFuture()) return 0;
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(deadline - now, absl::Milliseconds(1)));
  // NOLINTNEXTLINE(google-runtime-int): libcurl's type
  return static_cast<long>(std::clamp<int64_t>(ms, 1, std::numeric_limits<int32_t>::max()));
}

bool TimedOutAtDeadline(absl::Time deadline, absl::Time now) {
  return now + absl::Milliseconds(2) >= deadline;
}

bool ResponseReader::OnHeaderLine(absl::string_view line) {
  header_bytes_ += line.size();
  if (header_bytes_ > kMaxHeaderBytes) {
    header_overflow_ = true;
    return false;
  }
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  HttpHeaders& headers = response_.headers;
  if (absl::StartsWith(line, "HTTP/")) {
    // A new status line: whatever came before was an interim (1xx) or
    // proxy response. Only the final response's headers are reported.
    headers.clear();
    headers_complete_ = false;
    return true;
  }
  if (line.empty()) {
    headers_complete_ = true;
    return true;
  }
  if (line.front() == ' ' || line.front() == '\t') {
    // Obsolete line folding (RFC 9112 5.2): the line continues the
    // previous value.
    if (!headers.empty()) {
      absl::string_view more = absl::StripAsciiWhitespace(line);
      std::string& value = headers.back().second;
      if (!more.empty()) absl::StrAppend(&value, value.empty() ? "" : " ", more);
    }
    return true;
  }
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return true;  // not a header; ignore
  std::string name(absl::StripAsciiWhitespace(line.substr(0, colon)));
  absl::AsciiStrToLower(&name);
  headers.emplace_back(std::move(name),
                       std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  return true;
}

bool ResponseReader::OnBody(absl::string_view data) {
  std::string& body = response_.body;
  const size_t room = kMaxBodyBytes - body.size();
  if (data.size() <= room) {
    body.append(data.data(), data.size());
    return true;
  }
  body.append(data.data(), room);
  response_.body_truncated = true;
  return false;
}

absl::Status TransferStatus(const TransferEnd& end) {
  if (end.header_overflow) {
    return absl::UnavailableError(
        absl::StrCat("HTTP transport: response headers exceed ", kMaxHeaderBytes, " bytes"));
  }
  if (end.code == CURLE_OK && !end.headers_complete) {
    return absl::UnavailableError(
        "HTTP transport: connection closed before the response headers ended");
  }
  // A truncated body aborts the transfer with a write error; the answer
  // stands.
  if (end.code == CURLE_OK || (end.code == CURLE_WRITE_ERROR && end.body_truncated)) {
    return absl::OkStatus();
  }
  if (end.code == CURLE_OPERATION_TIMEDOUT && end.at_deadline) {
    return absl::DeadlineExceededError(absl::StrCat("HTTP transport: deadline exceeded (",
                                                    end.detail == nullptr ? "" : end.detail, ")"));
  }
  return CurlError(end.code, end.detail);
}

absl::Status CurlError(CURLcode code, const char* detail) {
  std::string message = absl::StrCat("HTTP transport: ", curl_easy_strerror(code));
  if (detail != nullptr && detail[0] != '\0') absl::StrAppend(&message, " (", detail, ")");
  // Only the URL can be malformed; CURLE_UNSUPPORTED_PROTOCOL also means a
  // reply libcurl refused (HTTP/0.9), so the scheme is checked beforehand.
  if (code == CURLE_URL_MALFORMAT) return absl::InvalidArgumentError(message);
  return absl::UnavailableError(message);
}

Delivery DeliveryOf(const TransferProgress& progress) {
  const bool left = progress.ran && (progress.response_header_bytes > 0 ||
                                     progress.request_bytes > 0 || progress.upload_bytes > 0);
  return left ? Delivery::kMaybeDelivered : Delivery::kNotDelivered;
}

CURLcode ReleaseIdleTlsBuffers(CURL* /*easy*/, void* ssl_ctx, void* /*user*/) {
  SSL_CTX_set_mode(static_cast<SSL_CTX*>(ssl_ctx), SSL_MODE_RELEASE_BUFFERS);
  return CURLE_OK;
}

}  // namespace livestream_gateway::curl_codec
