#ifndef LIVESTREAM_GATEWAY_SERVER_AUTHZ_AUTHORIZER_H_
#define LIVESTREAM_GATEWAY_SERVER_AUTHZ_AUTHORIZER_H_

#include <grpcpp/security/auth_context.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/authz/authz_evaluator.h"
#include "server/authz/authz_policy.h"
#include "server/authz/bearer_tokens.h"

namespace livestream_gateway {

struct AuthorizerOptions {
  // Null: every caller is allowed (the server without --authz_policy_file).
  std::shared_ptr<const AuthzPolicy> policy;
  // Null: the authorization metadata is ignored.
  std::shared_ptr<const BearerTokens> bearer_tokens;
  bool trust_forwarded_client_cert = false;
};

struct AuthzResult {
  // For the request log; empty when the caller has none.
  std::string principal;
  // OK when the call may go on; otherwise an error with one ErrorInfo.
  absl::Status status;
};

// The caller check at the edge of every call, before its request is looked
// at. Thread-safe; the policy may be replaced while calls run.
class Authorizer {
 public:
  explicit Authorizer(AuthorizerOptions options);

  // Calls that start afterwards see `policy`; calls already checked keep
  // their decision.
  void SetPolicy(std::shared_ptr<const AuthzPolicy> policy);

  // Resolves the caller's principal (principal.h) and applies the policy:
  //   - a credential presented but wrong: UNAUTHENTICATED (principal.h);
  //   - refused without a principal: UNAUTHENTICATED, reason UNAUTHENTICATED
  //     (authenticating might help);
  //   - refused with a principal: PERMISSION_DENIED, reason PERMISSION_DENIED,
  //     metadata principal, method, policy and (for a deny rule) rule.
  // `auth_context` may be null (no transport security information).
  AuthzResult Check(absl::string_view method, const CallMetadata& metadata,
                    const grpc::AuthContext* auth_context) const;

 private:
  const std::shared_ptr<const BearerTokens> bearer_tokens_;
  const bool trust_forwarded_client_cert_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const AuthzPolicy> policy_ ABSL_GUARDED_BY(mu_);
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_AUTHZ_AUTHORIZER_H_
