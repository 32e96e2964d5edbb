#include "server/authz/authorizer.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/authz/principal.h"
#include "server/error_details.h"

namespace livestream_gateway {

Authorizer::Authorizer(AuthorizerOptions options)
    : bearer_tokens_(std::move(options.bearer_tokens)),
      trust_forwarded_client_cert_(options.trust_forwarded_client_cert),
      policy_(std::move(options.policy)) {}

void Authorizer::SetPolicy(std::shared_ptr<const AuthzPolicy> policy) {
  absl::MutexLock lock(&mu_);
  policy_ = std::move(policy);
}

AuthzResult Authorizer::Check(absl::string_view method, const CallMetadata& metadata,
                              const grpc::AuthContext* auth_context) const {
  absl::StatusOr<std::string> principal = ResolvePrincipal(
      metadata, auth_context,
      PrincipalSources{.bearer_tokens = bearer_tokens_.get(),
                       .trust_forwarded_client_cert = trust_forwarded_client_cert_});
  if (!principal.ok()) return AuthzResult{"", principal.status()};
  std::shared_ptr<const AuthzPolicy> policy;
  {
    absl::ReaderMutexLock lock(&mu_);
    policy = policy_;
  }
  if (policy == nullptr) return AuthzResult{*std::move(principal), absl::OkStatus()};

  const AuthzDecision decision = EvaluateAuthzPolicy(*policy, *principal, method, metadata);
  if (decision.allowed) return AuthzResult{*std::move(principal), absl::OkStatus()};
  if (principal->empty()) {
    return AuthzResult{
        "", MakeError(absl::StatusCode::kUnauthenticated,
                      absl::StrCat("authorization policy \"", policy->name, "\" admits no caller ",
                                   "without credentials to ", method,
                                   ": send a bearer token or a client certificate"),
                      ErrorReason::UNAUTHENTICATED,
                      {{"method", std::string(method)}, {"policy", policy->name}})};
  }
  std::vector<std::pair<std::string, std::string>> metadata_out = {
      {"principal", *principal}, {"method", std::string(method)}, {"policy", policy->name}};
  std::string why = "no allow rule matches";
  if (!decision.rule.empty()) {
    why = absl::StrCat("deny rule \"", decision.rule, "\" matches");
    metadata_out.emplace_back("rule", decision.rule);
  }
  absl::Status denied =
      MakeError(absl::StatusCode::kPermissionDenied,
                absl::StrCat("principal \"", *principal, "\" may not call ", method, ": ", why,
                             " in authorization policy \"", policy->name, "\""),
                ErrorReason::PERMISSION_DENIED, std::move(metadata_out));
  return AuthzResult{*std::move(principal), std::move(denied)};
}

}  // namespace livestream_gateway
