#ifndef LIVESTREAM_GATEWAY_SERVER_AUTHZ_FORWARDED_CLIENT_CERT_H_
#define LIVESTREAM_GATEWAY_SERVER_AUTHZ_FORWARDED_CLIENT_CERT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace livestream_gateway {

// The request header in which Envoy (and so Istio's sidecars) forwards the
// client certificate of the connection it terminated.
inline constexpr absl::string_view kForwardedClientCertHeader = "x-forwarded-client-cert";

// The caller named by an x-forwarded-client-cert value, e.g.
//   By=spiffe://cluster.local/ns/a/sa/gw;Hash=...;Subject="CN=billing,O=Example";URI=spiffe://...
// Elements are separated by ',' and each proxy on the way appends one, so
// only the last element, written by the proxy next to this server, is
// trusted. Of it: the first URI that is a SPIFFE ID ("spiffe://"), else the
// common name of Subject (RFC 2253 "CN=a,O=b" or OpenSSL's "/O=b/CN=a"), else
// empty. Values may be quoted ("..." with \" inside), keys are
// case-insensitive, spaces around pairs are ignored. An unterminated quote or
// a pair without '=' is an INVALID_ARGUMENT.
absl::StatusOr<std::string> PrincipalFromForwardedClientCert(absl::string_view header);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_AUTHZ_FORWARDED_CLIENT_CERT_H_
