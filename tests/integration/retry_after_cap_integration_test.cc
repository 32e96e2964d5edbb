// A 429 whose Retry-After asks for a day pauses every call only up to
// --zoom_max_retry_after_pause, and the server says so on stderr: one line
// when the pause starts, one when it ends.

#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/log_lines.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::zoom::livestream::v1::UpdateStatusResponse;

// The msg of the warn lines.
constexpr char kStartLine[] =
    "Zoom answered HTTP 429 with a Retry-After of 24h: no call goes to Zoom for 1s (capped by "
    "--zoom_max_retry_after_pause)";
constexpr char kEndLine[] = "calls to Zoom resume after a pause of 1s (HTTP 429)";

// Zoom's answer when a daily limit is used up: come back tomorrow.
constexpr char kDayLong429[] =
    R"([{"status":429,"headers":{"Retry-After":"86400"},)"
    R"("body":"{\"code\":429,\"message\":\"You have reached the maximum daily rate limit for this API.\"}"}])";

// Warnings whose msg is `message`; -1 when a line of the log does not parse.
int CountLines(const std::string& log, const std::string& message) {
  absl::StatusOr<std::vector<LogRecord>> records = ParseLogLines(log, /*json=*/false);
  if (!records.ok()) return -1;
  int count = 0;
  for (const LogRecord& record : WithMessage(*records, message)) {
    count += record.at("level") == "warn" ? 1 : 0;
  }
  return count;
}

struct Call {
  grpc::Status status;
  absl::Duration latency;
};

Call CallOnce(Server& server, absl::Duration timeout) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  UpdateStatusResponse response;
  const absl::Time start = absl::Now();
  grpc::Status status = server.NewStub()->UpdateStatus(&context, StartRequest(), &response);
  return Call{status, absl::Now() - start};
}

class RetryAfterCapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto emulator = Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = *std::move(emulator);
    auto server = Server::Start(emulator_->base_url(), {"--zoom_max_retry_after_pause=1s"});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    emulator_->Script(kDayLong429);
  }

  // The call that gets the 429: Zoom's own word on when to come back is
  // passed on to it as it is.
  void ExpectTheRateLimitedCall() {
    Call first = CallOnce(*server_, absl::Seconds(5));
    EXPECT_EQ(first.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(ReasonOf(first.status), "ZOOM_RATE_LIMITED");
    auto retry = Detail<google::rpc::RetryInfo>(first.status);
    ASSERT_TRUE(retry.has_value());
    EXPECT_EQ(retry->retry_delay().seconds(), 86400);
  }

  std::unique_ptr<Emulator> emulator_;
  std::unique_ptr<Server> server_;
};

TEST_F(RetryAfterCapTest, ACallDuringADayLongPauseGoesWhenTheCapEnds) {
  ExpectTheRateLimitedCall();
  Call second = CallOnce(*server_, absl::Seconds(10));
  EXPECT_TRUE(second.status.ok()) << second.status.error_message();
  EXPECT_GE(second.latency, absl::Milliseconds(800)) << "the pause was not applied";
  EXPECT_LT(second.latency, absl::Seconds(5));
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), 2);
}

TEST_F(RetryAfterCapTest, ThePauseIsLoggedWhenItStartsAndWhenItEndsWithoutAnyCall) {
  ExpectTheRateLimitedCall();
  Process& process = server_->process();
  EXPECT_TRUE(WaitFor([&] { return CountLines(process.Stderr(), kStartLine) == 1; }))
      << process.Stderr();
  // No call comes: the end is logged anyway.
  EXPECT_TRUE(WaitFor([&] { return CountLines(process.Stderr(), kEndLine) == 1; }))
      << process.Stderr();
  Call after = CallOnce(*server_, absl::Seconds(5));
  EXPECT_TRUE(after.status.ok()) << after.status.error_message();
  EXPECT_LT(after.latency, absl::Seconds(1));
  const std::string log = process.Stderr();
  EXPECT_EQ(CountLines(log, kStartLine), 1) << log;
  EXPECT_EQ(CountLines(log, kEndLine), 1) << log;
}

}  // namespace
}  // namespace livestream_gateway::testing
