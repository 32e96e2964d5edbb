#ifndef LIVESTREAM_GATEWAY_TESTS_REDIS_REDIS_TEST_UTIL_H_
#define LIVESTREAM_GATEWAY_TESTS_REDIS_REDIS_TEST_UTIL_H_

// Helpers of the Redis tests: a synchronous command, captured log lines and
// waiting on a condition.

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "server/logging/log_line.h"
#include "server/redis/redis_client.h"

namespace livestream_gateway::testing {

// Polls `condition` until it holds or `timeout` passes.
inline bool WaitFor(const std::function<bool()>& condition,
                    absl::Duration timeout = absl::Seconds(10)) {
  const absl::Time give_up = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Runs one command and waits for its callback.
inline absl::StatusOr<redis::RedisReply> RunCommand(redis::RedisClient& client,
                                                    std::vector<std::string> args,
                                                    absl::Duration timeout = absl::Seconds(5)) {
  absl::Notification done;
  absl::StatusOr<redis::RedisReply> result;
  client.Command(std::move(args), absl::Now() + timeout,
                 [&](absl::StatusOr<redis::RedisReply> reply) {
                   result = std::move(reply);
                   done.Notify();
                 });
  done.WaitForNotification();
  return result;
}

// Collects what a component logs.
class LogCapture {
 public:
  std::function<void(LogLevel, absl::string_view)> sink() {
    return [this](LogLevel, absl::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    };
  }
  std::vector<std::string> lines() const {
    absl::MutexLock lock(&mu_);
    return lines_;
  }
  int Count(absl::string_view part) const {
    absl::MutexLock lock(&mu_);
    int count = 0;
    for (const std::string& line : lines_) count += absl::StrContains(line, part) ? 1 : 0;
    return count;
  }
  std::string All() const { return absl::StrJoin(lines(), "\n"); }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

}  // namespace livestream_gateway::testing

#endif  // LIVESTREAM_GATEWAY_TESTS_REDIS_REDIS_TEST_UTIL_H_
