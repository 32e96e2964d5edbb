#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_AUTHORIZING_CLIENT_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_AUTHORIZING_CLIENT_H_

#include <memory>

#include "server/zoom/http.h"
#include "server/zoom/token_source.h"

namespace livestream_gateway {

// Decorator that authenticates requests with `Authorization: Bearer <token>`
// from the server's TokenSource.
//
// - A request that already carries an Authorization header (a caller's own
//   token, see --allow_caller_token) is sent as it is. A 401 for it is the
//   caller's to fix, so it is passed on without a refresh.
// - A 401 for the server's token drops that token and resends the call once
//   with a fresh one, when the source can give one (OAuth, not a fixed
//   token); UpstreamResult::attempts then counts both requests.
// - Without a TokenSource (only callers' tokens accepted), a request without
//   Authorization fails with UNAUTHENTICATED (ErrorInfo CALLER_TOKEN_REQUIRED)
//   and is not sent.
// - Token errors are passed on as they are (attempts 0).
class AuthorizingClient final : public AsyncHttpClient {
 public:
  // `next` must outlive this client; `tokens` may be null (see above).
  AuthorizingClient(AsyncHttpClient* next, std::shared_ptr<TokenSource> tokens);

  std::shared_ptr<Cancellable> Send(HttpRequest request, absl::Time deadline,
                                    HttpCallback done) override;

 private:
  class Call;

  AsyncHttpClient* const next_;
  const std::shared_ptr<TokenSource> tokens_;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_AUTHORIZING_CLIENT_H_
