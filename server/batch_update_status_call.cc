// LiveStreamService.BatchUpdateStatus: each valid item becomes the Zoom
// request UpdateStatus would send, and all of them go out at once through the
// same client (its rate limit and retries apply to each) within one deadline.
// The call answers OK with one result per item, each the response or the error
// (with its details) that UpdateStatus would have ended with.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/batch_validation.h"
#include "server/grpc_status.h"
#include "server/livestream_call.h"
#include "server/livestream_service.h"
#include "server/request_decoding.h"
#include "server/validation.h"
#include "server/zoom/zoom_request.h"

namespace livestream_gateway {
namespace {

using ::zoom::livestream::v1::BatchUpdateStatusRequest;
using ::zoom::livestream::v1::BatchUpdateStatusResponse;
using ::zoom::livestream::v1::UpdateStatusRequest;

// The items end this much before the caller's deadline (a tenth of the time
// left, at most kMaxAnswerMargin), so that the answer with every item's
// result reaches the caller: at the deadline itself the caller would learn
// only DEADLINE_EXCEEDED, not which items Zoom took.
constexpr absl::Duration kMaxAnswerMargin = absl::Milliseconds(200);

absl::Time ItemDeadline(absl::Time call_deadline, absl::Time caller_deadline, absl::Time now) {
  if (caller_deadline == absl::InfiniteFuture()) return call_deadline;
  const absl::Duration margin =
      std::clamp((caller_deadline - now) / 10, absl::ZeroDuration(), kMaxAnswerMargin);
  return std::min(call_deadline, caller_deadline - margin);
}

}  // namespace

class LiveStreamServiceImpl::BatchUpdateStatusCall final : public Call {
 public:
  BatchUpdateStatusCall(LiveStreamServiceImpl* service, grpc::CallbackServerContext* context,
                        const absl::StatusOr<BatchUpdateStatusRequest>& request,
                        grpc::ByteBuffer* response)
      : Call(service, context, response, kBatchUpdateStatusMethod,
             service->batch_update_status_metrics_, "-", ZoomCallContext{}) {
    // Every item is an UpdateStatus: a caller who may not call it may not
    // batch it either.
    AlsoAuthorize(kUpdateStatusMethod);
    UseRequestIdStore(&service->batch_request_ids_);
    if (!Admit(request.status(),
               [&request] { return ValidateBatchUpdateStatusRequest(*request); })) {
      return;
    }
    const int count = request->requests_size();
    results_.resize(count);
    for (int i = 0; i < count; ++i) {
      const UpdateStatusRequest& item = request->requests(i);
      if (absl::Status invalid = ValidateUpdateStatusRequest(item); !invalid.ok()) {
        results_[i] = std::move(invalid);
        continue;
      }
      items_.push_back(static_cast<size_t>(i));
      contexts_.push_back(CallContextOf(item));
      absl::MutexLock lock(&service->gen_mu_);
      requests_.push_back(BuildUpdateStatusRequest(item, service->options_.request, service->gen_));
    }
    RunOnce(*request);
  }

 private:
  void Run() override {
    if (validate_only()) {
      // The items that would be sent queue for the rate limit in order.
      for (size_t k = 0; k < items_.size(); ++k) {
        absl::Status no_slot = CheckRateLimit(static_cast<int64_t>(k));
        if (no_slot.ok()) {
          results_[items_[k]] = std::string();
          continue;
        }
        ReportAttempts(no_slot, 0);
        results_[items_[k]] = std::move(no_slot);
      }
      OnAllItemsDone();
      return;
    }
    if (requests_.empty()) {
      OnAllItemsDone();
      return;
    }
    SendAll(std::move(requests_), ItemDeadline(deadline(), caller_deadline(), absl::Now()));
  }

  void OnItemDone(size_t index, UpstreamResult result) override {
    std::string tracking_id;
    absl::Status status = MapZoomResult(result, contexts_[index], &tracking_id);
    absl::StatusOr<std::string>& slot = results_[items_[index]];
    if (status.ok()) {
      slot = std::move(tracking_id);
      return;
    }
    ReportAttempts(status, result.attempts);
    slot = std::move(status);
  }

  // The items end in OnItemDone: the batch never uses Send.
  void OnZoomAnswer(const HttpResponse& /*answer*/, const std::string& /*tracking_id*/) override {}

  void OnAllItemsDone() override {
    BatchUpdateStatusResponse response;
    for (absl::StatusOr<std::string>& result : results_) {
      zoom::livestream::v1::BatchUpdateStatusResult* out = response.add_results();
      if (result.ok()) {
        zoom::livestream::v1::UpdateStatusResponse* answer = out->mutable_response();
        if (!result->empty()) answer->set_tracking_id(*std::move(result));
      } else {
        *out->mutable_error() = ToRpcStatus(result.status());
      }
    }
    Succeed(response, "");
  }

  // One per item of the request; an invalid item's holds its error from the
  // start. A sent item's is written only by its own callback, and read after
  // the last one (SendAll's countdown orders them).
  std::vector<absl::StatusOr<std::string>> results_;
  // The valid items, in order: their index in the request, the context their
  // errors name, and their Zoom requests.
  std::vector<size_t> items_;
  std::vector<ZoomCallContext> contexts_;
  std::vector<HttpRequest> requests_;
};

grpc::ServerUnaryReactor* LiveStreamServiceImpl::BatchUpdateStatus(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return new BatchUpdateStatusCall(this, context, DecodeRequest<BatchUpdateStatusRequest>(*request),
                                   response);
}

}  // namespace livestream_gateway
