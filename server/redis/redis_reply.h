#ifndef LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_REPLY_H_
#define LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_REPLY_H_

#include <cstdint>
#include <string>
#include <vector>

namespace livestream_gateway::redis {

// One reply of Redis, copied out of hiredis (which frees its own as soon as
// the callback returns) and bounded by the client: whatever Redis sends is
// untrusted, so its users still check the shape they expect.
struct RedisReply {
  enum class Type { kNil, kStatus, kError, kInteger, kString, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;               // kInteger
  std::string text;                  // kStatus, kError, kString
  std::vector<RedisReply> elements;  // kArray

  bool is_error() const { return type == Type::kError; }
};

}  // namespace livestream_gateway::redis

#endif  // LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_REPLY_H_
