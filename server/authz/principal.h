#ifndef LIVESTREAM_GATEWAY_SERVER_AUTHZ_PRINCIPAL_H_
#define LIVESTREAM_GATEWAY_SERVER_AUTHZ_PRINCIPAL_H_

#include <grpcpp/security/auth_context.h>

#include <string>

#include "absl/status/statusor.h"
#include "server/authz/authz_evaluator.h"
#include "server/authz/bearer_tokens.h"

namespace livestream_gateway {

// The caller's principal from its TLS client certificate, as gRPC verified
// it: the SPIFFE ID (the peer_spiffe_id property, else the one
// x509_subject_alternative_name that starts with spiffe://), else the
// subject's common name. Empty when the peer presented no verified
// certificate (plaintext, or TLS without client certificates).
std::string PeerCertificatePrincipal(const grpc::AuthContext& context);

struct PrincipalSources {
  // Callers' tokens; null to ignore the authorization metadata.
  const BearerTokens* bearer_tokens = nullptr;
  // Whether x-forwarded-client-cert comes from a proxy the operator trusts
  // (--trust_forwarded_client_cert). Otherwise any caller could write it.
  bool trust_forwarded_client_cert = false;
};

// Who is calling, the most specific identity first:
//   1. a bearer token ("authorization: Bearer <token>"), which names the
//      calling application itself;
//   2. the forwarded client certificate, when trusted: it names the client
//      behind the proxy that is this server's TLS peer;
//   3. the TLS peer's certificate (PeerCertificatePrincipal).
// Empty when none applies. A credential that is presented but wrong is an
// UNAUTHENTICATED error with one ErrorInfo, whatever the policy would say: an
// unknown or malformed bearer token (reason INVALID_BEARER_TOKEN), a
// malformed trusted forwarded certificate (INVALID_FORWARDED_CLIENT_CERT). A
// scheme other than Bearer is not ours and is ignored. Errors never quote a
// token.
absl::StatusOr<std::string> ResolvePrincipal(const CallMetadata& metadata,
                                             const grpc::AuthContext* auth_context,
                                             const PrincipalSources& sources);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_AUTHZ_PRINCIPAL_H_
