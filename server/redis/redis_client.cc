#include "server/redis/redis_client.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "server/logging/logger.h"

namespace livestream_gateway::redis {
namespace {

// epoll_event.data of the two descriptors the thread watches.
constexpr uint64_t kWakeTag = 0;
constexpr uint64_t kRedisTag = 1;
// Replies nest no deeper than this (the gateway's are flat arrays).
constexpr int kMaxReplyDepth = 4;
// What an array element costs against max_reply_bytes, beside its text.
constexpr size_t kElementBytes = 16;

absl::StatusOr<RedisReply> CopyReply(const redisReply& reply, int depth, size_t& budget) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_NIL:
      out.type = RedisReply::Type::kNil;
      return out;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = reply.integer;
      return out;
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
    case REDIS_REPLY_STRING:
      out.type = reply.type == REDIS_REPLY_STATUS  ? RedisReply::Type::kStatus
                 : reply.type == REDIS_REPLY_ERROR ? RedisReply::Type::kError
                                                   : RedisReply::Type::kString;
      if (reply.len > budget) return absl::ResourceExhaustedError("Redis sent a reply too large");
      budget -= reply.len;
      out.text.assign(reply.str, reply.len);
      return out;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      if (depth >= kMaxReplyDepth) {
        return absl::ResourceExhaustedError("Redis sent a reply nested too deep");
      }
      if (reply.elements > budget / kElementBytes) {
        return absl::ResourceExhaustedError("Redis sent a reply too large");
      }
      budget -= reply.elements * kElementBytes;
      out.elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) {
        absl::StatusOr<RedisReply> element = CopyReply(*reply.element[i], depth + 1, budget);
        if (!element.ok()) return element.status();
        out.elements.push_back(*std::move(element));
      }
      return out;
    default:
      return absl::InternalError(absl::StrCat("Redis sent a reply of unknown type ", reply.type));
  }
}

}  // namespace

struct RedisClient::Pending {
  std::vector<std::string> args;
  absl::Time deadline;
  Callback done;
  bool finished = false;
  // AUTH and SELECT of a new connection: no caller waits, and no deadline
  // but the connection's.
  bool internal = false;
  bool has_deadline_entry = false;
  std::pair<absl::Time, uint64_t> deadline_key;
};

absl::StatusOr<std::unique_ptr<RedisClient>> RedisClient::Start(RedisClientOptions options) {
  std::unique_ptr<RedisClient> client(new RedisClient(std::move(options)));
  client->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (client->epoll_fd_ < 0) {
    return absl::InternalError(absl::StrCat("epoll_create1: ", std::strerror(errno)));
  }
  client->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (client->wake_fd_ < 0) {
    return absl::InternalError(absl::StrCat("eventfd: ", std::strerror(errno)));
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeTag;
  if (epoll_ctl(client->epoll_fd_, EPOLL_CTL_ADD, client->wake_fd_, &event) != 0) {
    return absl::InternalError(absl::StrCat("epoll_ctl: ", std::strerror(errno)));
  }
  RedisClient* raw = client.get();
  client->thread_ = std::thread([raw] { raw->Run(); });
  return client;
}

RedisClient::RedisClient(RedisClientOptions options) : options_(std::move(options)) {}

RedisClient::~RedisClient() {
  if (thread_.joinable()) {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    const uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
    thread_.join();
  }
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

void RedisClient::Command(std::vector<std::string> args, absl::Time deadline, Callback done) {
  auto pending = std::make_unique<Pending>();
  pending->args = std::move(args);
  pending->deadline = deadline;
  pending->done = std::move(done);
  {
    absl::MutexLock lock(&mu_);
    if (!exited_ && !stopping_) {
      inbox_.push_back(std::move(pending));
      const uint64_t one = 1;
      // Under the lock: the destructor closes the descriptor only after the
      // thread has exited, which it marks under this lock.
      (void)!write(wake_fd_, &one, sizeof(one));
      return;
    }
  }
  std::move(pending->done)(absl::CancelledError("the Redis client is shutting down"));
}

bool RedisClient::connected() const {
  absl::MutexLock lock(&mu_);
  return connected_;
}

void RedisClient::Run() {
  Connect(absl::Now());
  epoll_event events[8];
  while (true) {
    const absl::Time wakeup = NextWakeup();
    int timeout_ms = -1;
    if (wakeup != absl::InfiniteFuture()) {
      const absl::Duration wait = wakeup - absl::Now();
      timeout_ms = static_cast<int>(std::clamp<int64_t>(
          absl::ToInt64Milliseconds(absl::Ceil(wait, absl::Milliseconds(1))), 0, 60'000));
    }
    const int ready = epoll_wait(epoll_fd_, events, 8, timeout_ms);
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.u64 == kWakeTag) {
        uint64_t count = 0;
        (void)!read(wake_fd_, &count, sizeof(count));
        continue;
      }
      if (context_ == nullptr) continue;
      const uint32_t happened = events[i].events;
      const bool failed = (happened & (EPOLLERR | EPOLLHUP)) != 0;
      // An error or hang-up is reported whatever was asked for: hiredis
      // learns of it by reading (or, while connecting, by its write check).
      if ((happened & EPOLLIN) != 0 || (failed && state_ == State::kConnected)) {
        redisAsyncHandleRead(context_);
      }
      if (context_ != nullptr &&
          ((happened & EPOLLOUT) != 0 || (failed && state_ == State::kConnecting))) {
        redisAsyncHandleWrite(context_);
      }
    }
    absl::Time now = absl::Now();
    if (!drop_reason_.empty()) DropConnection(std::exchange(drop_reason_, ""), now);
    std::vector<std::unique_ptr<Pending>> incoming;
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      incoming.swap(inbox_);
      stopping = stopping_;
    }
    if (stopping) {
      for (std::unique_ptr<Pending>& pending : incoming) {
        std::move(pending->done)(absl::CancelledError("the Redis client is shutting down"));
      }
      break;
    }
    for (std::unique_ptr<Pending>& pending : incoming) Submit(std::move(pending), now);
    ExpireDeadlines(now);
    if (state_ == State::kConnecting && now >= connect_deadline_) {
      DropConnection("no connection within --redis_timeout", now);
    } else if (state_ == State::kConnected && !sent_.empty() &&
               now - sent_.front().second >= options_.timeout) {
      DropConnection("Redis did not answer within --redis_timeout", now);
    }
    if (state_ == State::kDisconnected && now >= reconnect_at_) Connect(now);
  }
  stopped_ = true;
  if (context_ != nullptr) {
    redisAsyncContext* context = std::exchange(context_, nullptr);
    state_ = State::kDisconnected;
    // Runs every command's callback (with CANCELLED, see OnReply).
    redisAsyncFree(context);
  }
  std::vector<std::unique_ptr<Pending>> left;
  {
    absl::MutexLock lock(&mu_);
    exited_ = true;
    connected_ = false;
    left.swap(inbox_);
  }
  for (std::unique_ptr<Pending>& pending : left) {
    std::move(pending->done)(absl::CancelledError("the Redis client is shutting down"));
  }
}

void RedisClient::Submit(std::unique_ptr<Pending> pending, absl::Time now) {
  if (pending->deadline <= now) {
    std::move(pending->done)(
        absl::DeadlineExceededError("the deadline passed before the command was sent to Redis"));
    return;
  }
  if (state_ == State::kDisconnected) {
    std::move(pending->done)(absl::UnavailableError(
        absl::StrCat("no connection to Redis at ", DescribeEndpoint(options_.endpoint))));
    return;
  }
  Pending* raw = pending.release();
  raw->deadline_key = {std::min(raw->deadline, now + options_.timeout), next_id_++};
  raw->has_deadline_entry = true;
  deadlines_.emplace(raw->deadline_key, raw);
  Send(raw);
}

void RedisClient::Send(Pending* pending) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(pending->args.size());
  lengths.reserve(pending->args.size());
  for (const std::string& arg : pending->args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  if (redisAsyncCommandArgv(context_, &RedisClient::OnReply, pending, static_cast<int>(argv.size()),
                            argv.data(), lengths.data()) != REDIS_OK) {
    std::unique_ptr<Pending> owned(pending);
    if (owned->has_deadline_entry) deadlines_.erase(owned->deadline_key);
    if (!owned->finished && owned->done != nullptr) {
      Finish(owned.get(), absl::UnavailableError("the connection to Redis is closing"));
    }
    return;
  }
  sent_.emplace_back(pending, absl::Now());
}

void RedisClient::Connect(absl::Time now) {
  redisAsyncContext* context =
      redisAsyncConnect(options_.endpoint.host.c_str(), options_.endpoint.port);
  if (context == nullptr || context->err != 0) {
    const std::string error = context == nullptr ? "out of memory" : context->errstr;
    if (context != nullptr) redisAsyncFree(context);
    if (!outage_logged_) {
      outage_logged_ = true;
      Log(LogLevel::kWarning, absl::StrCat("cannot connect to Redis at ",
                                           DescribeEndpoint(options_.endpoint), ": ", error));
    }
    ScheduleReconnect(now);
    return;
  }
  context->data = this;
  context->ev.data = this;
  context->ev.addRead = &RedisClient::AddRead;
  context->ev.delRead = &RedisClient::DelRead;
  context->ev.addWrite = &RedisClient::AddWrite;
  context->ev.delWrite = &RedisClient::DelWrite;
  context->ev.cleanup = &RedisClient::Cleanup;
  context_ = context;
  watched_fd_ = context->c.fd;
  want_read_ = false;
  want_write_ = false;
  epoll_events_ = 0;
  registered_ = false;
  state_ = State::kConnecting;
  connect_deadline_ = now + options_.timeout;
  // Watches for writability, which tells that connect(2) finished.
  redisAsyncSetConnectCallback(context, &RedisClient::OnConnect);
  redisAsyncSetDisconnectCallback(context, &RedisClient::OnDisconnect);
  // Pipelined ahead of every command of this connection.
  const RedisEndpoint& endpoint = options_.endpoint;
  auto internal = [this](std::vector<std::string> args, std::string what) {
    auto pending = std::make_unique<Pending>();
    pending->args = std::move(args);
    pending->deadline = connect_deadline_;
    pending->internal = true;
    pending->done = [this, what = std::move(what)](absl::StatusOr<RedisReply> reply) {
      // The reply's text never holds the password (e.g. "WRONGPASS invalid
      // username-password pair").
      if (reply.ok() && reply->is_error() && drop_reason_.empty()) {
        drop_reason_ = absl::StrCat("Redis refused ", what, ": ", reply->text.substr(0, 200));
      }
    };
    Send(pending.release());
  };
  if (!endpoint.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!endpoint.username.empty()) auth.push_back(endpoint.username);
    auth.push_back(endpoint.password);
    internal(std::move(auth), "AUTH");
  }
  if (endpoint.db != 0) internal({"SELECT", absl::StrCat(endpoint.db)}, "SELECT");
}

void RedisClient::DropConnection(absl::string_view why, absl::Time now) {
  if (context_ == nullptr) return;
  redisAsyncContext* context = std::exchange(context_, nullptr);
  state_ = State::kDisconnected;
  {
    absl::MutexLock lock(&mu_);
    connected_ = false;
  }
  if (!outage_logged_) {
    outage_logged_ = true;
    Log(LogLevel::kWarning, absl::StrCat("dropping the connection to Redis at ",
                                         DescribeEndpoint(options_.endpoint), ": ", why));
  }
  // Fails the commands it carried (OnReply with no reply); OnDisconnect then
  // finds context_ changed and does nothing.
  redisAsyncFree(context);
  ScheduleReconnect(now);
}

void RedisClient::ScheduleReconnect(absl::Time now) {
  backoff_ = backoff_ == absl::ZeroDuration() ? options_.reconnect_min
                                              : std::min(backoff_ * 2, options_.reconnect_max);
  // Replicas that lost Redis together do not all come back at once.
  const double jitter = absl::Uniform(bit_gen_, 0.5, 1.0);
  reconnect_at_ = now + backoff_ * jitter;
}

void RedisClient::ExpireDeadlines(absl::Time now) {
  while (!deadlines_.empty() && deadlines_.begin()->first.first <= now) {
    Pending* pending = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    pending->has_deadline_entry = false;
    // hiredis still holds it: OnReply frees it when the reply comes.
    Finish(pending, absl::DeadlineExceededError(pending->deadline_key.first < pending->deadline
                                                    ? "Redis did not answer within --redis_timeout"
                                                    : "Redis did not answer before the deadline"));
  }
}

absl::Time RedisClient::NextWakeup() const {
  absl::Time next = absl::InfiniteFuture();
  if (!deadlines_.empty()) next = deadlines_.begin()->first.first;
  if (state_ == State::kConnecting) next = std::min(next, connect_deadline_);
  if (state_ == State::kConnected && !sent_.empty()) {
    next = std::min(next, sent_.front().second + options_.timeout);
  }
  if (state_ == State::kDisconnected) next = std::min(next, reconnect_at_);
  return next;
}

void RedisClient::UpdateEpoll() {
  if (watched_fd_ < 0) return;
  const uint32_t wanted = (want_read_ ? EPOLLIN : 0u) | (want_write_ ? EPOLLOUT : 0u);
  if (registered_ && wanted == epoll_events_) return;
  epoll_event event{};
  event.events = wanted;
  event.data.u64 = kRedisTag;
  if (epoll_ctl(epoll_fd_, registered_ ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, watched_fd_, &event) == 0) {
    registered_ = true;
    epoll_events_ = wanted;
  } else if (drop_reason_.empty()) {
    drop_reason_ = absl::StrCat("epoll_ctl: ", std::strerror(errno));
  }
}

void RedisClient::Finish(Pending* pending, absl::StatusOr<RedisReply> result) {
  pending->finished = true;
  Callback done = std::exchange(pending->done, nullptr);
  if (done != nullptr) std::move(done)(std::move(result));
}

void RedisClient::Log(LogLevel level, absl::string_view line) const {
  if (options_.log) {
    options_.log(level, line);
  } else {
    livestream_gateway::Log(level, line);
  }
}

void RedisClient::AddRead(void* data) {
  auto* self = static_cast<RedisClient*>(data);
  self->want_read_ = true;
  self->UpdateEpoll();
}

void RedisClient::DelRead(void* data) {
  auto* self = static_cast<RedisClient*>(data);
  self->want_read_ = false;
  self->UpdateEpoll();
}

void RedisClient::AddWrite(void* data) {
  auto* self = static_cast<RedisClient*>(data);
  self->want_write_ = true;
  self->UpdateEpoll();
}

void RedisClient::DelWrite(void* data) {
  auto* self = static_cast<RedisClient*>(data);
  self->want_write_ = false;
  self->UpdateEpoll();
}

void RedisClient::Cleanup(void* data) {
  auto* self = static_cast<RedisClient*>(data);
  // Before hiredis closes the descriptor: a number reused by the next
  // connection must not stay registered.
  if (self->registered_) epoll_ctl(self->epoll_fd_, EPOLL_CTL_DEL, self->watched_fd_, nullptr);
  self->registered_ = false;
  self->watched_fd_ = -1;
  self->want_read_ = false;
  self->want_write_ = false;
  self->epoll_events_ = 0;
}

void RedisClient::OnConnect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisClient*>(context->data);
  if (context != self->context_) return;
  const absl::Time now = absl::Now();
  if (status != REDIS_OK) {
    // hiredis frees the context right after this returns, failing the
    // commands queued on it.
    self->context_ = nullptr;
    self->state_ = State::kDisconnected;
    if (!self->outage_logged_) {
      self->outage_logged_ = true;
      self->Log(LogLevel::kWarning,
                absl::StrCat("cannot connect to Redis at ",
                             DescribeEndpoint(self->options_.endpoint), ": ", context->errstr));
    }
    self->ScheduleReconnect(now);
    return;
  }
  self->state_ = State::kConnected;
  self->backoff_ = absl::ZeroDuration();
  {
    absl::MutexLock lock(&self->mu_);
    self->connected_ = true;
  }
  if (self->outage_logged_ || !self->ever_connected_) {
    self->Log(LogLevel::kInfo,
              absl::StrCat(self->ever_connected_ ? "reconnected" : "connected", " to Redis at ",
                           DescribeEndpoint(self->options_.endpoint)));
  }
  self->outage_logged_ = false;
  self->ever_connected_ = true;
}

void RedisClient::OnDisconnect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisClient*>(context->data);
  // A connection this client dropped itself (DropConnection) is no news.
  if (context != self->context_) return;
  self->context_ = nullptr;
  self->state_ = State::kDisconnected;
  {
    absl::MutexLock lock(&self->mu_);
    self->connected_ = false;
  }
  if (!self->outage_logged_) {
    self->outage_logged_ = true;
    self->Log(LogLevel::kWarning, absl::StrCat("lost the connection to Redis at ",
                                               DescribeEndpoint(self->options_.endpoint), ": ",
                                               status == REDIS_OK ? "closed" : context->errstr));
  }
  self->ScheduleReconnect(absl::Now());
}

void RedisClient::OnReply(redisAsyncContext* context, void* reply, void* privdata) {
  auto* self = static_cast<RedisClient*>(context->data);
  std::unique_ptr<Pending> pending(static_cast<Pending*>(privdata));
  for (auto it = self->sent_.begin(); it != self->sent_.end(); ++it) {
    if (it->first == pending.get()) {
      self->sent_.erase(it);
      break;
    }
  }
  if (pending->has_deadline_entry) self->deadlines_.erase(pending->deadline_key);
  if (pending->finished) return;
  absl::StatusOr<RedisReply> result;
  if (reply == nullptr) {
    result = self->stopped_ ? absl::CancelledError("the Redis client is shutting down")
                            : absl::UnavailableError("the connection to Redis was lost");
  } else {
    size_t budget = self->options_.max_reply_bytes;
    result = CopyReply(*static_cast<const redisReply*>(reply), 0, budget);
  }
  self->Finish(pending.get(), std::move(result));
}

}  // namespace livestream_gateway::redis
