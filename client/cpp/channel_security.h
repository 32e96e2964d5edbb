#ifndef LIVESTREAM_CLIENT_CHANNEL_SECURITY_H_
#define LIVESTREAM_CLIENT_CHANNEL_SECURITY_H_

// What a client needs to reach a gateway that listens with TLS or mTLS, or
// authorizes callers by bearer token:
//
//   auto credentials = livestream_client::MakeTlsCredentials(
//       {.ca_file = "ca.crt", .cert_file = "client.crt", .key_file = "client.key"});
//   auto token = livestream_client::ReadBearerTokenFile("/run/secrets/gateway-token");
//   if (!credentials.ok() || !token.ok()) ...
//   livestream_client::LiveStreamClient client(
//       livestream_client::MakeChannel("gateway.internal:50051", {.credentials = *credentials}),
//       {.bearer_token = *token});

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"

namespace livestream_client {

// PEM files for a TLS channel.
struct TlsFiles {
  // CA bundle the server's certificate must chain to; empty: gRPC's default
  // roots (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, else its bundled public roots).
  std::string ca_file;
  // Client certificate chain and its key, for mTLS (both or neither).
  std::string cert_file;
  std::string key_file;
};

// Reads the files now, so that a bad path fails here rather than as
// UNAVAILABLE on the first call. Errors are InvalidArgument and name the
// file, never its contents.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeTlsCredentials(const TlsFiles& files);

// The token in `path`, without surrounding whitespace (an editor's final
// newline). InvalidArgument, naming the path but never the contents, when
// the file cannot be read, is empty, or the token is not one line of
// printable ASCII without spaces (what an HTTP header value can carry).
absl::StatusOr<std::string> ReadBearerTokenFile(const std::string& path);

}  // namespace livestream_client

#endif  // LIVESTREAM_CLIENT_CHANNEL_SECURITY_H_
