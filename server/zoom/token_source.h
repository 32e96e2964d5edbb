#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_TOKEN_SOURCE_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_TOKEN_SOURCE_H_

// Where the server's own Zoom access tokens come from: a fixed token, or
// Server-to-Server OAuth (account_credentials) with one cached token shared
// by every call. Tokens are secrets: nothing here logs them or puts them in
// an error, and the OAuth source registers its secret and every token it is
// issued with KnownSecrets, so that nothing quoted from upstream does either.

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/defaults.h"
#include "server/logging/log_line.h"
#include "server/zoom/http.h"
#include "server/zoom/redactor.h"
#include "server/zoom/scheduler.h"
#include "server/zoom/upstream_observer.h"

namespace livestream_gateway {

class TokenSource {
 public:
  using Callback = absl::AnyInvocable<void(absl::StatusOr<std::string>) &&>;

  virtual ~TokenSource() = default;

  // `done` runs exactly once, possibly before GetToken() returns (a cached
  // token), with a token or an error: DEADLINE_EXCEEDED when none comes
  // before `deadline`, CANCELLED after the handle's Cancel(), or a rich error
  // (ErrorInfo) from the token endpoint.
  virtual std::shared_ptr<Cancellable> GetToken(absl::Time deadline, Callback done) = 0;

  // Zoom refused `token` (HTTP 401). Returns whether GetToken() may now give
  // a different one, i.e. whether resending the call can help.
  virtual bool Invalidate(absl::string_view token) = 0;
};

// ZOOM_ACCESS_TOKEN or --zoom_access_token_file: the same token for every
// call, never refreshed.
class StaticTokenSource final : public TokenSource {
 public:
  explicit StaticTokenSource(std::string token) : token_(std::move(token)) {}

  std::shared_ptr<Cancellable> GetToken(absl::Time deadline, Callback done) override;
  bool Invalidate(absl::string_view token) override { return false; }

 private:
  const std::string token_;
};

struct OAuthCredentials {
  std::string token_url = defaults::kZoomOAuthUrl;
  std::string account_id;
  std::string client_id;
  // Secret.
  std::string client_secret;
};

// A token as the endpoint issued it.
struct AccessToken {
  std::string value;  // Secret.
  absl::Duration expires_in;
};

// POST token_url with body `grant_type=account_credentials&account_id=...`
// (form-encoded, as Zoom's Rivet SDK sends it) and
// `Authorization: Basic base64(client_id:client_secret)`.
HttpRequest BuildTokenRequest(const OAuthCredentials& credentials);

// The token endpoint's answer:
//   2xx {"access_token": "...", "expires_in": N, ...}  the token (N >= 1
//                                 second; more than a day counts as a day)
//   2xx otherwise                 UNAVAILABLE ZOOM_OAUTH_UNAVAILABLE
//   408, 429, 5xx, 1xx/3xx        UNAVAILABLE ZOOM_OAUTH_UNAVAILABLE
//   other 4xx (invalid_client, invalid_request, unsupported_grant_type, ...)
//                                 INTERNAL ZOOM_CREDENTIALS_REJECTED: the
//                                 operator's configuration, not the caller's
// ErrorInfo metadata: `httpStatus`, and `oauthError` (Zoom's `error` code)
// when it is a code: at most 64 letters, digits, `_`, `-` or `.`, and no
// secret `redactor` knows. Nothing from the body but that code is quoted.
absl::StatusOr<AccessToken> ParseTokenResponse(const HttpResponse& response,
                                               const Redactor& redactor);

// A transport failure of the token request: CANCELLED stays CANCELLED (bare);
// anything else is UNAVAILABLE ZOOM_OAUTH_UNAVAILABLE.
absl::Status TokenTransportError(const absl::Status& transport_error);

struct OAuthTokenSourceOptions {
  OAuthCredentials credentials;
  // A cached token is refreshed in the background once this fraction of its
  // lifetime has passed; calls keep using it meanwhile.
  double refresh_fraction = 0.9;
  // Bound of one token request, whoever waits for it.
  absl::Duration request_timeout = defaults::kZoomTimeout;
  // After the endpoint rejected the credentials, calls fail at once with the
  // same error for this long instead of asking again.
  absl::Duration rejected_holdoff = absl::Seconds(5);
  // After a failed background refresh (the cached token still valid), the
  // next one is tried no sooner than this.
  absl::Duration refresh_retry_interval = absl::Seconds(5);
  // Receives operator-facing lines (no newline) and their level; never given
  // a secret. Null sends them to the process's logger.
  std::function<void(LogLevel, absl::string_view)> log;
  // Where the source registers the client secret (as it is and inside the
  // Basic authorization value) and each token it is issued.
  std::shared_ptr<KnownSecrets> secrets = std::make_shared<KnownSecrets>();
  // Told of each token request that completes (not cancelled); null for
  // none. Must outlive the source.
  UpstreamObserver* observer = nullptr;
};

// Server-to-Server OAuth. One token is cached and shared; calls that find no
// valid token wait for the single token request in flight (whatever their
// number), each until its own deadline. The token request goes through
// `transport` like any other, asynchronously.
//
// Thread-safe. Create with Create(): callbacks hold weak references to it.
class OAuthTokenSource final : public TokenSource,
                               public std::enable_shared_from_this<OAuthTokenSource> {
 public:
  // `transport` and `scheduler` must outlive the source.
  static std::shared_ptr<OAuthTokenSource> Create(AsyncHttpClient* transport, Scheduler* scheduler,
                                                  OAuthTokenSourceOptions options);

  // Calls still waiting complete with CANCELLED; a token request in flight
  // is cancelled.
  ~OAuthTokenSource() override;

  std::shared_ptr<Cancellable> GetToken(absl::Time deadline, Callback done) override;
  bool Invalidate(absl::string_view token) override;

  // Token requests started so far.
  uint64_t token_requests() const;

 private:
  class Waiter;
  // A waiter taken off the list, to complete outside the lock.
  struct Released {
    Callback done;
    std::shared_ptr<Cancellable> timer;
  };

  OAuthTokenSource(AsyncHttpClient* transport, Scheduler* scheduler,
                   OAuthTokenSourceOptions options);

  // Marks a request as in flight; the caller then calls SendTokenRequest()
  // outside the lock (the transport may complete it inline).
  uint64_t BeginFetchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendTokenRequest(uint64_t generation, absl::Time sent_at);
  void OnTokenResponse(uint64_t generation, absl::Time sent_at,
                       absl::StatusOr<HttpResponse> result);
  std::vector<Released> ReleaseWaitersLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ExpireWaiter(Waiter* waiter);
  void CancelWaiter(Waiter* waiter);
  void Log(LogLevel level, absl::string_view line) const;

  AsyncHttpClient* const transport_;
  Scheduler* const scheduler_;
  const OAuthTokenSourceOptions options_;

  mutable absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time expires_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time refresh_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time next_background_try_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool fetching_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::shared_ptr<Cancellable> fetch_ ABSL_GUARDED_BY(mu_);
  std::list<std::shared_ptr<Waiter>> waiters_ ABSL_GUARDED_BY(mu_);
  absl::Status rejected_ ABSL_GUARDED_BY(mu_);
  absl::Time rejected_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_TOKEN_SOURCE_H_
