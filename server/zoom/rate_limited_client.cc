#include "server/zoom/rate_limited_client.h"

#include <optional>
#include <utility>

#include "server/zoom/call_stage.h"
#include "server/zoom/retry_after.h"

namespace livestream_gateway {
namespace {

UpstreamResult NothingSent(absl::Status status) {
  return UpstreamResult::Failed(std::move(status), 0, Delivery::kNotDelivered);
}

}  // namespace

class RateLimitedClient::Call final : public Cancellable,
                                      public std::enable_shared_from_this<Call> {
 public:
  Call(RateLimitedClient* client, HttpRequest request, absl::Time deadline, HttpCallback done)
      : client_(client),
        request_(std::move(request)),
        deadline_(deadline),
        done_(std::move(done)) {}

  void Start() {
    std::optional<uint64_t> ticket = stage_.Begin();
    if (!ticket.has_value()) return Finish(NothingSent(absl::CancelledError("call cancelled")));
    std::shared_ptr<Cancellable> wait = client_->limiter_->Acquire(
        deadline_,
        [self = shared_from_this()](absl::Status status) { self->OnSlot(std::move(status)); });
    stage_.Attach(*ticket, std::move(wait));
  }

  void Cancel() override { stage_.Cancel(); }

 private:
  void OnSlot(absl::Status status) {
    stage_.End();
    if (!status.ok()) return Finish(NothingSent(std::move(status)));
    std::optional<uint64_t> ticket = stage_.Begin();
    if (!ticket.has_value()) return Finish(NothingSent(absl::CancelledError("call cancelled")));
    std::shared_ptr<Cancellable> transfer = client_->next_->Send(
        std::move(request_), deadline_, [self = shared_from_this()](UpstreamResult result) {
          self->OnResponse(std::move(result));
        });
    stage_.Attach(*ticket, std::move(transfer));
  }

  void OnResponse(UpstreamResult result) {
    stage_.End();
    if (result.response.ok() && result.response->status_code == 429) {
      if (const std::string* value = result.response->FindHeader("retry-after")) {
        if (std::optional<absl::Duration> delay =
                ParseRetryAfter(*value, client_->scheduler_->Now())) {
          client_->limiter_->PauseFor(*delay);
        }
      }
    }
    Finish(std::move(result));
  }

  void Finish(UpstreamResult result) {
    HttpCallback done = std::move(done_);
    std::move(done)(std::move(result));
  }

  RateLimitedClient* const client_;
  HttpRequest request_;
  const absl::Time deadline_;
  HttpCallback done_;
  CallStage stage_;
};

RateLimitedClient::RateLimitedClient(AsyncHttpClient* next,
                                     std::shared_ptr<AccountRateLimiter> limiter,
                                     Scheduler* scheduler)
    : next_(next), limiter_(std::move(limiter)), scheduler_(scheduler) {}

std::shared_ptr<Cancellable> RateLimitedClient::Send(HttpRequest request, absl::Time deadline,
                                                     HttpCallback done) {
  auto call = std::make_shared<Call>(this, std::move(request), deadline, std::move(done));
  call->Start();
  return call;
}

}  // namespace livestream_gateway
