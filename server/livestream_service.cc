#include "server/livestream_service.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "server/error_details.h"
#include "server/grpc_status.h"
#include "server/logging/traceparent.h"
#include "server/metadata_limit.h"
#include "server/request_decoding.h"
#include "server/request_log.h"
#include "server/validation.h"
#include "server/zoom/error_mapping.h"

namespace livestream_gateway {

using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

namespace {

constexpr absl::string_view kUpdateStatusMethod =
    "/zoom.livestream.v1.LiveStreamService/UpdateStatus";
// gRPC lower-cases metadata keys.
constexpr absl::string_view kCallerTokenKey = "x-zoom-access-token";
constexpr absl::string_view kTraceparentKey = "traceparent";

std::string TargetForLog(const UpdateStatusRequest& request) {
  switch (request.target_case()) {
    case UpdateStatusRequest::kWebinarId:
      return absl::StrCat("webinar/", request.webinar_id());
    case UpdateStatusRequest::kMeetingId:
      return absl::StrCat("meeting/", request.meeting_id());
    case UpdateStatusRequest::TARGET_NOT_SET:
      break;
  }
  return "-";
}

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

// Reports how many requests went to Zoom in the ErrorInfo.
void ReportAttempts(absl::Status& status, int attempts) {
  std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
  if (!info.has_value()) return;
  (*info->mutable_metadata())["attempts"] = absl::StrCat(attempts);
  SetDetail(status, *info);
}

ZoomCallContext CallContextOf(const UpdateStatusRequest& request) {
  if (request.target_case() == UpdateStatusRequest::kMeetingId) {
    return ZoomCallContext{ZoomTarget::kMeeting, request.meeting_id()};
  }
  return ZoomCallContext{ZoomTarget::kWebinar, request.webinar_id()};
}

// The raw method answers with bytes: one serialization, into a single slice.
// It fails only for messages over 2 GiB; the tracking id is one bounded
// header.
void Serialize(const UpdateStatusResponse& response, grpc::ByteBuffer* out) {
  bool own_buffer = false;
  (void)grpc::SerializationTraits<UpdateStatusResponse>::Serialize(response, out, &own_buffer);
}

}  // namespace

// One per call. It lives until gRPC calls OnDone, which comes after Finish;
// Finish comes exactly once, either at once (metadata, authorization,
// decoding, validation) or from the Zoom callback (which the client runs
// exactly once, also after Cancel).
class LiveStreamServiceImpl::UpdateStatusReactor final : public grpc::ServerUnaryReactor {
 public:
  UpdateStatusReactor(LiveStreamServiceImpl* service, grpc::CallbackServerContext* context,
                      const absl::StatusOr<UpdateStatusRequest>& request,
                      grpc::ByteBuffer* response)
      : service_(service),
        context_(context),
        response_(response),
        started_(absl::Now()),
        target_(request.ok() ? TargetForLog(*request) : "-"),
        trace_id_(service->options_.log_requests ? TraceIdOf(*context) : ""),
        call_context_(request.ok() ? CallContextOf(*request) : ZoomCallContext{}) {
    if (service_->update_status_metrics_ != nullptr) service_->update_status_metrics_->Started();
    if (absl::Status too_large =
            CheckMetadataSize(context->client_metadata(), service_->options_.max_metadata_bytes);
        !too_large.ok()) {
      Complete(too_large, "");
      return;
    }
    // Before the request is looked at: a caller who may not call learns
    // nothing about it, and nothing goes upstream.
    AuthzResult authz = service_->options_.authorizer->Check(
        kUpdateStatusMethod, context->client_metadata(), context->auth_context().get());
    principal_ = std::move(authz.principal);
    if (!authz.status.ok()) {
      Complete(authz.status, "");
      return;
    }
    if (!request.ok()) {
      Complete(request.status(), "");
      return;
    }
    if (absl::Status invalid = ValidateUpdateStatusRequest(*request); !invalid.ok()) {
      Complete(invalid, "");
      return;
    }
    absl::StatusOr<std::optional<std::string>> caller_token =
        CallerToken(*context, service_->options_.allow_caller_token);
    if (!caller_token.ok()) {
      Complete(caller_token.status(), "");
      return;
    }
    HttpRequest http_request;
    {
      absl::MutexLock lock(&service_->gen_mu_);
      http_request = BuildUpdateStatusRequest(*request, service_->options_.request, service_->gen_);
    }
    // The credentials decorator sends a request that already has
    // Authorization as it is.
    if (caller_token->has_value()) {
      http_request.headers.emplace_back("Authorization", absl::StrCat("Bearer ", **caller_token));
      caller_token_ = **std::move(caller_token);
    }
    const absl::Time deadline =
        std::min(absl::FromChrono(context->deadline()), started_ + service_->options_.zoom_timeout);
    StartWaiting();
    std::shared_ptr<Cancellable> call =
        service_->zoom_->Send(std::move(http_request), deadline,
                              [this](UpstreamResult result) { OnZoomDone(std::move(result)); });
    // gRPC calls OnCancel (and OnDone) only once the handler has returned
    // this reactor, so no caller's cancellation can be missed here; a
    // shutdown's can, and is taken up now.
    bool abort_now = false;
    {
      absl::MutexLock lock(&mu_);
      call_ = call;
      abort_now = ending_for_shutdown_;
    }
    if (abort_now) call->Cancel();
  }

  void OnCancel() override {
    std::shared_ptr<Cancellable> call;
    {
      absl::MutexLock lock(&mu_);
      call = call_;
    }
    if (call != nullptr) call->Cancel();
  }

  // Under the service's waiting_mu_, while this call is waiting on Zoom.
  // Returns what to cancel (null when the call has not sent yet: the
  // constructor cancels it then). The caller cancels outside waiting_mu_,
  // as a cancellation may complete the call at once.
  std::shared_ptr<Cancellable> EndForShutdown() {
    absl::MutexLock lock(&mu_);
    ending_for_shutdown_ = true;
    return call_;
  }

  void OnDone() override { delete this; }

  // OnDone and OnCancel above only free memory or enqueue a cancellation:
  // they never block, so gRPC may run them on the thread that completes the
  // call. Otherwise gRPC 1.51 hands each OnDone to its executor thread: one
  // more thread wake-up per call, which cost a fifth of the server's CPU and
  // a third of its throughput in bench/. (gRPC marks this hook "not API"; its
  // own DefaultReactor() relies on it. livestream_service_test's
  // OnDoneRunsWhereTheCallCompletesNotOnGrpcsExecutor fails if it stops
  // working.)
  bool InternalInlineable() override { return true; }

 private:
  void StartWaiting() {
    absl::MutexLock lock(&service_->waiting_mu_);
    waiting_ = true;
    next_ = service_->waiting_;
    if (next_ != nullptr) next_->previous_ = this;
    service_->waiting_ = this;
    if (service_->aborting_) {
      absl::MutexLock own(&mu_);
      ending_for_shutdown_ = true;
    }
  }

  // Before Finish: the service must not find a finished call.
  void StopWaiting() {
    if (!waiting_) return;
    absl::MutexLock lock(&service_->waiting_mu_);
    if (previous_ != nullptr) {
      previous_->next_ = next_;
    } else {
      service_->waiting_ = next_;
    }
    if (next_ != nullptr) next_->previous_ = previous_;
  }

  bool EndedForShutdown() {
    absl::MutexLock lock(&mu_);
    return ending_for_shutdown_;
  }

  void OnZoomDone(UpstreamResult result) {
    if (!result.response.ok()) {
      // Decorators (credentials, rate limits) return errors that are already
      // rich; bare transport failures still need mapping.
      absl::Status status = std::move(result.response).status();
      if (status.code() == absl::StatusCode::kCancelled && EndedForShutdown()) {
        status = MapShutdownAbort(result.delivery, call_context_);
      } else if (!GetDetail<google::rpc::ErrorInfo>(status).has_value()) {
        status = MapTransportError(status, result.delivery, call_context_);
      }
      ReportAttempts(status, result.attempts);
      StopClientRetriesAfterZoomAttempts(status, result.attempts);
      Complete(status, "");
      return;
    }
    const HttpResponse& answer = *result.response;
    ZoomCallContext context = call_context_;
    // Taken now, so that tokens issued during the call are redacted too.
    context.redactor = service_->options_.secrets->redactor().With(caller_token_);
    const std::string tracking_id = ZoomTrackingId(answer, context.redactor);
    absl::Status status = MapZoomResponse(answer, context, absl::Now());
    ReportAttempts(status, result.attempts);
    StopClientRetriesAfterZoomAttempts(status, result.attempts);
    if (status.ok()) {
      UpdateStatusResponse response;
      if (!tracking_id.empty()) response.set_tracking_id(tracking_id);
      Serialize(response, response_);
    }
    Complete(status, tracking_id);
  }

  // Once the server has made its own attempts toward Zoom, a client retry
  // (client/service_config.json retries UNAVAILABLE) would bring up to
  // --zoom_max_attempts more requests to Zoom each time: gRPC's retry
  // pushback (gRFC A6) with a negative value tells every gRPC client not to
  // retry, so that one call costs at most the server's own attempts
  // (docs/operations.md, "Retry amplification"). Calls that failed before
  // reaching Zoom stay retryable.
  void StopClientRetriesAfterZoomAttempts(const absl::Status& status, int attempts) {
    if (status.ok() || attempts < 1) return;
    context_->AddTrailingMetadata("grpc-retry-pushback-ms", "-1");
  }

  // Must be the last thing a path does: after Finish, OnDone may delete this
  // on another thread.
  void Complete(const absl::Status& status, absl::string_view tracking_id) {
    StopWaiting();
    const absl::Duration latency = absl::Now() - started_;
    if (service_->update_status_metrics_ != nullptr) {
      service_->update_status_metrics_->Finished(status.code(), latency);
    }
    if (service_->options_.log_requests) {
      std::optional<google::rpc::ErrorInfo> info = GetDetail<google::rpc::ErrorInfo>(status);
      const std::string outcome = absl::StatusCodeToString(status.code());
      WriteRequestLog(RequestLogEntry{
          .method = kUpdateStatusMethod,
          .target = target_,
          .outcome = outcome,
          .reason = info.has_value() ? absl::string_view(info->reason()) : absl::string_view(),
          .latency = latency,
          .tracking_id = tracking_id,
          .principal = principal_.empty() ? absl::string_view("-") : absl::string_view(principal_),
          .trace_id = trace_id_,
      });
    }
    Finish(ToGrpcStatus(status));
  }

  LiveStreamServiceImpl* const service_;
  grpc::CallbackServerContext* const context_;
  grpc::ByteBuffer* const response_;
  const absl::Time started_;
  const std::string target_;
  const std::string trace_id_;  // empty without a valid traceparent
  const ZoomCallContext call_context_;
  std::string principal_;     // empty: none (or not yet known)
  std::string caller_token_;  // Secret; empty unless the caller sent one.

  absl::Mutex mu_;
  std::shared_ptr<Cancellable> call_ ABSL_GUARDED_BY(mu_);
  bool ending_for_shutdown_ ABSL_GUARDED_BY(mu_) = false;

  // The service walks its list of waiting calls.
  friend class LiveStreamServiceImpl;
  // Set once, by the constructor, before any other thread knows the call.
  bool waiting_ = false;
  // In the service's list of waiting calls.
  UpdateStatusReactor* previous_ ABSL_GUARDED_BY(service_->waiting_mu_) = nullptr;
  UpdateStatusReactor* next_ ABSL_GUARDED_BY(service_->waiting_mu_) = nullptr;
};

int LiveStreamServiceImpl::AbortCallsForShutdown() {
  std::vector<std::shared_ptr<Cancellable>> to_cancel;
  int waiting = 0;
  {
    absl::MutexLock lock(&waiting_mu_);
    aborting_ = true;
    for (UpdateStatusReactor* call = waiting_; call != nullptr; call = call->next_) {
      ++waiting;
      if (std::shared_ptr<Cancellable> handle = call->EndForShutdown(); handle != nullptr) {
        to_cancel.push_back(std::move(handle));
      }
    }
  }
  for (const std::shared_ptr<Cancellable>& handle : to_cancel) handle->Cancel();
  return waiting;
}

LiveStreamServiceImpl::LiveStreamServiceImpl(AsyncHttpClient* zoom,
                                             LiveStreamServiceOptions options)
    : zoom_(zoom),
      options_(std::move(options)),
      update_status_metrics_(options_.metrics == nullptr
                                 ? nullptr
                                 : &options_.metrics->Method(std::string(kUpdateStatusMethod))) {}

grpc::ServerUnaryReactor* LiveStreamServiceImpl::UpdateStatus(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return new UpdateStatusReactor(this, context, DecodeUpdateStatusRequest(*request), response);
}

}  // namespace livestream_gateway
