#ifndef LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_CLIENT_H_
#define LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_CLIENT_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/logging/log_line.h"
#include "server/redis/redis_reply.h"
#include "server/redis/redis_url.h"

struct redisAsyncContext;

namespace livestream_gateway::redis {

struct RedisClientOptions {
  RedisEndpoint endpoint;
  // Bounds connecting, and every command however long its caller would wait
  // (--redis_timeout): a Redis that does not answer within it is treated as
  // gone, and the connection is dropped and made again.
  absl::Duration timeout = absl::Milliseconds(250);
  // Waits between reconnection attempts: doubled after each failure, from
  // the first to the last, with jitter.
  absl::Duration reconnect_min = absl::Milliseconds(50);
  absl::Duration reconnect_max = absl::Seconds(1);
  // Replies larger than this (strings and elements together) are refused
  // rather than copied: the gateway's own are a few dozen bytes.
  size_t max_reply_bytes = 64 * 1024;
  // Receives the lines about the connection (lost, back); null sends them to
  // the process's logger. Never given a credential.
  std::function<void(LogLevel, absl::string_view)> log = nullptr;
};

// An asynchronous Redis client over one connection, driven by one thread of
// its own with its own epoll (Debian's hiredis 0.14 async API, with no event
// library adapter). However many commands are in flight, there is one thread
// and one connection: a command is an entry in hiredis's pipeline.
//
// Every command is bounded by its deadline (and by `timeout`); a connection
// lost fails the commands it carried and is made again with backoff, AUTH
// and SELECT included. While there is no connection, commands fail at once
// with UNAVAILABLE rather than wait for one: callers have a fallback.
//
// Thread-safe.
class RedisClient {
 public:
  // UNAVAILABLE, DEADLINE_EXCEEDED or CANCELLED when Redis gave no reply;
  // else the reply, error replies included (RedisReply::is_error).
  using Callback = absl::AnyInvocable<void(absl::StatusOr<RedisReply>) &&>;

  // Starts the thread and the first connection attempt; fails only when the
  // thread's epoll or eventfd cannot be made.
  static absl::StatusOr<std::unique_ptr<RedisClient>> Start(RedisClientOptions options);

  // Commands still waiting complete with CANCELLED; joins the thread. Must
  // not be called from a callback.
  ~RedisClient();

  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends `args` (the command and its arguments, binary-safe). `done` runs
  // exactly once, on the client's thread, never before Command() returns
  // (unless the client is being destroyed), and must not block: the next
  // reply waits for it.
  void Command(std::vector<std::string> args, absl::Time deadline, Callback done);

  // Whether a connection is up now (for tests and status).
  bool connected() const;

  const RedisClientOptions& options() const { return options_; }

 private:
  struct Pending;
  enum class State { kDisconnected, kConnecting, kConnected };

  explicit RedisClient(RedisClientOptions options);

  // Everything below runs on the client's thread only.
  void Run();
  void Submit(std::unique_ptr<Pending> pending, absl::Time now);
  void Send(Pending* pending);
  void Connect(absl::Time now);
  // Drops the connection (if any) and schedules the next attempt.
  void DropConnection(absl::string_view why, absl::Time now);
  void ScheduleReconnect(absl::Time now);
  void ExpireDeadlines(absl::Time now);
  absl::Time NextWakeup() const;
  void UpdateEpoll();
  void Finish(Pending* pending, absl::StatusOr<RedisReply> result);
  void Log(LogLevel level, absl::string_view line) const;

  // hiredis's hooks and callbacks; `data` is the client.
  static void AddRead(void* data);
  static void DelRead(void* data);
  static void AddWrite(void* data);
  static void DelWrite(void* data);
  static void Cleanup(void* data);
  static void OnConnect(const redisAsyncContext* context, int status);
  static void OnDisconnect(const redisAsyncContext* context, int status);
  static void OnReply(redisAsyncContext* context, void* reply, void* privdata);

  const RedisClientOptions options_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Pending>> inbox_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool exited_ ABSL_GUARDED_BY(mu_) = false;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;

  // The client's thread's own state.
  redisAsyncContext* context_ = nullptr;
  State state_ = State::kDisconnected;
  int watched_fd_ = -1;
  bool want_read_ = false;
  bool want_write_ = false;
  bool registered_ = false;
  uint32_t epoll_events_ = 0;
  // The loop has ended: commands hiredis still holds are cancelled, not lost.
  bool stopped_ = false;
  absl::BitGen bit_gen_;
  absl::Time connect_deadline_ = absl::InfiniteFuture();
  absl::Time reconnect_at_ = absl::InfinitePast();
  absl::Duration backoff_ = absl::ZeroDuration();
  // Said once per outage, not once per attempt.
  bool outage_logged_ = false;
  bool ever_connected_ = false;
  // Set by a callback that wants the connection gone: hiredis must not be
  // freed from inside its own callbacks.
  std::string drop_reason_;
  uint64_t next_id_ = 0;
  // Unfinished commands by deadline.
  std::map<std::pair<absl::Time, uint64_t>, Pending*> deadlines_;
  // Commands hiredis holds, in the order their replies come, with when each
  // was sent: the oldest tells a Redis that stopped answering.
  std::deque<std::pair<Pending*, absl::Time>> sent_;
};

}  // namespace livestream_gateway::redis

#endif  // LIVESTREAM_GATEWAY_SERVER_REDIS_REDIS_CLIENT_H_
