#include "server/livestream_call.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "server/error_details.h"
#include "server/grpc_status.h"
#include "server/logging/traceparent.h"
#include "server/metadata_limit.h"
#include "server/request_id_policy.h"
#include "server/request_log.h"

namespace livestream_gateway {
namespace {

// gRPC lower-cases metadata keys.
constexpr absl::string_view kCallerTokenKey = "x-zoom-access-token";
constexpr absl::string_view kTraceparentKey = "traceparent";

// The trace id of the call's W3C traceparent, for its log line; empty
// unless the call sent exactly one valid one (the spec makes several none).
std::string TraceIdOf(const grpc::CallbackServerContext& context) {
  const auto [first, last] = context.client_metadata().equal_range(
      grpc::string_ref(kTraceparentKey.data(), kTraceparentKey.size()));
  if (first == last || std::next(first) != last) return "";
  const std::optional<TraceParent> parsed =
      ParseTraceparent(absl::string_view(first->second.data(), first->second.size()));
  return parsed.has_value() ? std::string(parsed->trace_id) : "";
}

// The caller's own Zoom token, if it sent one and may. Errors never quote
// the token.
absl::StatusOr<std::optional<std::string>> CallerToken(const grpc::CallbackServerContext& context,
                                                       bool allowed) {
  const auto& metadata = context.client_metadata();
  auto found = metadata.find(grpc::string_ref(kCallerTokenKey.data(), kCallerTokenKey.size()));
  if (found == metadata.end()) return std::nullopt;
  if (!allowed) {
    return MakeError(absl::StatusCode::kPermissionDenied,
                     "this server does not accept callers' Zoom tokens (x-zoom-access-token); "
                     "it authenticates with its own credentials (see --allow_caller_token)",
                     ErrorReason::CALLER_TOKEN_NOT_ALLOWED);
  }
  const absl::string_view token(found->second.data(), found->second.size());
  const bool printable =
      std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (token.empty() || token.size() > kMaxCallerTokenBytes || !printable) {
    return MakeError(absl::StatusCode::kUnauthenticated,
                     absl::StrCat("x-zoom-access-token must be a Zoom access token: 1 to ",
                                  kMaxCallerTokenBytes, " printable characters without spaces"),
                     ErrorReason::INVALID_CALLER_TOKEN);
  }
  return std::string(token);
}

// The requests of SendAll as one handle: a cancellation reaches each one
// sent, and each one sent after it.
class FanOut final : public Cancellable {
 public:
  // False when the fan-out was cancelled: `handle` is then cancelled too.
  bool Add(std::shared_ptr<Cancellable> handle) {
    {
      absl::MutexLock lock(&mu_);
      if (!cancelled_) {
        handles_.push_back(std::move(handle));
        return true;
      }
    }
    handle->Cancel();
    return false;
  }

  bool cancelled() {
    absl::MutexLock lock(&mu_);
    return cancelled_;
  }

  void Cancel() override {
    std::vector<std::shared_ptr<Cancellable>> handles;
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      handles.swap(handles_);
    }
    // Outside the lock: a cancellation may complete its request at once.
    for (const std::shared_ptr<Cancellable>& handle : handles) handle->Cancel();
  }

 private:
  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::shared_ptr<Cancellable>> handles_ ABSL_GUARDED_BY(mu_);
};

// A waiting repeat, as the shutdown abort cancels it.
class CancelWait final : public Cancellable {
 public:
  explicit CancelWait(idempotency::RequestIdStore::Waiter waiter) : waiter_(std::move(waiter)) {}
  void Cancel() override { waiter_.Cancel(); }

 private:
  idempotency::RequestIdStore::Waiter waiter_;
};

}  // namespace

void ReportAttempts(absl::Status& status, int attempts) {
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  if (!info.has_value()) return;
  (*info->mutable_metadata())["attempts"] = absl::StrCat(attempts);
  SetDetail(status, *info);
}

LiveStreamServiceImpl::Call::Call(LiveStreamServiceImpl* service,
                                  grpc::CallbackServerContext* context, grpc::ByteBuffer* response,
                                  absl::string_view method, metrics::RpcMetrics* metrics,
                                  std::string target, ZoomCallContext call_context)
    : service_(service),
      context_(context),
      response_(response),
      method_(method),
      metrics_(metrics),
      started_(absl::Now()),
      request_id_store_(&service->request_ids_),
      target_(std::move(target)),
      trace_id_(service->options_.log_requests ? TraceIdOf(*context) : ""),
      call_context_(std::move(call_context)) {
  if (metrics_ != nullptr) metrics_->Started();
}

bool LiveStreamServiceImpl::Call::AdmitCaller() {
  if (absl::Status too_large =
          CheckMetadataSize(context_->client_metadata(), service_->options_.max_metadata_bytes);
      !too_large.ok()) {
    Complete(too_large, "");
    return false;
  }
  AuthzResult authz = service_->options_.authorizer->Check(method_, context_->client_metadata(),
                                                           context_->auth_context().get());
  principal_ = std::move(authz.principal);
  if (!authz.status.ok()) {
    Complete(authz.status, "");
    return false;
  }
  if (!also_authorize_.empty()) {
    AuthzResult also = service_->options_.authorizer->Check(
        also_authorize_, context_->client_metadata(), context_->auth_context().get());
    if (!also.status.ok()) {
      Complete(also.status, "");
      return false;
    }
  }
  return true;
}

bool LiveStreamServiceImpl::Call::AdmitCallerToken() {
  absl::StatusOr<std::optional<std::string>> caller_token =
      CallerToken(*context_, service_->options_.allow_caller_token);
  if (!caller_token.ok()) {
    Complete(caller_token.status(), "");
    return false;
  }
  if (caller_token->has_value()) caller_token_ = **std::move(caller_token);
  deadline_ =
      std::min(absl::FromChrono(context_->deadline()), started_ + service_->options_.zoom_timeout);
  return true;
}

absl::Status LiveStreamServiceImpl::Call::CheckRateLimit(int64_t ahead) const {
  if (service_->options_.rate_limiter == nullptr) return absl::OkStatus();
  return service_->options_.rate_limiter->Check(deadline_, ahead);
}

void LiveStreamServiceImpl::Call::BeginOnce() {
  {
    absl::MutexLock lock(&mu_);
    beginning_ = true;
  }
  idempotency::RequestIdStore::BeginResult begun = request_id_store_->Begin(
      RequestKeyOf(principal_, method_, request_id_), fingerprint_, absl::Now(),
      [this](idempotency::WaitResult result) { OnWaitEnded(std::move(result)); });
  if (begun.begun != idempotency::RequestIdStore::Begun::kWait) {
    absl::MutexLock lock(&mu_);
    beginning_ = false;
  }
  switch (begun.begun) {
    case idempotency::RequestIdStore::Begun::kWait:
      KeepWaiting(std::move(begun.waiter));
      return;
    case idempotency::RequestIdStore::Begun::kFirst:
      ticket_ = std::move(begun.ticket);
      first_ = true;
      if (SharesRequestIds()) {
        ClaimShared();
        return;
      }
      Run();
      return;
    case idempotency::RequestIdStore::Begun::kDone:
      Replay(*begun.outcome);
      return;
    case idempotency::RequestIdStore::Begun::kMismatch:
      Complete(RequestIdReusedError(), "");
      return;
    case idempotency::RequestIdStore::Begun::kFull:
      Complete(RequestIdStoreFullError(), "");
      return;
  }
}

void LiveStreamServiceImpl::Call::KeepWaiting(idempotency::RequestIdStore::Waiter waiter) {
  if (!waiting_) StartWaiting();
  std::optional<idempotency::WaitResult> early;
  idempotency::RequestIdStore::Waiter to_cancel;
  {
    absl::MutexLock lock(&mu_);
    beginning_ = false;
    early.swap(early_wait_);
    if (!early.has_value()) {
      // A cancellation or shutdown that came meanwhile found no waiter.
      if (cancelled_ || ending_for_shutdown_) {
        to_cancel = std::move(waiter);
      } else {
        waiter_ = std::move(waiter);
      }
    }
  }
  if (early.has_value()) {
    ActOnWait(*early);
    return;
  }
  // Runs the callback now, with kCancelled, if the wait is to end.
  to_cancel.Cancel();
}

void LiveStreamServiceImpl::Call::OnWaitEnded(idempotency::WaitResult result) {
  {
    absl::MutexLock lock(&mu_);
    if (beginning_) {
      early_wait_.emplace(std::move(result));
      return;
    }
  }
  ActOnWait(result);
}

void LiveStreamServiceImpl::Call::ActOnWait(const idempotency::WaitResult& result) {
  switch (result.end) {
    case idempotency::WaitEnd::kDone:
      Replay(*result.outcome);
      return;
    case idempotency::WaitEnd::kAbandoned:
    case idempotency::WaitEnd::kCancelled:
      break;
  }
  bool cancelled = false;
  bool shutting_down = false;
  {
    absl::MutexLock lock(&mu_);
    cancelled = cancelled_;
    shutting_down = ending_for_shutdown_;
  }
  if (shutting_down) {
    CompleteAfterZoom(MapShutdownAbort(Delivery::kNotDelivered, call_context_), "");
  } else if (cancelled || result.end == idempotency::WaitEnd::kCancelled) {
    CompleteAfterZoom(MapTransportError(absl::CancelledError("the call was cancelled"),
                                        Delivery::kNotDelivered, call_context_),
                      "");
  } else {
    // The first ended without an outcome: one of its repeats runs it.
    BeginOnce();
  }
}

bool LiveStreamServiceImpl::Call::SharesRequestIds() const {
  return service_->options_.shared_request_ids != nullptr &&
         request_id_store_ == &service_->request_ids_;
}

void LiveStreamServiceImpl::Call::ClaimShared() {
  // A shutdown or the caller's cancellation reaches the claim (and its
  // polling) as it would a request to Zoom: through call_.
  if (!waiting_) StartWaiting();
  StartUpstreamWork([this] {
    return service_->options_.shared_request_ids->Claim(
        RequestKeyOf(principal_, method_, request_id_), fingerprint_, deadline_,
        [this](idempotency::ClaimResult result) { OnClaimed(std::move(result)); });
  });
}

void LiveStreamServiceImpl::Call::OnClaimed(idempotency::ClaimResult result) {
  switch (result.end) {
    case idempotency::ClaimEnd::kFirst:
      shared_owner_ = std::move(result.owner);
      Run();
      return;
    case idempotency::ClaimEnd::kUnavailable:
      // Redis cannot be asked: as a process on its own would.
      Run();
      return;
    case idempotency::ClaimEnd::kDone:
      // Completes this process's ticket with it too (FinishNow), for the
      // repeats waiting here.
      Replay(*result.outcome);
      return;
    case idempotency::ClaimEnd::kMismatch:
      // Another replica's request under this id: nothing to remember here.
      first_ = false;
      ticket_.Abandon();
      Complete(RequestIdReusedError(), "");
      return;
    case idempotency::ClaimEnd::kCancelled:
      break;
  }
  // Answered as a repeat whose wait for its first ended unfinished.
  bool shutting_down = false;
  {
    absl::MutexLock lock(&mu_);
    shutting_down = ending_for_shutdown_;
  }
  CompleteAfterZoom(shutting_down
                        ? MapShutdownAbort(Delivery::kNotDelivered, call_context_)
                        : MapTransportError(absl::CancelledError("the call was cancelled"),
                                            Delivery::kNotDelivered, call_context_),
                    "");
}

void LiveStreamServiceImpl::Call::Replay(const idempotency::Outcome& outcome) {
  if (service_->options_.metrics != nullptr) service_->options_.metrics->OnRequestIdReplay();
  if (outcome.status.ok()) {
    grpc::Slice slice(outcome.response);
    *response_ = grpc::ByteBuffer(&slice, 1);
  } else if (std::optional<google::rpc::ErrorInfo> info =
                 GetDetail<google::rpc::ErrorInfo>(outcome.status);
             info.has_value()) {
    // As the first was told (CompleteAfterZoom).
    auto attempts = info->metadata().find("attempts");
    if (attempts != info->metadata().end() && attempts->second != "0") {
      context_->AddTrailingMetadata("grpc-retry-pushback-ms", "-1");
    }
  }
  Complete(outcome.status, "");
}

std::string LiveStreamServiceImpl::Call::ResponseBytes() const {
  std::vector<grpc::Slice> slices;
  if (!response_->Dump(&slices).ok()) return "";
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

void LiveStreamServiceImpl::Call::Send(HttpRequest request) {
  // The credentials decorator sends a request that already has
  // Authorization as it is.
  if (!caller_token_.empty()) {
    request.headers.emplace_back("Authorization", absl::StrCat("Bearer ", caller_token_));
  }
  if (sent_) {
    // A later request, from the callback of the one before: the caller may
    // have cancelled, or the server aborted, since that one ended.
    std::optional<absl::Status> stopped;
    {
      absl::MutexLock lock(&mu_);
      if (ending_for_shutdown_) {
        stopped = MapShutdownAbort(Delivery::kNotDelivered, call_context_);
      } else if (cancelled_) {
        stopped = MapTransportError(absl::CancelledError("the call was cancelled"),
                                    Delivery::kNotDelivered, call_context_);
      }
    }
    if (stopped.has_value()) {
      CompleteAfterZoom(*std::move(stopped), "");
      return;
    }
  }
  // A shutdown's abort, and the caller's cancellation of a call that
  // waited for the first of its request_id, may come before the first
  // request is kept as call_: StartUpstreamWork cancels it then.
  sent_ = true;
  if (!waiting_) StartWaiting();
  StartUpstreamWork([this, &request] {
    return service_->zoom_->Send(std::move(request), deadline_,
                                 [this](UpstreamResult result) { OnZoomDone(std::move(result)); });
  });
}

void LiveStreamServiceImpl::Call::StartUpstreamWork(
    absl::FunctionRef<std::shared_ptr<Cancellable>()> start) {
  starting_.fetch_add(1, std::memory_order_acq_rel);
  const uint64_t begun = work_begun_.fetch_add(1, std::memory_order_relaxed) + 1;
  std::shared_ptr<Cancellable> work = start();
  std::optional<std::pair<absl::Status, std::string>> finished;
  bool cancel_now = false;
  {
    absl::MutexLock lock(&mu_);
    if (begun > call_begun_) {
      call_ = work;
      call_begun_ = begun;
    }
    if (starting_.fetch_sub(1, std::memory_order_acq_rel) == 1) finished.swap(deferred_);
    cancel_now = cancelled_ || ending_for_shutdown_;
  }
  if (finished.has_value()) {
    FinishNow(finished->first, finished->second);
    return;
  }
  // Work that has ended ignores it.
  if (cancel_now) work->Cancel();
}

void LiveStreamServiceImpl::Call::SendAll(std::vector<HttpRequest> requests, absl::Time deadline) {
  sent_ = true;
  if (!waiting_) StartWaiting();
  auto fan_out = std::make_shared<FanOut>();
  bool abort_now = false;
  {
    absl::MutexLock lock(&mu_);
    call_ = fan_out;
    abort_now = ending_for_shutdown_ || cancelled_;
  }
  if (abort_now) fan_out->Cancel();
  items_left_.store(requests.size() + 1, std::memory_order_relaxed);
  for (size_t i = 0; i < requests.size(); ++i) {
    if (fan_out->cancelled()) {
      // Not sent: the item ends as a request cancelled before it left would.
      OnItemDone(i, UpstreamResult::Failed(absl::CancelledError("the call was cancelled"), 0,
                                           Delivery::kNotDelivered));
      ItemFinished();
      continue;
    }
    HttpRequest& request = requests[i];
    if (!caller_token_.empty()) {
      request.headers.emplace_back("Authorization", absl::StrCat("Bearer ", caller_token_));
    }
    fan_out->Add(service_->zoom_->Send(std::move(request), deadline, [this, i](UpstreamResult r) {
      OnItemDone(i, std::move(r));
      ItemFinished();
    }));
  }
  ItemFinished();
}

void LiveStreamServiceImpl::Call::ItemFinished() {
  if (items_left_.fetch_sub(1, std::memory_order_acq_rel) == 1) OnAllItemsDone();
}

void LiveStreamServiceImpl::Call::OnCancel() {
  std::shared_ptr<Cancellable> call;
  idempotency::RequestIdStore::Waiter waiter;
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    call = call_;
    waiter = std::move(waiter_);
  }
  if (call != nullptr) call->Cancel();
  // Ends the wait (its callback completes the call) unless it ended.
  waiter.Cancel();
}

std::shared_ptr<Cancellable> LiveStreamServiceImpl::Call::EndForShutdown() {
  absl::MutexLock lock(&mu_);
  ending_for_shutdown_ = true;
  if (call_ == nullptr && !beginning_) {
    return std::make_shared<CancelWait>(std::move(waiter_));
  }
  return call_;
}

void LiveStreamServiceImpl::Call::StartWaiting() {
  absl::MutexLock lock(&service_->waiting_mu_);
  waiting_ = true;
  next_ = service_->waiting_;
  if (next_ != nullptr) {
    // Every call in the list is this service's: the same mutex, under a name
    // the thread-safety analysis cannot equate with ours.
    next_->service_->waiting_mu_.AssertHeld();
    next_->previous_ = this;
  }
  service_->waiting_ = this;
  if (service_->aborting_) {
    absl::MutexLock own(&mu_);
    ending_for_shutdown_ = true;
  }
}

void LiveStreamServiceImpl::Call::StopWaiting() {
  if (!waiting_) return;
  absl::MutexLock lock(&service_->waiting_mu_);
  // The neighbours are this service's calls: the same mutex (see StartWaiting).
  if (previous_ != nullptr) {
    previous_->service_->waiting_mu_.AssertHeld();
    previous_->next_ = next_;
  } else {
    service_->waiting_ = next_;
  }
  if (next_ != nullptr) {
    next_->service_->waiting_mu_.AssertHeld();
    next_->previous_ = previous_;
  }
}

bool LiveStreamServiceImpl::Call::EndedForShutdown() {
  absl::MutexLock lock(&mu_);
  return ending_for_shutdown_;
}

Redactor LiveStreamServiceImpl::Call::CallRedactor() const {
  // Taken now, so that tokens issued during the call are redacted too.
  return WithCallSecrets(service_->options_.secrets->redactor().With(caller_token_));
}

absl::Status LiveStreamServiceImpl::Call::MapZoomResult(const UpstreamResult& result,
                                                        ZoomCallContext context,
                                                        std::string* tracking_id) {
  if (!result.response.ok()) {
    // Decorators (credentials, rate limits) return errors that are already
    // rich; bare transport failures still need mapping.
    const absl::Status& status = result.response.status();
    if (status.code() == absl::StatusCode::kCancelled && EndedForShutdown()) {
      return MapShutdownAbort(result.delivery, context);
    }
    if (!GetDetail<google::rpc::ErrorInfo>(status).has_value()) {
      return MapTransportError(status, result.delivery, context);
    }
    return status;
  }
  context.redactor = CallRedactor();
  *tracking_id = ZoomTrackingId(*result.response, context.redactor);
  return MapZoomResponse(*result.response, context, absl::Now());
}

void LiveStreamServiceImpl::Call::OnZoomDone(UpstreamResult result) {
  attempts_ += result.attempts;
  std::string tracking_id;
  absl::Status status = MapZoomResult(result, call_context_, &tracking_id);
  if (!status.ok()) {
    CompleteAfterZoom(std::move(status), tracking_id);
    return;
  }
  OnZoomAnswer(*result.response, tracking_id);
}

// Once the server has made its own attempts toward Zoom, a client retry
// (client/service_config.json retries UNAVAILABLE) would bring up to
// --zoom_max_attempts more requests to Zoom each time: gRPC's retry
// pushback (gRFC A6) with a negative value tells every gRPC client not to
// retry, so that one call costs at most the server's own attempts
// (docs/operations.md, "Retry amplification"). Calls that failed before
// reaching Zoom stay retryable.
void LiveStreamServiceImpl::Call::CompleteAfterZoom(absl::Status status,
                                                    absl::string_view tracking_id) {
  ReportAttempts(status, attempts_);
  if (!status.ok() && attempts_ >= 1) {
    context_->AddTrailingMetadata("grpc-retry-pushback-ms", "-1");
  }
  Complete(status, tracking_id);
}

void LiveStreamServiceImpl::Call::Complete(const absl::Status& status,
                                           absl::string_view tracking_id) {
  if (starting_.load(std::memory_order_acquire) > 0) {
    absl::MutexLock lock(&mu_);
    if (starting_.load(std::memory_order_relaxed) > 0) {
      deferred_.emplace(status, std::string(tracking_id));
      return;
    }
  }
  FinishNow(status, tracking_id);
}

void LiveStreamServiceImpl::Call::FinishNow(const absl::Status& status,
                                            absl::string_view tracking_id) {
  StopWaiting();
  // Before Finish, after which OnDone may delete the call. The repeats
  // waiting for this one finish from here.
  if (first_) {
    bool cancelled = false;
    {
      absl::MutexLock lock(&mu_);
      cancelled = cancelled_;
    }
    idempotency::RequestIdStore::Ticket::Completion completion =
        idempotency::RequestIdStore::Ticket::Completion::kSpent;
    idempotency::Outcome outcome{.status = status, .response = status.ok() ? ResponseBytes() : ""};
    if (cancelled) {
      // The caller gave up: its outcome says nothing about the request, and
      // a repeat runs it.
      ticket_.Abandon();
    } else {
      completion = ticket_.Complete(outcome, absl::Now());
    }
    if (!shared_owner_.empty()) {
      // The other replicas get what this process remembers, by the same
      // policy and bound; else the key is theirs to run again.
      const idempotency::RequestKey key = RequestKeyOf(principal_, method_, request_id_);
      if (completion == idempotency::RequestIdStore::Ticket::Completion::kRemembered) {
        service_->options_.shared_request_ids->Complete(key, fingerprint_, shared_owner_, outcome);
      } else {
        service_->options_.shared_request_ids->Abandon(key, fingerprint_, shared_owner_);
      }
    }
  }
  const absl::Duration latency = absl::Now() - started_;
  if (metrics_ != nullptr) metrics_->Finished(status.code(), latency);
  if (validate_only_ && service_->options_.metrics != nullptr) {
    service_->options_.metrics->OnDryRun();
  }
  if (service_->options_.log_requests) {
    std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
    const std::string outcome = absl::StatusCodeToString(status.code());
    WriteRequestLog(RequestLogEntry{
        .method = method_,
        .target = target_,
        .outcome = outcome,
        .reason = info.has_value() ? absl::string_view(info->reason()) : absl::string_view(),
        .latency = latency,
        .tracking_id = tracking_id,
        .principal = principal_.empty() ? absl::string_view("-") : absl::string_view(principal_),
        .trace_id = trace_id_,
        .request_id = request_id_,
        .validate_only = validate_only_,
    });
  }
  Finish(ToGrpcStatus(status));
}

}  // namespace livestream_gateway
