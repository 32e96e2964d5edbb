#ifndef LIVESTREAM_GATEWAY_SERVER_LIVESTREAM_SERVICE_H_
#define LIVESTREAM_GATEWAY_SERVER_LIVESTREAM_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <cstddef>

#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/authz/authorizer.h"
#include "server/defaults.h"
#include "server/idempotency/request_id_store.h"
#include "server/idempotency/shared_request_ids.h"
#include "server/metadata_limit.h"
#include "server/metrics/gateway_metrics.h"
#include "server/zoom/account_rate_limiter.h"
#include "server/zoom/http.h"
#include "server/zoom/redactor.h"
#include "server/zoom/zoom_request.h"
#include "zoom/livestream/v1/livestream_service.grpc.pb.h"

namespace livestream_gateway {

struct LiveStreamServiceOptions {
  ZoomRequestOptions request;
  // Upper bound of a Zoom call when the caller's deadline is later (or unset).
  absl::Duration zoom_timeout = defaults::kZoomTimeout;
  bool log_requests = defaults::kLogRequests;
  // Use a call's x-zoom-access-token metadata as its Zoom token; when false,
  // calls that send one are refused.
  bool allow_caller_token = false;
  // The server's credentials, redacted from what Zoom's answers quote (as is
  // each call's own token).
  std::shared_ptr<const KnownSecrets> secrets = std::make_shared<KnownSecrets>();
  // Calls whose request metadata is larger are refused (see metadata_limit.h).
  size_t max_metadata_bytes = kDefaultMaxMetadataBytes;
  // Counts calls, their codes and latencies; null for none. Must outlive the
  // service.
  metrics::GatewayMetrics* metrics = nullptr;
  // Who may call; the default allows everyone.
  std::shared_ptr<const Authorizer> authorizer = std::make_shared<Authorizer>(AuthorizerOptions{});
  // The limiter behind `zoom`, which a validate_only request checks for a
  // slot without taking one; null for none.
  std::shared_ptr<AccountRateLimiter> rate_limiter = nullptr;
  // Shares request_id outcomes with the other replicas through Redis
  // (--redis_url); null keeps them in this process only.
  std::shared_ptr<idempotency::SharedRequestIds> shared_request_ids = nullptr;
  // How long and how many request_id outcomes are remembered
  // (--request_id_ttl, --request_id_max_entries).
  absl::Duration request_id_ttl = defaults::kRequestIdTtl;
  size_t request_id_max_entries = defaults::kRequestIdMaxEntries;
};

// The gRPC edge. Each call is authorized (server/authz/authorizer.h), then
// decodes and validates its request, builds the Zoom request(s), hands them
// to the asynchronous client and finishes from the client's callback: no
// reactor thread ever waits for Zoom. What the methods share is
// livestream_call.h; each method's own steps are in livestream_service.cc.
//
// The mutating methods (UpdateStatus, UpdateLiveStream) take validate_only
// (AIP-163: admitted and rate-checked, nothing sent but a read) and
// request_id (AIP-155: the outcome of each (principal, method, request_id) is
// kept in the service's RequestIdStore, and a repeat is answered from it, or
// waits for the first, without calling Zoom again).
//
// The methods are raw (bytes in, bytes out) so that the service decodes the
// request itself and answers undecodable bytes like any other bad request
// (request_decoding.h). Reflection still describes them with their message
// types: those come from the service's descriptor, not from the handler.
class LiveStreamServiceImpl final
    : public zoom::livestream::v1::LiveStreamService::WithRawCallbackMethod_UpdateStatus<
          zoom::livestream::v1::LiveStreamService::WithRawCallbackMethod_GetLiveStream<
              zoom::livestream::v1::LiveStreamService::WithRawCallbackMethod_UpdateLiveStream<
                  zoom::livestream::v1::LiveStreamService::WithRawCallbackMethod_BatchUpdateStatus<
                      zoom::livestream::v1::LiveStreamService::Service>>>> {
 public:
  // `zoom` must outlive the service and every call in flight.
  LiveStreamServiceImpl(AsyncHttpClient* zoom, LiveStreamServiceOptions options);

  // `request` holds a serialized UpdateStatusRequest; `response` receives a
  // serialized UpdateStatusResponse.
  grpc::ServerUnaryReactor* UpdateStatus(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;

  // One Zoom GET; as UpdateStatus with GetLiveStream's messages.
  grpc::ServerUnaryReactor* GetLiveStream(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;

  // One Zoom PATCH, after a GET when the update leaves out a field Zoom
  // requires (live_stream_mask.h); both within the call's one deadline.
  grpc::ServerUnaryReactor* UpdateLiveStream(grpc::CallbackServerContext* context,
                                             const grpc::ByteBuffer* request,
                                             grpc::ByteBuffer* response) override;

  // Up to 100 UpdateStatus requests, sent concurrently within the call's
  // deadline (batch_update_status_call.cc).
  grpc::ServerUnaryReactor* BatchUpdateStatus(grpc::CallbackServerContext* context,
                                              const grpc::ByteBuffer* request,
                                              grpc::ByteBuffer* response) override;

  // Ends every call that is waiting on Zoom or on the first call of its
  // request_id, and every one that sends its request or starts such a wait
  // from now on, with UNAVAILABLE SERVER_SHUTTING_DOWN; returns how many were
  // waiting. For the end of a shutdown grace: gRPC then cancels
  // what is left without the service's ErrorInfo. Thread-safe.
  int AbortCallsForShutdown();

  // The calls that AbortCallsForShutdown would end now. Thread-safe.
  int WaitingCalls();

 private:
  class Call;  // livestream_call.h
  class UpdateStatusCall;
  class GetLiveStreamCall;
  class UpdateLiveStreamCall;
  class BatchUpdateStatusCall;

  AsyncHttpClient* const zoom_;
  const LiveStreamServiceOptions options_;
  // Each method's, resolved once; null without metrics.
  metrics::RpcMetrics* const update_status_metrics_;
  metrics::RpcMetrics* const get_live_stream_metrics_;
  metrics::RpcMetrics* const update_live_stream_metrics_;
  metrics::RpcMetrics* const batch_update_status_metrics_;
  // Outlive every call (the service does). A batch's outcome holds up to 100
  // items' answers: its store holds a hundredth of the entries, each up to
  // 100 times the size.
  idempotency::RequestIdStore request_ids_;
  idempotency::RequestIdStore batch_request_ids_;
  // Multipart boundaries are random; BitGen is not thread-safe.
  absl::Mutex gen_mu_;
  absl::BitGen gen_ ABSL_GUARDED_BY(gen_mu_);
  // The calls waiting on Zoom (an intrusive list: no allocation per call),
  // for AbortCallsForShutdown. Taken before a reactor's own mutex.
  absl::Mutex waiting_mu_ ABSL_ACQUIRED_BEFORE(gen_mu_);
  Call* waiting_ ABSL_GUARDED_BY(waiting_mu_) = nullptr;
  bool aborting_ ABSL_GUARDED_BY(waiting_mu_) = false;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LIVESTREAM_SERVICE_H_
