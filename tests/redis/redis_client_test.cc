// The Redis client against a real redis-server: pipelining on one
// connection and one thread, deadlines, a Redis that stops answering, a
// restart, AUTH and SELECT.

#include "server/redis/redis_client.h"

#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/redis/redis_server.h"
#include "tests/redis/redis_test_util.h"

namespace livestream_gateway::testing {
namespace {

using redis::RedisClient;
using redis::RedisClientOptions;
using redis::RedisReply;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "redis-test-password-8f1c";

long ThreadsOfThisProcess() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) {
      long threads = 0;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(8)), &threads)) return threads;
    }
  }
  return -1;
}

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartRedis({})); }

  void StartRedis(RedisServerOptions options) {
    absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  std::unique_ptr<RedisClient> Client(absl::Duration timeout = absl::Milliseconds(500), int db = 0,
                                      std::string password = "") {
    RedisClientOptions options;
    options.endpoint.host = "127.0.0.1";
    options.endpoint.port = server_->port();
    options.endpoint.db = db;
    options.endpoint.password = std::move(password);
    options.timeout = timeout;
    options.reconnect_max = absl::Milliseconds(100);
    options.log = log_.sink();
    absl::StatusOr<std::unique_ptr<RedisClient>> client = RedisClient::Start(options);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  std::unique_ptr<RedisServer> server_;
  LogCapture log_;
};

TEST_F(RedisClientTest, PipelinesCommandsOnOneConnectionAndAnswersInOrder) {
  std::unique_ptr<RedisClient> client = Client();
  absl::StatusOr<RedisReply> set = RunCommand(*client, {"SET", "key", std::string("v\0x", 3)});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->type, RedisReply::Type::kStatus);
  EXPECT_EQ(set->text, "OK");
  absl::StatusOr<RedisReply> get = RunCommand(*client, {"GET", "key"});
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->type, RedisReply::Type::kString);
  EXPECT_EQ(get->text, std::string("v\0x", 3));

  auto connections_received = [&] {
    absl::StatusOr<RedisReply> info = RunCommand(*client, {"INFO", "stats"});
    const size_t at =
        info.ok() ? info->text.find("total_connections_received:") : std::string::npos;
    return at == std::string::npos ? std::string("?")
                                   : info->text.substr(at, info->text.find('\r', at) - at);
  };
  const std::string connections_before = connections_received();
  constexpr int kCommands = 200;
  absl::Mutex mu;
  std::vector<int64_t> values;
  absl::Notification all;
  for (int i = 0; i < kCommands; ++i) {
    client->Command({"INCR", "counter"}, absl::Now() + absl::Seconds(10),
                    [&](absl::StatusOr<RedisReply> reply) {
                      absl::MutexLock lock(&mu);
                      values.push_back(reply.ok() ? reply->integer : -1);
                      if (values.size() == kCommands) all.Notify();
                    });
  }
  all.WaitForNotification();
  for (int i = 0; i < kCommands; ++i) EXPECT_EQ(values[i], i + 1);
  // All on the connection the client had: Redis accepted no other.
  EXPECT_EQ(connections_received(), connections_before);
}

TEST_F(RedisClientTest, ErrorRepliesAndNilArePassedOn) {
  std::unique_ptr<RedisClient> client = Client();
  absl::StatusOr<RedisReply> error = RunCommand(*client, {"NOSUCHCOMMAND"});
  ASSERT_TRUE(error.ok()) << error.status();
  EXPECT_TRUE(error->is_error());
  absl::StatusOr<RedisReply> nil = RunCommand(*client, {"GET", "missing"});
  ASSERT_TRUE(nil.ok());
  EXPECT_EQ(nil->type, RedisReply::Type::kNil);
  absl::StatusOr<RedisReply> array = RunCommand(*client, {"EVAL", "return {1, 'two', {3}}", "0"});
  ASSERT_TRUE(array.ok());
  ASSERT_EQ(array->type, RedisReply::Type::kArray);
  ASSERT_EQ(array->elements.size(), 3u);
  EXPECT_EQ(array->elements[1].text, "two");
  EXPECT_EQ(array->elements[2].elements[0].integer, 3);
}

TEST_F(RedisClientTest, AReplyOverTheBoundIsRefusedNotCopied) {
  ASSERT_TRUE(server_->Call({"SET", "big", std::string(100 * 1024, 'x')}).ok());
  std::unique_ptr<RedisClient> client = Client();
  absl::StatusOr<RedisReply> big = RunCommand(*client, {"GET", "big"});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), absl::StatusCode::kResourceExhausted);
  // The connection carries on.
  EXPECT_TRUE(RunCommand(*client, {"PING"}).ok());
}

TEST_F(RedisClientTest, ACommandEndsAtItsDeadline) {
  std::unique_ptr<RedisClient> client = Client(absl::Seconds(5));
  ASSERT_TRUE(RunCommand(*client, {"PING"}).ok());
  // BLPOP holds the reply for 3 s; the caller gives it 100 ms.
  const absl::Time start = absl::Now();
  absl::StatusOr<RedisReply> blocked =
      RunCommand(*client, {"BLPOP", "empty-list", "3"}, absl::Milliseconds(100));
  const absl::Duration took = absl::Now() - start;
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(took, absl::Milliseconds(90));
  EXPECT_LT(took, absl::Seconds(2));
}

TEST_F(RedisClientTest, ARedisThatStopsAnsweringIsDroppedWithinTheTimeoutAndReconnected) {
  std::unique_ptr<RedisClient> client = Client(absl::Milliseconds(200));
  ASSERT_TRUE(RunCommand(*client, {"PING"}).ok());
  server_->Freeze();
  const absl::Time start = absl::Now();
  absl::StatusOr<RedisReply> frozen = RunCommand(*client, {"PING"}, absl::Seconds(10));
  EXPECT_FALSE(frozen.ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(3)) << "waited for the caller's 10 s";
  EXPECT_TRUE(WaitFor([&] { return !client->connected(); }));
  server_->Thaw();
  EXPECT_TRUE(WaitFor([&] { return RunCommand(*client, {"PING"}).ok(); }));
  EXPECT_EQ(log_.Count("dropping the connection to Redis"), 1) << log_.All();
  EXPECT_EQ(log_.Count("reconnected to Redis"), 1) << log_.All();
}

TEST_F(RedisClientTest, FailsAtOnceWithoutAConnectionAndReconnectsAfterARestart) {
  std::unique_ptr<RedisClient> client = Client();
  ASSERT_TRUE(RunCommand(*client, {"SET", "k", "1"}).ok());
  server_->Stop();
  ASSERT_TRUE(WaitFor([&] { return !client->connected(); }));
  const absl::Time start = absl::Now();
  absl::StatusOr<RedisReply> down = RunCommand(*client, {"GET", "k"}, absl::Seconds(10));
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500)) << "waited for a connection";
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(WaitFor([&] { return client->connected(); }));
  absl::StatusOr<RedisReply> back = RunCommand(*client, {"PING"});
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->text, "PONG");
  EXPECT_EQ(log_.Count("lost the connection to Redis"), 1) << log_.All();
  EXPECT_EQ(log_.Count("reconnected to Redis"), 1) << log_.All();
}

TEST_F(RedisClientTest, OneThreadHoweverManyCommandsWait) {
  std::unique_ptr<RedisClient> client = Client(absl::Seconds(5));
  ASSERT_TRUE(RunCommand(*client, {"PING"}).ok());
  // Counted once the client runs (a sanitizer may start a thread of its own
  // with the first one the process makes).
  const long before = ThreadsOfThisProcess();
  server_->Freeze();
  constexpr int kCommands = 300;
  std::atomic<int> answered{0};
  std::atomic<int> ok{0};
  for (int i = 0; i < kCommands; ++i) {
    client->Command({"INCR", "n"}, absl::Now() + absl::Seconds(4),
                    [&](absl::StatusOr<RedisReply> reply) {
                      if (reply.ok() && !reply->is_error()) ok.fetch_add(1);
                      answered.fetch_add(1);
                    });
  }
  EXPECT_EQ(ThreadsOfThisProcess(), before);
  EXPECT_EQ(answered.load(), 0);
  server_->Thaw();
  ASSERT_TRUE(WaitFor([&] { return answered.load() == kCommands; }));
  EXPECT_EQ(ok.load(), kCommands);
}

TEST_F(RedisClientTest, DestroyingTheClientCancelsWhatWaits) {
  std::unique_ptr<RedisClient> client = Client(absl::Seconds(5));
  ASSERT_TRUE(RunCommand(*client, {"PING"}).ok());
  server_->Freeze();
  absl::Notification done;
  absl::Status status;
  client->Command({"PING"}, absl::Now() + absl::Seconds(30), [&](absl::StatusOr<RedisReply> r) {
    status = r.status();
    done.Notify();
  });
  client.reset();
  ASSERT_TRUE(done.HasBeenNotified());
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
  server_->Thaw();
}

TEST_F(RedisClientTest, AuthenticatesSelectsTheDatabaseAndNeverLogsThePassword) {
  ASSERT_NO_FATAL_FAILURE(StartRedis({.password = kPassword}));
  std::unique_ptr<RedisClient> client = Client(absl::Milliseconds(500), 3, kPassword);
  absl::StatusOr<RedisReply> set = RunCommand(*client, {"SET", "in-db-3", "yes"});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_FALSE(set->is_error()) << set->text;
  EXPECT_EQ(*server_->Call({"GET", "in-db-3"}, 3), "yes");
  EXPECT_EQ(*server_->Call({"GET", "in-db-3"}, 0), "(nil)");

  std::unique_ptr<RedisClient> wrong = Client(absl::Milliseconds(500), 0, "not-the-password-77");
  absl::StatusOr<RedisReply> refused = RunCommand(*wrong, {"SET", "k", "v"});
  EXPECT_TRUE(!refused.ok() || refused->is_error());
  EXPECT_EQ(*server_->Call({"GET", "k"}), "(nil)");
  EXPECT_TRUE(WaitFor([&] { return log_.Count("Redis refused AUTH") >= 1; })) << log_.All();
  EXPECT_THAT(log_.All(), Not(HasSubstr(kPassword)));
  EXPECT_THAT(log_.All(), Not(HasSubstr("not-the-password-77")));
}

}  // namespace
}  // namespace livestream_gateway::testing
