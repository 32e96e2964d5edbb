#ifndef LIVESTREAM_GATEWAY_SERVER_LISTENER_SECURITY_H_
#define LIVESTREAM_GATEWAY_SERVER_LISTENER_SECURITY_H_

// Transport security of the gRPC listener: TLS, mTLS, or plaintext where it
// is safe (loopback, or behind a sidecar that terminates mTLS).

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/defaults.h"

namespace livestream_gateway {

struct ListenerSecurity {
  // PEM certificate chain and private key the server presents (both or
  // neither). Re-read every `refresh_interval`, so rotation needs no restart.
  std::string cert_file;
  // Secret: read at start-up only to check it, never logged.
  std::string key_file;
  // PEM CA bundle; when set, clients must present a certificate it signed.
  std::string client_ca_file;
  absl::Duration refresh_interval = defaults::kTlsRefreshInterval;
  // Plaintext on a non-loopback address, for a sidecar that terminates mTLS.
  bool allow_plaintext_non_loopback = false;
};

inline bool UsesTls(const ListenerSecurity& security) { return !security.cert_file.empty(); }

// Whether only this host can reach `listen` (a gRPC listening address):
// 127.0.0.0/8, ::1 (also IPv4-mapped), "localhost", or a Unix socket.
// Wildcards (0.0.0.0, [::], ":port") and every other host are not.
bool IsLoopbackListenAddress(absl::string_view listen);

// The flag rules: cert and key together, a client CA only with them, a
// refresh interval of at least a second, and plaintext off loopback only with
// --allow_plaintext_non_loopback. Messages name flags, never file contents.
absl::Status ValidateListenerSecurity(absl::string_view listen, const ListenerSecurity& security);

// Reads each configured file once (server/config_file.h: capped, refusing
// missing, unreadable and special files) and checks that it holds what its
// flag promises (PEM certificates, a PEM private key), so a bad path fails at
// start-up rather than at the first handshake; the key must match the
// certificate. Appends a warning when the key file is accessible to group or
// others, and when the certificate is expired or not yet valid.
absl::Status CheckListenerSecurityFiles(const ListenerSecurity& security,
                                        std::vector<std::string>& warnings);

// Whether `key_pem` is the private key of the first certificate in
// `cert_pem`. InvalidArgument when either does not parse or they do not
// belong together: gRPC would start and then fail every handshake. The
// message never quotes the contents.
absl::Status CheckKeyMatchesCertificate(absl::string_view cert_pem, absl::string_view key_pem);

// Empty while the first certificate in `cert_pem` is valid at `now`, else
// what is wrong ("expired at ...", "not valid before ..."): worth a warning,
// not a refusal, since a rotation may be about to replace it.
std::string CertificateValidityProblem(absl::string_view cert_pem, absl::Time now);

// For the start-up line's `security` field, beside its `listen` field: the
// mode the listener on `listen` runs in.
std::string DescribeListenerSecurity(absl::string_view listen, const ListenerSecurity& security);

// Plaintext, or gRPC's TLS credentials backed by a file watcher that reloads
// the certificate, key and client CA every refresh_interval. Call after
// ValidateListenerSecurity.
std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const ListenerSecurity& security);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LISTENER_SECURITY_H_
