#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_HTTP_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_HTTP_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace livestream_gateway {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string url;
  HttpHeaders headers;
  std::string body;
};

struct HttpResponse {
  int status_code = 0;
  // Header names are lower-cased by the transport; order is as received.
  HttpHeaders headers;
  // At most the transport's body limit (64 KiB); `body_truncated` says when
  // more was sent and dropped.
  std::string body;
  bool body_truncated = false;

  // First value of the header `lower_case_name`, or nullptr.
  const std::string* FindHeader(absl::string_view lower_case_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_case_name) return &value;
    }
    return nullptr;
  }
};

// Completion of one HTTP exchange. An error status is a transport failure,
// never an HTTP status: UNAVAILABLE (connect, DNS, TLS, reset),
// DEADLINE_EXCEEDED (the deadline passed first) or CANCELLED.
using HttpCallback = absl::AnyInvocable<void(absl::StatusOr<HttpResponse>) &&>;

// Lets the caller abort an exchange. Thread-safe and idempotent; after
// Cancel() the callback still runs exactly once (with CANCELLED unless it had
// already completed).
class HttpCall {
 public:
  virtual ~HttpCall() = default;
  virtual void Cancel() = 0;
};

// An asynchronous HTTP client. Send() never blocks on I/O; `done` runs exactly
// once, on a thread of the client's choosing, which must not block in it.
// Policies (credentials, rate limiting, retries) are decorators over this one
// interface.
class AsyncHttpClient {
 public:
  virtual ~AsyncHttpClient() = default;
  virtual std::shared_ptr<HttpCall> Send(HttpRequest request, absl::Time deadline,
                                         HttpCallback done) = 0;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_HTTP_H_
