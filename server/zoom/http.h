#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_HTTP_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_HTTP_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
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
  // Sending the request twice has the effect of sending it once (RFC 9110
  // 9.2.2), so it may be sent again after a failure that leaves unknown
  // whether the server got it. Set by the builder that knows the operation;
  // by default a request is assumed unsafe to repeat.
  bool idempotent = false;
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

// Whether a failed exchange may have reached the server. An HTTP answer, 5xx
// and 429 included, proves that it did.
enum class Delivery {
  // No byte of the request left this process (DNS, connect or TLS failure, a
  // deadline that passed while queued or connecting, a refusal before
  // sending): the server cannot have acted on it.
  kNotDelivered,
  // Some or all of it was sent, and then the exchange failed (reset, timeout,
  // broken answer): the server may have acted on it.
  kMaybeDelivered,
};

// As ErrorInfo metadata `delivered` reports it.
inline absl::string_view DeliveryName(Delivery delivery) {
  return delivery == Delivery::kNotDelivered ? "no" : "maybe";
}

// What one call through the upstream pipeline came to. The transport makes
// it and each decorator passes on the one it got, adjusting only the fields
// it knows better (another attempt, a code), so the edge reads the attempt
// count and the delivery here and nothing rides on the status.
//
// An error status is a transport or policy failure, never an HTTP status:
// UNAVAILABLE (connect, DNS, TLS, reset), DEADLINE_EXCEEDED (the deadline
// passed first), CANCELLED, UNKNOWN (a request that is not idempotent failed
// after it may have reached the server: its outcome is unknown and nobody may
// repeat it automatically; see RetryingClient), or a decorator's own rich
// error (no token, no rate-limit slot).
struct UpstreamResult {
  static UpstreamResult Answered(HttpResponse response, int attempts = 1) {
    return {std::move(response), attempts, Delivery::kMaybeDelivered};
  }
  static UpstreamResult Failed(absl::Status status, int attempts, Delivery delivery) {
    return {std::move(status), attempts, delivery};
  }

  absl::StatusOr<HttpResponse> response;
  // Requests sent upstream for this result: 1 unless a decorator sent the
  // call again (a retry, or a resend with a refreshed token), 0 when nothing
  // was sent (no token, no rate-limit slot before the deadline). Reported to
  // callers as ErrorInfo metadata `attempts`.
  int attempts = 1;
  // Whether the request may have reached the server: always kMaybeDelivered
  // with an answer, which proves it did.
  Delivery delivery = Delivery::kMaybeDelivered;
};

// Completion of one upstream call; see UpstreamResult.
using HttpCallback = absl::AnyInvocable<void(UpstreamResult) &&>;

// The handle of an asynchronous operation in progress: an HTTP exchange, or
// one of the waits the upstream policies hand out (an access token, a
// rate-limit slot, a timer), so a call can cancel whatever stage it is in.
// Cancel() is thread-safe and idempotent; after it the operation's callback
// still runs exactly once (with CANCELLED unless it had already completed).
class Cancellable {
 public:
  virtual ~Cancellable() = default;
  virtual void Cancel() = 0;
};

// An asynchronous HTTP client. Send() never blocks on I/O; `done` runs exactly
// once, on a thread of the client's choosing, which must not block in it.
// Policies (credentials, rate limiting, retries) are decorators over this one
// interface.
class AsyncHttpClient {
 public:
  virtual ~AsyncHttpClient() = default;
  virtual std::shared_ptr<Cancellable> Send(HttpRequest request, absl::Time deadline,
                                            HttpCallback done) = 0;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_HTTP_H_
