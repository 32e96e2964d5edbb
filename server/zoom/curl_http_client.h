#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_CURL_HTTP_CLIENT_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_CURL_HTTP_CLIENT_H_

#include <curl/curl.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/zoom/http.h"

namespace livestream_gateway {

struct CurlHttpClientOptions {
  // Transfers in flight at once, which is also the number of keep-alive
  // connections kept (HTTP/1.1 carries one exchange per connection). Calls
  // beyond it wait, in order, in the client's own queue. Size it by Little's
  // law: request rate x upstream latency.
  int max_connections = 256;
  // TCP connect plus TLS handshake, per new connection. A call's deadline
  // still applies when it is shorter.
  absl::Duration connect_timeout = absl::Seconds(5);
  // Response bodies are cut at this size (HttpResponse::body_truncated); the
  // transfer is then aborted, so its connection is closed rather than reused.
  size_t max_body_bytes = 64 * 1024;
  // All response header lines together (1xx and final); more fails the call
  // with UNAVAILABLE.
  size_t max_header_bytes = 64 * 1024;
  // Logs libcurl's informational messages (connects, reuse, TLS) to stderr.
  // Request and response headers and bodies are never logged: they hold
  // credentials.
  bool verbose = false;
  // By default proxies named by http_proxy/https_proxy/all_proxy/no_proxy in
  // the environment are ignored, so an inherited variable cannot silently
  // route credentials through a third party. Set to honour them.
  bool use_environment_proxy = false;
  // PEM bundle of trusted CAs; empty means libcurl's built-in default (the
  // system store on Debian).
  std::string ca_bundle_path;
};

// AsyncHttpClient driven by one event-loop thread: epoll plus
// curl_multi_socket_action, so an event costs work for its own transfer only,
// however many are in flight. Pools above 512 connections are split over
// several libcurl multi handles on that loop, because libcurl 7.88 walks a
// multi handle's whole connection pool whenever a transfer ends. Send() and
// HttpCall::Cancel() only enqueue work under a mutex and wake the loop; all
// I/O and every callback happen on the loop thread. HTTP/1.1 with keep-alive
// only (HTTP/2 in Debian 12's libcurl 7.88.1 fails on reused connections);
// redirects are not followed.
//
// Errors passed to callbacks: DEADLINE_EXCEEDED (the deadline passed, queued
// or in flight), CANCELLED (Cancel() or client destruction), UNAVAILABLE
// (DNS, connect, TLS, reset, empty or malformed reply, oversized headers;
// the message is libcurl's and never includes request headers), and
// INVALID_ARGUMENT for a request that can never be sent (malformed URL,
// scheme other than http/https, CR/LF in a header, bad method token).
//
// Callbacks must not block and must not destroy the client; they may call
// Send() and Cancel().
//
// Name resolution uses libcurl's threaded resolver (a short-lived thread per
// uncached host lookup, cached 60 s); connections are reused, so this is rare.
class CurlHttpClient final : public AsyncHttpClient {
 public:
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

  std::shared_ptr<HttpCall> Send(HttpRequest request, absl::Time deadline,
                                 HttpCallback done) override;

  // Cheap (atomic loads); values are read independently, not as a snapshot.
  Stats GetStats() const;

 private:
  class Call;
  friend class Call;

  // One libcurl multi handle (its own connection pool) and its timer. All
  // shards run on the loop thread.
  struct Shard {
    CurlHttpClient* client = nullptr;
    uint32_t index = 0;
    CURLM* multi = nullptr;
    int capacity = 0;   // connections, and so transfers at once
    int in_flight = 0;  // transfers added to `multi`
    // When libcurl wants curl_multi_socket_action(CURL_SOCKET_TIMEOUT).
    absl::Time timer = absl::InfiniteFuture();
  };

  CurlHttpClient(CurlHttpClientOptions options, CURLSH* share, int epoll_fd, int wake_fd);
  absl::Status AddShard(int capacity);

  // Any thread.
  void EnqueueCancel(std::shared_ptr<Call> call);
  void Wake();

  // libcurl's CURLMOPT_SOCKETFUNCTION and CURLMOPT_TIMERFUNCTION; run on the
  // loop thread, inside libcurl calls.
  static int OnSocket(CURL* easy, curl_socket_t socket, int what, void* user, void* socket_data);
  static int OnTimer(CURLM* multi, long timeout_ms, void* user);

  // Loop thread only.
  void Run();
  void Accept(std::shared_ptr<Call> call, absl::Time now);
  void ExpireQueued(absl::Time now);
  void StartQueued();
  void StartTransfer(Call* call, absl::Time now);
  void Drive();
  void ProcessCompletions();
  void ProcessCompletions(CURLM* multi);
  int PollTimeoutMs(absl::Time now) const;
  void Complete(Call* call, absl::StatusOr<HttpResponse> result);
  void ReleaseEasy(Call* call);
  void CancelEverything();

  const CurlHttpClientOptions options_;
  CURLSH* const share_;
  const int epoll_fd_;
  const int wake_fd_;  // eventfd

  absl::Mutex mu_;
  std::vector<std::shared_ptr<Call>> incoming_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Call>> cancels_ ABSL_GUARDED_BY(mu_);
  // A wakeup is already owed to the loop; saves a syscall per Send() under
  // load.
  bool wake_pending_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // The loop has completed its last call; later Send() calls fail inline.
  bool loop_exited_ ABSL_GUARDED_BY(mu_) = false;

  // Owned by the loop thread (no lock): every accepted, unfinished call.
  std::unordered_map<Call*, std::shared_ptr<Call>> live_;
  std::list<Call*> queue_;                             // FIFO of calls waiting for a transfer slot
  std::multimap<absl::Time, Call*> queued_deadlines_;  // finite deadlines in queue_
  std::vector<CURL*> idle_easies_;
  int in_flight_ = 0;
  // Filled before the loop starts, then fixed.
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
