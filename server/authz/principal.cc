#include "server/authz/principal.h"

#include <grpc/grpc_security_constants.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "server/authz/forwarded_client_cert.h"
#include "server/error_details.h"

namespace livestream_gateway {
namespace {

constexpr absl::string_view kAuthorizationKey = "authorization";

absl::string_view View(const grpc::string_ref& ref) { return {ref.data(), ref.size()}; }

std::vector<absl::string_view> Values(const CallMetadata& metadata, absl::string_view key) {
  std::vector<absl::string_view> values;
  auto [begin, end] = metadata.equal_range(grpc::string_ref(key.data(), key.size()));
  for (auto it = begin; it != end; ++it) values.push_back(View(it->second));
  return values;
}

absl::Status InvalidBearerToken(absl::string_view why) {
  return MakeError(absl::StatusCode::kUnauthenticated,
                   absl::StrCat("the bearer token in the authorization metadata ", why),
                   ErrorReason::INVALID_BEARER_TOKEN);
}

// The principal of the call's bearer token; nullopt when it sent none.
absl::StatusOr<std::optional<std::string>> BearerPrincipal(const CallMetadata& metadata,
                                                           const BearerTokens& tokens) {
  const std::vector<absl::string_view> values = Values(metadata, kAuthorizationKey);
  if (values.empty()) return std::nullopt;
  if (values.size() > 1) return InvalidBearerToken("is sent more than once");
  absl::string_view value = absl::StripAsciiWhitespace(values.front());
  const size_t space = value.find(' ');
  if (!absl::EqualsIgnoreCase(value.substr(0, space), "Bearer")) return std::nullopt;
  if (space == absl::string_view::npos) return InvalidBearerToken("is empty");
  const absl::string_view token = absl::StripLeadingAsciiWhitespace(value.substr(space));
  if (token.empty()) return InvalidBearerToken("is empty");
  const std::string* principal = tokens.PrincipalOf(token);
  if (principal == nullptr) return InvalidBearerToken("is not known to this server");
  return *principal;
}

}  // namespace

std::string PeerCertificatePrincipal(const grpc::AuthContext& context) {
  if (!context.IsPeerAuthenticated()) return "";
  if (std::vector<grpc::string_ref> ids =
          context.FindPropertyValues(GRPC_PEER_SPIFFE_ID_PROPERTY_NAME);
      !ids.empty()) {
    return std::string(View(ids.front()));
  }
  // gRPC sets peer_spiffe_id only for a certificate with exactly one URI SAN;
  // a SPIFFE ID among other URIs still names the workload.
  std::vector<absl::string_view> spiffe_ids;
  for (const grpc::string_ref& san : context.FindPropertyValues(GRPC_X509_SAN_PROPERTY_NAME)) {
    if (absl::StartsWithIgnoreCase(View(san), "spiffe://")) spiffe_ids.push_back(View(san));
  }
  // An X.509 SVID has exactly one; with several, none is the identity.
  if (spiffe_ids.size() == 1) return std::string(spiffe_ids.front());
  std::vector<grpc::string_ref> names = context.FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  return names.empty() ? "" : std::string(View(names.front()));
}

absl::StatusOr<std::string> ResolvePrincipal(const CallMetadata& metadata,
                                             const grpc::AuthContext* auth_context,
                                             const PrincipalSources& sources) {
  if (sources.bearer_tokens != nullptr) {
    absl::StatusOr<std::optional<std::string>> bearer =
        BearerPrincipal(metadata, *sources.bearer_tokens);
    if (!bearer.ok()) return bearer.status();
    if (bearer->has_value()) return **std::move(bearer);
  }
  if (sources.trust_forwarded_client_cert) {
    const std::vector<absl::string_view> values = Values(metadata, kForwardedClientCertHeader);
    if (!values.empty()) {
      // Repeated headers are one list, as HTTP joins them.
      absl::StatusOr<std::string> forwarded =
          PrincipalFromForwardedClientCert(absl::StrJoin(values, ","));
      if (!forwarded.ok()) {
        return MakeError(absl::StatusCode::kUnauthenticated, forwarded.status().message(),
                         ErrorReason::INVALID_FORWARDED_CLIENT_CERT);
      }
      if (!forwarded->empty()) return forwarded;
    }
  }
  return auth_context == nullptr ? "" : PeerCertificatePrincipal(*auth_context);
}

}  // namespace livestream_gateway
