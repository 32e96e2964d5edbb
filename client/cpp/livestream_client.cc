#include "client/cpp/livestream_client.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace livestream_client {
namespace {

using ::zoom::livestream::v1::LiveStreamService;

// Pings at most once a minute and only during calls: gRPC servers by default
// count pings on a connection with no calls as abuse, and tolerate faster
// pings only while data flows, which it does on every unary response.
constexpr int kKeepaliveTimeMs = 60 * 1000;
constexpr int kKeepaliveTimeoutMs = 20 * 1000;

void SetTimeout(grpc::ClientContext& context, absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration()) return;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

template <typename Response>
absl::StatusOr<Response> ToStatusOr(const grpc::Status& status, Response response) {
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

std::string CodeName(int code) {
  if (code < 0 || code > static_cast<int>(absl::StatusCode::kUnauthenticated)) {
    return absl::StrCat("CODE_", code);
  }
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

// "key=value" pairs sorted by key, since protobuf maps have no stable order.
std::string FormatMetadata(const google::protobuf::Map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, std::string>> sorted(metadata.begin(), metadata.end());
  std::sort(sorted.begin(), sorted.end());
  return absl::StrJoin(sorted, ", ", [](std::string* out, const auto& entry) {
    absl::StrAppend(out, EscapeControlCharacters(entry.first), "=",
                    EscapeControlCharacters(entry.second));
  });
}

// Appends " name=value" when value is non-empty.
void AppendField(std::string& out, absl::string_view name, absl::string_view value) {
  if (!value.empty()) absl::StrAppend(&out, " ", name, "=", EscapeControlCharacters(value));
}

void FormatErrorInfo(const google::rpc::ErrorInfo& info, std::string& out) {
  absl::StrAppend(&out, "\n  ErrorInfo: reason=", EscapeControlCharacters(info.reason()),
                  " domain=", EscapeControlCharacters(info.domain()));
  if (!info.metadata().empty()) {
    absl::StrAppend(&out, " metadata{", FormatMetadata(info.metadata()), "}");
  }
}

void FormatResourceInfo(const google::rpc::ResourceInfo& info, std::string& out) {
  absl::StrAppend(&out, "\n  ResourceInfo:");
  AppendField(out, "resource_type", info.resource_type());
  AppendField(out, "resource_name", info.resource_name());
  AppendField(out, "owner", info.owner());
  AppendField(out, "description", info.description());
}

void FormatBadRequest(const google::rpc::BadRequest& bad_request, std::string& out) {
  if (bad_request.field_violations().empty()) {
    absl::StrAppend(&out, "\n  BadRequest: (no field violations)");
  }
  for (const auto& violation : bad_request.field_violations()) {
    absl::StrAppend(&out, "\n  BadRequest: ", EscapeControlCharacters(violation.field()), ": ",
                    EscapeControlCharacters(violation.description()));
  }
}

void FormatPreconditionFailure(const google::rpc::PreconditionFailure& failure, std::string& out) {
  if (failure.violations().empty()) {
    absl::StrAppend(&out, "\n  PreconditionFailure: (no violations)");
  }
  for (const auto& violation : failure.violations()) {
    absl::StrAppend(&out,
                    "\n  PreconditionFailure: type=", EscapeControlCharacters(violation.type()),
                    " subject=", EscapeControlCharacters(violation.subject()), ": ",
                    EscapeControlCharacters(violation.description()));
  }
}

void FormatQuotaFailure(const google::rpc::QuotaFailure& failure, std::string& out) {
  if (failure.violations().empty()) {
    absl::StrAppend(&out, "\n  QuotaFailure: (no violations)");
  }
  for (const auto& violation : failure.violations()) {
    absl::StrAppend(&out, "\n  QuotaFailure: ", EscapeControlCharacters(violation.subject()), ": ",
                    EscapeControlCharacters(violation.description()));
  }
}

absl::Duration ToDuration(const google::protobuf::Duration& duration) {
  return absl::Seconds(duration.seconds()) + absl::Nanoseconds(duration.nanos());
}

void FormatRetryInfo(const google::rpc::RetryInfo& info, std::string& out) {
  absl::StrAppend(
      &out, "\n  RetryInfo: retry_delay=", absl::FormatDuration(ToDuration(info.retry_delay())));
}

// Any other message type linked into the binary (DebugInfo, Help, ...) is
// printed in text format; anything else by its type URL.
void FormatOther(const google::protobuf::Any& any, std::string& out) {
  const absl::string_view url = any.type_url();
  const absl::string_view full_name = url.substr(url.rfind('/') + 1);
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          std::string(full_name));
  if (descriptor != nullptr) {
    const google::protobuf::Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
    if (prototype != nullptr) {
      std::unique_ptr<google::protobuf::Message> message(prototype->New());
      if (message->ParseFromString(any.value())) {
        absl::StrAppend(&out, "\n  ", descriptor->name(), ": ",
                        EscapeControlCharacters(message->ShortDebugString()));
        return;
      }
    }
  }
  absl::StrAppend(&out, "\n  ", EscapeControlCharacters(url), " (", any.value().size(), " bytes)");
}

template <typename T>
bool TryFormat(const google::protobuf::Any& any, void (*format)(const T&, std::string&),
               std::string& out) {
  T detail;
  if (!any.Is<T>() || !any.UnpackTo(&detail)) return false;
  format(detail, out);
  return true;
}

void FormatDetail(const google::protobuf::Any& any, std::string& out) {
  if (TryFormat<google::rpc::ErrorInfo>(any, FormatErrorInfo, out) ||
      TryFormat<google::rpc::ResourceInfo>(any, FormatResourceInfo, out) ||
      TryFormat<google::rpc::BadRequest>(any, FormatBadRequest, out) ||
      TryFormat<google::rpc::PreconditionFailure>(any, FormatPreconditionFailure, out) ||
      TryFormat<google::rpc::QuotaFailure>(any, FormatQuotaFailure, out) ||
      TryFormat<google::rpc::RetryInfo>(any, FormatRetryInfo, out)) {
    return;
  }
  FormatOther(any, out);
}

}  // namespace

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target,
                                           const ChannelOptions& options) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveTimeMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  if (options.service_config_json.has_value()) {
    args.SetServiceConfigJSON(*options.service_config_json);
    // In place of one the name resolver might publish, as every client here.
    args.SetInt(GRPC_ARG_SERVICE_CONFIG_DISABLE_RESOLUTION, 1);
  }
  return grpc::CreateCustomChannel(
      target,
      options.credentials != nullptr ? options.credentials : grpc::InsecureChannelCredentials(),
      args);
}

PendingCall::PendingCall(std::shared_ptr<grpc::ClientContext> context)
    : context_(std::move(context)) {}

void PendingCall::Cancel() { context_->TryCancel(); }

LiveStreamClient::LiveStreamClient(std::shared_ptr<grpc::Channel> channel, ClientOptions options)
    : stub_(LiveStreamService::NewStub(std::move(channel))), options_(std::move(options)) {}

LiveStreamClient::~LiveStreamClient() { async_calls_->CancelAllAndWait(); }

void LiveStreamClient::Prepare(grpc::ClientContext& context, absl::Duration timeout) const {
  SetTimeout(context, timeout);
  if (!options_.bearer_token.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", options_.bearer_token));
  }
}

template <typename Request, typename Response, typename Method>
absl::StatusOr<Response> LiveStreamClient::Call(Method method, const Request& request,
                                                absl::Duration timeout) {
  grpc::ClientContext context;
  Prepare(context, timeout);
  Response response;
  grpc::Status status = (stub_.get()->*method)(&context, request, &response);
  return ToStatusOr(status, std::move(response));
}

template <typename Request, typename Response, typename Start>
PendingCall LiveStreamClient::CallAsync(Start start, const Request& request, absl::Duration timeout,
                                        Callback<Response> done) {
  // gRPC needs the context, request and response alive until the call ends;
  // the completion lambda owns them. The context is shared with PendingCall
  // so that Cancel() stays safe after completion.
  struct State {
    // Destroyed last, after the context's other owners here.
    internal::AsyncCalls::Registration registration;
    std::shared_ptr<grpc::ClientContext> context;
    Request request;
    Response response;
    Callback<Response> done;
  };
  auto context = std::make_shared<grpc::ClientContext>();
  Prepare(*context, timeout);
  std::shared_ptr<State> state(
      new State{async_calls_->Register(context), context, request, Response(), std::move(done)});
  PendingCall pending(std::move(context));
  State* raw = state.get();
  start(raw->context.get(), &raw->request, &raw->response,
        [calls = async_calls_.get(), state = std::move(state)](const grpc::Status& status) {
          internal::AsyncCalls::CallbackScope scope(calls);
          std::move(state->done)(ToStatusOr(status, std::move(state->response)));
        });
  return pending;
}

absl::StatusOr<UpdateStatusResponse> LiveStreamClient::UpdateStatus(
    const UpdateStatusRequest& request, absl::Duration timeout) {
  return Call<UpdateStatusRequest, UpdateStatusResponse>(&LiveStreamService::Stub::UpdateStatus,
                                                         request, timeout);
}

PendingCall LiveStreamClient::UpdateStatusAsync(const UpdateStatusRequest& request,
                                                absl::Duration timeout, UpdateStatusCallback done) {
  return CallAsync<UpdateStatusRequest, UpdateStatusResponse>(
      [this](grpc::ClientContext* context, const UpdateStatusRequest* call_request,
             UpdateStatusResponse* response, std::function<void(grpc::Status)> on_done) {
        stub_->async()->UpdateStatus(context, call_request, response, std::move(on_done));
      },
      request, timeout, std::move(done));
}

absl::StatusOr<GetLiveStreamResponse> LiveStreamClient::GetLiveStream(
    const GetLiveStreamRequest& request, absl::Duration timeout) {
  return Call<GetLiveStreamRequest, GetLiveStreamResponse>(&LiveStreamService::Stub::GetLiveStream,
                                                           request, timeout);
}

PendingCall LiveStreamClient::GetLiveStreamAsync(const GetLiveStreamRequest& request,
                                                 absl::Duration timeout,
                                                 Callback<GetLiveStreamResponse> done) {
  return CallAsync<GetLiveStreamRequest, GetLiveStreamResponse>(
      [this](grpc::ClientContext* context, const GetLiveStreamRequest* call_request,
             GetLiveStreamResponse* response, std::function<void(grpc::Status)> on_done) {
        stub_->async()->GetLiveStream(context, call_request, response, std::move(on_done));
      },
      request, timeout, std::move(done));
}

absl::StatusOr<UpdateLiveStreamResponse> LiveStreamClient::UpdateLiveStream(
    const UpdateLiveStreamRequest& request, absl::Duration timeout) {
  return Call<UpdateLiveStreamRequest, UpdateLiveStreamResponse>(
      &LiveStreamService::Stub::UpdateLiveStream, request, timeout);
}

PendingCall LiveStreamClient::UpdateLiveStreamAsync(const UpdateLiveStreamRequest& request,
                                                    absl::Duration timeout,
                                                    Callback<UpdateLiveStreamResponse> done) {
  return CallAsync<UpdateLiveStreamRequest, UpdateLiveStreamResponse>(
      [this](grpc::ClientContext* context, const UpdateLiveStreamRequest* call_request,
             UpdateLiveStreamResponse* response, std::function<void(grpc::Status)> on_done) {
        stub_->async()->UpdateLiveStream(context, call_request, response, std::move(on_done));
      },
      request, timeout, std::move(done));
}

absl::StatusOr<BatchUpdateStatusResponse> LiveStreamClient::BatchUpdateStatus(
    const BatchUpdateStatusRequest& request, absl::Duration timeout) {
  return Call<BatchUpdateStatusRequest, BatchUpdateStatusResponse>(
      &LiveStreamService::Stub::BatchUpdateStatus, request, timeout);
}

PendingCall LiveStreamClient::BatchUpdateStatusAsync(const BatchUpdateStatusRequest& request,
                                                     absl::Duration timeout,
                                                     Callback<BatchUpdateStatusResponse> done) {
  return CallAsync<BatchUpdateStatusRequest, BatchUpdateStatusResponse>(
      [this](grpc::ClientContext* context, const BatchUpdateStatusRequest* call_request,
             BatchUpdateStatusResponse* response, std::function<void(grpc::Status)> on_done) {
        stub_->async()->BatchUpdateStatus(context, call_request, response, std::move(on_done));
      },
      request, timeout, std::move(done));
}

absl::Status ItemStatus(const BatchUpdateStatusResult& result) {
  if (!result.has_error()) return absl::OkStatus();
  const google::rpc::Status& error = result.error();
  // An error item whose code says OK is malformed; it is still a failure.
  const int code = error.code() == 0 ? static_cast<int>(grpc::StatusCode::UNKNOWN) : error.code();
  return FromGrpcStatus(grpc::Status(static_cast<grpc::StatusCode>(code), error.message(),
                                     error.SerializeAsString()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  int code = status.error_code();
  if (code <= 0 || code > static_cast<int>(absl::StatusCode::kUnauthenticated)) {
    code = static_cast<int>(absl::StatusCode::kUnknown);
  }
  absl::Status result(static_cast<absl::StatusCode>(code), status.error_message());
  if (!status.error_details().empty()) {
    result.SetPayload(kRpcStatusPayloadUrl, absl::Cord(status.error_details()));
  }
  return result;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  absl::optional<absl::Cord> details = status.GetPayload(kRpcStatusPayloadUrl);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      details.has_value() ? std::string(*details) : std::string());
}

std::optional<google::rpc::Status> RpcStatusOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRpcStatusPayloadUrl);
  google::rpc::Status rpc_status;
  if (!payload.has_value() || !rpc_status.ParseFromString(std::string(*payload))) {
    return std::nullopt;
  }
  return rpc_status;
}

ErrorReason ErrorReasonOf(const absl::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = ErrorInfoOf(status);
  ErrorReason reason = ::zoom::livestream::v1::ERROR_REASON_UNSPECIFIED;
  if (!info.has_value() || info->domain() != kErrorDomain ||
      !::zoom::livestream::v1::ErrorReason_Parse(info->reason(), &reason)) {
    return ::zoom::livestream::v1::ERROR_REASON_UNSPECIFIED;
  }
  return reason;
}

std::optional<absl::Duration> RetryDelayOf(const absl::Status& status) {
  std::optional<google::rpc::RetryInfo> info = RetryInfoOf(status);
  if (!info.has_value() || !info->has_retry_delay()) return std::nullopt;
  return ToDuration(info->retry_delay());
}

// Server text may echo caller input; escaping control characters keeps one
// detail per line and keeps terminal escape sequences out of the output.
// Bytes >= 0x80 pass through so UTF-8 stays readable.
std::string EscapeControlCharacters(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      absl::StrAppendFormat(&out, "\\x%02x", byte);
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatStatus(const grpc::Status& status) {
  if (status.ok()) return "OK";
  std::string out = CodeName(status.error_code());
  if (!status.error_message().empty()) {
    absl::StrAppend(&out, ": ", EscapeControlCharacters(status.error_message()));
  }
  if (status.error_details().empty()) return out;
  google::rpc::Status rpc_status;
  if (!rpc_status.ParseFromString(status.error_details())) {
    absl::StrAppend(&out, "\n  (undecodable error details, ", status.error_details().size(),
                    " bytes)");
    return out;
  }
  for (const google::protobuf::Any& any : rpc_status.details()) FormatDetail(any, out);
  return out;
}

std::string FormatStatus(const absl::Status& status) { return FormatStatus(ToGrpcStatus(status)); }

}  // namespace livestream_client
