#ifndef LIVESTREAM_GATEWAY_SERVER_LIVESTREAM_SERVICE_H_
#define LIVESTREAM_GATEWAY_SERVER_LIVESTREAM_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/zoom/http.h"
#include "server/zoom/redactor.h"
#include "server/zoom/zoom_request.h"
#include "zoom/livestream/v1/livestream_service.grpc.pb.h"

namespace livestream_gateway {

struct LiveStreamServiceOptions {
  ZoomRequestOptions request;
  // Upper bound of a Zoom call when the caller's deadline is later (or unset).
  absl::Duration zoom_timeout = absl::Seconds(10);
  bool log_requests = true;
  // Use a call's x-zoom-access-token metadata as its Zoom token; when false,
  // calls that send one are refused.
  bool allow_caller_token = false;
  // The server's credentials, redacted from what Zoom's answers quote (as is
  // each call's own token).
  std::shared_ptr<const KnownSecrets> secrets = std::make_shared<KnownSecrets>();
};

// The gRPC edge. Each call validates, builds the Zoom request, hands it to the
// asynchronous client and finishes from the client's callback: no reactor
// thread ever waits for Zoom.
class LiveStreamServiceImpl final
    : public zoom::livestream::v1::LiveStreamService::CallbackService {
 public:
  // `zoom` must outlive the service and every call in flight.
  LiveStreamServiceImpl(AsyncHttpClient* zoom, LiveStreamServiceOptions options);

  grpc::ServerUnaryReactor* UpdateStatus(
      grpc::CallbackServerContext* context,
      const zoom::livestream::v1::UpdateStatusRequest* request,
      zoom::livestream::v1::UpdateStatusResponse* response) override;

 private:
  class UpdateStatusReactor;

  AsyncHttpClient* const zoom_;
  const LiveStreamServiceOptions options_;
  // Multipart boundaries are random; BitGen is not thread-safe.
  absl::Mutex gen_mu_;
  absl::BitGen gen_ ABSL_GUARDED_BY(gen_mu_);
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LIVESTREAM_SERVICE_H_
