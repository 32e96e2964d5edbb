#include "server/zoom/curl_http_client.h"

#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/base/macros.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/logging/logger.h"
#include "server/zoom/curl_codec.h"

namespace livestream_gateway {
namespace {

// Longest single epoll_wait; only a safety net, as every event that matters
// (new work, cancellation, libcurl or queue timers) ends the wait.
constexpr int kMaxPollMs = 1000;
// Socket events handled per epoll_wait; more simply wait for the next round.
constexpr int kMaxEventsPerWait = 256;
// epoll_event data: the shard's index + 1 in the high half and the socket in
// the low half; 0 in the high half is the wakeup eventfd.
constexpr uint64_t kWakeEventData = 0;
uint64_t EventData(uint32_t shard_index, curl_socket_t socket) {
  return (uint64_t{shard_index} + 1) << 32 | static_cast<uint32_t>(socket);
}

// When libcurl wants CURL_SOCKET_TIMEOUT, from its timeout in milliseconds
// (negative: no timer).
// NOLINTNEXTLINE(google-runtime-int): libcurl's type
absl::Time CurlTimerDeadline(long timeout_ms) {
  return timeout_ms < 0 ? absl::InfiniteFuture() : absl::Now() + absl::Milliseconds(timeout_ms);
}

int OnDebug(CURL* /*easy*/, curl_infotype type, char* data, size_t size, void* /*user*/) {
  // Only libcurl's own commentary: header and data traffic carry secrets.
  if (type == CURLINFO_TEXT) {
    Log(LogLevel::kDebug, absl::StripTrailingAsciiWhitespace(absl::string_view(data, size)),
        {{"component", "curl"}});
  }
  return 0;
}

// CURLOPT_OPENSOCKETFUNCTION and CURLOPT_CLOSESOCKETFUNCTION, set only with
// an observer: libcurl calls the close function for every socket the open
// function made, pooled connections included, so the two count the
// connections open to the upstream.
curl_socket_t OnOpenSocket(void* user, curlsocktype /*purpose*/, curl_sockaddr* address) {
  const curl_socket_t socket =
      ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (socket != CURL_SOCKET_BAD) static_cast<UpstreamObserver*>(user)->OnConnectionOpened();
  return socket;
}

int OnCloseSocket(void* user, curl_socket_t socket) {
  static_cast<UpstreamObserver*>(user)->OnConnectionClosed();
  return close(socket);
}

}  // namespace

// One HTTP exchange. Shared between the caller (as its Cancellable handle) and
// the loop (in live_ until completion). `client_` is the only field other
// threads touch; everything else is guarded by the client's loop_mu_.
class CurlHttpClient::Call final : public Cancellable,
                                   public std::enable_shared_from_this<Call>,
                                   public TransferQueue::Entry {
 public:
  enum class State { kNew, kQueued, kInFlight, kDone };

  Call(CurlHttpClient* client, HttpRequest request, absl::Time deadline, HttpCallback done)
      : request(std::move(request)), deadline(deadline), done(std::move(done)), client_(client) {}

  void Cancel() override {
    // Holding mu_ while calling into the client is what keeps it alive: the
    // loop detaches every call (taking mu_) before the client can go away.
    absl::MutexLock lock(&mu_);
    if (client_ == nullptr || cancel_requested_) return;
    cancel_requested_ = true;
    client_->EnqueueCancel(shared_from_this());
  }

  // After this, Cancel() is a no-op. Never called with the client's mu_ held.
  void Detach() {
    absl::MutexLock lock(&mu_);
    client_ = nullptr;
  }

  static size_t OnHeader(char* data, size_t size, size_t count, void* user) {
    const size_t length = size * count;
    // 0 aborts the transfer.
    return static_cast<Call*>(user)->reader.OnHeaderLine(absl::string_view(data, length)) ? length
                                                                                          : 0;
  }

  static size_t OnBody(char* data, size_t size, size_t count, void* user) {
    const size_t length = size * count;
    // Abort rather than drain: the rest could be unbounded. The connection is
    // closed; ProcessCompletions() treats this write error as success.
    return static_cast<Call*>(user)->reader.OnBody(absl::string_view(data, length))
               ? length
               : CURL_WRITEFUNC_ERROR;
  }

  // Loop-thread state.
  HttpRequest request;  // body must stay put while libcurl sends it
  absl::Time deadline;
  HttpCallback done;
  State state = State::kNew;  // kQueued exactly while queued()
  CURL* easy = nullptr;
  Shard* shard = nullptr;  // whose multi handle runs the transfer
  bool added_to_multi = false;
  curl_codec::HeaderList headers;  // CURLOPT_HTTPHEADER
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_codec::ResponseReader reader;

 private:
  absl::Mutex mu_;
  CurlHttpClient* client_ ABSL_GUARDED_BY(mu_);
  bool cancel_requested_ ABSL_GUARDED_BY(mu_) = false;
};

absl::StatusOr<std::unique_ptr<CurlHttpClient>> CurlHttpClient::Create(
    CurlHttpClientOptions options) {
  if (options.max_connections < 1) {
    return absl::InvalidArgumentError("max_connections must be at least 1");
  }
  if (options.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("connect_timeout must be positive");
  }
  // libcurl would read it only at the first HTTPS connection, and then fail
  // every call: refuse at startup instead.
  if (!options.ca_file.empty() && access(options.ca_file.c_str(), R_OK) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("CA bundle ", options.ca_file, " cannot be read: ", std::strerror(errno)));
  }
  // Once per process, thread-safe through the static's initialisation;
  // curl_global_cleanup is never called because other clients may still live.
  static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global_init != CURLE_OK) {
    return absl::InternalError(
        absl::StrCat("curl_global_init failed: ", curl_easy_strerror(global_init)));
  }

  CURLSH* share = curl_share_init();
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  const int wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event wake_event = {};
  wake_event.events = EPOLLIN;
  wake_event.data.u64 = kWakeEventData;
  if (share == nullptr || epoll_fd < 0 || wake_fd < 0 ||
      epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &wake_event) != 0) {
    if (share != nullptr) curl_share_cleanup(share);
    if (epoll_fd >= 0) close(epoll_fd);
    if (wake_fd >= 0) close(wake_fd);
    return absl::ResourceExhaustedError("cannot create the HTTP transport's event loop");
  }
  // TLS session resumption across easy handles saves a full handshake
  // (~1 ms of CPU) per new connection. Only a holder of loop_mu_ uses the share,
  // so it needs no lock callbacks.
  if (curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
    curl_share_cleanup(share);
    close(epoll_fd);
    close(wake_fd);
    return absl::InternalError("cannot configure the libcurl share handle");
  }
  // From here the destructor releases whatever exists.
  std::unique_ptr<CurlHttpClient> client(new CurlHttpClient(options, share, epoll_fd, wake_fd));
  if (absl::Status added = client->AddShards(); !added.ok()) return added;
  client->loop_thread_ = std::thread([raw = client.get()] { raw->Run(); });
  pthread_setname_np(client->loop_thread_.native_handle(), "curl-http-loop");
  return client;
}

CurlHttpClient::CurlHttpClient(const CurlHttpClientOptions& options, CURLSH* share, int epoll_fd,
                               int wake_fd)
    : options_(options),
      share_(share),
      epoll_fd_(epoll_fd),
      wake_fd_(wake_fd),
      slots_(options_.max_connections),
      easies_(options_.max_connections) {}

absl::Status CurlHttpClient::AddShards() {
  // Before the loop starts, so uncontended.
  absl::MutexLock lock(&loop_mu_);
  for (int i = 0; i < slots_.shards(); ++i) {
    CURLM* multi = curl_multi_init();
    if (multi == nullptr) {
      return absl::ResourceExhaustedError("cannot create a libcurl multi handle");
    }
    auto shard = std::make_unique<Shard>();
    shard->client = this;
    shard->index = static_cast<uint32_t>(i);
    shard->multi = multi;
    const long max = slots_.capacity(i);  // NOLINT(google-runtime-int): libcurl's type
    // libcurl tells us which sockets to watch and when to call it back, so an
    // event costs work for its own transfer rather than a pass over all of
    // them.
    const bool ok =
        curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max) == CURLM_OK &&
        curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max) == CURLM_OK &&
        curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, max) == CURLM_OK &&
        curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING) == CURLM_OK &&
        curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlHttpClient::OnSocket) == CURLM_OK &&
        curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, static_cast<void*>(shard.get())) ==
            CURLM_OK &&
        curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlHttpClient::OnTimer) == CURLM_OK &&
        curl_multi_setopt(multi, CURLMOPT_TIMERDATA, static_cast<void*>(shard.get())) == CURLM_OK;
    shards_.push_back(std::move(shard));  // cleaned up by the destructor either way
    if (!ok) return absl::InternalError("cannot configure a libcurl multi handle");
  }
  return absl::OkStatus();
}

CurlHttpClient::~CurlHttpClient() {
  if (loop_thread_.joinable()) {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    Wake();
    loop_thread_.join();
  }
  // Every call is finished and every easy handle back in the pool. Easy
  // handles go before the share they are attached to; a multi's cleanup
  // still reports the sockets it closes, so epoll goes last.
  ABSL_ASSERT(live_.empty() && queue_.empty() && slots_.in_flight() == 0);
  ABSL_ASSERT(queued_now_.load() == 0 && in_flight_now_.load() == 0);
  ABSL_ASSERT(completed_.load() >= started_.load());
  easies_.Clear();
  for (const auto& shard : shards_) curl_multi_cleanup(shard->multi);
  curl_share_cleanup(share_);
  close(epoll_fd_);
  close(wake_fd_);
}

void CurlHttpClient::Wake() {
  const uint64_t one = 1;
  // Fails only when the counter would overflow: a wakeup is pending anyway.
  [[maybe_unused]] ssize_t written = write(wake_fd_, &one, sizeof(one));
}

int CurlHttpClient::OnSocket(CURL* /*easy*/, curl_socket_t socket, int what, void* user,
                             void* socket_data) {
  auto* shard = static_cast<Shard*>(user);
  const int epoll_fd = shard->client->epoll_fd_;
  if (what == CURL_POLL_REMOVE) {
    // Fails harmlessly when the socket is already closed, which removed it.
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, socket, nullptr);
    return 0;
  }
  epoll_event event = {};
  event.events =
      ((what & CURL_POLL_IN) != 0 ? EPOLLIN : 0U) | ((what & CURL_POLL_OUT) != 0 ? EPOLLOUT : 0U);
  event.data.u64 = EventData(shard->index, socket);
  if (socket_data == nullptr) {
    // Any non-null value: the socket is now in epoll.
    static char registered;
    curl_multi_assign(shard->multi, socket, &registered);
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, socket, &event) == 0) return 0;
    // A descriptor number reused before libcurl reported the old one gone.
    if (errno != EEXIST) return -1;
  }
  return epoll_ctl(epoll_fd, EPOLL_CTL_MOD, socket, &event) == 0 ? 0 : -1;
}

// NOLINTNEXTLINE(google-runtime-int): libcurl's type
int CurlHttpClient::OnTimer(CURLM* /*multi*/, long timeout_ms, void* user) {
  auto* shard = static_cast<Shard*>(user);
  shard->timer = CurlTimerDeadline(timeout_ms);
  return 0;
}

std::shared_ptr<Cancellable> CurlHttpClient::Send(HttpRequest request, absl::Time deadline,
                                                  HttpCallback done) {
  auto call = std::make_shared<Call>(this, std::move(request), deadline, std::move(done));
  queued_now_.fetch_add(1, std::memory_order_relaxed);
  // When the loop is waiting, start the transfer on this thread: the request
  // leaves at once instead of after a thread wake-up, which is most of the
  // latency the gateway adds on a quiet machine. Never waits for the lock.
  if (loop_mu_.TryLock()) {
    const bool sent = SendInline(call);
    loop_mu_.Unlock();
    if (sent) return call;
  }
  bool wake = false;
  bool exited = false;
  {
    absl::MutexLock lock(&mu_);
    if (loop_exited_) {
      exited = true;
    } else {
      incoming_.push_back(call);
      wake = !wake_pending_;
      wake_pending_ = true;
    }
  }
  if (exited) {
    // Only reachable when Send() races the destructor; complete it here so
    // the callback still runs exactly once.
    call->Detach();
    queued_now_.fetch_sub(1, std::memory_order_relaxed);
    call->state = Call::State::kDone;
    completed_.fetch_add(1, std::memory_order_relaxed);
    std::move(call->done)(
        UpstreamResult::Failed(absl::CancelledError("HTTP transport: client is shutting down"), 1,
                               Delivery::kNotDelivered));
    return call;
  }
  if (wake) Wake();
  return call;
}

bool CurlHttpClient::SendInline(const std::shared_ptr<Call>& call) {
  std::vector<std::shared_ptr<Call>> incoming;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || loop_exited_) return false;
    // Calls sent before this one and not yet taken by the loop go first.
    incoming.swap(incoming_);
  }
  const absl::Time now = absl::Now();
  for (auto& earlier : incoming) Accept(std::move(earlier), now);
  Accept(call, now);
  Drive();
  CheckInvariants();
  // The loop sleeps until wake_at_; a timer this set for earlier must wake it.
  if (NextWakeup(absl::Now()) < wake_at_) Wake();
  return true;
}

void CurlHttpClient::EnqueueCancel(std::shared_ptr<Call> call) {
  bool wake = false;
  {
    absl::MutexLock lock(&mu_);
    if (loop_exited_) return;
    cancels_.push_back(std::move(call));
    wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (wake) Wake();
}

CurlHttpClient::Stats CurlHttpClient::GetStats() const {
  Stats stats;
  stats.started = started_.load(std::memory_order_relaxed);
  stats.completed = completed_.load(std::memory_order_relaxed);
  stats.connections_opened = connections_opened_.load(std::memory_order_relaxed);
  stats.queued_now = queued_now_.load(std::memory_order_relaxed);
  stats.in_flight_now = in_flight_now_.load(std::memory_order_relaxed);
  return stats;
}

void CurlHttpClient::Run() {
  // CURLOPT_NOSIGNAL leaves SIGPIPE to us, and OpenSSL writes to sockets
  // without MSG_NOSIGNAL. Blocking it on this thread turns a write to a
  // closed peer into EPIPE without touching the process-wide disposition.
  // (Senders' threads do I/O too: see the class comment.)
  sigset_t sigpipe;
  sigemptyset(&sigpipe);
  sigaddset(&sigpipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigpipe, nullptr);

  std::vector<std::shared_ptr<Call>> incoming;
  std::vector<std::shared_ptr<Call>> cancels;
  epoll_event events[kMaxEventsPerWait];
  int ready = 0;
  loop_mu_.Lock();
  while (true) {
    for (int i = 0; i < ready; ++i) HandleEvent(events[i]);
    ProcessCompletions();
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
      incoming.swap(incoming_);
      cancels.swap(cancels_);
      wake_pending_ = false;
    }
    const absl::Time now = absl::Now();
    // Incoming first: a Cancel() is always enqueued after its own Send().
    for (auto& call : incoming) Accept(std::move(call), now);
    incoming.clear();
    for (auto& call : cancels) {
      if (call->state != Call::State::kDone) {
        Complete(call.get(), absl::CancelledError("HTTP transport: call cancelled"));
      }
    }
    cancels.clear();
    ExpireQueued(absl::Now());
    Drive();
    CheckInvariants();
    const absl::Time before_wait = absl::Now();
    const int timeout_ms = PollTimeoutMs(before_wait);
    wake_at_ = before_wait + absl::Milliseconds(timeout_ms);
    // Senders may drive libcurl on their own threads while the loop waits.
    loop_mu_.Unlock();
    ready = epoll_wait(epoll_fd_, events, kMaxEventsPerWait, timeout_ms);
    loop_mu_.Lock();
    wake_at_ = absl::InfinitePast();
  }
  CancelEverything();
  loop_mu_.Unlock();
}

void CurlHttpClient::HandleEvent(const epoll_event& event) {
  const uint64_t data = event.data.u64;
  if (data == kWakeEventData) {
    uint64_t count = 0;
    [[maybe_unused]] ssize_t got = read(wake_fd_, &count, sizeof(count));
    return;
  }
  const uint32_t what = event.events;
  const int action = ((what & (EPOLLIN | EPOLLHUP)) != 0 ? CURL_CSELECT_IN : 0) |
                     ((what & EPOLLOUT) != 0 ? CURL_CSELECT_OUT : 0) |
                     ((what & EPOLLERR) != 0 ? CURL_CSELECT_ERR : 0);
  // A sender may have closed this socket since epoll reported it, and its
  // number may even belong to another transfer now: libcurl ignores
  // unknown sockets, and a spurious action on a known one only finds
  // nothing to read.
  const Shard& shard = *shards_[(data >> 32) - 1];
  int running = 0;
  curl_multi_socket_action(shard.multi, static_cast<curl_socket_t>(data & 0xffffffffU), action,
                           &running);
}

void CurlHttpClient::Drive() {
  while (true) {
    const uint64_t progress_before =
        started_.load(std::memory_order_relaxed) + completed_.load(std::memory_order_relaxed);
    StartQueued();
    const absl::Time now = absl::Now();
    bool ran = false;
    for (const auto& shard : shards_) {
      if (shard->timer > now) continue;
      // Among others, the 0 ms timer of a newly added transfer: this sends it.
      int running = 0;
      curl_multi_socket_action(shard->multi, CURL_SOCKET_TIMEOUT, 0, &running);
      // libcurl calls OnTimer only when its earliest expiry changes, and a
      // wakeup a little early (it counts whole milliseconds) changes nothing:
      // ask, or the timer is lost and its transfer stalls.
      long timeout_ms = -1;  // NOLINT(google-runtime-int): libcurl's type
      curl_multi_timeout(shard->multi, &timeout_ms);
      shard->timer = CurlTimerDeadline(timeout_ms);
      ran = true;
    }
    if (!ran) return;
    // Completions free slots for queued calls, and their callbacks may send.
    ProcessCompletions();
    // Nothing started or finished: leave the rest to the next wait (at most
    // a millisecond when libcurl wants to be called again at once).
    if (started_.load(std::memory_order_relaxed) + completed_.load(std::memory_order_relaxed) ==
        progress_before) {
      return;
    }
  }
}

void CurlHttpClient::CheckInvariants() const {
  // Each call is in live_ from Accept() to Complete(), queued or holding a
  // slot in between; only Complete() takes it out.
  ABSL_ASSERT(live_.size() == queue_.size() + static_cast<size_t>(slots_.in_flight()));
  // Both gauges change under loop_mu_, except that Send() counts a call as
  // waiting before the loop takes it in.
  ABSL_ASSERT(in_flight_now_.load(std::memory_order_relaxed) ==
              static_cast<uint64_t>(slots_.in_flight()));
  ABSL_ASSERT(queued_now_.load(std::memory_order_relaxed) >= queue_.size());
  // A queued call waits only for a slot.
  ABSL_ASSERT(queue_.empty() || slots_.full());
}

void CurlHttpClient::CancelEverything() {
  std::vector<Call*> calls;
  calls.reserve(live_.size());
  for (const auto& entry : live_) calls.push_back(entry.first);
  // Callbacks cannot finish other live calls synchronously (Cancel() only
  // enqueues), so these pointers stay valid.
  for (Call* call : calls) {
    Complete(call, absl::CancelledError("HTTP transport: client is shutting down"));
  }
  // Callbacks may have sent new calls (a retry); fail them too until none
  // are left, then refuse further ones at the door.
  while (true) {
    std::vector<std::shared_ptr<Call>> incoming;
    {
      absl::MutexLock lock(&mu_);
      incoming.swap(incoming_);
      cancels_.clear();
      if (incoming.empty()) {
        loop_exited_ = true;
        return;
      }
    }
    for (auto& call : incoming) {
      Call* raw = call.get();
      live_.emplace(raw, std::move(call));
      queued_now_.fetch_sub(1, std::memory_order_relaxed);
      Complete(raw, absl::CancelledError("HTTP transport: client is shutting down"));
    }
  }
}

void CurlHttpClient::Accept(std::shared_ptr<Call> call, absl::Time now) {
  Call* raw = call.get();
  live_[raw] = std::move(call);
  absl::Status refused = curl_codec::ValidateRequest(raw->request);
  if (refused.ok() && raw->deadline <= now) {
    refused = absl::DeadlineExceededError("HTTP transport: deadline passed before sending");
  }
  if (!refused.ok()) {
    queued_now_.fetch_sub(1, std::memory_order_relaxed);
    Complete(raw, std::move(refused));
    return;
  }
  if (queue_.empty() && !slots_.full()) {
    // A free slot and nobody ahead: skip the queue and its deadline index.
    queued_now_.fetch_sub(1, std::memory_order_relaxed);
    StartTransfer(raw, now);
    return;
  }
  raw->state = Call::State::kQueued;
  queue_.Push(*raw, raw->deadline);
}

void CurlHttpClient::ExpireQueued(absl::Time now) {
  while (TransferQueue::Entry* expired = queue_.Expired(now)) {
    Complete(static_cast<Call*>(expired),
             absl::DeadlineExceededError(
                 "HTTP transport: deadline passed while waiting for a connection"));
  }
}

void CurlHttpClient::StartQueued() {
  while (!slots_.full() && !queue_.empty()) {
    Call* call = static_cast<Call*>(queue_.PopFront());
    call->state = Call::State::kNew;
    queued_now_.fetch_sub(1, std::memory_order_relaxed);
    StartTransfer(call, absl::Now());
  }
}

absl::StatusOr<CURL*> CurlHttpClient::NewEasyHandle() const {
  CURL* easy = curl_easy_init();
  if (easy == nullptr) {
    return absl::UnavailableError("HTTP transport: cannot create a libcurl handle");
  }
  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
  };
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);
  set(CURLOPT_HTTP_VERSION,
      static_cast<long>(CURL_HTTP_VERSION_1_1));  // NOLINT(google-runtime-int): libcurl's type
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_TCP_NODELAY, 1L);
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  // The receive buffer: one per pooled handle, so one per call in flight. Zoom's
  // answers are small (a larger header block or body just takes another
  // read), and 1 KiB (libcurl's minimum) instead of the default 16 KiB cut
  // peak RSS by a fifth with 10,000 calls in flight (docs/performance.md).
  set(CURLOPT_BUFFERSIZE, 1024L);
  set(CURLOPT_CONNECTTIMEOUT_MS,
      // NOLINTNEXTLINE(google-runtime-int): libcurl's type
      static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  // No Accept-Encoding and no decoding: bodies are small and we pass them on
  // as received.
  set(CURLOPT_ACCEPT_ENCODING, static_cast<const char*>(nullptr));
  set(CURLOPT_HTTP_CONTENT_DECODING, 0L);
  if (!options_.use_environment_proxy) set(CURLOPT_PROXY, "");  // "" ignores *_proxy env
  set(CURLOPT_SHARE, share_);
  // Only HTTPS connections call it.
  set(CURLOPT_SSL_CTX_FUNCTION, &curl_codec::ReleaseIdleTlsBuffers);
  if (!options_.ca_file.empty()) {
    set(CURLOPT_CAINFO, options_.ca_file.c_str());
    // Else libcurl would also trust Debian's built-in CA directory.
    set(CURLOPT_CAPATH, static_cast<const char*>(nullptr));
  }
  set(CURLOPT_VERBOSE, options_.verbose ? 1L : 0L);
  set(CURLOPT_DEBUGFUNCTION, options_.verbose ? &OnDebug : nullptr);
  set(CURLOPT_HEADERFUNCTION, &Call::OnHeader);
  set(CURLOPT_WRITEFUNCTION, &Call::OnBody);
  if (options_.observer != nullptr) {
    set(CURLOPT_OPENSOCKETFUNCTION, &OnOpenSocket);
    set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(options_.observer));
    set(CURLOPT_CLOSESOCKETFUNCTION, &OnCloseSocket);
    set(CURLOPT_CLOSESOCKETDATA, static_cast<void*>(options_.observer));
  }
  if (rc != CURLE_OK) {
    curl_easy_cleanup(easy);
    return curl_codec::CurlError(rc, nullptr);
  }
  return easy;
}

void CurlHttpClient::StartTransfer(Call* call, absl::Time now) {
  if (call->deadline <= now) {
    Complete(call, absl::DeadlineExceededError(
                       "HTTP transport: deadline passed while waiting for a connection"));
    return;
  }
  CURL* easy = easies_.Take();
  if (easy == nullptr) {
    absl::StatusOr<CURL*> created = NewEasyHandle();
    if (!created.ok()) {
      Complete(call, created.status());
      return;
    }
    easy = *created;
  }
  // From here the handle and the slot belong to the call, so Complete()
  // recycles them and frees the header list on every path below.
  Shard* shard = shards_[slots_.Acquire()].get();
  call->easy = easy;
  call->shard = shard;
  call->state = Call::State::kInFlight;
  in_flight_now_.fetch_add(1, std::memory_order_relaxed);

  const HttpRequest& request = call->request;
  call->headers.Assign(request.headers);

  CURLcode rc = CURLE_OK;
  auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(easy, option, value);
  };
  // Options that are the same for every transfer were set when the handle
  // was created (NewEasyHandle); handles keep them across transfers.
  call->error_buffer[0] = '\0';
  set(CURLOPT_ERRORBUFFER, call->error_buffer);
  set(CURLOPT_PRIVATE, static_cast<void*>(call));
  set(CURLOPT_URL, request.url.c_str());
  set(CURLOPT_TIMEOUT_MS, curl_codec::TimeoutMs(call->deadline, now));
  set(CURLOPT_HEADERDATA, static_cast<void*>(call));
  set(CURLOPT_WRITEDATA, static_cast<void*>(call));
  set(CURLOPT_HTTPHEADER, call->headers.head());
  // On a reused connection that dies before any answer byte, libcurl 7.88
  // sends the request again on a new connection by itself, whatever the
  // method; it does not on a fresh connection. So a request that is not
  // idempotent never takes a pooled connection.
  set(CURLOPT_FRESH_CONNECT, request.idempotent ? 0L : 1L);

  // Method and body. NOBODY off first: it would otherwise turn the next
  // request into HEAD. POSTFIELDS makes libcurl send the body from our
  // buffer in the same write as the headers, without copying it.
  const curl_codec::Method method = curl_codec::MethodOf(request);
  switch (method.kind) {
    case curl_codec::Method::Kind::kHead:
      set(CURLOPT_NOBODY, 1L);
      break;
    case curl_codec::Method::Kind::kWithBody:
      set(CURLOPT_NOBODY, 0L);
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      set(CURLOPT_POSTFIELDS, request.body.data());
      break;
    case curl_codec::Method::Kind::kNoBody:
      set(CURLOPT_HTTPGET, 1L);
      break;
  }
  set(CURLOPT_CUSTOMREQUEST, method.custom);
  if (rc != CURLE_OK) {
    // Before the handle is added: keep Complete() from removing it.
    Complete(call, curl_codec::CurlError(rc, nullptr));
    return;
  }
  if (CURLMcode mrc = curl_multi_add_handle(shard->multi, easy); mrc != CURLM_OK) {
    Complete(call,
             absl::UnavailableError(absl::StrCat("HTTP transport: ", curl_multi_strerror(mrc))));
    return;
  }
  call->added_to_multi = true;
  started_.fetch_add(1, std::memory_order_relaxed);
}

void CurlHttpClient::ProcessCompletions() {
  for (const auto& shard : shards_) ProcessCompletions(shard->multi);
}

void CurlHttpClient::ProcessCompletions(CURLM* multi) {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;  // `msg` dies with the removal
    char* user = nullptr;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &user);
    Call* call = reinterpret_cast<Call*>(user);
    curl_codec::ResponseReader& reader = call->reader;
    absl::Status status = curl_codec::TransferStatus({
        .code = code,
        .header_overflow = reader.header_overflow(),
        .headers_complete = reader.headers_complete(),
        .body_truncated = reader.response().body_truncated,
        .at_deadline = code == CURLE_OPERATION_TIMEDOUT &&
                       curl_codec::TimedOutAtDeadline(call->deadline, absl::Now()),
        .detail = call->error_buffer,
    });
    if (!status.ok()) {
      Complete(call, std::move(status));
      continue;
    }
    long status_code = 0;  // NOLINT(google-runtime-int): libcurl's type
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status_code);
    reader.response().status_code = static_cast<int>(status_code);
    HttpResponse response = std::move(reader.response());
    Complete(call, std::move(response));
  }
}

absl::Time CurlHttpClient::NextWakeup(absl::Time now) const {
  absl::Time wake_at = now + absl::Milliseconds(kMaxPollMs);
  for (const auto& shard : shards_) wake_at = std::min(wake_at, shard->timer);
  wake_at = std::min(wake_at, queue_.NextDeadline());
  return wake_at;
}

int CurlHttpClient::PollTimeoutMs(absl::Time now) const {
  // Rounded up: waking a little late is harmless, waking early spins.
  const int64_t ms =
      absl::ToInt64Milliseconds(absl::Ceil(NextWakeup(now) - now, absl::Milliseconds(1)));
  return static_cast<int>(std::clamp<int64_t>(ms, 0, kMaxPollMs));
}

void CurlHttpClient::ReleaseEasy(Call* call) {
  CURL* easy = call->easy;
  if (call->added_to_multi) {
    long connects = 0;  // NOLINT(google-runtime-int): libcurl's type
    if (curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0) {
      connections_opened_.fetch_add(static_cast<uint64_t>(connects), std::memory_order_relaxed);
    }
    // Mid-transfer this closes the connection, which is what a cancelled or
    // timed-out HTTP/1.1 exchange needs.
    curl_multi_remove_handle(call->shard->multi, easy);
    call->added_to_multi = false;
  }
  easies_.Return(easy);
  call->headers.Clear();
  call->easy = nullptr;
  slots_.Release(static_cast<int>(call->shard->index));
  call->shard = nullptr;
  in_flight_now_.fetch_sub(1, std::memory_order_relaxed);
}

void CurlHttpClient::Complete(Call* call, absl::StatusOr<HttpResponse> result) {
  // Only once: a second run would call a moved-from callback.
  ABSL_ASSERT(call->state != Call::State::kDone);
  Delivery delivery = Delivery::kNotDelivered;
  if (!result.ok()) {
    // Only a transfer libcurl ran can have sent anything.
    curl_codec::TransferProgress progress;
    progress.ran = call->state == Call::State::kInFlight && call->added_to_multi;
    if (progress.ran) {
      progress.response_header_bytes = call->reader.header_bytes();
      curl_easy_getinfo(call->easy, CURLINFO_REQUEST_SIZE, &progress.request_bytes);
      curl_easy_getinfo(call->easy, CURLINFO_SIZE_UPLOAD_T, &progress.upload_bytes);
    }
    delivery = curl_codec::DeliveryOf(progress);
  }
  switch (call->state) {
    case Call::State::kQueued:
      queue_.Remove(*call);
      queued_now_.fetch_sub(1, std::memory_order_relaxed);
      break;
    case Call::State::kInFlight:
      if (options_.observer != nullptr && call->added_to_multi) {
        if (result.ok()) {
          options_.observer->OnHttpResponse(call->request.method, result->status_code);
        } else {
          options_.observer->OnHttpTransportError(call->request.method);
        }
      }
      ReleaseEasy(call);
      break;
    case Call::State::kNew:
      // Refused before queueing or before getting a handle; whoever took it
      // out of the waiting count already adjusted queued_now_.
      break;
    case Call::State::kDone:
      return;
  }
  call->state = Call::State::kDone;
  auto entry = live_.find(call);
  std::shared_ptr<Call> keep = std::move(entry->second);
  live_.erase(entry);
  call->Detach();
  HttpCallback done = std::move(call->done);
  // Free the request (it holds the bearer token) now, not when the caller
  // drops its handle.
  call->request = HttpRequest();
  completed_.fetch_add(1, std::memory_order_relaxed);
  std::move(done)(result.ok() ? UpstreamResult::Answered(*std::move(result))
                              : UpstreamResult::Failed(std::move(result).status(), 1, delivery));
}

}  // namespace livestream_gateway
