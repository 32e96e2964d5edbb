#include "tests/zoom_emulator/server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <variant>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "tests/zoom_emulator/faults.h"

namespace zoom_emulator {
namespace {

constexpr uint64_t kListenId = 1;
constexpr uint64_t kSignalId = 2;
constexpr uint64_t kFirstConnectionId = 16;
constexpr int kMaxEvents = 1024;
constexpr int kMaxAcceptsPerWakeup = 1024;
constexpr int kMaxReadsPerWakeup = 8;
constexpr size_t kReadChunk = 64 * 1024;
constexpr int kEndlessChunksPerWakeup = 4;
// One whole request fits; anything further waits in the kernel, which pushes
// back on a peer that pipelines faster than it reads answers.
constexpr size_t kMaxBuffered = kMaxHeadBytes + kMaxBodyBytes;
// How long a closing connection may drain unread input before it is cut, so
// that a peer still sending does not turn our close into a RST that eats the
// answer.
constexpr auto kLingerTime = std::chrono::seconds(2);

absl::Status ErrnoStatus(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// Requests come from the network: keep log lines printable and short.
std::string Printable(absl::string_view s) {
  constexpr size_t kMaxLogged = 200;
  std::string out = absl::CHexEscape(s.substr(0, kMaxLogged));
  if (s.size() > kMaxLogged) out += "...";
  return out;
}

}  // namespace

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

Server::Server(Emulator* emulator, bool quiet)
    : emulator_(emulator), quiet_(quiet), next_id_(kFirstConnectionId), read_buffer_(kReadChunk) {}

Server::~Server() {
  for (auto& [id, c] : connections_) ::close(c->fd);
  for (int fd : {listen_fd_, signal_fd_, spare_fd_, epoll_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

absl::Status Server::Listen(const ListenAddress& address) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return ErrnoStatus("epoll_create1");
  spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (spare_fd_ < 0) return ErrnoStatus("open /dev/null");

  const int family = address.storage.ss_family;
  listen_fd_ = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return ErrnoStatus("socket");
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (family == AF_INET6) ::setsockopt(listen_fd_, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address.storage), address.length) !=
      0) {
    return ErrnoStatus("bind");
  }
  // The kernel caps the backlog at net.core.somaxconn; ask for the most so
  // that bursts of thousands of connects are not dropped.
  if (::listen(listen_fd_, 65535) != 0) return ErrnoStatus("listen");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenId;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &ev) != 0) {
    return ErrnoStatus("epoll_ctl listen");
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Server::Port() const {
  sockaddr_storage storage{};
  socklen_t length = sizeof(storage);
  if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return ErrnoStatus("getsockname");
  }
  if (storage.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
}

absl::Status Server::Run() {
  const sigset_t stop = StopSignals();
  signal_fd_ = ::signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) return ErrnoStatus("signalfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kSignalId;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, signal_fd_, &ev) != 0) {
    return ErrnoStatus("epoll_ctl signalfd");
  }

  std::vector<epoll_event> events(kMaxEvents);
  while (true) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), kMaxEvents, EpollTimeoutMs());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      const uint64_t id = events[i].data.u64;
      const uint32_t what = events[i].events;
      if (id == kListenId) {
        AcceptAll();
        continue;
      }
      if (id == kSignalId) return absl::OkStatus();
      // A connection closed earlier in this batch is simply gone.
      const auto it = connections_.find(id);
      if (it == connections_.end()) continue;
      Connection* c = it->second.get();
      if (what & (EPOLLERR | EPOLLHUP)) {
        Close(c);
        continue;
      }
      if ((what & EPOLLIN) && !OnReadable(c)) continue;
      if (what & EPOLLOUT) OnWritable(c);
    }
    FireDueTimers();
  }
}

void Server::AcceptAll() {
  for (int i = 0; i < kMaxAcceptsPerWakeup; ++i) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        // Out of descriptors: accept and drop one pending connection with
        // the spare descriptor, or the level-triggered listen socket would
        // spin the loop.
        ::close(spare_fd_);
        const int shed = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (shed >= 0) ::close(shed);
        spare_fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (!quiet_) absl::FPrintF(stderr, "accept: out of file descriptors, shed a connection\n");
      } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        absl::FPrintF(stderr, "accept: %s\n", std::strerror(errno));
      }
      return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto c = std::make_unique<Connection>();
    c->id = next_id_++;
    c->fd = fd;
    c->events = EPOLLIN;
    epoll_event ev{};
    ev.events = c->events;
    ev.data.u64 = c->id;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      continue;
    }
    connections_.emplace(c->id, std::move(c));
    emulator_->ConnectionOpened();
  }
}

bool Server::OnReadable(Connection* c) {
  for (int i = 0; i < kMaxReadsPerWakeup; ++i) {
    if (c->state != Connection::State::kLingering && c->in.size() >= kMaxBuffered) break;
    const ssize_t n = ::recv(c->fd, read_buffer_.data(), read_buffer_.size(), 0);
    if (n > 0) {
      if (c->state != Connection::State::kLingering) c->in.append(read_buffer_.data(), n);
      continue;
    }
    if (n == 0) {
      c->peer_eof = true;
      break;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (errno == EINTR) continue;
    Close(c);
    return false;
  }
  if (c->state == Connection::State::kLingering) {
    if (c->peer_eof) {
      Close(c);
      return false;
    }
    return true;
  }
  if (c->state == Connection::State::kReading) return Advance(c);
  // A client that gives up on a delayed answer (deadline, cancellation) closes
  // its end: drop the connection now, as Zoom's servers would, so tests can
  // see the abort in connections_open.
  if (c->state == Connection::State::kWaiting && c->peer_eof) {
    Close(c);
    return false;
  }
  return UpdateInterest(c);
}

bool Server::OnWritable(Connection* c) {
  if (!Flush(c)) return false;
  if (c->state == Connection::State::kReading) return Advance(c);
  return UpdateInterest(c);
}

bool Server::Advance(Connection* c) {
  while (c->state == Connection::State::kReading) {
    if (!c->head) {
      // RFC 9112 §2.2: ignore empty lines before a request line.
      if (c->scan_from == 0) {
        size_t skip = 0;
        while (c->in.compare(skip, 2, "\r\n") == 0) skip += 2;
        c->in.erase(0, skip);
      }
      const size_t end = FindHeadEnd(c->in, c->scan_from);
      if (end == std::string::npos) {
        if (c->in.size() > kMaxHeadBytes) {
          return Fail(c, 431, "Request head exceeds 64 KiB.");
        }
        if (c->peer_eof) {
          Close(c);
          return false;
        }
        c->scan_from = c->in.size() >= 3 ? c->in.size() - 3 : 0;
        break;
      }
      if (end > kMaxHeadBytes) return Fail(c, 431, "Request head exceeds 64 KiB.");
      auto parsed = ParseRequestHead(absl::string_view(c->in).substr(0, end));
      if (const auto* error = std::get_if<HttpError>(&parsed)) {
        return Fail(c, error->status,
                    absl::StrCat("Malformed HTTP request: ", error->message, "."));
      }
      c->head = std::get<RequestHead>(std::move(parsed));
      c->head_size = end;
    }
    const size_t body_size = c->head->content_length;
    if (c->in.size() - c->head_size < body_size) {
      if (c->peer_eof) {
        Close(c);
        return false;
      }
      if (c->head->expect_continue && !c->continue_sent) {
        c->continue_sent = true;
        c->out += "HTTP/1.1 100 Continue\r\n\r\n";
        if (!Flush(c)) return false;
      }
      break;
    }
    HttpRequest request{*std::move(c->head), c->in.substr(c->head_size, body_size)};
    c->in.erase(0, c->head_size + body_size);
    c->head.reset();
    c->scan_from = 0;
    c->continue_sent = false;
    c->keep_alive = request.head.keep_alive;
    c->head_only = request.head.method == "HEAD";

    Reply reply = emulator_->Handle(request);
    Log(request.head.method, request.head.path, reply);
    if (reply.reset || reply.delay > absl::ZeroDuration()) {
      c->state = Connection::State::kWaiting;
      const auto delay = absl::ToChronoMilliseconds(reply.delay);
      c->pending = std::move(reply);
      Schedule(c, delay);
      break;
    }
    if (!Respond(c, std::move(reply))) return false;
  }
  if (c->state == Connection::State::kReading && c->peer_eof && c->in.empty()) {
    Close(c);
    return false;
  }
  return UpdateInterest(c);
}

bool Server::Send(Connection* c, HttpResponse response) {
  if (!c->keep_alive) response.close = true;
  c->close_after_write = response.close;
  c->out += SerializeResponse(response, c->head_only);
  c->state = Connection::State::kWriting;
  if (!Flush(c)) return false;
  return UpdateInterest(c);
}

bool Server::Respond(Connection* c, Reply reply) {
  if (!reply.endless_body) return Send(c, std::move(reply.response));
  // The connection never gets back to reading: Flush() refills `out` until
  // the peer goes away.
  c->endless_body = true;
  absl::StrAppend(&c->out, SerializeEndlessHead(reply.response), EndlessBodyChunk());
  c->state = Connection::State::kWriting;
  if (!Flush(c)) return false;
  return UpdateInterest(c);
}

bool Server::Flush(Connection* c) {
  int refills = 0;
  while (true) {
    while (c->out_offset < c->out.size()) {
      const ssize_t n =
          ::send(c->fd, c->out.data() + c->out_offset, c->out.size() - c->out_offset, MSG_NOSIGNAL);
      if (n >= 0) {
        c->out_offset += static_cast<size_t>(n);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      Close(c);
      return false;
    }
    if (!c->endless_body) break;
    const absl::string_view chunk = EndlessBodyChunk();
    c->out.assign(chunk.data(), chunk.size());
    c->out_offset = 0;
    // The rest waits for the next EPOLLOUT, so that a peer reading as fast
    // as we write cannot monopolise the loop.
    if (++refills >= kEndlessChunksPerWakeup) return true;
  }
  c->out.clear();
  c->out_offset = 0;
  if (c->state == Connection::State::kWriting) {
    if (c->close_after_write) return StartLingering(c);
    c->state = Connection::State::kReading;
  }
  return true;
}

bool Server::Fail(Connection* c, int status, absl::string_view message) {
  HttpResponse response = emulator_->ProtocolError(status, message);
  if (!quiet_) absl::FPrintF(stderr, "(malformed request) %d %s\n", status, message);
  c->in.clear();
  c->head.reset();
  c->keep_alive = false;
  c->head_only = false;
  return Send(c, std::move(response));
}

bool Server::StartLingering(Connection* c) {
  ::shutdown(c->fd, SHUT_WR);
  c->state = Connection::State::kLingering;
  c->in.clear();
  c->in.shrink_to_fit();
  if (c->peer_eof) {
    Close(c);
    return false;
  }
  Schedule(c, kLingerTime);
  return UpdateInterest(c);
}

bool Server::UpdateInterest(Connection* c) {
  uint32_t want = 0;
  if (c->state == Connection::State::kLingering) {
    want = EPOLLIN;
  } else {
    if (!c->peer_eof && c->in.size() < kMaxBuffered) want |= EPOLLIN;
    if (c->out_offset < c->out.size()) want |= EPOLLOUT;
  }
  if (want == c->events) return true;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = c->id;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
    Close(c);
    return false;
  }
  c->events = want;
  return true;
}

void Server::Close(Connection* c) {
  // close() also removes the descriptor from the epoll set.
  ::close(c->fd);
  emulator_->ConnectionClosed();
  connections_.erase(c->id);
}

void Server::Reset(Connection* c) {
  // A zero linger time makes close() send a RST instead of a FIN.
  const linger abort{.l_onoff = 1, .l_linger = 0};
  ::setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
  Close(c);
}

void Server::Schedule(Connection* c, Clock::duration delay) {
  timers_.push(Timer{Clock::now() + delay, c->id, ++c->timer_seq});
}

void Server::FireDueTimers() {
  const Clock::time_point now = Clock::now();
  while (!timers_.empty() && timers_.top().when <= now) {
    const Timer timer = timers_.top();
    timers_.pop();
    const auto it = connections_.find(timer.connection_id);
    if (it == connections_.end() || it->second->timer_seq != timer.seq) continue;
    Connection* c = it->second.get();
    if (c->state == Connection::State::kLingering) {
      Close(c);
    } else if (c->state == Connection::State::kWaiting) {
      if (c->pending.reset) {
        Reset(c);
        continue;
      }
      if (Respond(c, std::move(c->pending)) && c->state == Connection::State::kReading) {
        Advance(c);
      }
    }
  }
}

int Server::EpollTimeoutMs() const {
  if (timers_.empty()) return -1;
  const auto wait = timers_.top().when - Clock::now();
  if (wait <= Clock::duration::zero()) return 0;
  // Round up: waking early would only spin until the deadline.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  return static_cast<int>(std::min<int64_t>(ms, 60 * 1000));
}

void Server::Log(absl::string_view method, absl::string_view path, const Reply& reply) const {
  if (quiet_) return;
  std::string outcome = reply.reset ? "RST" : absl::StrCat(reply.response.status);
  if (reply.endless_body) outcome += " endless body";
  std::string delay;
  if (reply.delay > absl::ZeroDuration()) {
    delay = absl::StrCat(" after ", absl::ToInt64Milliseconds(reply.delay), " ms");
  }
  absl::FPrintF(stderr, "%s %s %s%s\n", Printable(method), Printable(path), outcome, delay);
}

}  // namespace zoom_emulator
