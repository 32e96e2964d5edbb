// SharedRequestIds against a real redis-server: two "replicas" (each with a
// connection of its own) claim one request_id.

#include "server/idempotency/shared_request_ids.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "server/zoom/scheduler.h"
#include "tests/redis/redis_server.h"
#include "tests/redis/redis_test_util.h"

namespace livestream_gateway::testing {
namespace {

using idempotency::ClaimEnd;
using idempotency::ClaimResult;
using idempotency::Fingerprint;
using idempotency::Outcome;
using idempotency::RequestKey;
using idempotency::SharedRequestIds;
using idempotency::SharedRequestIdsOptions;
using redis::RedisClient;

const RequestKey kKey{.principal = "spiffe://caller",
                      .method = "/zoom.livestream.v1.LiveStreamService/UpdateStatus",
                      .request_id = "8f14e45f-ceea-467f-a0e6-6e3f0b8a7c11"};

Fingerprint FingerprintOf(uint8_t byte) {
  Fingerprint fingerprint{};
  fingerprint.fill(byte);
  return fingerprint;
}

struct Claimed {
  absl::Notification done;
  ClaimResult result;
  absl::Time at;
};

class SharedRequestIdsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  std::shared_ptr<SharedRequestIds> Replica() {
    redis::RedisClientOptions options;
    options.endpoint.host = "127.0.0.1";
    options.endpoint.port = server_->port();
    options.timeout = absl::Milliseconds(300);
    options.reconnect_max = absl::Milliseconds(100);
    options.log = log_.sink();
    absl::StatusOr<std::unique_ptr<RedisClient>> client = RedisClient::Start(options);
    EXPECT_TRUE(client.ok()) << client.status();
    clients_.push_back(*std::move(client));
    return SharedRequestIds::Create(
        &scheduler_, clients_.back().get(),
        SharedRequestIdsOptions{.ttl = absl::Minutes(1),
                                .redis_timeout = absl::Milliseconds(300),
                                .poll_interval = absl::Milliseconds(20)});
  }

  std::shared_ptr<Cancellable> Claim(SharedRequestIds& ids, const Fingerprint& fingerprint,
                                     absl::Duration timeout, Claimed& claimed) {
    return ids.Claim(kKey, fingerprint, absl::Now() + timeout, [&claimed](ClaimResult result) {
      claimed.result = std::move(result);
      claimed.at = absl::Now();
      claimed.done.Notify();
    });
  }

  ClaimResult ClaimNow(SharedRequestIds& ids, const Fingerprint& fingerprint,
                       absl::Duration timeout = absl::Seconds(5)) {
    Claimed claimed;
    auto handle = Claim(ids, fingerprint, timeout, claimed);
    claimed.done.WaitForNotification();
    return claimed.result;
  }

  std::unique_ptr<RedisServer> server_;
  LogCapture log_;
  ThreadScheduler scheduler_;
  std::vector<std::unique_ptr<RedisClient>> clients_;
};

TEST_F(SharedRequestIdsTest, ARepeatOnAnotherReplicaWaitsForTheFirstsOutcome) {
  std::shared_ptr<SharedRequestIds> a = Replica();
  std::shared_ptr<SharedRequestIds> b = Replica();
  const ClaimResult first = ClaimNow(*a, FingerprintOf(1));
  ASSERT_EQ(first.end, ClaimEnd::kFirst);
  EXPECT_EQ(first.owner.size(), 32u);

  Claimed repeat;
  auto handle = Claim(*b, FingerprintOf(1), absl::Seconds(10), repeat);
  EXPECT_FALSE(repeat.done.WaitForNotificationWithTimeout(absl::Milliseconds(200)));
  Outcome outcome{.status = absl::NotFoundError("Webinar does not exist")};
  outcome.status.SetPayload("type.googleapis.com/google.rpc.ErrorInfo", absl::Cord("info"));
  a->Complete(kKey, FingerprintOf(1), first.owner, outcome);
  repeat.done.WaitForNotification();
  ASSERT_EQ(repeat.result.end, ClaimEnd::kDone);
  EXPECT_EQ(repeat.result.outcome->status, outcome.status);

  // Later repeats, on either replica, get it at once.
  const ClaimResult later = ClaimNow(*a, FingerprintOf(1));
  ASSERT_EQ(later.end, ClaimEnd::kDone);
  EXPECT_EQ(later.outcome->status, outcome.status);
  // Another body under the id is refused.
  EXPECT_EQ(ClaimNow(*b, FingerprintOf(2)).end, ClaimEnd::kMismatch);
}

TEST_F(SharedRequestIdsTest, AnAbandonedFirstLetsTheWaitingRepeatRunIt) {
  std::shared_ptr<SharedRequestIds> a = Replica();
  std::shared_ptr<SharedRequestIds> b = Replica();
  const ClaimResult first = ClaimNow(*a, FingerprintOf(1));
  ASSERT_EQ(first.end, ClaimEnd::kFirst);
  Claimed repeat;
  auto handle = Claim(*b, FingerprintOf(1), absl::Seconds(10), repeat);
  // Another owner's abandon changes nothing.
  a->Abandon(kKey, FingerprintOf(1), std::string(32, '0'));
  EXPECT_FALSE(repeat.done.WaitForNotificationWithTimeout(absl::Milliseconds(150)));
  a->Abandon(kKey, FingerprintOf(1), first.owner);
  repeat.done.WaitForNotification();
  EXPECT_EQ(repeat.result.end, ClaimEnd::kFirst);
  EXPECT_NE(repeat.result.owner, first.owner);
}

TEST_F(SharedRequestIdsTest, AWaitEndsAtItsDeadlineOrWhenCancelled) {
  std::shared_ptr<SharedRequestIds> a = Replica();
  std::shared_ptr<SharedRequestIds> b = Replica();
  ASSERT_EQ(ClaimNow(*a, FingerprintOf(1)).end, ClaimEnd::kFirst);
  const absl::Time start = absl::Now();
  EXPECT_EQ(ClaimNow(*b, FingerprintOf(1), absl::Milliseconds(300)).end, ClaimEnd::kCancelled);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(280));
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));

  Claimed repeat;
  std::shared_ptr<Cancellable> handle = Claim(*b, FingerprintOf(1), absl::Seconds(30), repeat);
  EXPECT_FALSE(repeat.done.WaitForNotificationWithTimeout(absl::Milliseconds(100)));
  handle->Cancel();
  ASSERT_TRUE(repeat.done.WaitForNotificationWithTimeout(absl::Seconds(2)));
  EXPECT_EQ(repeat.result.end, ClaimEnd::kCancelled);
}

TEST_F(SharedRequestIdsTest, AClaimExpiresAfterItsCallCouldHaveEnded) {
  std::shared_ptr<SharedRequestIds> a = Replica();
  Claimed first;
  auto handle = a->Claim(kKey, FingerprintOf(1), absl::InfiniteFuture(), [&](ClaimResult result) {
    first.result = std::move(result);
    first.done.Notify();
  });
  first.done.WaitForNotification();
  ASSERT_EQ(first.result.end, ClaimEnd::kFirst);
  absl::StatusOr<std::string> ttl = server_->Call({"PTTL", a->RedisKey(kKey)});
  ASSERT_TRUE(ttl.ok());
  const int64_t millis = std::stoll(*ttl);
  EXPECT_GT(millis, 0);
  EXPECT_LE(millis, 24 * 3600 * 1000);
  ASSERT_EQ(ClaimNow(*a, FingerprintOf(3), absl::Seconds(1)).end, ClaimEnd::kMismatch);
  // With a deadline: the deadline and the margin.
  a->Abandon(kKey, FingerprintOf(1), first.result.owner);
  ASSERT_TRUE(WaitFor([&] {
    return server_->Call({"EXISTS", a->RedisKey(kKey)}).value_or("") == "0";
  }));
  ASSERT_EQ(ClaimNow(*a, FingerprintOf(1), absl::Seconds(2)).end, ClaimEnd::kFirst);
  const int64_t bounded = std::stoll(server_->Call({"PTTL", a->RedisKey(kKey)}).value_or("0"));
  EXPECT_GT(bounded, 5000);
  EXPECT_LE(bounded, 7000);
}

TEST_F(SharedRequestIdsTest, WithoutRedisAClaimSaysSoAtOnce) {
  std::shared_ptr<SharedRequestIds> a = Replica();
  ASSERT_TRUE(WaitFor([&] { return clients_.back()->connected(); }));
  server_->Stop();
  ASSERT_TRUE(WaitFor([&] { return !clients_.back()->connected(); }));
  const absl::Time start = absl::Now();
  EXPECT_EQ(ClaimNow(*a, FingerprintOf(1)).end, ClaimEnd::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
}

TEST_F(SharedRequestIdsTest, AnUnreadableValueIsNotTrusted) {
  std::shared_ptr<SharedRequestIds> a = Replica();
  ASSERT_TRUE(server_->Call({"SET", a->RedisKey(kKey), "garbage"}).ok());
  EXPECT_EQ(ClaimNow(*a, FingerprintOf(1)).end, ClaimEnd::kUnavailable);
  std::string done_but_broken(1, 'D');
  done_but_broken.append(32, '\x01');
  done_but_broken.append("\x01\x05", 2);
  ASSERT_TRUE(server_->Call({"SET", a->RedisKey(kKey), done_but_broken}).ok());
  EXPECT_EQ(ClaimNow(*a, FingerprintOf(1)).end, ClaimEnd::kUnavailable);
  // The key names no principal in clear.
  EXPECT_EQ(a->RedisKey(kKey).find("spiffe"), std::string::npos);
}

}  // namespace
}  // namespace livestream_gateway::testing
