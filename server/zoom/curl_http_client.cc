#include "server/zoom/curl_http_client.h"

#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/logging/logger.h"

namespace livestream_gateway {
namespace {

// Longest single epoll_wait; only a safety net, as every event that matters
// (new work, cancellation, libcurl or queue timers) ends the wait.
constexpr int kMaxPollMs = 1000;
// Socket events handled per epoll_wait; more simply wait for the next round.
constexpr int kMaxEventsPerWait = 256;
// libcurl 7.88 walks every connection of a multi handle when a transfer ends
// (and looks through the host's connections when one starts), which made a
// burst of 10,000 calls quadratic. Pools above this size are split into
// several multi handles on the same loop.
constexpr int kConnectionsPerShard = 512;
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

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::StrContains("!#$%&'*+-.^_`|~", c);
}

bool IsToken(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

// CR, LF or NUL would let a value smuggle extra headers or cut the C string
// libcurl sees.
bool HasLineBreakOrNul(absl::string_view s) {
  return s.find_first_of(absl::string_view("\r\n\0", 3)) != absl::string_view::npos;
}

absl::Status ValidateRequest(const HttpRequest& request) {
  if (!IsToken(request.method)) {
    return absl::InvalidArgumentError("HTTP transport: invalid request method");
  }
  if (HasLineBreakOrNul(request.url) || !(absl::StartsWithIgnoreCase(request.url, "http://") ||
                                          absl::StartsWithIgnoreCase(request.url, "https://"))) {
    return absl::InvalidArgumentError("HTTP transport: URL must be http:// or https://");
  }
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name) || HasLineBreakOrNul(value)) {
      // The name is safe to show (a token); the value may be a credential.
      return absl::InvalidArgumentError(absl::StrCat("HTTP transport: invalid header ",
                                                     IsToken(name) ? name : std::string("name"),
                                                     " in request"));
    }
  }
  return absl::OkStatus();
}

bool HasHeader(const HttpHeaders& headers, absl::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return absl::EqualsIgnoreCase(h.first, name); });
}

// Headers libcurl would add by itself unless the request has them: no
// `Expect: 100-continue` round trip, no form Content-Type, no Accept.
constexpr absl::string_view kSuppressed[] = {"Expect", "Content-Type", "Accept"};

// Fills CURLOPT_HTTPHEADER's list for `headers`: the lines go into `lines`,
// each ended by a NUL, and `nodes` link them. "Name:" suppresses a header of
// kSuppressed; libcurl's spelling of a header with an empty value is "Name;".
// No line holds a NUL of its own: ValidateRequest refuses them.
void BuildHeaderList(const HttpHeaders& headers, std::string& lines,
                     std::vector<curl_slist>& nodes) {
  lines.clear();
  for (const auto& [name, value] : headers) {
    absl::StrAppend(&lines, name, value.empty() ? ";" : ": ", value);
    lines.push_back('\0');
  }
  for (absl::string_view name : kSuppressed) {
    if (HasHeader(headers, name)) continue;
    absl::StrAppend(&lines, name, ":");
    lines.push_back('\0');
  }
  // Linked only now that `lines` will not move again.
  nodes.clear();
  for (size_t start = 0; start < lines.size(); start = lines.find('\0', start) + 1) {
    nodes.push_back(curl_slist{lines.data() + start, nullptr});
  }
  for (size_t i = 0; i + 1 < nodes.size(); ++i) nodes[i].next = &nodes[i + 1];
}

// Milliseconds for CURLOPT_TIMEOUT_MS: rounded up so libcurl never gives up
// before the deadline; 0 (no limit) for an infinite deadline.
// NOLINTNEXTLINE(google-runtime-int): libcurl's type
long TimeoutMs(absl::Time deadline, absl::Time now) {
  if (deadline == absl::InfiniteFuture()) return 0;
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(deadline - now, absl::Milliseconds(1)));
  // NOLINTNEXTLINE(google-runtime-int): libcurl's type
  return static_cast<long>(std::clamp<int64_t>(ms, 1, std::numeric_limits<int32_t>::max()));
}

// Whether any part of the request left for the server, judged once the
// transfer has ended. CURLINFO_REQUEST_SIZE counts the request bytes written to
// the socket (not TLS handshake bytes), summed over libcurl's own resends; the
// upload count covers a body sent separately; and any answer byte shows the
// server had the request.
bool RequestLeft(CURL* easy, size_t response_header_bytes) {
  long request_bytes = 0;  // NOLINT(google-runtime-int): libcurl's type
  curl_off_t body_bytes = 0;
  return response_header_bytes > 0 ||
         (curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_bytes) == CURLE_OK &&
          request_bytes > 0) ||
         (curl_easy_getinfo(easy, CURLINFO_SIZE_UPLOAD_T, &body_bytes) == CURLE_OK &&
          body_bytes > 0);
}

absl::Status CurlError(CURLcode code, const char* detail) {
  std::string message = absl::StrCat("HTTP transport: ", curl_easy_strerror(code));
  if (detail != nullptr && detail[0] != '\0') absl::StrAppend(&message, " (", detail, ")");
  // Only the URL can be malformed; CURLE_UNSUPPORTED_PROTOCOL also means a
  // reply libcurl refused (HTTP/0.9), so the scheme is checked beforehand.
  if (code == CURLE_URL_MALFORMAT) return absl::InvalidArgumentError(message);
  return absl::UnavailableError(message);
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
class CurlHttpClient::Call final : public Cancellable, public std::enable_shared_from_this<Call> {
 public:
  enum class State { kNew, kQueued, kInFlight, kDone };

  Call(CurlHttpClient* client, HttpRequest request, absl::Time deadline, HttpCallback done)
      : request(std::move(request)),
        deadline(deadline),
        done(std::move(done)),
        max_body_bytes(client->options_.max_body_bytes),
        max_header_bytes(client->options_.max_header_bytes),
        client_(client) {}

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
    Call* call = static_cast<Call*>(user);
    const size_t length = size * count;
    call->header_bytes += length;
    if (call->header_bytes > call->max_header_bytes) {
      call->header_overflow = true;
      return 0;  // aborts the transfer
    }
    absl::string_view line(data, length);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    HttpHeaders& headers = call->response.headers;
    if (absl::StartsWith(line, "HTTP/")) {
      // A new status line: whatever came before was an interim (1xx) or
      // proxy response. Only the final response's headers are reported.
      headers.clear();
      call->headers_complete = false;
      return length;
    }
    if (line.empty()) {
      call->headers_complete = true;
      return length;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      // Obsolete line folding (RFC 9112 5.2): the line continues the
      // previous value.
      if (!headers.empty()) {
        absl::string_view more = absl::StripAsciiWhitespace(line);
        std::string& value = headers.back().second;
        if (!more.empty()) absl::StrAppend(&value, value.empty() ? "" : " ", more);
      }
      return length;
    }
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) return length;  // not a header; ignore
    std::string name(absl::StripAsciiWhitespace(line.substr(0, colon)));
    absl::AsciiStrToLower(&name);
    headers.emplace_back(std::move(name),
                         std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
    return length;
  }

  static size_t OnBody(char* data, size_t size, size_t count, void* user) {
    Call* call = static_cast<Call*>(user);
    const size_t length = size * count;
    std::string& body = call->response.body;
    const size_t room = call->max_body_bytes - body.size();
    if (length <= room) {
      body.append(data, length);
      return length;
    }
    body.append(data, room);
    call->response.body_truncated = true;
    // Abort rather than drain: the rest could be unbounded. The connection is
    // closed; Complete() treats this write error as success.
    return CURL_WRITEFUNC_ERROR;
  }

  // Loop-thread state.
  HttpRequest request;  // body must stay put while libcurl sends it
  absl::Time deadline;
  HttpCallback done;
  const size_t max_body_bytes;
  const size_t max_header_bytes;
  State state = State::kNew;
  std::list<Call*>::iterator queue_position;
  std::multimap<absl::Time, Call*>::iterator deadline_position;
  bool in_deadline_index = false;
  CURL* easy = nullptr;
  Shard* shard = nullptr;  // whose multi handle runs the transfer
  bool added_to_multi = false;
  // CURLOPT_HTTPHEADER's list, built in two allocations instead of two per
  // line (curl_slist_append): libcurl only reads the list, and curl_slist is
  // a public struct. `header_lines` holds the NUL-terminated lines the
  // nodes point into; neither may change while the transfer runs.
  std::string header_lines;
  std::vector<curl_slist> header_nodes;
  char error_buffer[CURL_ERROR_SIZE] = {};
  HttpResponse response;
  size_t header_bytes = 0;
  bool header_overflow = false;
  // The blank line ending the last header block arrived. libcurl 7.88
  // reports success when the peer closes in the middle of the headers.
  bool headers_complete = false;

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
  std::unique_ptr<CurlHttpClient> client(
      new CurlHttpClient(std::move(options), share, epoll_fd, wake_fd));
  const int max = client->options_.max_connections;
  const int shards = (max + kConnectionsPerShard - 1) / kConnectionsPerShard;
  for (int i = 0; i < shards; ++i) {
    // Capacities differ by at most one and add up to max_connections.
    const int capacity = max / shards + (i < max % shards ? 1 : 0);
    if (absl::Status added = client->AddShard(capacity); !added.ok()) return added;
  }
  client->loop_thread_ = std::thread([raw = client.get()] { raw->Run(); });
  pthread_setname_np(client->loop_thread_.native_handle(), "curl-http-loop");
  return client;
}

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options, CURLSH* share, int epoll_fd,
                               int wake_fd)
    : options_(std::move(options)), share_(share), epoll_fd_(epoll_fd), wake_fd_(wake_fd) {}

absl::Status CurlHttpClient::AddShard(int capacity) {
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) return absl::ResourceExhaustedError("cannot create a libcurl multi handle");
  auto shard = std::make_unique<Shard>();
  shard->client = this;
  shard->index = static_cast<uint32_t>(shards_.size());
  shard->multi = multi;
  shard->capacity = capacity;
  const long max = capacity;  // NOLINT(google-runtime-int): libcurl's type
  // libcurl tells us which sockets to watch and when to call it back, so an
  // event costs work for its own transfer rather than a pass over all of them.
  const bool ok =
      curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max) == CURLM_OK &&
      curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max) == CURLM_OK &&
      curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, max) == CURLM_OK &&
      curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING) == CURLM_OK &&
      curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlHttpClient::OnSocket) == CURLM_OK &&
      curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, static_cast<void*>(shard.get())) == CURLM_OK &&
      curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlHttpClient::OnTimer) == CURLM_OK &&
      curl_multi_setopt(multi, CURLMOPT_TIMERDATA, static_cast<void*>(shard.get())) == CURLM_OK;
  shards_.push_back(std::move(shard));  // cleaned up by the destructor either way
  if (!ok) return absl::InternalError("cannot configure a libcurl multi handle");
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
  for (CURL* easy : idle_easies_) curl_easy_cleanup(easy);
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
  absl::Status refused = ValidateRequest(raw->request);
  if (refused.ok() && raw->deadline <= now) {
    refused = absl::DeadlineExceededError("HTTP transport: deadline passed before sending");
  }
  if (!refused.ok()) {
    queued_now_.fetch_sub(1, std::memory_order_relaxed);
    Complete(raw, std::move(refused));
    return;
  }
  if (queue_.empty() && in_flight_ < options_.max_connections) {
    // A free slot and nobody ahead: skip the queue and its deadline index.
    queued_now_.fetch_sub(1, std::memory_order_relaxed);
    StartTransfer(raw, now);
    return;
  }
  raw->state = Call::State::kQueued;
  raw->queue_position = queue_.insert(queue_.end(), raw);
  if (raw->deadline != absl::InfiniteFuture()) {
    raw->deadline_position = queued_deadlines_.emplace(raw->deadline, raw);
    raw->in_deadline_index = true;
  }
}

void CurlHttpClient::ExpireQueued(absl::Time now) {
  while (!queued_deadlines_.empty() && queued_deadlines_.begin()->first <= now) {
    Complete(queued_deadlines_.begin()->second,
             absl::DeadlineExceededError(
                 "HTTP transport: deadline passed while waiting for a connection"));
  }
}

void CurlHttpClient::StartQueued() {
  while (in_flight_ < options_.max_connections && !queue_.empty()) {
    Call* call = queue_.front();
    queue_.pop_front();
    if (call->in_deadline_index) {
      queued_deadlines_.erase(call->deadline_position);
      call->in_deadline_index = false;
    }
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
  if (!options_.ca_bundle_path.empty()) set(CURLOPT_CAINFO, options_.ca_bundle_path.c_str());
  set(CURLOPT_SHARE, share_);
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
    return CurlError(rc, nullptr);
  }
  return easy;
}

void CurlHttpClient::StartTransfer(Call* call, absl::Time now) {
  if (call->deadline <= now) {
    Complete(call, absl::DeadlineExceededError(
                       "HTTP transport: deadline passed while waiting for a connection"));
    return;
  }
  CURL* easy = nullptr;
  if (idle_easies_.empty()) {
    absl::StatusOr<CURL*> created = NewEasyHandle();
    if (!created.ok()) {
      Complete(call, created.status());
      return;
    }
    easy = *created;
  } else {
    easy = idle_easies_.back();
    idle_easies_.pop_back();
  }
  // First fit keeps a light load on one multi handle and its warm
  // connections. There is always room: in_flight_ < max_connections.
  Shard* shard = nullptr;
  for (const auto& candidate : shards_) {
    if (candidate->in_flight < candidate->capacity) {
      shard = candidate.get();
      break;
    }
  }
  // From here the handle belongs to the call, so Complete() recycles it and
  // frees the header list on every path below.
  call->easy = easy;
  call->shard = shard;
  ++shard->in_flight;
  call->state = Call::State::kInFlight;
  ++in_flight_;
  in_flight_now_.fetch_add(1, std::memory_order_relaxed);

  const HttpRequest& request = call->request;
  BuildHeaderList(request.headers, call->header_lines, call->header_nodes);

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
  set(CURLOPT_TIMEOUT_MS, TimeoutMs(call->deadline, now));
  set(CURLOPT_HEADERDATA, static_cast<void*>(call));
  set(CURLOPT_WRITEDATA, static_cast<void*>(call));
  set(CURLOPT_HTTPHEADER, call->header_nodes.data());
  // On a reused connection that dies before any answer byte, libcurl 7.88
  // sends the request again on a new connection by itself, whatever the
  // method; it does not on a fresh connection. So a request that is not
  // idempotent never takes a pooled connection.
  set(CURLOPT_FRESH_CONNECT, request.idempotent ? 0L : 1L);

  // Method and body. NOBODY off first: it would otherwise turn the next
  // request into HEAD. POSTFIELDS makes libcurl send the body from our
  // buffer in the same write as the headers, without copying it.
  const std::string& method = request.method;
  const bool has_body =
      !request.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
    set(CURLOPT_CUSTOMREQUEST, static_cast<const char*>(nullptr));
  } else if (has_body) {
    set(CURLOPT_NOBODY, 0L);
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    set(CURLOPT_POSTFIELDS, request.body.data());
    set(CURLOPT_CUSTOMREQUEST, method == "POST" ? nullptr : method.c_str());
  } else {
    set(CURLOPT_HTTPGET, 1L);
    set(CURLOPT_CUSTOMREQUEST, method == "GET" ? nullptr : method.c_str());
  }
  if (rc != CURLE_OK) {
    // Before the handle is added: keep Complete() from removing it.
    Complete(call, CurlError(rc, nullptr));
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
    if (call->header_overflow) {
      Complete(call, absl::UnavailableError(absl::StrCat("HTTP transport: response headers exceed ",
                                                         call->max_header_bytes, " bytes")));
    } else if (code == CURLE_OK && !call->headers_complete) {
      Complete(call, absl::UnavailableError(
                         "HTTP transport: connection closed before the response headers ended"));
    } else if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && call->response.body_truncated)) {
      long status = 0;  // NOLINT(google-runtime-int): libcurl's type
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      call->response.status_code = static_cast<int>(status);
      HttpResponse response = std::move(call->response);
      Complete(call, std::move(response));
    } else if (code == CURLE_OPERATION_TIMEDOUT &&
               absl::Now() + absl::Milliseconds(2) >= call->deadline) {
      // The margin absorbs clock skew between libcurl's monotonic timer and
      // absl::Now(); an earlier timeout was the connect timeout.
      Complete(call, absl::DeadlineExceededError(absl::StrCat("HTTP transport: deadline exceeded (",
                                                              call->error_buffer, ")")));
    } else {
      Complete(call, CurlError(code, call->error_buffer));
    }
  }
}

absl::Time CurlHttpClient::NextWakeup(absl::Time now) const {
  absl::Time wake_at = now + absl::Milliseconds(kMaxPollMs);
  for (const auto& shard : shards_) wake_at = std::min(wake_at, shard->timer);
  if (!queued_deadlines_.empty()) wake_at = std::min(wake_at, queued_deadlines_.begin()->first);
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
  // Drop every pointer into the call so an idle handle refers to nothing
  // that can die; the next transfer sets all options again anyway.
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_PRIVATE, static_cast<void*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, static_cast<void*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, static_cast<void*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  call->header_nodes.clear();
  call->header_lines.clear();
  call->easy = nullptr;
  --call->shard->in_flight;
  call->shard = nullptr;
  idle_easies_.push_back(easy);
  --in_flight_;
  in_flight_now_.fetch_sub(1, std::memory_order_relaxed);
}

void CurlHttpClient::Complete(Call* call, absl::StatusOr<HttpResponse> result) {
  // Only a transfer libcurl ran can have sent anything.
  const bool left = !result.ok() && call->state == Call::State::kInFlight && call->added_to_multi &&
                    RequestLeft(call->easy, call->header_bytes);
  switch (call->state) {
    case Call::State::kQueued:
      queue_.erase(call->queue_position);
      if (call->in_deadline_index) {
        queued_deadlines_.erase(call->deadline_position);
        call->in_deadline_index = false;
      }
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
                              : UpstreamResult::Failed(
                                    std::move(result).status(), 1,
                                    left ? Delivery::kMaybeDelivered : Delivery::kNotDelivered));
}

}  // namespace livestream_gateway
