#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_CURL_HTTP_CLIENT_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_CURL_HTTP_CLIENT_H_

#include <curl/curl.h>
#include <sys/epoll.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/defaults.h"
#include "server/zoom/easy_handle_pool.h"
#include "server/zoom/http.h"
#include "server/zoom/transfer_queue.h"
#include "server/zoom/transfer_slots.h"
#include "server/zoom/upstream_observer.h"

namespace livestream_gateway {

struct CurlHttpClientOptions {
  // Transfers in flight at once, which is also the number of keep-alive
  // connections kept (HTTP/1.1 carries one exchange per connection). Calls
  // beyond it wait, in order, in the client's own queue. Size it by Little's
  // law: request rate x upstream latency.
  int max_connections = defaults::kZoomMaxConnections;
  // TCP connect plus TLS handshake, per new connection. A call's deadline
  // still applies when it is shorter.
  absl::Duration connect_timeout = defaults::kZoomConnectTimeout;
  // A PEM CA bundle that HTTPS upstreams' certificates must chain to, in
  // place of the system's store (libcurl's built-in bundle and directory);
  // empty for the system's. For a private CA in front of Zoom (a
  // TLS-inspecting proxy) or a test upstream. Create() refuses a file it
  // cannot read.
  std::string ca_file;
  // Logs libcurl's informational messages (connects, reuse, TLS) to stderr.
  // Request and response headers and bodies are never logged: they hold
  // credentials.
  bool verbose = false;
  // By default proxies named by http_proxy/https_proxy/all_proxy/no_proxy in
  // the environment are ignored, so an inherited variable cannot silently
  // route credentials through a third party. Set to honour them.
  bool use_environment_proxy = false;
  // Told of every exchange libcurl ran (answer or transport error) and of
  // every upstream socket opened and closed; null for none. Must outlive the
  // client.
  UpstreamObserver* observer = nullptr;
};

// AsyncHttpClient driven by one event-loop thread: epoll plus
// curl_multi_socket_action, so an event costs work for its own transfer only,
// however many are in flight. Pools above 512 connections are split over
// several libcurl multi handles on that loop, because libcurl 7.88 walks a
// multi handle's whole connection pool whenever a transfer ends.
//
// Send() never waits: when the loop is idle in epoll it starts the transfer
// on the calling thread (sparing a thread wake-up per call); otherwise it
// queues the call and wakes the loop. So the calling thread may write to an
// upstream socket, and callbacks run on the loop thread or on a thread inside
// Send() (for any call, not only its own). A process using TLS upstream must
// ignore or block SIGPIPE, as OpenSSL writes without MSG_NOSIGNAL
// (livestream_server ignores it). Cancellable::Cancel() only enqueues.
//
// HTTP/1.1 with keep-alive only (HTTP/2 in Debian 12's libcurl 7.88.1 fails
// on reused connections); redirects are not followed.
//
// Errors passed to callbacks: DEADLINE_EXCEEDED (the deadline passed, queued
// or in flight), CANCELLED (Cancel() or client destruction), UNAVAILABLE
// (DNS, connect, TLS, reset, empty or malformed reply, oversized headers;
// the message is libcurl's and never includes request headers), and
// INVALID_ARGUMENT for a request that can never be sent (malformed URL,
// scheme other than http/https, CR/LF in a header, bad method token). Every
// result counts 1 attempt; a failure's delivery (UpstreamResult, http.h) is
// "maybe" once a request byte was written or an answer byte read, "no" before
// (DNS, connect, TLS, queued, refused).
//
// libcurl resends a request by itself when a reused connection dies before
// any answer byte; a request that is not HttpRequest::idempotent therefore
// always goes on a new connection, where it never does.
//
// Callbacks must not block and must not destroy the client; they may call
// Send() and Cancel().
//
// Name resolution uses libcurl's threaded resolver (a short-lived thread per
// uncached host lookup, cached 60 s); connections are reused, so this is rare.
class CurlHttpClient final : public AsyncHttpClient {
 public:
  // Every call Send() took is counted once: queued_now + in_flight_now +
  // completed is the number of calls sent, once no Send() is under way
  // (curl_http_client_test checks it after every way a call can end).
  struct Stats {
    uint64_t started = 0;             // transfers handed to libcurl
    uint64_t completed = 0;           // callbacks run, whatever the outcome
    uint64_t connections_opened = 0;  // sum of CURLINFO_NUM_CONNECTS
    uint64_t queued_now = 0;          // accepted, not yet started or finished
    uint64_t in_flight_now = 0;       // in libcurl right now
  };

  static absl::StatusOr<std::unique_ptr<CurlHttpClient>> Create(CurlHttpClientOptions options = {});

  // Stops the loop; every call still queued or in flight completes with
  // CANCELLED (on the loop thread) before this returns.
  ~CurlHttpClient() override;

  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  std::shared_ptr<Cancellable> Send(HttpRequest request, absl::Time deadline,
                                    HttpCallback done) override;

  // Cheap (atomic loads); values are read independently, not as a snapshot.
  Stats GetStats() const;

 private:
  class Call;
  friend class Call;

  // One libcurl multi handle (its own connection pool) and its timer. All
  // shards run on the loop thread; `slots_` counts their transfers.
  struct Shard {
    CurlHttpClient* client = nullptr;
    uint32_t index = 0;
    CURLM* multi = nullptr;
    // When libcurl wants curl_multi_socket_action(CURL_SOCKET_TIMEOUT).
    absl::Time timer = absl::InfiniteFuture();
  };

  CurlHttpClient(const CurlHttpClientOptions& options, CURLSH* share, int epoll_fd, int wake_fd);
  // One per slots_.shards(), before the loop starts.
  absl::Status AddShards();

  // Any thread.
  void EnqueueCancel(std::shared_ptr<Call> call);
  void Wake();

  // libcurl's CURLMOPT_SOCKETFUNCTION and CURLMOPT_TIMERFUNCTION; run inside
  // libcurl calls, so under loop_mu_.
  static int OnSocket(CURL* easy, curl_socket_t socket, int what, void* user, void* socket_data);
  // NOLINTNEXTLINE(google-runtime-int): libcurl's type
  static int OnTimer(CURLM* multi, long timeout_ms, void* user);

  // Starts `call` under loop_mu_ on the calling thread; false if the loop
  // is stopping (the caller then takes the queued path).
  bool SendInline(const std::shared_ptr<Call>& call) ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);

  // The loop thread's body; holds loop_mu_ except while waiting in epoll.
  void Run();

  // Under loop_mu_: the loop thread, or a sender inside SendInline().
  void HandleEvent(const epoll_event& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  absl::Time NextWakeup(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  void Accept(std::shared_ptr<Call> call, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  void ExpireQueued(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  void StartQueued() ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  void StartTransfer(Call* call, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  // A handle with the options every transfer shares; the pool keeps them.
  absl::StatusOr<CURL*> NewEasyHandle() const;
  void Drive() ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  void ProcessCompletions() ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  void ProcessCompletions(CURLM* multi) ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  int PollTimeoutMs(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  void Complete(Call* call, absl::StatusOr<HttpResponse> result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  void ReleaseEasy(Call* call) ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  void CancelEverything() ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);
  // Between two steps of the loop (no call half accepted): every live call
  // is queued or in flight, and the stats agree. Debug builds only.
  void CheckInvariants() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(loop_mu_);

  const CurlHttpClientOptions options_;
  CURLSH* const share_;
  const int epoll_fd_;
  const int wake_fd_;  // eventfd

  // Held by whoever drives libcurl: the loop thread, except while it waits
  // in epoll, or a sender that found it free. Callbacks run under it, so it
  // is only ever taken with TryLock() outside the loop thread. Taken before
  // mu_.
  absl::Mutex loop_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  // When the loop's epoll_wait times out at the latest (past while it runs).
  absl::Time wake_at_ ABSL_GUARDED_BY(loop_mu_) = absl::InfinitePast();

  absl::Mutex mu_;
  std::vector<std::shared_ptr<Call>> incoming_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Call>> cancels_ ABSL_GUARDED_BY(mu_);
  // A wakeup is already owed to the loop; saves a syscall per Send() under
  // load.
  bool wake_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The loop has completed its last call; later Send() calls fail inline.
  bool loop_exited_ ABSL_GUARDED_BY(mu_) = false;

  // Every accepted, unfinished call.
  absl::flat_hash_map<Call*, std::shared_ptr<Call>> live_ ABSL_GUARDED_BY(loop_mu_);
  // Calls waiting for a transfer slot.
  TransferQueue queue_ ABSL_GUARDED_BY(loop_mu_);
  // Transfers in flight, by shard.
  TransferSlots slots_ ABSL_GUARDED_BY(loop_mu_);
  EasyHandlePool easies_ ABSL_GUARDED_BY(loop_mu_);
  // The vector is filled before the loop starts, then fixed; the shards'
  // fields are guarded by loop_mu_.
  std::vector<std::unique_ptr<Shard>> shards_;

  std::atomic<uint64_t> started_{0};
  std::atomic<uint64_t> completed_{0};
  std::atomic<uint64_t> connections_opened_{0};
  std::atomic<uint64_t> queued_now_{0};
  std::atomic<uint64_t> in_flight_now_{0};

  std::thread loop_thread_;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_CURL_HTTP_CLIENT_H_
