#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_UPSTREAM_OBSERVER_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_UPSTREAM_OBSERVER_H_

#include "absl/strings/string_view.h"

namespace livestream_gateway {

// What the upstream layers report as it happens, for metrics. The transport
// and the policies call it on their own threads (the curl loop, a sender,
// the scheduler), so an implementation must be thread-safe and cheap: no
// locks, no blocking, no allocation. Every layer takes it as an optional
// pointer (null: nobody listens), so the layers stay free of any metrics
// library.
class UpstreamObserver {
 public:
  virtual ~UpstreamObserver() = default;

  // Transport: an exchange libcurl ran ended with an HTTP answer, or without
  // one (connect, reset, timeout, cancellation in flight). `method` is the
  // request's HTTP method.
  virtual void OnHttpResponse(absl::string_view method, int status_code) {}
  virtual void OnHttpTransportError(absl::string_view method) {}
  // Transport: a socket for an upstream connection was opened or closed.
  virtual void OnConnectionOpened() {}
  virtual void OnConnectionClosed() {}

  // Retries: one more attempt of a call goes out; `retry` when it is not
  // the call's first.
  virtual void OnAttempt(bool retry) {}

  // Rate limiting: a call queued for a slot, or was refused one (no slot
  // before its deadline, or a 429's pause pushed it past it).
  virtual void OnRateLimitWait() {}
  virtual void OnRateLimitRefusal() {}
  // Rate limiting shared through Redis: Redis could not be asked and this
  // replica falls back to its local share (`engaged`), or it answers again.
  virtual void OnRateLimitFallback(bool engaged) {}

  // OAuth: a token request completed (not cancelled), with a token or not.
  virtual void OnTokenFetch(bool ok) {}
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_UPSTREAM_OBSERVER_H_
