#ifndef LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_HTTP_MESSAGE_H_
#define LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_HTTP_MESSAGE_H_

#include <cstddef>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"

namespace zoom_emulator {

// Bounds on what a peer may send, so that garbage cannot exhaust memory.
inline constexpr size_t kMaxHeadBytes = 64 * 1024;
inline constexpr size_t kMaxBodyBytes = 1024 * 1024;

// (lower-case name, value) in arrival or emission order.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Values of every header `lower_case_name`, joined by ", " as RFC 9110 §5.3
// allows; empty when absent.
std::string JoinedHeader(const HttpHeaders& headers, absl::string_view lower_case_name);
bool HasHeader(const HttpHeaders& headers, absl::string_view lower_case_name);

// The request line and header section of one HTTP/1.x request.
struct RequestHead {
  std::string method;
  std::string target;  // as sent, e.g. "/oauth/token?grant_type=x"
  std::string path;    // target up to '?'
  std::string query;   // after '?', without it
  int minor_version = 1;
  HttpHeaders headers;  // names lower-cased
  size_t content_length = 0;
  bool keep_alive = true;
  bool expect_continue = false;
};

struct HttpRequest {
  RequestHead head;
  std::string body;
};

// Why a request head was refused: the status to answer with before closing.
struct HttpError {
  int status;
  std::string message;
};

// Offset just past the blank line ending the head in `buffer`, or npos.
// `from` lets a caller resume a search without rescanning bytes it has seen.
size_t FindHeadEnd(absl::string_view buffer, size_t from = 0);

// Parses a request head (request line, header lines, the blank line
// included). Strict RFC 9112 syntax: CRLF line ends, token header names, no
// obsolete line folding, no control characters, Host required for HTTP/1.1,
// bodies framed by Content-Length only (Transfer-Encoding gets 411), at most
// kMaxBodyBytes (413).
std::variant<RequestHead, HttpError> ParseRequestHead(absl::string_view head);

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;  // Content-Length is added by Serialize
  std::string body;
  bool close = false;  // close the connection once written
};

// Standard reason phrase, or "Unknown".
absl::string_view ReasonPhrase(int status);

// The bytes on the wire. Statuses that forbid a body (1xx, 204, 304) get
// neither body nor Content-Length; `head_only` (a HEAD request) keeps the
// Content-Length but drops the body.
std::string SerializeResponse(const HttpResponse& response, bool head_only = false);

}  // namespace zoom_emulator

#endif  // LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_HTTP_MESSAGE_H_
