#ifndef LIVESTREAM_GATEWAY_SERVER_AUTHZ_AUTHZ_EVALUATOR_H_
#define LIVESTREAM_GATEWAY_SERVER_AUTHZ_AUTHZ_EVALUATOR_H_

#include <grpcpp/support/string_ref.h>

#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "server/authz/authz_policy.h"

namespace livestream_gateway {

// A call's request metadata, as grpc::ServerContextBase::client_metadata()
// holds it.
using CallMetadata = std::multimap<grpc::string_ref, grpc::string_ref>;

struct AuthzDecision {
  bool allowed = false;
  // The deny rule that refused the call, or the allow rule that admitted it;
  // empty when the call was refused because no allow rule matched.
  std::string rule;
};

// gRPC's semantics: a call that matches any deny rule is refused; otherwise
// it is allowed when it matches an allow rule, and refused when it matches
// none. `principal` is empty for a caller without one, which matches only
// rules that name no principals. `path` is the full method name
// ("/zoom.livestream.v1.LiveStreamService/UpdateStatus"). A header rule sees
// every value of its key joined with "," (as gRPC's does); an absent header
// matches nothing.
AuthzDecision EvaluateAuthzPolicy(const AuthzPolicy& policy, absl::string_view principal,
                                  absl::string_view path, const CallMetadata& metadata);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_AUTHZ_AUTHZ_EVALUATOR_H_
