#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_CURL_CODEC_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_CURL_CODEC_H_

#include <curl/curl.h>

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/zoom/http.h"

// The transport's request and response rules, apart from the event loop
// that runs them (CurlHttpClient): what may be sent, how an HttpRequest
// becomes libcurl's options, how an answer is read within its limits, and
// what a finished transfer means. Plain values in and out: no multi handle,
// no threads.
namespace livestream_gateway::curl_codec {

// Response bodies are cut at this size (HttpResponse::body_truncated); the
// transfer is then aborted, so its connection is closed rather than reused.
inline constexpr size_t kMaxBodyBytes = 64 * 1024;
// All response header lines together (1xx and final); more fails the call
// with UNAVAILABLE.
inline constexpr size_t kMaxHeaderBytes = 64 * 1024;

// INVALID_ARGUMENT for a request that can never be sent: a method that is
// not an HTTP token, a URL that is not http:// or https://, a header name
// that is not a token, or CR, LF or NUL in the URL or a header value (which
// would smuggle headers in, or cut the C string libcurl sees). The message
// names a bad header only when its name is a token, never a value.
absl::Status ValidateRequest(const HttpRequest& request);

// CURLOPT_HTTPHEADER's list for a request's headers, built in two
// allocations instead of two per line (curl_slist_append): libcurl only
// reads the list, and curl_slist is a public struct. Headers libcurl would
// add by itself (Expect: 100-continue, a form Content-Type, Accept) are
// suppressed unless the request has them. The nodes point into the lines,
// so the list neither copies nor moves, and neither may change while a
// transfer uses it. Capacity is kept across Assign() calls.
class HeaderList {
 public:
  HeaderList() = default;
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;

  // Replaces the list. Expects a validated request (no NUL in a value).
  void Assign(const HttpHeaders& headers);
  void Clear();
  // The first node; never null after Assign() (the suppressions are lines).
  curl_slist* head() { return nodes_.empty() ? nullptr : nodes_.data(); }
  // Every line, each ended by a NUL, as libcurl reads them.
  absl::string_view lines() const { return lines_; }

 private:
  std::string lines_;
  std::vector<curl_slist> nodes_;
};

// How libcurl is told the method and the body (the options differ by kind).
struct Method {
  enum class Kind {
    kHead,      // CURLOPT_NOBODY
    kWithBody,  // CURLOPT_POSTFIELDS (sent from the request's buffer)
    kNoBody,    // CURLOPT_HTTPGET
  };
  Kind kind;
  // CURLOPT_CUSTOMREQUEST: the request's method, or null when the kind's
  // own method (HEAD, POST, GET) is it. Points into the request.
  const char* custom;
};
// POST, PUT and PATCH always carry a body (an empty one has Content-Length:
// 0); other methods only a non-empty one.
Method MethodOf(const HttpRequest& request);

// Milliseconds for CURLOPT_TIMEOUT_MS: rounded up so libcurl never gives up
// before the deadline, at least 1, and 0 (no limit) for an infinite one.
// NOLINTNEXTLINE(google-runtime-int): libcurl's type
long TimeoutMs(absl::Time deadline, absl::Time now);

// Whether a CURLE_OPERATION_TIMEDOUT at `now` was the call's deadline rather
// than the connect timeout. The margin absorbs clock skew between libcurl's
// monotonic timer and absl::Now().
bool TimedOutAtDeadline(absl::Time deadline, absl::Time now);

// Assembles the answer from libcurl's header and body callbacks, within
// kMaxHeaderBytes and kMaxBodyBytes. Only the final response's headers are
// kept (not those of 1xx or proxy responses); names are lower-cased.
class ResponseReader {
 public:
  // One header line as libcurl passes it, line ending included. False once
  // the header block exceeds kMaxHeaderBytes: the transfer must abort.
  bool OnHeaderLine(absl::string_view line);
  // A piece of the body. False once it no longer fits: the part that does is
  // kept and body_truncated set, and the transfer must abort (the rest could
  // be unbounded).
  bool OnBody(absl::string_view data);

  // Every header byte received, 1xx included.
  size_t header_bytes() const { return header_bytes_; }
  bool header_overflow() const { return header_overflow_; }
  // The blank line ending the last header block arrived.
  bool headers_complete() const { return headers_complete_; }
  HttpResponse& response() { return response_; }

 private:
  HttpResponse response_;
  size_t header_bytes_ = 0;
  bool header_overflow_ = false;
  bool headers_complete_ = false;
};

// How a transfer libcurl ran ended.
struct TransferEnd {
  CURLcode code = CURLE_OK;
  bool header_overflow = false;
  bool headers_complete = false;
  bool body_truncated = false;
  // For CURLE_OPERATION_TIMEDOUT: TimedOutAtDeadline().
  bool at_deadline = false;
  // libcurl's error buffer; may be null or empty.
  const char* detail = nullptr;
};
// OK when the answer stands (a truncated body included), else the call's
// error: UNAVAILABLE for oversized headers, a reply cut inside its headers
// (libcurl 7.88 reports that as success) and transport failures, and
// DEADLINE_EXCEEDED for a timeout at the deadline.
absl::Status TransferStatus(const TransferEnd& end);

// A libcurl error as the call's status: INVALID_ARGUMENT for a malformed
// URL, UNAVAILABLE otherwise. `detail` (the error buffer) is appended when
// set; it never holds request headers.
absl::Status CurlError(CURLcode code, const char* detail);

// CURLOPT_SSL_CTX_FUNCTION for HTTPS upstreams: lets OpenSSL free a TLS
// connection's read and write buffers (about 34 KiB) while the connection
// sits idle in the pool, as kept-alive connections to Zoom mostly do; they
// are allocated again for the next request on it. `ssl_ctx` is the
// connection's SSL_CTX.
CURLcode ReleaseIdleTlsBuffers(CURL* easy, void* ssl_ctx, void* user);

// What a failed call had exchanged when it ended.
struct TransferProgress {
  // libcurl ran the transfer (it was added to a multi handle); nothing else
  // can have sent a byte.
  bool ran = false;
  size_t response_header_bytes = 0;
  // CURLINFO_REQUEST_SIZE: request bytes written to the socket (not TLS
  // handshake bytes), summed over libcurl's own resends.
  long request_bytes = 0;  // NOLINT(google-runtime-int): libcurl's type
  // CURLINFO_SIZE_UPLOAD_T: a body sent apart from the headers.
  curl_off_t upload_bytes = 0;
};
// kMaybeDelivered once any request byte left or any answer byte came back
// (the server had the request), kNotDelivered before.
Delivery DeliveryOf(const TransferProgress& progress);

}  // namespace livestream_gateway::curl_codec

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_CURL_CODEC_H_
