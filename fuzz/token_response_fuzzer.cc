// The OAuth token endpoint's answer (status, headers, body; see
// http_response_text.h) through ParseTokenResponse: a token only from a 2xx
// JSON object, usable in a header and with a bounded lifetime; otherwise a
// rich error (invariants.h) of one of the two documented kinds that does not
// depend on (so never quotes) a token the endpoint issued.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "fuzz/http_response_text.h"
#include "fuzz/invariants.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/rpc/error_details.pb.h"
#include "server/error_details.h"
#include "server/zoom/redactor.h"
#include "server/zoom/token_source.h"

namespace livestream_gateway::fuzz {
namespace {

// What ParseTokenResponse guarantees of a token: it goes into an
// Authorization header as it is.
bool IsHeaderSafeToken(absl::string_view token) {
  if (token.empty()) return false;
  for (const char c : token) {
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}

// `response` with its body's access_token replaced by another of the same
// length and usability; nullopt when the body is no JSON object with a
// non-empty string there. ParseTokenResponse reads the parsed object only,
// so re-printing it changes nothing else.
std::optional<HttpResponse> WithAnotherToken(const HttpResponse& response) {
  google::protobuf::Struct object;
  if (response.body_truncated ||
      !google::protobuf::util::JsonStringToMessage(response.body, &object).ok()) {
    return std::nullopt;
  }
  const auto it = object.fields().find("access_token");
  if (it == object.fields().end() ||
      it->second.kind_case() != google::protobuf::Value::kStringValue ||
      it->second.string_value().empty()) {
    return std::nullopt;
  }
  const std::string& token = it->second.string_value();
  std::string other(token.size(), token.front() == 'X' ? 'Y' : 'X');
  if (!IsHeaderSafeToken(token)) other.front() = ' ';
  (*object.mutable_fields())["access_token"].set_string_value(other);
  HttpResponse copy = response;
  copy.body.clear();
  if (!google::protobuf::util::MessageToJsonString(object, &copy.body).ok()) return std::nullopt;
  return copy;
}

void CheckTokenResponse(const HttpResponse& response) {
  const absl::StatusOr<AccessToken> token = ParseTokenResponse(response, Redactor());
  const int status = response.status_code;
  if (token.ok()) {
    Require(status >= 200 && status <= 299, "a token from a non-2xx answer");
    Require(!response.body_truncated, "a token from a truncated body");
    Require(IsHeaderSafeToken(token->value), "a token that is not one printable run");
    Require(token->expires_in >= absl::Seconds(1) && token->expires_in <= absl::Hours(24),
            "a token lifetime outside [1 s, 24 h]");
    return;
  }
  RequireRichError(token.status());
  const absl::StatusCode code = token.status().code();
  Require(code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kInternal,
          "neither UNAVAILABLE nor INTERNAL");
  // INTERNAL means "the operator's credentials": only for 4xx but 408 and 429.
  const bool rejected = status >= 400 && status <= 499 && status != 408 && status != 429;
  Require((code == absl::StatusCode::kInternal) == rejected,
          "INTERNAL and credential rejections (4xx but 408, 429) disagree");
  // A 2xx answer's token was issued, whatever made it unusable, so the error
  // must not depend on its value (nor quote it). A 4xx answer is quoted by
  // design (its sanitized `error` code).
  if (status >= 200 && status <= 299) {
    if (const std::optional<HttpResponse> other = WithAnotherToken(response)) {
      Require(ParseTokenResponse(*other, Redactor()).status() == token.status(),
              "the error depends on the issued token's value");
    }
  }
  if (const auto info = GetDetail<google::rpc::ErrorInfo>(token.status())) {
    if (const auto oauth_error = info->metadata().find("oauthError");
        oauth_error != info->metadata().end()) {
      const std::string& text = oauth_error->second;
      Require(!text.empty() && text.size() <= 64 &&
                  std::all_of(text.begin(), text.end(),
                              [](char c) {
                                return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                                       c == '_' || c == '-' || c == '.';
                              }),
              "oauthError is not a short snake_case code");
    }
  }
}

}  // namespace
}  // namespace livestream_gateway::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::optional<livestream_gateway::HttpResponse> response =
      livestream_gateway::fuzz::ParseResponseText(
          absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!response.has_value()) return -1;  // Not an answer: keep it out of the corpus.
  livestream_gateway::fuzz::CheckTokenResponse(*response);
  return 0;
}
