#include "server/zoom/token_source.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "server/error_details.h"
#include "server/logging/logger.h"
#include "server/zoom/call_stage.h"
#include "server/zoom/upstream_text.h"

namespace livestream_gateway {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;

constexpr ErrorReason kUnavailableReason = ErrorReason::ZOOM_OAUTH_UNAVAILABLE;
constexpr ErrorReason kRejectedReason = ErrorReason::ZOOM_CREDENTIALS_REJECTED;
// Far more than any real token (Zoom's are about 1 KB of JWT), and the body
// itself is already capped by the transport.
constexpr size_t kMaxTokenBytes = 16 * 1024;
constexpr size_t kMaxOAuthErrorBytes = 64;
// RFC 6749 counts expires_in in whole seconds; a token said to live less than
// one would be fetched anew for every call.
constexpr double kMinExpiresInSeconds = 1;
constexpr double kMaxExpiresInSeconds = 24 * 60 * 60;

// application/x-www-form-urlencoded (WHATWG URL standard): unreserved bytes
// as they are, everything else percent-encoded.
std::string FormEncode(absl::string_view value) {
  std::string out;
  for (const unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '*') {
      out.push_back(static_cast<char>(c));
    } else {
      // Upper-case hex digits, as RFC 3986 recommends.
      absl::StrAppend(&out, absl::StrFormat("%%%02X", c));
    }
  }
  return out;
}

// A token goes into a header: one printable run without spaces.
bool IsUsableToken(absl::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return false;
  return std::all_of(token.begin(), token.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// Zoom's OAuth `error` codes are snake_case words; anything else, a redacted
// secret included, is dropped rather than quoted.
std::string SanitizedOAuthError(const Struct& body, const Redactor& redactor) {
  auto it = body.fields().find("error");
  if (it == body.fields().end() || it->second.kind_case() != Value::kStringValue) return "";
  if (it->second.string_value().size() > kMaxOAuthErrorBytes) return "";
  const std::string error = UpstreamText(it->second.string_value(), kMaxOAuthErrorBytes, redactor);
  const bool clean = std::all_of(error.begin(), error.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
  return clean ? error : "";
}

// The value after "Basic " in the token request's Authorization header.
std::string BasicCredentials(const OAuthCredentials& credentials) {
  return absl::Base64Escape(absl::StrCat(credentials.client_id, ":", credentials.client_secret));
}

std::optional<Struct> ParseJsonObject(const HttpResponse& response) {
  if (response.body_truncated) return std::nullopt;
  Struct object;
  if (!google::protobuf::util::JsonStringToMessage(response.body, &object).ok()) {
    return std::nullopt;
  }
  return object;
}

absl::Status Unavailable(absl::string_view what, int http_status) {
  std::vector<std::pair<std::string, std::string>> metadata;
  if (http_status != 0) metadata.emplace_back("httpStatus", absl::StrCat(http_status));
  return MakeError(absl::StatusCode::kUnavailable,
                   absl::StrCat("could not get a Zoom access token: ", what), kUnavailableReason,
                   std::move(metadata));
}

}  // namespace

std::shared_ptr<Cancellable> StaticTokenSource::GetToken(absl::Time deadline, Callback done) {
  std::move(done)(token_);
  return SharedCompletedOperation();
}

HttpRequest BuildTokenRequest(const OAuthCredentials& credentials) {
  HttpRequest request;
  request.method = "POST";
  request.url = credentials.token_url;
  // Each answer is a new token and older ones stay valid: a repeat is harmless.
  request.idempotent = true;
  request.headers.emplace_back("Authorization",
                               absl::StrCat("Basic ", BasicCredentials(credentials)));
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.headers.emplace_back("Accept", "application/json");
  request.body = absl::StrCat("grant_type=account_credentials&account_id=",
                              FormEncode(credentials.account_id));
  return request;
}

absl::StatusOr<AccessToken> ParseTokenResponse(const HttpResponse& response,
                                               const Redactor& redactor) {
  const int status = response.status_code;
  if (status >= 200 && status <= 299) {
    std::optional<Struct> body = ParseJsonObject(response);
    if (!body.has_value()) {
      return Unavailable("the token endpoint's answer is not a JSON object", status);
    }
    auto token = body->fields().find("access_token");
    auto expires_in = body->fields().find("expires_in");
    if (token == body->fields().end() || token->second.kind_case() != Value::kStringValue ||
        !IsUsableToken(token->second.string_value())) {
      return Unavailable("the token endpoint's answer has no usable access_token", status);
    }
    if (expires_in == body->fields().end() ||
        expires_in->second.kind_case() != Value::kNumberValue ||
        !std::isfinite(expires_in->second.number_value()) ||
        expires_in->second.number_value() < kMinExpiresInSeconds) {
      return Unavailable("the token endpoint's answer has no expires_in of a second or more",
                         status);
    }
    return AccessToken{
        .value = token->second.string_value(),
        .expires_in =
            absl::Seconds(std::min(expires_in->second.number_value(), kMaxExpiresInSeconds)),
    };
  }
  if (status == 408 || status == 429 || (status >= 500 && status <= 599) || status < 400 ||
      status > 599) {
    return Unavailable(absl::StrCat("the token endpoint answered HTTP ", status), status);
  }
  std::vector<std::pair<std::string, std::string>> metadata = {
      {"httpStatus", absl::StrCat(status)}};
  std::string oauth_error;
  if (std::optional<Struct> body = ParseJsonObject(response)) {
    oauth_error = SanitizedOAuthError(*body, redactor);
  }
  std::string message =
      absl::StrCat("Zoom rejected this server's Server-to-Server OAuth credentials (HTTP ", status);
  if (!oauth_error.empty()) {
    absl::StrAppend(&message, ", ", oauth_error);
    metadata.emplace_back("oauthError", oauth_error);
  }
  absl::StrAppend(&message,
                  "); the server's operator must correct ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID or "
                  "ZOOM_CLIENT_SECRET");
  return MakeError(absl::StatusCode::kInternal, message, kRejectedReason, std::move(metadata));
}

absl::Status TokenTransportError(const absl::Status& transport_error) {
  if (transport_error.code() == absl::StatusCode::kCancelled) {
    return absl::CancelledError("Zoom access token request cancelled");
  }
  return Unavailable(absl::StrCat("token endpoint unreachable: ", transport_error.message()), 0);
}

// A call waiting for the token request in flight; its handle. Fields but the
// constant are guarded by the owner's mu_.
class OAuthTokenSource::Waiter final : public Cancellable {
 public:
  Waiter(std::weak_ptr<OAuthTokenSource> owner, Callback done)
      : owner_(std::move(owner)), done(std::move(done)) {}

  void Cancel() override {
    if (std::shared_ptr<OAuthTokenSource> owner = owner_.lock()) owner->CancelWaiter(this);
  }

  const std::weak_ptr<OAuthTokenSource> owner_;
  Callback done;
  bool queued = false;
  std::list<std::shared_ptr<Waiter>>::iterator position;
  std::shared_ptr<Cancellable> deadline_timer;
};

std::shared_ptr<OAuthTokenSource> OAuthTokenSource::Create(AsyncHttpClient* transport,
                                                           Scheduler* scheduler,
                                                           OAuthTokenSourceOptions options) {
  return std::shared_ptr<OAuthTokenSource>(
      new OAuthTokenSource(transport, scheduler, std::move(options)));
}

OAuthTokenSource::OAuthTokenSource(AsyncHttpClient* transport, Scheduler* scheduler,
                                   OAuthTokenSourceOptions options)
    : transport_(transport), scheduler_(scheduler), options_(std::move(options)) {
  options_.secrets->Add(options_.credentials.client_secret);
  options_.secrets->Add(BasicCredentials(options_.credentials));
}

OAuthTokenSource::~OAuthTokenSource() {
  std::vector<Released> waiting;
  std::shared_ptr<Cancellable> fetch;
  {
    absl::MutexLock lock(&mu_);
    waiting = ReleaseWaitersLocked();
    fetch = std::move(fetch_);
  }
  if (fetch != nullptr) fetch->Cancel();
  for (Released& waiter : waiting) {
    if (waiter.timer != nullptr) waiter.timer->Cancel();
    std::move(waiter.done)(absl::CancelledError("Zoom token source shutting down"));
  }
}

std::vector<OAuthTokenSource::Released> OAuthTokenSource::ReleaseWaitersLocked() {
  std::vector<Released> released;
  released.reserve(waiters_.size());
  for (const std::shared_ptr<Waiter>& waiter : waiters_) {
    waiter->queued = false;
    released.push_back(Released{std::move(waiter->done), std::move(waiter->deadline_timer)});
  }
  waiters_.clear();
  return released;
}

uint64_t OAuthTokenSource::token_requests() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

std::shared_ptr<Cancellable> OAuthTokenSource::GetToken(absl::Time deadline, Callback done) {
  const absl::Time now = scheduler_->Now();
  std::optional<uint64_t> fetch;
  std::shared_ptr<Waiter> waiter;
  absl::StatusOr<std::string> answer;
  {
    absl::MutexLock lock(&mu_);
    if (!token_.empty() && now < expires_at_) {
      answer = token_;
      // Proactive refresh: this call goes on with the current token.
      if (now >= refresh_at_ && !fetching_ && now >= next_background_try_) {
        fetch = BeginFetchLocked();
      }
    } else if (now < rejected_until_) {
      answer = rejected_;
    } else if (deadline <= now) {
      answer = absl::DeadlineExceededError("deadline passed before a Zoom access token came");
    } else {
      waiter = std::make_shared<Waiter>(weak_from_this(), std::move(done));
      waiter->queued = true;
      waiter->position = waiters_.insert(waiters_.end(), waiter);
      if (!fetching_) fetch = BeginFetchLocked();
    }
  }
  if (fetch.has_value()) SendTokenRequest(*fetch, now);
  if (waiter == nullptr) {
    std::move(done)(std::move(answer));
    return SharedCompletedOperation();
  }
  if (deadline != absl::InfiniteFuture()) {
    std::shared_ptr<Cancellable> timer = scheduler_->RunAt(
        deadline, [weak_self = weak_from_this(),
                   weak_waiter = std::weak_ptr<Waiter>(waiter)](absl::Status status) {
          if (!status.ok()) return;
          std::shared_ptr<OAuthTokenSource> self = weak_self.lock();
          std::shared_ptr<Waiter> waiter = weak_waiter.lock();
          if (self != nullptr && waiter != nullptr) self->ExpireWaiter(waiter.get());
        });
    bool still_waiting = false;
    {
      absl::MutexLock lock(&mu_);
      still_waiting = waiter->queued;
      if (still_waiting) waiter->deadline_timer = timer;
    }
    if (!still_waiting) timer->Cancel();
  }
  return waiter;
}

bool OAuthTokenSource::Invalidate(absl::string_view token) {
  absl::MutexLock lock(&mu_);
  // Another call may have replaced it already; that newer token stays.
  if (token_ == token) {
    token_.clear();
    expires_at_ = absl::InfinitePast();
  }
  return true;
}

uint64_t OAuthTokenSource::BeginFetchLocked() {
  fetching_ = true;
  return ++generation_;
}

void OAuthTokenSource::SendTokenRequest(uint64_t generation, absl::Time sent_at) {
  std::shared_ptr<Cancellable> fetch =
      transport_->Send(BuildTokenRequest(options_.credentials), sent_at + options_.request_timeout,
                       [weak = weak_from_this(), generation, sent_at](UpstreamResult result) {
                         if (std::shared_ptr<OAuthTokenSource> self = weak.lock()) {
                           self->OnTokenResponse(generation, sent_at, std::move(result.response));
                         }
                       });
  absl::MutexLock lock(&mu_);
  // Unless it already completed.
  if (fetching_ && generation_ == generation) fetch_ = std::move(fetch);
}

void OAuthTokenSource::OnTokenResponse(uint64_t generation, absl::Time sent_at,
                                       absl::StatusOr<HttpResponse> result) {
  absl::StatusOr<AccessToken> token =
      result.ok() ? ParseTokenResponse(*result, options_.secrets->redactor())
                  : TokenTransportError(result.status());
  // Before any call can send it, and even when it arrives too late to be used.
  if (token.ok()) options_.secrets->AddAccessToken(token->value);
  if (options_.observer != nullptr && token.status().code() != absl::StatusCode::kCancelled) {
    options_.observer->OnTokenFetch(token.ok());
  }
  const absl::Time now = scheduler_->Now();
  std::vector<Released> waiting;
  std::shared_ptr<Cancellable> spent;
  bool had_valid_token = false;
  {
    absl::MutexLock lock(&mu_);
    if (generation != generation_) return;
    fetching_ = false;
    spent = std::move(fetch_);
    had_valid_token = !token_.empty() && now < expires_at_;
    if (token.ok()) {
      token_ = token->value;
      // From when the request left: the token's clock started no earlier.
      expires_at_ = sent_at + token->expires_in;
      refresh_at_ = sent_at + token->expires_in * options_.refresh_fraction;
      next_background_try_ = absl::InfinitePast();
      rejected_until_ = absl::InfinitePast();
    } else {
      next_background_try_ = now + options_.refresh_retry_interval;
      if (token.status().code() == absl::StatusCode::kInternal) {
        rejected_ = token.status();
        rejected_until_ = now + options_.rejected_holdoff;
      }
    }
    waiting = ReleaseWaitersLocked();
  }
  if (!token.ok() && token.status().code() != absl::StatusCode::kCancelled) {
    // The status message names the HTTP status and Zoom's error code only.
    Log(token.status().code() == absl::StatusCode::kInternal ? LogLevel::kError
                                                             : LogLevel::kWarning,
        absl::StrCat(token.status().message(),
                     had_valid_token ? " (the current token is used until it expires)" : ""));
  }
  for (Released& waiter : waiting) {
    if (waiter.timer != nullptr) waiter.timer->Cancel();
    if (token.ok()) {
      std::move(waiter.done)(token->value);
    } else {
      std::move(waiter.done)(token.status());
    }
  }
}

void OAuthTokenSource::ExpireWaiter(Waiter* waiter) {
  Callback done;
  {
    absl::MutexLock lock(&mu_);
    if (!waiter->queued) return;
    waiter->queued = false;
    waiters_.erase(waiter->position);
    done = std::move(waiter->done);
    waiter->deadline_timer = nullptr;
  }
  // The request in flight goes on: later calls will use its token.
  std::move(done)(absl::DeadlineExceededError("no Zoom access token came before the deadline"));
}

void OAuthTokenSource::CancelWaiter(Waiter* waiter) {
  Callback done;
  std::shared_ptr<Cancellable> timer;
  {
    absl::MutexLock lock(&mu_);
    if (!waiter->queued) return;
    waiter->queued = false;
    waiters_.erase(waiter->position);
    done = std::move(waiter->done);
    timer = std::move(waiter->deadline_timer);
  }
  if (timer != nullptr) timer->Cancel();
  // Never inline, like every other cancellation here.
  scheduler_->RunAt(absl::InfinitePast(), [done = std::move(done)](const absl::Status&) mutable {
    std::move(done)(absl::CancelledError("wait for a Zoom access token cancelled"));
  });
}

void OAuthTokenSource::Log(LogLevel level, absl::string_view line) const {
  if (options_.log) {
    options_.log(level, line);
  } else {
    livestream_gateway::Log(level, line);
  }
}

}  // namespace livestream_gateway
