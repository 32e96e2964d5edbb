// Process behaviour: graceful shutdown, many calls in flight, request logs.

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/log_lines.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

// Issues `count` calls at once on one channel and collects their statuses.
class ConcurrentCalls {
 public:
  ConcurrentCalls(zoom::livestream::v1::LiveStreamService::Stub* stub, int count,
                  absl::Duration timeout)
      : calls_(count), remaining_(count) {
    for (Call& call : calls_) {
      call.request = StartRequest();
      call.context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
      stub->async()->UpdateStatus(&call.context, &call.request, &call.response,
                                  [this, &call](grpc::Status status) {
                                    std::lock_guard<std::mutex> lock(mu_);
                                    call.status = std::move(status);
                                    if (--remaining_ == 0) done_.notify_all();
                                  });
    }
  }
  bool WaitAll(absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return done_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                          [this] { return remaining_ == 0; });
  }
  int CountOk() {
    std::lock_guard<std::mutex> lock(mu_);
    int ok = 0;
    for (const Call& call : calls_) ok += call.status.ok() ? 1 : 0;
    return ok;
  }
  std::string FirstError() {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Call& call : calls_) {
      if (!call.status.ok()) return call.status.error_message();
    }
    return "";
  }

 private:
  struct Call {
    grpc::ClientContext context;
    UpdateStatusRequest request;
    UpdateStatusResponse response;
    grpc::Status status;
  };
  std::vector<Call> calls_;
  std::mutex mu_;
  std::condition_variable done_;
  int remaining_;
};

TEST(LifecycleTest, SigtermDrainsInFlightCallsRefusesNewOnesAndExitsZero) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(), {"--shutdown_grace=20s"});
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->SetDelay(absl::Seconds(2));
  auto stub = (*server)->NewStub();

  ConcurrentCalls in_flight(stub.get(), 5, absl::Seconds(30));
  ASSERT_TRUE(WaitFor(
      [&] { return (*emulator)->Stats().fields().at("api_requests").number_value() == 5; }));
  (*server)->process().Signal(SIGTERM);

  // A fresh channel cannot get a new call through once shutdown has begun.
  ASSERT_TRUE(WaitFor([&] {
    auto fresh = (*server)->NewStub();
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Milliseconds(500)));
    UpdateStatusResponse response;
    grpc::Status status = fresh->UpdateStatus(&context, StartRequest(), &response);
    return status.error_code() == grpc::StatusCode::UNAVAILABLE;
  }));

  ASSERT_TRUE(in_flight.WaitAll(absl::Seconds(20)));
  EXPECT_EQ(in_flight.CountOk(), 5) << in_flight.FirstError();
  EXPECT_EQ((*server)->process().Wait(absl::Seconds(20)), 0) << (*server)->process().Stderr();
}

TEST(LifecycleTest, ThousandCallsInFlightNeedNoThreadPerCall) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start(
      (*emulator)->base_url(),
      {"--zoom_max_connections=2000", "--log_requests=false", "--zoom_rate_limit_qps=0"});
  ASSERT_TRUE(server.ok()) << server.status();
  (*emulator)->SetDelay(absl::Seconds(1));
  auto stub = (*server)->NewStub();
  Process& process = (*server)->process();

  // Warm-up at low concurrency sets the baseline thread count.
  long threads_at_10 = 0;
  {
    ConcurrentCalls few(stub.get(), 10, absl::Seconds(30));
    ASSERT_TRUE(few.WaitAll(absl::Seconds(30)));
    ASSERT_EQ(few.CountOk(), 10) << few.FirstError();
  }
  {
    ConcurrentCalls few(stub.get(), 10, absl::Seconds(30));
    ASSERT_TRUE(WaitFor([&] {
      threads_at_10 = std::max(threads_at_10, process.StatusField("Threads"));
      return few.WaitAll(absl::Milliseconds(1));
    }));
  }

  std::atomic<long> threads_at_1000{0};
  std::atomic<bool> sampling{true};
  std::thread sampler([&] {
    while (sampling) {
      threads_at_1000 = std::max(threads_at_1000.load(), process.StatusField("Threads"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const absl::Time started = absl::Now();
  ConcurrentCalls many(stub.get(), 1000, absl::Seconds(30));
  const bool all_done = many.WaitAll(absl::Seconds(30));
  const absl::Duration elapsed = absl::Now() - started;
  sampling = false;
  sampler.join();

  ASSERT_TRUE(all_done);
  EXPECT_EQ(many.CountOk(), 1000) << many.FirstError();
  // All 1,000 wait on Zoom at the same time: about one upstream delay, not
  // 1,000 of them or one per connection-pool slot. The margin absorbs
  // sanitizer builds and a busy 2-core machine.
  EXPECT_LT(elapsed, absl::Seconds(4)) << absl::FormatDuration(elapsed);
  EXPECT_LE(threads_at_1000.load(), threads_at_10 + 2)
      << "threads grew with the number of calls: " << threads_at_10 << " -> "
      << threads_at_1000.load();
}

TEST(LifecycleTest, LogsOneLinePerRpcWithoutTheToken) {
  constexpr char kSecretToken[] = "s3cr3t-token-9f7Q2";
  auto emulator = Emulator::Start({absl::StrCat("--access_token=", kSecretToken)});
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(), {},
                              {absl::StrCat("ZOOM_ACCESS_TOKEN=", kSecretToken)});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = (*server)->NewStub();

  UpdateStatusResponse response;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub->UpdateStatus(&context, StartRequest(), &response).ok());
  }
  UpdateStatusRequest missing = StartRequest();
  missing.set_webinar_id("12345");
  {
    grpc::ClientContext context;
    ASSERT_EQ(stub->UpdateStatus(&context, missing, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  UpdateStatusRequest invalid = StartRequest();
  invalid.set_webinar_id("x");
  {
    grpc::ClientContext context;
    ASSERT_EQ(stub->UpdateStatus(&context, invalid, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }

  std::vector<LogRecord> rpcs;
  ASSERT_TRUE(WaitFor([&] {
    absl::StatusOr<std::vector<LogRecord>> records =
        ParseLogLines((*server)->process().Stderr(), /*json=*/false);
    if (!records.ok()) return false;
    rpcs = WithMessage(*records, "rpc");
    return rpcs.size() >= 3;
  })) << (*server)->process().Stderr();
  ASSERT_EQ(rpcs.size(), 3u);
  for (const LogRecord& rpc : rpcs) {
    EXPECT_EQ(rpc.at("method"), "/zoom.livestream.v1.LiveStreamService/UpdateStatus");
    EXPECT_EQ(rpc.at("level"), "info");
    EXPECT_TRUE(rpc.contains("latency_ms"));
  }
  EXPECT_EQ(rpcs[0].at("target"), "webinar/99289110036");
  EXPECT_EQ(rpcs[0].at("outcome"), "OK");
  EXPECT_FALSE(rpcs[0].contains("reason"));
  EXPECT_THAT(rpcs[0].at("tracking_id"), StartsWith("v=2.0;"));
  EXPECT_EQ(rpcs[1].at("outcome"), "NOT_FOUND");
  EXPECT_EQ(rpcs[1].at("reason"), "ZOOM_WEBINAR_NOT_FOUND");
  EXPECT_EQ(rpcs[2].at("outcome"), "INVALID_ARGUMENT");
  EXPECT_EQ(rpcs[2].at("reason"), "INVALID_REQUEST");
  EXPECT_EQ((*server)->process().Stderr().find(kSecretToken), std::string::npos);
}

}  // namespace
}  // namespace livestream_gateway::testing
