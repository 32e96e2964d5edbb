#ifndef LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_URL_H_
#define LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace livestream_gateway::redis {

// Where the replicas' shared state lives (--redis_url).
struct RedisEndpoint {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
  int port = 6379;
  int db = 0;
  // ACL user (Redis 6+); empty for the default user.
  std::string username;
  // Secret: never logged, never in an error message. Empty for none.
  std::string password;
};

// host:port/db, for logs and errors: never the credentials.
std::string DescribeEndpoint(const RedisEndpoint& endpoint);

// Parses `redis://[[user]:password@]host[:port][/db]`. The password may be
// percent-encoded. `rediss://` (TLS) is refused: Debian's hiredis 0.14 has
// no TLS (docs/scaling.md). Errors never quote the URL, which may hold a
// password.
absl::StatusOr<RedisEndpoint> ParseRedisUrl(absl::string_view url);

}  // namespace livestream_gateway::redis

#endif  // LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_URL_H_
