#ifndef LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_SCRIPT_H_
#define LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_SCRIPT_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "server/redis/redis_client.h"

namespace livestream_gateway::redis {

// A Lua script that runs atomically in Redis, sent by its SHA-1 (EVALSHA)
// and, when Redis does not know it (NOSCRIPT: a restart, a failover, SCRIPT
// FLUSH), once more whole (EVAL), within the same deadline.
class RedisScript {
 public:
  explicit RedisScript(std::string source);

  const std::string& source() const { return source_; }
  // Lower-case hex, as Redis names scripts.
  const std::string& sha1() const { return sha1_; }

  // `client` must outlive the call. `done` runs as RedisClient::Command's.
  void Run(RedisClient* client, const std::vector<std::string>& keys,
           const std::vector<std::string>& args, absl::Time deadline,
           RedisClient::Callback done) const;

 private:
  const std::string source_;
  const std::string sha1_;
};

}  // namespace livestream_gateway::redis

#endif  // LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_SCRIPT_H_
