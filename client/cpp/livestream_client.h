#ifndef LIVESTREAM_CLIENT_LIVESTREAM_CLIENT_H_
#define LIVESTREAM_CLIENT_LIVESTREAM_CLIENT_H_

// C++ client for zoom.livestream.v1.LiveStreamService.
//
//   auto channel = livestream_client::MakeChannel("localhost:50051");
//   livestream_client::LiveStreamClient client(channel);
//   livestream_client::UpdateStatusRequest request;
//   request.set_webinar_id("99289110036");
//   request.set_action(zoom::livestream::v1::LIVE_STREAM_ACTION_START);
//   absl::StatusOr<livestream_client::UpdateStatusResponse> response =
//       client.UpdateStatus(request, absl::Seconds(5));
//   if (!response.ok()) {
//     std::cerr << livestream_client::FormatStatus(response.status()) << "\n";
//     // Branch on the reason, never on the message.
//     if (livestream_client::ErrorReasonOf(response.status()) ==
//         livestream_client::ErrorReason::ZOOM_WEBINAR_NOT_FOUND) {
//       ...
//     }
//   }
//
// Failures are absl::Status values that keep everything the server sent: the
// gRPC code (absl and gRPC share code numbers), the message, and the
// google.rpc.Status from the `grpc-status-details-bin` trailer. Read the
// details with ErrorInfoOf(), BadRequestOf(), ... or print them all with
// FormatStatus().

#include <memory>
#include <optional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/cpp/async_calls.h"
#include "client/cpp/service_config.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/status.h"
#include "protos/error_domain.h"
#include "zoom/livestream/v1/error_reason.pb.h"
#include "zoom/livestream/v1/livestream_service.grpc.pb.h"
#include "zoom/livestream/v1/livestream_service.pb.h"

namespace livestream_client {

using UpdateStatusRequest = ::zoom::livestream::v1::UpdateStatusRequest;
using UpdateStatusResponse = ::zoom::livestream::v1::UpdateStatusResponse;
using GetLiveStreamRequest = ::zoom::livestream::v1::GetLiveStreamRequest;
using GetLiveStreamResponse = ::zoom::livestream::v1::GetLiveStreamResponse;
using UpdateLiveStreamRequest = ::zoom::livestream::v1::UpdateLiveStreamRequest;
using UpdateLiveStreamResponse = ::zoom::livestream::v1::UpdateLiveStreamResponse;
using LiveStream = ::zoom::livestream::v1::LiveStream;
using BatchUpdateStatusRequest = ::zoom::livestream::v1::BatchUpdateStatusRequest;
using BatchUpdateStatusResponse = ::zoom::livestream::v1::BatchUpdateStatusResponse;
using BatchUpdateStatusResult = ::zoom::livestream::v1::BatchUpdateStatusResult;

// The ErrorInfo.domain of every error the gateway itself returns. Errors
// produced by gRPC (e.g. DEADLINE_EXCEEDED, or UNAVAILABLE when the server is
// unreachable) carry no ErrorInfo at all.
using ::zoom::livestream::v1::kErrorDomain;

// ErrorInfo.reason is the name of one of these values; ErrorReasonOf()
// reads it as one.
using ErrorReason = ::zoom::livestream::v1::ErrorReason;

// How MakeChannel sets up a channel. The defaults: plaintext, with the retry
// policy of every client in this repository.
struct ChannelOptions {
  // nullptr: plaintext. MakeTlsCredentials (channel_security.h) for TLS and
  // mTLS.
  std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr;
  // The channel's gRPC service config. By default RetryServiceConfigJson()
  // (service_config.h: UNAVAILABLE is retried, at most 3 attempts);
  // std::nullopt turns it off, so that no call is retried (unless the name
  // resolver supplies a service config of its own).
  std::optional<std::string> service_config_json = std::string(RetryServiceConfigJson());
};

// Creates a channel to `target` (any gRPC target, e.g. "localhost:50051" or
// "dns:///gateway.internal:443"). Keepalive pings are sent only while calls
// are in flight and no more often than gRPC servers accept by default, so a
// broken connection is noticed without provoking a GOAWAY for too many pings.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           const ChannelOptions& options = {});

// A call started by one of LiveStreamClient's *Async methods. Dropping it
// does not cancel the call.
class PendingCall {
 public:
  explicit PendingCall(std::shared_ptr<grpc::ClientContext> context);

  // Asks gRPC to cancel the call. The callback still runs exactly once, with
  // CANCELLED unless the call had already completed. Thread-safe.
  void Cancel();

 private:
  std::shared_ptr<grpc::ClientContext> context_;
};

struct ClientOptions {
  // Sent with every call as `authorization: Bearer <token>` metadata, for a
  // gateway that authorizes callers by token (see ReadBearerTokenFile in
  // channel_security.h). A secret: never logged. On a plaintext channel
  // anyone on the path can read it, so use one only to loopback (a local
  // sidecar that adds mTLS); use TLS everywhere else.
  std::string bearer_token;
};

// Thread-safe; share one per channel. Every method takes the call's timeout
// and reports a failure as the absl::Status FromGrpcStatus makes, so the
// detail readers below (ErrorReasonOf, BadRequestOf, FormatStatus, ...) work
// on the errors of all of them.
class LiveStreamClient {
 public:
  template <typename Response>
  using Callback = absl::AnyInvocable<void(absl::StatusOr<Response>) &&>;
  using UpdateStatusCallback = Callback<UpdateStatusResponse>;

  explicit LiveStreamClient(std::shared_ptr<grpc::Channel> channel, ClientOptions options = {});

  // Cancels the async calls still in flight and waits until each callback
  // has returned and gRPC has let go of the call, so that the channel's last
  // reference is not dropped on a gRPC thread (which gRPC 1.51 does not
  // survive). A client destroyed from one of its own callbacks waits for the
  // others only: keep a reference to its channel elsewhere then.
  ~LiveStreamClient();

  // Blocks until the call ends or `timeout` passes (DEADLINE_EXCEEDED).
  // absl::InfiniteDuration() sets no deadline.
  absl::StatusOr<UpdateStatusResponse> UpdateStatus(const UpdateStatusRequest& request,
                                                    absl::Duration timeout);

  // Starts the call and returns at once. `done` runs exactly once on a gRPC
  // thread, so it must not block.
  PendingCall UpdateStatusAsync(const UpdateStatusRequest& request, absl::Duration timeout,
                                UpdateStatusCallback done);

  // Reads the custom live streaming configuration. The response holds the
  // stream key, a secret: do not log it.
  absl::StatusOr<GetLiveStreamResponse> GetLiveStream(const GetLiveStreamRequest& request,
                                                      absl::Duration timeout);
  PendingCall GetLiveStreamAsync(const GetLiveStreamRequest& request, absl::Duration timeout,
                                 Callback<GetLiveStreamResponse> done);

  // Sets the fields of the configuration that `request.update_mask` names
  // (unset: the fields set in `request.live_stream`). A partial change is a
  // read-modify-write on the server, not atomic (see the proto).
  absl::StatusOr<UpdateLiveStreamResponse> UpdateLiveStream(const UpdateLiveStreamRequest& request,
                                                            absl::Duration timeout);
  PendingCall UpdateLiveStreamAsync(const UpdateLiveStreamRequest& request, absl::Duration timeout,
                                    Callback<UpdateLiveStreamResponse> done);

  // Up to 100 UpdateStatus requests in one call. The call fails only when the
  // batch as a whole is refused; each item's own outcome is in its result
  // (ItemStatus reads a failed one as a failed call's status).
  absl::StatusOr<BatchUpdateStatusResponse> BatchUpdateStatus(
      const BatchUpdateStatusRequest& request, absl::Duration timeout);
  PendingCall BatchUpdateStatusAsync(const BatchUpdateStatusRequest& request,
                                     absl::Duration timeout,
                                     Callback<BatchUpdateStatusResponse> done);

 private:
  // The deadline and the caller's metadata of one call.
  void Prepare(grpc::ClientContext& context, absl::Duration timeout) const;

  // One blocking call of `method` (a Stub member function).
  template <typename Request, typename Response, typename Method>
  absl::StatusOr<Response> Call(Method method, const Request& request, absl::Duration timeout);

  // One callback-API call: `start(context, request, response, on_done)`
  // starts it on the async stub.
  template <typename Request, typename Response, typename Start>
  PendingCall CallAsync(Start start, const Request& request, absl::Duration timeout,
                        Callback<Response> done);

  std::unique_ptr<::zoom::livestream::v1::LiveStreamService::Stub> stub_;
  ClientOptions options_;
  const std::shared_ptr<internal::AsyncCalls> async_calls_ =
      std::make_shared<internal::AsyncCalls>();
};

// Converts between gRPC and absl statuses without loss: the serialized
// google.rpc.Status rides along as the absl payload kRpcStatusPayloadUrl.
inline constexpr absl::string_view kRpcStatusPayloadUrl = "type.googleapis.com/google.rpc.Status";
absl::Status FromGrpcStatus(const grpc::Status& status);
grpc::Status ToGrpcStatus(const absl::Status& status);

// A batch item's outcome as a single UpdateStatus call's: OK, or the item's
// error with its details, which the readers below read as they read a call's.
absl::Status ItemStatus(const BatchUpdateStatusResult& result);

// The google.rpc.Status a failed call carried, if any.
std::optional<google::rpc::Status> RpcStatusOf(const absl::Status& status);

// The first detail of type T (e.g. google::rpc::ErrorInfo), if any.
template <typename T>
std::optional<T> DetailOf(const absl::Status& status) {
  std::optional<google::rpc::Status> rpc_status = RpcStatusOf(status);
  if (!rpc_status.has_value()) return std::nullopt;
  for (const google::protobuf::Any& any : rpc_status->details()) {
    T detail;
    if (any.Is<T>() && any.UnpackTo(&detail)) return detail;
  }
  return std::nullopt;
}

inline std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const absl::Status& s) {
  return DetailOf<google::rpc::ErrorInfo>(s);
}
// The reason of the gateway's ErrorInfo as the generated enum;
// ERROR_REASON_UNSPECIFIED when there is none (errors from gRPC itself), it
// is of another domain, or it is one this client does not know (a newer
// server).
ErrorReason ErrorReasonOf(const absl::Status& status);

inline std::optional<google::rpc::BadRequest> BadRequestOf(const absl::Status& s) {
  return DetailOf<google::rpc::BadRequest>(s);
}
inline std::optional<google::rpc::ResourceInfo> ResourceInfoOf(const absl::Status& s) {
  return DetailOf<google::rpc::ResourceInfo>(s);
}
inline std::optional<google::rpc::PreconditionFailure> PreconditionFailureOf(
    const absl::Status& s) {
  return DetailOf<google::rpc::PreconditionFailure>(s);
}
inline std::optional<google::rpc::RetryInfo> RetryInfoOf(const absl::Status& s) {
  return DetailOf<google::rpc::RetryInfo>(s);
}
inline std::optional<google::rpc::QuotaFailure> QuotaFailureOf(const absl::Status& s) {
  return DetailOf<google::rpc::QuotaFailure>(s);
}

// How long the server asked the caller to wait before retrying (RetryInfo).
std::optional<absl::Duration> RetryDelayOf(const absl::Status& status);

// `text` with control characters escaped (\n, \r, \t, \xNN) and bytes >=
// 0x80 kept, so UTF-8 stays readable: server text printed this way stays on
// one line and carries no terminal escape sequences.
std::string EscapeControlCharacters(absl::string_view text);

// A human-readable rendering: "CODE: message", then one indented line per
// detail (one per violation for BadRequest, PreconditionFailure and
// QuotaFailure). Other google.rpc details are printed in text format, and
// details of unknown types by their type URL. Control characters are escaped
// so that every line stays one line.
std::string FormatStatus(const grpc::Status& status);
std::string FormatStatus(const absl::Status& status);

}  // namespace livestream_client

#endif  // LIVESTREAM_CLIENT_LIVESTREAM_CLIENT_H_
