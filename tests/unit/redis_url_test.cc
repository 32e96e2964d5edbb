#include "server/redis/redis_url.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway::redis {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Good {
  std::string url;
  std::string host;
  int port;
  int db;
  std::string username;
  std::string password;
};

TEST(RedisUrlTest, ParsesWhatItShould) {
  const std::vector<Good> cases = {
      {"redis://localhost", "localhost", 6379, 0, "", ""},
      {"redis://127.0.0.1:6380", "127.0.0.1", 6380, 0, "", ""},
      {"redis://redis.prod.svc.cluster.local:6379/2", "redis.prod.svc.cluster.local", 6379, 2, "",
       ""},
      {"REDIS://Host_1/", "Host_1", 6379, 0, "", ""},
      {"redis://[::1]:7000/15", "::1", 7000, 15, "", ""},
      {"redis://[::1]", "::1", 6379, 0, "", ""},
      {"redis://:s3cret@host:1/0", "host", 1, 0, "", "s3cret"},
      {"redis://gateway:s3cret@host:65535", "host", 65535, 0, "gateway", "s3cret"},
      {"redis://:p%40ss%3Aw%2Fd@host", "host", 6379, 0, "", "p@ss:w/d"},
      {"redis://:a@b@host", "host", 6379, 0, "", "a@b"},
  };
  for (const Good& c : cases) {
    absl::StatusOr<RedisEndpoint> endpoint = ParseRedisUrl(c.url);
    ASSERT_TRUE(endpoint.ok()) << c.url << ": " << endpoint.status();
    EXPECT_EQ(endpoint->host, c.host) << c.url;
    EXPECT_EQ(endpoint->port, c.port) << c.url;
    EXPECT_EQ(endpoint->db, c.db) << c.url;
    EXPECT_EQ(endpoint->username, c.username) << c.url;
    EXPECT_EQ(endpoint->password, c.password) << c.url;
  }
}

struct Bad {
  std::string url;
  std::string error;  // a part of the message
};

TEST(RedisUrlTest, RefusesWhatItShouldWithoutQuotingTheUrl) {
  const std::vector<Bad> cases = {
      {"", "scheme"},
      {"http://host", "scheme"},
      {"redis:/host", "scheme"},
      {"rediss://:topsecret@host", "TLS"},
      {"redis://", "empty host"},
      {"redis://:topsecret@", "empty host"},
      {"redis://host:", "empty port"},
      {"redis://host:0", "port"},
      {"redis://host:65536", "port"},
      {"redis://host:+80", "port"},
      {"redis://host:80x", "port"},
      {"redis://host/x", "database"},
      {"redis://host/-1", "database"},
      {"redis://host/1/2", "database"},
      {"redis://host/99999999", "database"},
      {"redis://host?db=1", "query"},
      {"redis://host#x", "query"},
      {"redis://ho st", "space"},
      {"redis://host\n", "control"},
      {"redis://ho%73t", "host"},
      {"redis://topsecret@host", "user:password"},
      {"redis://user:@host", "empty password"},
      {"redis://:top%4secret@host", "percent"},
      {"redis://:topsecret%4@host", "percent"},
      {"redis://[::1", "unclosed"},
      {"redis://[::1]x", "after the IPv6"},
      {"redis://[]:1", "empty host"},
      {"redis://[::g]", "IPv6"},
  };
  for (const Bad& c : cases) {
    absl::StatusOr<RedisEndpoint> endpoint = ParseRedisUrl(c.url);
    ASSERT_FALSE(endpoint.ok()) << c.url;
    EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kInvalidArgument) << c.url;
    EXPECT_THAT(endpoint.status().message(), HasSubstr(c.error)) << c.url;
    EXPECT_THAT(endpoint.status().message(), HasSubstr("--redis_url")) << c.url;
    EXPECT_THAT(endpoint.status().message(), Not(HasSubstr("topsecret"))) << c.url;
  }
}

TEST(RedisUrlTest, DescribesTheEndpointWithoutCredentials) {
  absl::StatusOr<RedisEndpoint> endpoint = ParseRedisUrl("redis://u:topsecret@cache:6380/3");
  ASSERT_TRUE(endpoint.ok());
  EXPECT_EQ(DescribeEndpoint(*endpoint), "cache:6380/3");
  absl::StatusOr<RedisEndpoint> v6 = ParseRedisUrl("redis://[::1]");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(DescribeEndpoint(*v6), "[::1]:6379/0");
}

}  // namespace
}  // namespace livestream_gateway::redis
