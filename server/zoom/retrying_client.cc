#include "server/zoom/retrying_client.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"
#include "server/zoom/call_stage.h"
#include "server/zoom/retry_after.h"

namespace livestream_gateway {
namespace {

std::optional<absl::Duration> RetryAfterOf(const HttpResponse& response, absl::Time now) {
  const std::string* value = response.FindHeader("retry-after");
  if (value == nullptr) return std::nullopt;
  return ParseRetryAfter(*value, now);
}

// The same error with another code, its details kept.
absl::Status WithCode(const absl::Status& status, absl::StatusCode code) {
  absl::Status out(code, status.message());
  status.ForEachPayload(
      [&out](absl::string_view key, const absl::Cord& value) { out.SetPayload(key, value); });
  return out;
}

}  // namespace

bool IsRetryable(const UpstreamResult& result, bool idempotent) {
  if (!result.response.ok()) {
    return result.response.status().code() == absl::StatusCode::kUnavailable &&
           (idempotent || result.delivery == Delivery::kNotDelivered);
  }
  const int status = result.response->status_code;
  return status == 429 || status == 502 || status == 503 || status == 504;
}

absl::Duration RetryDelay(const absl::StatusOr<HttpResponse>& result, int retry,
                          const BackoffOptions& backoff, absl::Time now, absl::BitGenRef gen) {
  std::optional<absl::Duration> retry_after;
  if (result.ok()) retry_after = RetryAfterOf(*result, now);
  if (result.ok() && result->status_code == 429 && retry_after.has_value()) return *retry_after;
  const absl::Duration jittered = FullJitterBackoff(retry, backoff, gen);
  return retry_after.has_value() ? std::max(jittered, *retry_after) : jittered;
}

class RetryingClient::Call final : public Cancellable, public std::enable_shared_from_this<Call> {
 public:
  Call(RetryingClient* client, HttpRequest request, absl::Time deadline, HttpCallback done)
      : client_(client),
        request_(std::move(request)),
        deadline_(deadline),
        done_(std::move(done)) {}

  void Attempt() {
    std::optional<uint64_t> ticket = stage_.Begin();
    if (!ticket.has_value()) return Finish(Cancelled("call cancelled"));
    ++sent_;
    if (client_->options_.observer != nullptr) client_->options_.observer->OnAttempt(sent_ > 1);
    std::shared_ptr<Cancellable> transfer = client_->next_->Send(
        request_, deadline_,
        [self = shared_from_this()](UpstreamResult result) { self->OnResult(std::move(result)); });
    stage_.Attach(*ticket, std::move(transfer));
  }

  void Cancel() override { stage_.Cancel(); }

 private:
  void OnResult(UpstreamResult result) {
    stage_.End();
    attempts_ += result.attempts;
    reached_server_ =
        reached_server_ || result.response.ok() || result.delivery == Delivery::kMaybeDelivered;
    if (!IsRetryable(result, request_.idempotent) || sent_ >= client_->options_.max_attempts) {
      return Finish(std::move(result));
    }
    const absl::Time now = client_->scheduler_->Now();
    const absl::Duration delay = client_->Delay(result.response, sent_, now);
    // The next attempt needs time of its own after the wait.
    if (now + delay >= deadline_ || !client_->budget_.TryRetry(now)) {
      return Finish(std::move(result));
    }
    std::optional<uint64_t> ticket = stage_.Begin();
    if (!ticket.has_value()) return Finish(Cancelled("call cancelled"));
    std::shared_ptr<Cancellable> timer =
        client_->scheduler_->RunAt(now + delay, [self = shared_from_this()](absl::Status status) {
          self->OnBackoffDone(std::move(status));
        });
    stage_.Attach(*ticket, std::move(timer));
  }

  void OnBackoffDone(absl::Status status) {
    stage_.End();
    if (!status.ok()) return Finish(Cancelled("call cancelled while waiting to retry"));
    Attempt();
  }

  // Cancelled between stages: nothing more was sent. Finish() fills in the
  // counts of the attempts made so far.
  static UpstreamResult Cancelled(absl::string_view message) {
    return UpstreamResult::Failed(absl::CancelledError(message), 0, Delivery::kNotDelivered);
  }

  void Finish(UpstreamResult result) {
    HttpCallback done = std::move(done_);
    result.attempts = attempts_;
    result.delivery = reached_server_ ? Delivery::kMaybeDelivered : Delivery::kNotDelivered;
    if (!result.response.ok() && reached_server_ && !request_.idempotent &&
        result.response.status().code() == absl::StatusCode::kUnavailable) {
      result.response = WithCode(result.response.status(), absl::StatusCode::kUnknown);
    }
    std::move(done)(std::move(result));
  }

  RetryingClient* const client_;
  const HttpRequest request_;
  const absl::Time deadline_;
  HttpCallback done_;
  CallStage stage_;
  // Only touched by one stage's callback at a time.
  int sent_ = 0;
  int attempts_ = 0;
  // Some attempt may have reached the server (see Delivery).
  bool reached_server_ = false;
};

RetryingClient::RetryingClient(AsyncHttpClient* next, Scheduler* scheduler, RetryOptions options)
    : next_(next), scheduler_(scheduler), options_(options), budget_(options.budget) {}

absl::Duration RetryingClient::Delay(const absl::StatusOr<HttpResponse>& result, int retry,
                                     absl::Time now) {
  absl::MutexLock lock(&gen_mu_);
  return RetryDelay(result, retry, options_.backoff, now, gen_);
}

std::shared_ptr<Cancellable> RetryingClient::Send(HttpRequest request, absl::Time deadline,
                                                  HttpCallback done) {
  budget_.RecordCall(scheduler_->Now());
  auto call = std::make_shared<Call>(this, std::move(request), deadline, std::move(done));
  call->Attempt();
  return call;
}

}  // namespace livestream_gateway
