// The Redis keys of shared request_ids (no Redis needed: the key is a pure
// function of the request's key); the claims themselves run against a real
// Redis in tests/redis/shared_request_ids_test.cc.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/idempotency/shared_request_ids.h"

namespace livestream_gateway::idempotency {
namespace {

TEST(SharedRequestIdsKeyTest, EachCallerMethodAndIdHasAKeyOfItsOwnThatNamesNoPrincipal) {
  std::shared_ptr<SharedRequestIds> ids =
      SharedRequestIds::Create(/*scheduler=*/nullptr, /*redis=*/nullptr, {});
  const std::vector<RequestKey> keys = {
      {.principal = "", .method = "/m/A", .request_id = "id"},
      {.principal = "alice", .method = "/m/A", .request_id = "id"},
      {.principal = "bob", .method = "/m/A", .request_id = "id"},
      {.principal = "alice", .method = "/m/B", .request_id = "id"},
      {.principal = "alice", .method = "/m/A", .request_id = "other"},
      // Length prefixes keep these apart.
      {.principal = "a:b", .method = "c", .request_id = "x"},
      {.principal = "a", .method = "b:c", .request_id = "x"},
  };
  std::set<std::string> seen;
  for (const RequestKey& key : keys) {
    const std::string redis_key = ids->RedisKey(key);
    EXPECT_EQ(redis_key.rfind("livestream_gateway:request_id:", 0), 0u) << redis_key;
    EXPECT_EQ(redis_key.size(), std::string("livestream_gateway:request_id:").size() + 64);
    // (Names of a few letters could be hex digits by chance.)
    if (key.principal.size() >= 3 && key.principal.find(':') == std::string::npos) {
      EXPECT_EQ(redis_key.find(key.principal), std::string::npos) << redis_key;
    }
    EXPECT_EQ(ids->RedisKey(key), redis_key) << "not stable";
    seen.insert(redis_key);
  }
  EXPECT_EQ(seen.size(), keys.size());
}

}  // namespace
}  // namespace livestream_gateway::idempotency
