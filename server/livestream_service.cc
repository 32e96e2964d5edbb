#include "server/livestream_service.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/batch_validation.h"
#include "server/live_stream_mask.h"
#include "server/live_stream_validation.h"
#include "server/livestream_call.h"
#include "server/request_decoding.h"
#include "server/request_id_policy.h"
#include "server/validation.h"
#include "server/zoom/live_stream_request.h"

namespace livestream_gateway {

using ::zoom::livestream::v1::GetLiveStreamRequest;
using ::zoom::livestream::v1::GetLiveStreamResponse;
using ::zoom::livestream::v1::LiveStream;
using ::zoom::livestream::v1::UpdateLiveStreamRequest;
using ::zoom::livestream::v1::UpdateLiveStreamResponse;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

namespace {

metrics::RpcMetrics* MetricsOf(metrics::GatewayMetrics* metrics, absl::string_view method) {
  return metrics == nullptr ? nullptr : &metrics->Method(std::string(method));
}

template <typename Request>
std::string TargetOf(const absl::StatusOr<Request>& request) {
  return request.ok() ? TargetForLog(*request) : "-";
}

template <typename Request>
ZoomCallContext ContextOf(const absl::StatusOr<Request>& request) {
  return request.ok() ? CallContextOf(*request) : ZoomCallContext{};
}

}  // namespace

class LiveStreamServiceImpl::UpdateStatusCall final : public Call {
 public:
  UpdateStatusCall(LiveStreamServiceImpl* service, grpc::CallbackServerContext* context,
                   const absl::StatusOr<UpdateStatusRequest>& request, grpc::ByteBuffer* response)
      : Call(service, context, response, kUpdateStatusMethod, service->update_status_metrics_,
             TargetOf(request), ContextOf(request)) {
    if (!Admit(request.status(), [&request] { return ValidateUpdateStatusRequest(*request); })) {
      return;
    }
    {
      absl::MutexLock lock(&service->gen_mu_);
      http_request_ = BuildUpdateStatusRequest(*request, service->options_.request, service->gen_);
    }
    RunOnce(*request);
  }

 private:
  void Run() override {
    if (validate_only()) {
      SucceedDryRun(UpdateStatusResponse());
      return;
    }
    Send(std::move(http_request_));
  }

  void OnZoomAnswer(const HttpResponse& /*answer*/, const std::string& tracking_id) override {
    UpdateStatusResponse response;
    if (!tracking_id.empty()) response.set_tracking_id(tracking_id);
    Succeed(response, tracking_id);
  }

  HttpRequest http_request_;
};

class LiveStreamServiceImpl::GetLiveStreamCall final : public Call {
 public:
  GetLiveStreamCall(LiveStreamServiceImpl* service, grpc::CallbackServerContext* context,
                    const absl::StatusOr<GetLiveStreamRequest>& request, grpc::ByteBuffer* response)
      : Call(service, context, response, kGetLiveStreamMethod, service->get_live_stream_metrics_,
             TargetOf(request), ContextOf(request)),
        request_options_(&service->options_.request) {
    if (!Admit(request.status(), [&request] { return ValidateGetLiveStreamRequest(*request); })) {
      return;
    }
    Run();
  }

 private:
  void Run() override {
    Send(BuildGetLiveStreamRequest(call_context().target, call_context().target_id,
                                   *request_options_));
  }

  void OnZoomAnswer(const HttpResponse& answer, const std::string& tracking_id) override {
    ZoomCallContext context = call_context();
    context.redactor = CallRedactor();
    absl::StatusOr<LiveStream> live_stream = ParseLiveStream(answer, context);
    if (!live_stream.ok()) {
      CompleteAfterZoom(live_stream.status(), tracking_id);
      return;
    }
    GetLiveStreamResponse response;
    *response.mutable_live_stream() = *std::move(live_stream);
    if (!tracking_id.empty()) response.set_tracking_id(tracking_id);
    Succeed(response, tracking_id);
  }

  const ZoomRequestOptions* const request_options_;
};

// Zoom's PATCH needs the whole configuration: an update that leaves a
// required field out first reads the current one (not atomic, as the API
// says). The stream keys, the one sent and the one read, are secrets of the
// call: Zoom's text is redacted of both. A dry run (validate_only) reads too,
// when the real call would (a GET changes nothing), and answers with the
// merged configuration it would send.
class LiveStreamServiceImpl::UpdateLiveStreamCall final : public Call {
 public:
  UpdateLiveStreamCall(LiveStreamServiceImpl* service, grpc::CallbackServerContext* context,
                       absl::StatusOr<UpdateLiveStreamRequest> request, grpc::ByteBuffer* response)
      : Call(service, context, response, kUpdateLiveStreamMethod,
             service->update_live_stream_metrics_, TargetOf(request), ContextOf(request)),
        request_options_(&service->options_.request) {
    if (!Admit(request.status(),
               [&request] { return ValidateUpdateLiveStreamRequest(*request); })) {
      return;
    }
    changed_ = FieldsToChange(*request);
    update_ = request->live_stream();
    RunOnce(*request);
  }

 private:
  void Run() override {
    if (NeedsCurrentConfiguration(changed_)) {
      reading_ = true;
      Send(BuildGetLiveStreamRequest(call_context().target, call_context().target_id,
                                     *request_options_));
      return;
    }
    Write(LiveStream());
  }

  Redactor WithCallSecrets(Redactor redactor) const override {
    return redactor.With(update_.stream_key()).With(read_key_);
  }

  void OnZoomAnswer(const HttpResponse& answer, const std::string& tracking_id) override {
    if (!reading_) {
      UpdateLiveStreamResponse response;
      *response.mutable_live_stream() = std::move(sent_);
      if (!tracking_id.empty()) response.set_tracking_id(tracking_id);
      Succeed(response, tracking_id);
      return;
    }
    reading_ = false;
    ZoomCallContext context = call_context();
    context.redactor = CallRedactor();
    absl::StatusOr<LiveStream> current = ParseLiveStream(answer, context);
    if (!current.ok()) {
      CompleteAfterZoom(current.status(), tracking_id);
      return;
    }
    read_key_ = current->stream_key();
    Write(*current);
  }

  void Write(const LiveStream& current) {
    sent_ = MergeLiveStream(current, update_, changed_);
    if (validate_only()) {
      UpdateLiveStreamResponse response;
      *response.mutable_live_stream() = std::move(sent_);
      SucceedDryRun(response);
      return;
    }
    Send(BuildUpdateLiveStreamRequest(call_context().target, call_context().target_id, sent_,
                                      *request_options_));
  }

  const ZoomRequestOptions* const request_options_;
  LiveStreamFields changed_;
  LiveStream update_;
  // Only the client's callbacks, one after the other, touch these.
  bool reading_ = false;
  std::string read_key_;  // Secret.
  LiveStream sent_;
};

int LiveStreamServiceImpl::AbortCallsForShutdown() {
  std::vector<std::shared_ptr<Cancellable>> to_cancel;
  int waiting = 0;
  {
    absl::MutexLock lock(&waiting_mu_);
    aborting_ = true;
    for (Call* call = waiting_; call != nullptr; call = call->next_) {
      call->service_->waiting_mu_.AssertHeld();  // waiting_mu_: every call is ours
      ++waiting;
      if (std::shared_ptr<Cancellable> handle = call->EndForShutdown(); handle != nullptr) {
        to_cancel.push_back(std::move(handle));
      }
    }
  }
  for (const std::shared_ptr<Cancellable>& handle : to_cancel) handle->Cancel();
  return waiting;
}

int LiveStreamServiceImpl::WaitingCalls() {
  absl::MutexLock lock(&waiting_mu_);
  int waiting = 0;
  for (Call* call = waiting_; call != nullptr; call = call->next_) {
    call->service_->waiting_mu_.AssertHeld();  // waiting_mu_: every call is ours
    ++waiting;
  }
  return waiting;
}

LiveStreamServiceImpl::LiveStreamServiceImpl(AsyncHttpClient* zoom,
                                             LiveStreamServiceOptions options)
    : zoom_(zoom),
      options_(std::move(options)),
      update_status_metrics_(MetricsOf(options_.metrics, kUpdateStatusMethod)),
      get_live_stream_metrics_(MetricsOf(options_.metrics, kGetLiveStreamMethod)),
      update_live_stream_metrics_(MetricsOf(options_.metrics, kUpdateLiveStreamMethod)),
      batch_update_status_metrics_(MetricsOf(options_.metrics, kBatchUpdateStatusMethod)),
      request_ids_(
          idempotency::RequestIdStoreOptions{.ttl = options_.request_id_ttl,
                                             .max_entries = options_.request_id_max_entries,
                                             .remember = RememberOutcome}),
      batch_request_ids_(idempotency::RequestIdStoreOptions{
          .ttl = options_.request_id_ttl,
          .max_entries = std::max<size_t>(1, options_.request_id_max_entries / kMaxBatchItems),
          .max_outcome_bytes = kMaxBatchItems * idempotency::kDefaultMaxOutcomeBytes,
          .remember = RememberBatchOutcome}) {}

grpc::ServerUnaryReactor* LiveStreamServiceImpl::UpdateStatus(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return new UpdateStatusCall(this, context, DecodeRequest<UpdateStatusRequest>(*request),
                              response);
}

grpc::ServerUnaryReactor* LiveStreamServiceImpl::GetLiveStream(grpc::CallbackServerContext* context,
                                                               const grpc::ByteBuffer* request,
                                                               grpc::ByteBuffer* response) {
  return new GetLiveStreamCall(this, context, DecodeRequest<GetLiveStreamRequest>(*request),
                               response);
}

grpc::ServerUnaryReactor* LiveStreamServiceImpl::UpdateLiveStream(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return new UpdateLiveStreamCall(this, context, DecodeRequest<UpdateLiveStreamRequest>(*request),
                                  response);
}

}  // namespace livestream_gateway
