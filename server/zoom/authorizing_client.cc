#include "server/zoom/authorizing_client.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/error_details.h"
#include "server/zoom/call_stage.h"

namespace livestream_gateway {
namespace {

bool HasAuthorization(const HttpRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (absl::EqualsIgnoreCase(name, "authorization")) return true;
  }
  return false;
}

// A failure after `attempts` requests were sent (0 or 1: a resend comes only
// after an answer), so it may have reached the server once one was.
UpstreamResult FailedAfter(absl::Status status, int attempts) {
  return UpstreamResult::Failed(
      std::move(status), attempts,
      attempts == 0 ? Delivery::kNotDelivered : Delivery::kMaybeDelivered);
}

}  // namespace

class AuthorizingClient::Call final : public Cancellable,
                                      public std::enable_shared_from_this<Call> {
 public:
  Call(AuthorizingClient* client, HttpRequest request, absl::Time deadline, HttpCallback done)
      : client_(client),
        request_(std::move(request)),
        deadline_(deadline),
        done_(std::move(done)) {}

  void GetToken() {
    std::optional<uint64_t> ticket = stage_.Begin();
    if (!ticket.has_value()) {
      return Finish(FailedAfter(absl::CancelledError("call cancelled"), sent_));
    }
    std::shared_ptr<Cancellable> wait = client_->tokens_->GetToken(
        deadline_, [self = shared_from_this()](absl::StatusOr<std::string> token) {
          self->OnToken(std::move(token));
        });
    stage_.Attach(*ticket, std::move(wait));
  }

  void Cancel() override { stage_.Cancel(); }

 private:
  void OnToken(absl::StatusOr<std::string> token) {
    stage_.End();
    if (!token.ok()) return Finish(FailedAfter(token.status(), sent_));
    token_ = *std::move(token);
    std::optional<uint64_t> ticket = stage_.Begin();
    if (!ticket.has_value()) {
      return Finish(FailedAfter(absl::CancelledError("call cancelled"), sent_));
    }
    // Kept for a resend with a fresh token; the copy gets room for the
    // header up front rather than regrowing for it.
    HttpRequest request;
    request.method = request_.method;
    request.url = request_.url;
    request.headers.reserve(request_.headers.size() + 1);
    request.headers = request_.headers;
    request.headers.emplace_back("Authorization", absl::StrCat("Bearer ", token_));
    request.body = request_.body;
    request.idempotent = request_.idempotent;
    ++sent_;
    std::shared_ptr<Cancellable> transfer = client_->next_->Send(
        std::move(request), deadline_, [self = shared_from_this()](UpstreamResult result) {
          self->OnResponse(std::move(result));
        });
    stage_.Attach(*ticket, std::move(transfer));
  }

  void OnResponse(UpstreamResult result) {
    stage_.End();
    const bool unauthorized = result.response.ok() && result.response->status_code == 401;
    if (unauthorized && sent_ == 1 && client_->tokens_->Invalidate(token_)) {
      token_.clear();
      return GetToken();
    }
    token_.clear();
    // The transport below counts one; this counts the resend too.
    result.attempts = sent_;
    Finish(std::move(result));
  }

  void Finish(UpstreamResult result) {
    HttpCallback done = std::move(done_);
    std::move(done)(std::move(result));
  }

  AuthorizingClient* const client_;
  const HttpRequest request_;
  const absl::Time deadline_;
  HttpCallback done_;
  CallStage stage_;
  // Only touched by one stage's callback at a time.
  std::string token_;  // Secret.
  int sent_ = 0;
};

AuthorizingClient::AuthorizingClient(AsyncHttpClient* next, std::shared_ptr<TokenSource> tokens)
    : next_(next), tokens_(std::move(tokens)) {}

std::shared_ptr<Cancellable> AuthorizingClient::Send(HttpRequest request, absl::Time deadline,
                                                     HttpCallback done) {
  if (HasAuthorization(request)) return next_->Send(std::move(request), deadline, std::move(done));
  if (tokens_ == nullptr) {
    std::move(done)(FailedAfter(
        MakeError(absl::StatusCode::kUnauthenticated,
                  "this server has no Zoom credentials of its own: send a Zoom access token in "
                  "the x-zoom-access-token request metadata",
                  ErrorReason::CALLER_TOKEN_REQUIRED),
        0));
    return SharedCompletedOperation();
  }
  auto call = std::make_shared<Call>(this, std::move(request), deadline, std::move(done));
  call->GetToken();
  return call;
}

}  // namespace livestream_gateway
