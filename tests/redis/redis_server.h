#ifndef LIVESTREAM_GATEWAY_TESTS_REDIS_REDIS_SERVER_H_
#define LIVESTREAM_GATEWAY_TESTS_REDIS_REDIS_SERVER_H_

// Runs Debian's redis-server (scripts/setup.sh installs it) on a free
// loopback port for a test, with nothing persisted, and stops it.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace livestream_gateway::testing {

struct RedisServerOptions {
  // requirepass; empty for none.
  std::string password;
};

class RedisServer {
 public:
  // Starts redis-server and waits until it answers PING.
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(RedisServerOptions options = {});
  // Stops the server (SIGKILL if it lingers) and removes its directory.
  ~RedisServer();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // redis://127.0.0.1:PORT (and /db).
  std::string url(int db = 0) const;

  // Stops the server (SIGTERM, waited for): as if Redis went away.
  void Stop();
  // Starts it again on the same port, empty; waits for PING.
  absl::Status Restart();
  // SIGSTOP / SIGCONT: a Redis that holds connections open and answers
  // nothing, as an overloaded or partitioned one does.
  void Freeze();
  void Thaw();

  // Runs one command on a connection of its own (blocking; test code
  // only) and returns the reply as text: a string, status, error or
  // integer; "(nil)"; or elements joined by ','.
  absl::StatusOr<std::string> Call(const std::vector<std::string>& args, int db = 0) const;

 private:
  RedisServer() = default;
  absl::Status Launch();
  absl::Status WaitForPing(absl::Duration timeout) const;

  RedisServerOptions options_;
  std::string binary_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace livestream_gateway::testing

#endif  // LIVESTREAM_GATEWAY_TESTS_REDIS_REDIS_SERVER_H_
