// Three livestream_server replicas share one Redis and one emulator
// (docs/scaling.md): the account's rate limit holds for them together, a
// 429 seen by one pauses all, and when Redis goes away each falls back to
// its share and comes back to the shared limit by itself; a request_id
// repeated on another replica reaches Zoom once.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_harness.h"
#include "tests/redis/redis_server.h"

namespace livestream_gateway::testing {
namespace {

using ::zoom::livestream::v1::UpdateStatusResponse;

// Rate limit of the account: 20 requests/s, a burst of 1.
constexpr int kQps = 20;
constexpr int kBurst = 1;

class ScaleOutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Emulator>> emulator = Emulator::Start({"--quiet"});
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
    absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
  }

  void StartReplicas(std::vector<std::string> more = {}) {
    for (int i = 0; i < 3; ++i) {
      const std::string metrics_port_file = dir_.path(absl::StrCat("metrics", i));
      std::vector<std::string> args = {absl::StrCat("--redis_url=", redis_->url()),
                                       absl::StrCat("--zoom_rate_limit_qps=", kQps),
                                       absl::StrCat("--zoom_rate_limit_burst=", kBurst),
                                       "--log_requests=false",
                                       "--metrics_listen=127.0.0.1:0",
                                       "--metrics_port_file=" + metrics_port_file};
      args.insert(args.end(), more.begin(), more.end());
      absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(emulator_->base_url(), args);
      ASSERT_TRUE(server.ok()) << server.status();
      absl::StatusOr<int> metrics_port = (*server)->process().WaitForPortFile(metrics_port_file);
      ASSERT_TRUE(metrics_port.ok()) << metrics_port.status();
      metrics_ports_.push_back(*metrics_port);
      replicas_.push_back(*std::move(server));
    }
  }

  // `n` calls at once, spread round-robin over the replicas; every status.
  std::vector<grpc::Status> CallSpread(int n, absl::Duration timeout = absl::Seconds(20)) {
    struct Pending {
      grpc::ClientContext context;
      UpdateStatusResponse response;
      grpc::Status status;
      std::unique_ptr<grpc::ClientAsyncResponseReader<UpdateStatusResponse>> reader;
    };
    std::vector<std::unique_ptr<zoom::livestream::v1::LiveStreamService::Stub>> stubs;
    for (const auto& replica : replicas_) stubs.push_back(replica->NewStub());
    grpc::CompletionQueue queue;
    std::vector<std::unique_ptr<Pending>> calls;
    const absl::Time deadline = absl::Now() + timeout;
    for (int i = 0; i < n; ++i) {
      calls.push_back(std::make_unique<Pending>());
      Pending& call = *calls.back();
      call.context.set_deadline(absl::ToChronoTime(deadline));
      call.reader =
          stubs[i % stubs.size()]->AsyncUpdateStatus(&call.context, StartRequest(), &queue);
      call.reader->Finish(&call.response, &call.status, &call);
    }
    for (int i = 0; i < n; ++i) {
      void* tag = nullptr;
      bool ok = false;
      EXPECT_TRUE(queue.Next(&tag, &ok));
    }
    queue.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (queue.Next(&tag, &ok)) {
    }
    std::vector<grpc::Status> statuses;
    for (const auto& call : calls) statuses.push_back(call->status);
    return statuses;
  }

  // When each API request reached the emulator, in ms, sorted; from the
  // `skip`-th on.
  std::vector<double> Arrivals(size_t skip = 0) {
    std::vector<double> times;
    for (const auto& request : emulator_->Requests()) {
      times.push_back(request.fields().at("received_ms").number_value());
    }
    std::sort(times.begin(), times.end());
    return std::vector<double>(times.begin() + std::min(skip, times.size()), times.end());
  }

  // The most requests that reached Zoom within any one second.
  static int MostInOneSecond(const std::vector<double>& times) {
    int most = 0;
    for (size_t i = 0; i < times.size(); ++i) {
      const auto end = std::lower_bound(times.begin() + i, times.end(), times[i] + 1000.0);
      most = std::max(most, static_cast<int>(end - (times.begin() + i)));
    }
    return most;
  }

  double Metric(int replica, const std::string& name) {
    HttpResult scrape =
        HttpCall("GET", absl::StrCat("http://127.0.0.1:", metrics_ports_[replica], "/metrics"));
    for (absl::string_view line : absl::StrSplit(scrape.body, '\n')) {
      if (absl::ConsumePrefix(&line, name) && absl::ConsumePrefix(&line, " ")) {
        double value = 0;
        if (absl::SimpleAtod(line, &value)) return value;
      }
    }
    return -1;
  }

  static int Ok(const std::vector<grpc::Status>& statuses) {
    return static_cast<int>(std::count_if(statuses.begin(), statuses.end(),
                                          [](const grpc::Status& s) { return s.ok(); }));
  }

  static std::string FirstError(const std::vector<grpc::Status>& statuses) {
    for (const grpc::Status& status : statuses) {
      if (!status.ok()) return absl::StrCat(status.error_code(), ": ", status.error_message());
    }
    return "";
  }

  TempDir dir_;
  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<RedisServer> redis_;
  std::vector<std::unique_ptr<Server>> replicas_;
  std::vector<int> metrics_ports_;
};

TEST_F(ScaleOutTest, LoadSpreadOverThreeReplicasStaysWithinTheAccountLimitAtZoom) {
  ASSERT_NO_FATAL_FAILURE(StartReplicas());
  const absl::Time start = absl::Now();
  const std::vector<grpc::Status> statuses = CallSpread(60);
  EXPECT_EQ(Ok(statuses), 60) << FirstError(statuses);
  // 60 requests at 20/s after a burst of 1: about 3 s, whichever replica
  // took them. Each replica limiting itself would take 1 s.
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(2800));
  const std::vector<double> arrivals = Arrivals();
  ASSERT_EQ(arrivals.size(), 60u);
  // Slots are 50 ms apart on Redis's clock, so any second holds 20 of them
  // and the burst; one more for a request that left its replica late.
  EXPECT_LE(MostInOneSecond(arrivals), kQps + kBurst + 1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Metric(i, "livestream_gateway_rate_limit_fallback"), 0) << i;
    EXPECT_EQ(Metric(i, "livestream_gateway_rate_limit_fallbacks_total"), 0) << i;
  }
}

TEST_F(ScaleOutTest, A429WithRetryAfterOnOneReplicaPausesAllThree) {
  ASSERT_NO_FATAL_FAILURE(StartReplicas());
  emulator_->Script(R"([{"status":429,"headers":{"Retry-After":"2"},)"
                    R"("body":"{\"code\":429,\"message\":\"Too many requests\"}"}])");
  const std::vector<grpc::Status> statuses = CallSpread(30);
  // Every call gets through in the end (the 429's own retry too).
  EXPECT_EQ(Ok(statuses), 30) << FirstError(statuses);
  const std::vector<double> arrivals = Arrivals();
  ASSERT_EQ(arrivals.size(), 31u);
  // The first request got the 429. Calls already granted a slot may still
  // have been on their way; after that nobody sends until the pause ends.
  const double answered = arrivals[0];
  for (double at : arrivals) {
    EXPECT_FALSE(at > answered + 250 && at < answered + 1900)
        << "a request reached Zoom " << at - answered << " ms into the 2 s pause";
  }
  int loggers = 0;
  for (auto& replica : replicas_) {
    loggers += absl::StrContains(replica->process().Stderr(), "Zoom answered HTTP 429") ? 1 : 0;
  }
  EXPECT_EQ(loggers, 1);
}

TEST_F(ScaleOutTest, RedisStoppedMidRunFallsBackWithNoCallLostAndSharingResumesAfterARestart) {
  ASSERT_NO_FATAL_FAILURE(StartReplicas({"--redis_fallback_share=0.34", "--redis_timeout=100ms"}));
  std::vector<grpc::Status> before = CallSpread(15);
  EXPECT_EQ(Ok(before), 15) << FirstError(before);

  redis_->Stop();
  std::vector<grpc::Status> during = CallSpread(30);
  // Every call is answered: each replica paces its calls at its share.
  EXPECT_EQ(during.size(), 30u);
  EXPECT_EQ(Ok(during), 30) << FirstError(during);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Metric(i, "livestream_gateway_rate_limit_fallback"), 1) << i;
    EXPECT_EQ(Metric(i, "livestream_gateway_rate_limit_fallbacks_total"), 1) << i;
    const std::string log = replicas_[i]->process().Stderr();
    EXPECT_THAT(log, ::testing::HasSubstr("falls back to 6.8 requests/s (burst 1)")) << log;
  }

  ASSERT_TRUE(redis_->Restart().ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(WaitFor([&] { return Metric(i, "livestream_gateway_rate_limit_fallback") == 0; }))
        << i;
    EXPECT_THAT(replicas_[i]->process().Stderr(),
                ::testing::HasSubstr("share the account's rate limit again"));
  }
  const size_t earlier = Arrivals().size();
  std::vector<grpc::Status> after = CallSpread(45);
  EXPECT_EQ(Ok(after), 45) << FirstError(after);
  EXPECT_LE(MostInOneSecond(Arrivals(earlier)), kQps + kBurst + 1);
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), 15 + 30 + 45);
}

TEST_F(ScaleOutTest, ARequestIdRepeatedOnOtherReplicasReachesZoomOnce) {
  ASSERT_NO_FATAL_FAILURE(StartReplicas());
  // The first stays in flight while its repeats reach the other replicas.
  emulator_->SetDelay(absl::Milliseconds(700));
  zoom::livestream::v1::UpdateStatusRequest request = StartRequest();
  request.set_request_id("6f9619ff-8b86-4d01-b42d-00cf4fc964ff");
  auto call = [&](int replica, const zoom::livestream::v1::UpdateStatusRequest& body) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    UpdateStatusResponse response;
    return replicas_[replica]->NewStub()->UpdateStatus(&context, body, &response);
  };
  std::vector<grpc::Status> statuses(3);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { statuses[0] = call(0, request); });
  // The repeats come once the first has claimed the id.
  ASSERT_TRUE(WaitFor([&] { return StatsField(*emulator_, "api_requests") == 1; }));
  threads.emplace_back([&] { statuses[1] = call(1, request); });
  threads.emplace_back([&] { statuses[2] = call(2, request); });
  for (std::thread& thread : threads) thread.join();
  for (const grpc::Status& status : statuses) EXPECT_TRUE(status.ok()) << status.error_message();
  // A later repeat, on any replica, is answered from Redis.
  EXPECT_TRUE(call(1, request).ok());
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), 1);
  // Another body under the same id is refused, whichever replica takes it.
  zoom::livestream::v1::UpdateStatusRequest other = request;
  other.set_action(zoom::livestream::v1::LIVE_STREAM_ACTION_STOP);
  EXPECT_EQ(call(2, other).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), 1);
}

}  // namespace
}  // namespace livestream_gateway::testing
