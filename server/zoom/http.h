#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_HTTP_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_HTTP_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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
  // Requests sent upstream to get this answer: 1 unless a decorator sent the
  // call again (a retry, or a resend with a refreshed token). Reported to
  // callers as ErrorInfo metadata `attempts`.
  int attempts = 1;

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
// DEADLINE_EXCEEDED (the deadline passed first), CANCELLED, or UNKNOWN (a
// request that is not idempotent failed after it may have reached the server:
// its outcome is unknown and nobody may repeat it automatically; see
// RetryingClient).
using HttpCallback = absl::AnyInvocable<void(absl::StatusOr<HttpResponse>) &&>;

// An error status passed to an HttpCallback may carry the same count as
// HttpResponse::attempts in a payload under this key: absent means 1, 0 means
// nothing was sent (e.g. no rate-limit slot before the deadline). It is
// internal to the process: the service turns it into ErrorInfo metadata and
// erases it, so it never reaches a client as a detail.
inline constexpr absl::string_view kAttemptsPayloadKey = "livestream-gateway/attempts";

inline int AttemptsOf(const absl::Status& status) {
  int attempts = 1;
  if (auto payload = status.GetPayload(kAttemptsPayloadKey);
      !payload.has_value() || !absl::SimpleAtoi(std::string(*payload), &attempts)) {
    return 1;
  }
  return attempts;
}

inline int AttemptsOf(const absl::StatusOr<HttpResponse>& result) {
  return result.ok() ? result->attempts : AttemptsOf(result.status());
}

// No-op on OK (absl keeps no payloads there).
inline void SetAttempts(absl::Status& status, int attempts) {
  if (!status.ok()) status.SetPayload(kAttemptsPayloadKey, absl::Cord(absl::StrCat(attempts)));
}

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

// An error status passed to an HttpCallback carries its Delivery in a payload
// under this key ("no" or "maybe"), as it carries the attempt count: absent
// means "no" when the attempts payload says 0 and "maybe" otherwise (nothing
// proves it was not sent). Internal like the attempts payload: the ErrorInfo
// metadata `delivered` reports it.
inline constexpr absl::string_view kDeliveryPayloadKey = "livestream-gateway/delivered";

inline absl::string_view DeliveryName(Delivery delivery) {
  return delivery == Delivery::kNotDelivered ? "no" : "maybe";
}

inline Delivery DeliveryOf(const absl::Status& status) {
  if (auto payload = status.GetPayload(kDeliveryPayloadKey); payload.has_value()) {
    return *payload == DeliveryName(Delivery::kNotDelivered) ? Delivery::kNotDelivered
                                                             : Delivery::kMaybeDelivered;
  }
  return AttemptsOf(status) == 0 ? Delivery::kNotDelivered : Delivery::kMaybeDelivered;
}

// No-op on OK.
inline void SetDelivery(absl::Status& status, Delivery delivery) {
  if (!status.ok()) status.SetPayload(kDeliveryPayloadKey, absl::Cord(DeliveryName(delivery)));
}

// Lets the caller abort an exchange. Thread-safe and idempotent; after
// Cancel() the callback still runs exactly once (with CANCELLED unless it had
// already completed). The upstream policies hand out the same handle for
// their other waits (an access token, a rate-limit slot, a timer), with the
// same contract, so a call can cancel whatever stage it is in.
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
