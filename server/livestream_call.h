#ifndef LIVESTREAM_GATEWAY_SERVER_LIVESTREAM_CALL_H_
#define LIVESTREAM_GATEWAY_SERVER_LIVESTREAM_CALL_H_

// What every LiveStreamService method does with its call (private to the
// service: livestream_service.cc holds each method's own steps). A call is
// admitted (metadata size, authorization, decoding, validation, the caller's
// token), sends one or more Zoom requests through the service's
// AsyncHttpClient within one deadline, maps Zoom's answers and failures, and
// finishes exactly once, with its request log line and metrics. It lives
// until gRPC calls OnDone, which comes after Finish; Finish comes either at
// once (admission) or from a Zoom callback, which the client runs exactly
// once per request, also after Cancel.
//
// A mutating call with a request_id first asks the service's RequestIdStore
// (RunOnce): the first call of an id runs and leaves its outcome there; a
// repeat is answered from it, or waits for the first without a thread (the
// store's callback finishes it), and joins the service's list of waiting
// calls while it does, so that a shutdown ends it too.

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/idempotency/request_fingerprint.h"
#include "server/idempotency/request_id_store.h"
#include "server/livestream_service.h"
#include "server/metrics/gateway_metrics.h"
#include "server/zoom/error_mapping.h"
#include "server/zoom/http.h"
#include "server/zoom/redactor.h"

namespace livestream_gateway {

// The methods' full names (authorization, metrics, the request log).
inline constexpr absl::string_view kUpdateStatusMethod =
    "/zoom.livestream.v1.LiveStreamService/UpdateStatus";
inline constexpr absl::string_view kGetLiveStreamMethod =
    "/zoom.livestream.v1.LiveStreamService/GetLiveStream";
inline constexpr absl::string_view kUpdateLiveStreamMethod =
    "/zoom.livestream.v1.LiveStreamService/UpdateLiveStream";
inline constexpr absl::string_view kBatchUpdateStatusMethod =
    "/zoom.livestream.v1.LiveStreamService/BatchUpdateStatus";

// "webinar/{id}", "meeting/{id}" or "-", for the request log line.
template <typename Request>
std::string TargetForLog(const Request& request) {
  if (request.has_webinar_id()) return absl::StrCat("webinar/", request.webinar_id());
  if (request.has_meeting_id()) return absl::StrCat("meeting/", request.meeting_id());
  return "-";
}

template <typename Request>
ZoomCallContext CallContextOf(const Request& request) {
  if (request.has_meeting_id()) return ZoomCallContext{ZoomTarget::kMeeting, request.meeting_id()};
  return ZoomCallContext{ZoomTarget::kWebinar, request.webinar_id()};
}

// Reports how many requests went to Zoom in the status's ErrorInfo.
void ReportAttempts(absl::Status& status, int attempts);

class LiveStreamServiceImpl::Call : public grpc::ServerUnaryReactor {
 public:
  void OnCancel() override;
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

  // Under the service's waiting_mu_, while this call is waiting on Zoom or
  // on the first call of its request_id. Returns what to cancel (null when
  // the call has not sent yet: Send cancels it then). The caller cancels outside waiting_mu_, as a
  // cancellation may complete the call at once.
  std::shared_ptr<Cancellable> EndForShutdown();

 protected:
  // The method's full name (authorization, log line) and its metrics (null
  // for none). `target` and `call_context` name the webinar or meeting, as
  // far as the request decoded.
  Call(LiveStreamServiceImpl* service, grpc::CallbackServerContext* context,
       grpc::ByteBuffer* response, absl::string_view method, metrics::RpcMetrics* metrics,
       std::string target, ZoomCallContext call_context);
  ~Call() override = default;

  // Makes admission also require that the caller may call `method` (a
  // batch of UpdateStatus needs UpdateStatus too); before Admit.
  void AlsoAuthorize(absl::string_view method) { also_authorize_ = method; }

  // The store RunOnce keeps the call's request_id in (the service's own by
  // default); before RunOnce.
  void UseRequestIdStore(idempotency::RequestIdStore* store) { request_id_store_ = store; }

  // Every check before a request may go to Zoom, in order: the metadata
  // size, authorization (before the request is looked at: a caller who may
  // not call learns nothing about it, and nothing goes upstream), `decoded`
  // (the request's decoding), `validate()`, the caller's token. False when
  // one failed and the call has finished.
  template <typename Validate>
  bool Admit(const absl::Status& decoded, Validate validate) {
    if (!AdmitCaller()) return false;
    if (!decoded.ok()) {
      Complete(decoded, "");
      return false;
    }
    if (absl::Status invalid = validate(); !invalid.ok()) {
      Complete(invalid, "");
      return false;
    }
    return AdmitCallerToken();
  }

  // After admission of a mutating request, once Run has what it needs: a
  // dry run (validate_only) runs at once, unremembered; a request without a
  // request_id runs; one with a request_id runs only as the first of its id
  // (see the class comment).
  template <typename Request>
  void RunOnce(const Request& request) {
    request_id_ = request.request_id();
    if (request.validate_only()) {
      validate_only_ = true;
      Run();
      return;
    }
    if (request_id_.empty()) {
      Run();
      return;
    }
    // A repeat matches its first whatever id it carries and however the
    // caller's encoder ordered the fields.
    Request canonical = request;
    canonical.clear_request_id();
    std::string bytes;
    {
      google::protobuf::io::StringOutputStream stream(&bytes);
      google::protobuf::io::CodedOutputStream out(&stream);
      out.SetSerializationDeterministic(true);
      canonical.SerializeToCodedStream(&out);
    }
    fingerprint_ = idempotency::RequestFingerprint(bytes);
    BeginOnce();
  }

  // Sends the call's request(s); runs once, from RunOnce (or from the store's
  // callback, when the first call of the id ended without an outcome).
  virtual void Run() = 0;

  bool validate_only() const { return validate_only_; }

  // Set by admission: the deadline the call's Zoom requests share (the
  // caller's, or sooner the server's own upstream timeout), and the caller's
  // own (InfiniteFuture for none).
  absl::Time deadline() const { return deadline_; }
  absl::Time caller_deadline() const { return absl::FromChrono(context_->deadline()); }

  // OK when the rate limit has a slot before the call's deadline for a
  // request that queues behind `ahead` others, else its refusal.
  absl::Status CheckRateLimit(int64_t ahead = 0) const;

  // Sends every one of `requests` at once, each within `deadline`, and
  // makes them the call's upstream work: cancelling the call, or ending it for
  // shutdown, cancels each. OnItemDone comes once per request, on any thread
  // and concurrently; OnAllItemsDone once, after the last, and must finish
  // the call. The call must not have sent before.
  void SendAll(std::vector<HttpRequest> requests, absl::Time deadline);
  virtual void OnItemDone(size_t /*index*/, UpstreamResult /*result*/) {}
  virtual void OnAllItemsDone() {}

  // A Zoom request's result as a call ends with it: OK with the tracking id
  // when Zoom accepted it, else the error (a transport failure, Zoom's
  // refusal or a shutdown's abort) mapped for `context`, without the
  // attempts (ReportAttempts).
  absl::Status MapZoomResult(const UpstreamResult& result, ZoomCallContext context,
                             std::string* tracking_id);

  // Ends a dry run as the real call would end once Zoom accepted: OK with
  // `response` when the rate limit has a slot for the call before its
  // deadline, else its refusal.
  template <typename Response>
  void SucceedDryRun(const Response& response) {
    if (absl::Status no_slot = CheckRateLimit(); !no_slot.ok()) {
      CompleteAfterZoom(std::move(no_slot), "");
      return;
    }
    Succeed(response, "");
  }

  // Sends `request` within the call's deadline; OnZoomDone comes with its
  // result. The first request joins the service's list of waiting calls; a
  // later one (from OnZoomDone) is not sent once the call was cancelled or
  // ended for shutdown, which then finishes it.
  void Send(HttpRequest request);

  // A 2xx answer of Zoom to the last request, with its redacted tracking id.
  // Must end with Send, Succeed or CompleteAfterZoom.
  virtual void OnZoomAnswer(const HttpResponse& answer, const std::string& tracking_id) = 0;

  // The secrets Zoom's text must not carry on this call, besides the
  // server's and the caller's token: none by default.
  virtual Redactor WithCallSecrets(Redactor redactor) const { return redactor; }

  // The call's redactor now (tokens issued during the call included).
  Redactor CallRedactor() const;

  // Finishes the call OK with `response`.
  template <typename Response>
  void Succeed(const Response& response, absl::string_view tracking_id) {
    // One serialization, into a single slice. It fails only for messages
    // over 2 GiB; the fields are bounded.
    bool own_buffer = false;
    (void)grpc::SerializationTraits<Response>::Serialize(response, response_, &own_buffer);
    Complete(absl::OkStatus(), tracking_id);
  }

  // Finishes the call with an error after Zoom was (or may have been)
  // tried: the ErrorInfo reports the attempts, and a client is told not to
  // retry once the server made its own.
  void CompleteAfterZoom(absl::Status status, absl::string_view tracking_id);

  const ZoomCallContext& call_context() const { return call_context_; }

 private:
  bool AdmitCaller();
  bool AdmitCallerToken();
  // SendAll's countdown: the last of the items (and SendAll itself) ends it.
  void ItemFinished();

  // Asks the store about the call's request_id (again after an abandoned
  // first) and acts on the answer.
  void BeginOnce();
  // Keeps the Waiter of a repeat told to wait (unless its wait already ended,
  // or is to end).
  void KeepWaiting(idempotency::RequestIdStore::Waiter waiter);
  // The store's callback for a waiting repeat; any thread.
  void OnWaitEnded(idempotency::WaitResult result);
  void ActOnWait(const idempotency::WaitResult& result);
  // Whether the call's request_ids are shared with other replicas
  // (--redis_url; batches' are not).
  bool SharesRequestIds() const;
  // The first of its id in this process asks the other replicas
  // (shared_request_ids.h) before it runs.
  void ClaimShared();
  void OnClaimed(idempotency::ClaimResult result);
  // Runs `start`, which begins upstream work (a request to Zoom, a claim in
  // Redis) whose callback may complete the call on another thread, or
  // inside `start`, before it returns. Outside gRPC's method handler (a
  // repeat that runs its request once the first was abandoned, a claim's
  // callback on the Redis thread) nothing of gRPC's keeps the call alive
  // meanwhile, and a finish would let OnDone delete it under `start`'s
  // caller: so a Complete while any `start` runs is deferred to the end of
  // the outermost one. The work becomes call_ (what cancellation and
  // shutdown cancel) unless work begun later, from its callback, already
  // has; a cancellation that came meanwhile cancels it. Must be the last
  // thing a path does, as Complete.
  void StartUpstreamWork(absl::FunctionRef<std::shared_ptr<Cancellable>()> start);
  // Answers as the first call of the id was answered.
  void Replay(const idempotency::Outcome& outcome);
  std::string ResponseBytes() const;

  // The client's callback.
  void OnZoomDone(UpstreamResult result);

  void StartWaiting();
  // Before Finish: the service must not find a finished call.
  void StopWaiting();
  bool EndedForShutdown();

  // Must be the last thing a path does: after Finish, OnDone may delete this
  // on another thread. While upstream work is being started, the finish
  // waits for StartUpstreamWork to return (the callback may run before it
  // does, and it still needs the call).
  void Complete(const absl::Status& status, absl::string_view tracking_id);
  void FinishNow(const absl::Status& status, absl::string_view tracking_id);

  LiveStreamServiceImpl* const service_;
  grpc::CallbackServerContext* const context_;
  grpc::ByteBuffer* const response_;
  const absl::string_view method_;
  absl::string_view also_authorize_;
  metrics::RpcMetrics* const metrics_;
  const absl::Time started_;
  idempotency::RequestIdStore* request_id_store_;
  const std::string target_;
  const std::string trace_id_;  // empty without a valid traceparent
  const ZoomCallContext call_context_;
  std::string principal_;     // empty: none (or not yet known)
  std::string caller_token_;  // Secret; empty unless the caller sent one.
  // Set by AdmitCallerToken; every request of the call shares it.
  absl::Time deadline_ = absl::InfinitePast();
  // Requests sent to Zoom over all of the call's upstream calls; only the
  // client's callbacks, one after the other, touch it.
  int attempts_ = 0;
  bool validate_only_ = false;
  std::string request_id_;  // as the caller sent it; empty for none
  idempotency::Fingerprint fingerprint_{};
  // Held while this call is the first of its request_id (or spent).
  idempotency::RequestIdStore::Ticket ticket_;
  bool first_ = false;  // ticket_ was the call's
  // The call's claim of its request_id among the replicas, while it holds
  // one (set before Run, read by FinishNow after it).
  std::string shared_owner_;
  // Set once Send sent the call's first request.
  bool sent_ = false;
  // SendAll's items still running, plus one while SendAll runs.
  std::atomic<size_t> items_left_{0};

  absl::Mutex mu_;
  std::shared_ptr<Cancellable> call_ ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool ending_for_shutdown_ ABSL_GUARDED_BY(mu_) = false;
  // How many StartUpstreamWork are running; decremented under mu_. Read
  // once by every Complete: no lock on the path of a one-request call.
  std::atomic<int> starting_{0};
  // Numbers the upstream work in the order it began, so that call_ is the
  // latest whichever StartUpstreamWork ends first.
  std::atomic<uint64_t> work_begun_{0};
  uint64_t call_begun_ ABSL_GUARDED_BY(mu_) = 0;  // call_'s number
  // A finish that came while starting_ was above zero.
  std::optional<std::pair<absl::Status, std::string>> deferred_ ABSL_GUARDED_BY(mu_);
  // While this call is a repeat waiting for the first of its request_id.
  idempotency::RequestIdStore::Waiter waiter_ ABSL_GUARDED_BY(mu_);
  // True while BeginOnce has not yet kept the Waiter; a wait that ends
  // meanwhile is left in early_wait_ for KeepWaiting.
  bool beginning_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<idempotency::WaitResult> early_wait_ ABSL_GUARDED_BY(mu_);

  // The service walks its list of waiting calls.
  friend class LiveStreamServiceImpl;
  // Set once, by the first Send or the start of a wait for the first call of
  // the request_id, before any other thread knows the call.
  bool waiting_ = false;
  // In the service's list of waiting calls.
  Call* previous_ ABSL_GUARDED_BY(service_->waiting_mu_) = nullptr;
  Call* next_ ABSL_GUARDED_BY(service_->waiting_mu_) = nullptr;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LIVESTREAM_CALL_H_
