#include "server/zoom/curl_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/recording_observer.h"
#include "tests/unit/scoped_env.h"

namespace livestream_gateway {
namespace {

using ::livestream_gateway::testing::ScopedEnv;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

// Upper bound for waiting on something that should happen promptly; reaching
// it fails the test instead of hanging it.
constexpr absl::Duration kWait = absl::Seconds(30);
constexpr absl::string_view kToken = "Bearer s3cr3t-t0ken";

void CheckOrDie(bool ok, const char* what) {
  if (!ok) {
    std::perror(what);
    std::abort();
  }
}

// A small HTTP/1.1 server on 127.0.0.1 (port 0) running on one poll() thread.
// A handler decides each reply: canned bytes, held until ReleaseHeld(), then
// keep the connection, close it, or reset it. It records every request and
// counts connections.
class TestServer {
 public:
  struct Request {
    int connection = 0;
    std::string method;
    std::string target;
    std::string head;  // request line and header lines, as received
    HttpHeaders headers;
    std::string body;
  };
  enum class Then { kKeepOpen, kClose, kReset };
  struct Reply {
    std::string bytes;
    bool hold = false;
    Then then = Then::kKeepOpen;
  };
  using Handler = std::function<Reply(const Request&)>;

  explicit TestServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    CheckOrDie(listen_fd_ >= 0, "socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    CheckOrDie(bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0,
               "bind");
    CheckOrDie(listen(listen_fd_, 4096) == 0, "listen");
    socklen_t length = sizeof(address);
    CheckOrDie(getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0,
               "getsockname");
    port_ = ntohs(address.sin_port);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    CheckOrDie(wake_fd_ >= 0, "eventfd");
    thread_ = std::thread([this] { Run(); });
  }

  ~TestServer() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    Wake();
    thread_.join();
    close(listen_fd_);
    close(wake_fd_);
  }

  std::string Url(absl::string_view path) const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }

  // Sends every reply held so far.
  void ReleaseHeld() {
    {
      absl::MutexLock lock(&mu_);
      release_requested_ = true;
    }
    Wake();
  }

  bool AwaitHeld(int n) { return AwaitCount(&held_now_, n); }
  bool AwaitClosedByPeer(int n) { return AwaitCount(&closed_by_peer_, n); }
  bool AwaitRequests(int n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&] {
      mu_.AssertHeld();
      return static_cast<int>(requests_.size()) >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), kWait);
  }

  std::vector<Request> requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }
  int accepted() {
    absl::MutexLock lock(&mu_);
    return accepted_;
  }
  int max_open() {
    absl::MutexLock lock(&mu_);
    return max_open_;
  }
  int held_now() {
    absl::MutexLock lock(&mu_);
    return held_now_;
  }

 private:
  struct Connection {
    int fd = -1;
    int id = 0;
    std::string in;
    std::string out;
    size_t out_offset = 0;
    Then after = Then::kKeepOpen;
    std::optional<Reply> held;
    bool closed = false;
  };

  bool AwaitCount(const int* counter, int n) {
    absl::MutexLock lock(&mu_);
    auto reached = [&] {
      mu_.AssertHeld();
      return *counter >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kWait);
  }

  void Wake() {
    const uint64_t one = 1;
    CheckOrDie(write(wake_fd_, &one, sizeof(one)) == sizeof(one), "eventfd write");
  }

  void Run() {
    std::vector<std::unique_ptr<Connection>> connections;
    int next_id = 0;
    while (true) {
      std::vector<pollfd> fds = {{wake_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
      for (const auto& c : connections) {
        fds.push_back({c->fd, static_cast<short>(POLLIN | (c->out.empty() ? 0 : POLLOUT)), 0});
      }
      if (poll(fds.data(), fds.size(), -1) < 0) {
        CheckOrDie(errno == EINTR, "poll");
        continue;
      }
      const size_t polled = connections.size();
      if (fds[0].revents != 0) {
        uint64_t value = 0;
        (void)!read(wake_fd_, &value, sizeof(value));
        bool release = false;
        {
          absl::MutexLock lock(&mu_);
          if (stop_) break;
          release = std::exchange(release_requested_, false);
        }
        if (release) {
          for (auto& c : connections) {
            if (!c->held.has_value()) continue;
            Reply reply = std::move(*c->held);
            c->held.reset();
            {
              absl::MutexLock lock(&mu_);
              --held_now_;
            }
            Queue(*c, std::move(reply));
          }
        }
      }
      if (fds[1].revents != 0) {
        while (true) {
          const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (fd < 0) break;
          auto c = std::make_unique<Connection>();
          c->fd = fd;
          c->id = next_id++;
          connections.push_back(std::move(c));
          absl::MutexLock lock(&mu_);
          ++accepted_;
          ++open_;
          max_open_ = std::max(max_open_, open_);
        }
      }
      for (size_t i = 0; i < polled; ++i) {
        Connection& c = *connections[i];
        const short revents = fds[i + 2].revents;
        if (c.closed || revents == 0) continue;
        if ((revents & POLLOUT) != 0) Flush(c);
        if (!c.closed && (revents & (POLLIN | POLLHUP | POLLERR)) != 0) ReadFrom(c);
      }
      std::erase_if(connections, [](const auto& c) { return c->closed; });
    }
    for (auto& c : connections) Close(*c, /*by_peer=*/false);
  }

  void ReadFrom(Connection& c) {
    char buffer[64 * 1024];
    while (true) {
      const ssize_t n = recv(c.fd, buffer, sizeof(buffer), 0);
      if (n > 0) {
        c.in.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      Close(c, /*by_peer=*/true);  // EOF or reset
      return;
    }
    while (!c.closed) {
      const size_t end = c.in.find("\r\n\r\n");
      if (end == std::string::npos) return;
      Request request;
      request.connection = c.id;
      request.head = c.in.substr(0, end);
      std::vector<std::string> lines = absl::StrSplit(request.head, "\r\n");
      std::vector<std::string> first = absl::StrSplit(lines[0], ' ');
      request.method = first[0];
      request.target = first.size() > 1 ? first[1] : "";
      size_t content_length = 0;
      for (size_t i = 1; i < lines.size(); ++i) {
        const size_t colon = lines[i].find(':');
        std::string name = lines[i].substr(0, colon);
        std::string value(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
        if (absl::EqualsIgnoreCase(name, "content-length")) {
          CheckOrDie(absl::SimpleAtoi(value, &content_length), "content-length");
        }
        request.headers.emplace_back(std::move(name), std::move(value));
      }
      if (c.in.size() < end + 4 + content_length) return;
      request.body = c.in.substr(end + 4, content_length);
      c.in.erase(0, end + 4 + content_length);
      {
        absl::MutexLock lock(&mu_);
        requests_.push_back(request);
      }
      Reply reply = handler_(request);
      if (reply.hold) {
        c.held = std::move(reply);
        absl::MutexLock lock(&mu_);
        ++held_now_;
      } else {
        Queue(c, std::move(reply));
      }
    }
  }

  void Queue(Connection& c, const Reply& reply) {
    c.out += reply.bytes;
    c.after = reply.then;
    Flush(c);
  }

  void Flush(Connection& c) {
    while (c.out_offset < c.out.size()) {
      const ssize_t n =
          send(c.fd, c.out.data() + c.out_offset, c.out.size() - c.out_offset, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_offset += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      Close(c, /*by_peer=*/true);
      return;
    }
    c.out.clear();
    c.out_offset = 0;
    if (c.after == Then::kReset) {
      // Linger 0 makes close() send RST instead of FIN.
      linger reset{1, 0};
      setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
    }
    if (c.after != Then::kKeepOpen) Close(c, /*by_peer=*/false);
  }

  void Close(Connection& c, bool by_peer) {
    if (c.closed) return;
    close(c.fd);
    c.closed = true;
    absl::MutexLock lock(&mu_);
    --open_;
    if (by_peer) ++closed_by_peer_;
    if (c.held.has_value()) --held_now_;
  }

  const Handler handler_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  std::thread thread_;

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool release_requested_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  int accepted_ ABSL_GUARDED_BY(mu_) = 0;
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  int max_open_ ABSL_GUARDED_BY(mu_) = 0;
  int held_now_ ABSL_GUARDED_BY(mu_) = 0;
  int closed_by_peer_ ABSL_GUARDED_BY(mu_) = 0;
};

std::string Response(int status, absl::string_view reason, absl::string_view headers,
                     absl::string_view body) {
  return absl::StrCat("HTTP/1.1 ", status, " ", reason, "\r\n", headers,
                      "Content-Length: ", body.size(), "\r\n\r\n", body);
}

TestServer::Reply Ok(absl::string_view body = "") { return {Response(200, "OK", "", body)}; }

TestServer::Reply Held() {
  TestServer::Reply reply = Ok("late");
  reply.hold = true;
  return reply;
}

// Records the completion of one call and lets the test wait for it.
class Outcome {
 public:
  HttpCallback Callback() {
    return [this](UpstreamResult result) { Set(std::move(result)); };
  }

  void Set(UpstreamResult result) {
    absl::MutexLock lock(&mu_);
    result_ = std::move(result);
    thread_ = std::this_thread::get_id();
    ++count_;
  }

  // The whole result, once the callback has run (an error if it never does).
  UpstreamResult WaitAll() {
    absl::MutexLock lock(&mu_);
    auto done = [&] {
      mu_.AssertHeld();
      return count_ > 0;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&done), kWait)) {
      return UpstreamResult{absl::InternalError("callback never ran")};
    }
    return result_;
  }
  absl::StatusOr<HttpResponse> Wait() { return WaitAll().response; }
  // The Delivery of a failure, as ErrorInfo metadata `delivered` names it.
  std::string WaitDelivery() { return std::string(DeliveryName(WaitAll().delivery)); }

  int count() {
    absl::MutexLock lock(&mu_);
    return count_;
  }
  std::thread::id thread() {
    absl::MutexLock lock(&mu_);
    return thread_;
  }

 private:
  absl::Mutex mu_;
  UpstreamResult result_ ABSL_GUARDED_BY(mu_) = {absl::UnknownError("unset")};
  std::thread::id thread_ ABSL_GUARDED_BY(mu_);
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

// Counts completions of many calls.
class Tally {
 public:
  HttpCallback Callback(std::function<void()> on_done = nullptr) {
    return [this, on_done = std::move(on_done)](UpstreamResult result) {
      if (on_done) on_done();
      absl::MutexLock lock(&mu_);
      ++done_;
      if (result.response.ok() && result.response->status_code == 200) {
        ++ok_;
      } else if (absl::IsCancelled(result.response.status())) {
        ++cancelled_;
      }
    };
  }
  bool AwaitDone(int n) {
    absl::MutexLock lock(&mu_);
    auto reached = [&] {
      mu_.AssertHeld();
      return done_ >= n;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kWait);
  }
  int done() {
    absl::MutexLock lock(&mu_);
    return done_;
  }
  int ok() {
    absl::MutexLock lock(&mu_);
    return ok_;
  }
  int cancelled() {
    absl::MutexLock lock(&mu_);
    return cancelled_;
  }

 private:
  absl::Mutex mu_;
  int done_ ABSL_GUARDED_BY(mu_) = 0;
  int ok_ ABSL_GUARDED_BY(mu_) = 0;
  int cancelled_ ABSL_GUARDED_BY(mu_) = 0;
};

std::unique_ptr<CurlHttpClient> MakeClient(CurlHttpClientOptions options = {}) {
  absl::StatusOr<std::unique_ptr<CurlHttpClient>> client = CurlHttpClient::Create(options);
  CheckOrDie(client.ok(), "CurlHttpClient::Create");
  return *std::move(client);
}

// GET is idempotent, so it may take a pooled connection.
HttpRequest Get(std::string url) { return {"GET", std::move(url), {}, "", /*idempotent=*/true}; }

absl::Time In(absl::Duration d) { return absl::Now() + d; }

int ThreadCount() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    int threads = 0;
    if (absl::StartsWith(line, "Threads:") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(8)), &threads)) {
      return threads;
    }
  }
  return -1;
}

// A loopback port that refuses connections: bound, not listening, so no
// other process can take it while `fd` is open.
int BoundButNotListening(int& fd) {
  fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CheckOrDie(fd >= 0, "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CheckOrDie(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0, "bind");
  socklen_t length = sizeof(address);
  CheckOrDie(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0, "getsockname");
  return ntohs(address.sin_port);
}

TEST(CurlHttpClientTest, CreateRejectsBadOptions) {
  CurlHttpClientOptions no_connections;
  no_connections.max_connections = 0;
  EXPECT_EQ(CurlHttpClient::Create(no_connections).status().code(),
            absl::StatusCode::kInvalidArgument);
  CurlHttpClientOptions no_connect_time;
  no_connect_time.connect_timeout = absl::ZeroDuration();
  EXPECT_EQ(CurlHttpClient::Create(no_connect_time).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CurlHttpClientTest, SendsRequestExactlyAndParsesResponse) {
  TestServer server([](const TestServer::Request&) {
    return TestServer::Reply{Response(201, "Created",
                                      "Content-Type: application/json\r\n"
                                      "X-Dup: a\r\n"
                                      "x-DUP: b\r\n"
                                      "X-Folded: one\r\n"
                                      " \t two\r\n"
                                      "X-Empty:\r\n",
                                      R"({"ok":true})")};
  });
  Outcome outcome;
  auto client = MakeClient();
  const std::string body = R"({"action":"start","settings":{}})";
  client->Send({"PATCH",
                server.Url("/v2/meetings/123/livestream/status?x=1"),
                {{"Authorization", std::string(kToken)},
                 {"Content-Type", "application/json"},
                 {"X-Empty-Request-Header", ""}},
                body},
               absl::InfiniteFuture(), outcome.Callback());
  absl::StatusOr<HttpResponse> result = outcome.Wait();

  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status_code, 201);
  EXPECT_THAT(
      result->headers,
      ElementsAre(Pair("content-type", "application/json"), Pair("x-dup", "a"), Pair("x-dup", "b"),
                  Pair("x-folded", "one two"), Pair("x-empty", ""), Pair("content-length", "11")));
  EXPECT_EQ(result->body, R"({"ok":true})");
  EXPECT_FALSE(result->body_truncated);
  EXPECT_NE(outcome.thread(), std::this_thread::get_id());

  std::vector<TestServer::Request> requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  const TestServer::Request& seen = requests[0];
  EXPECT_EQ(seen.method, "PATCH");
  EXPECT_EQ(seen.target, "/v2/meetings/123/livestream/status?x=1");
  EXPECT_THAT(seen.head, AllOf(::testing::StartsWith("PATCH /v2/meetings/123/livestream/status?x=1"
                                                     " HTTP/1.1\r\n"),
                               Not(HasSubstr("Expect")), Not(HasSubstr("Accept")),
                               Not(HasSubstr("Transfer-Encoding")), Not(HasSubstr("User-Agent"))));
  EXPECT_THAT(seen.headers,
              UnorderedElementsAre(Pair("Host", server.Url("").substr(7)),
                                   Pair("Authorization", std::string(kToken)),
                                   Pair("Content-Type", "application/json"),
                                   Pair("X-Empty-Request-Header", ""),
                                   Pair("Content-Length", absl::StrCat(body.size()))));
  EXPECT_EQ(seen.body, body);

  CurlHttpClient::Stats stats = client->GetStats();
  EXPECT_EQ(stats.started, 1u);
  EXPECT_EQ(stats.completed, 1u);
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.queued_now, 0u);
  EXPECT_EQ(stats.in_flight_now, 0u);
}

// One pooled handle serves every method in turn: nothing from one request
// (method, body, headers) may leak into the next.
TEST(CurlHttpClientTest, ReusedHandleCarriesNoStateBetweenRequests) {
  TestServer server([](const TestServer::Request& request) {
    return request.method == "HEAD" ? TestServer::Reply{"HTTP/1.1 200 OK\r\n"
                                                        "Content-Length: 4\r\n\r\n"}
                                    : Ok("body");
  });
  CurlHttpClientOptions options;
  options.max_connections = 1;
  std::list<Outcome> outcomes;  // outlive the client, as callbacks may run in its destructor
  auto client = MakeClient(options);
  // All idempotent, so that they share one connection (and one handle).
  const std::vector<HttpRequest> sent = {
      {"PATCH",
       server.Url("/a"),
       {{"X-One", "1"}, {"Content-Type", "text/plain"}},
       "patch-body",
       /*idempotent=*/true},
      {"GET", server.Url("/b"), {}, "", true},
      {"POST", server.Url("/c"), {{"Content-Type", "application/json"}}, "{}", true},
      {"DELETE", server.Url("/d"), {}, "", true},
      {"HEAD", server.Url("/e"), {}, "", true},
      {"PUT", server.Url("/f"), {}, "", true},
      {"GET", server.Url("/g"), {{"X-Two", "2"}}, "", true},
  };
  for (const HttpRequest& request : sent) {
    Outcome& outcome = outcomes.emplace_back();
    client->Send(request, In(kWait), outcome.Callback());
    absl::StatusOr<HttpResponse> result = outcome.Wait();
    ASSERT_TRUE(result.ok()) << request.method << ": " << result.status();
    EXPECT_EQ(result->body, request.method == "HEAD" ? "" : "body") << request.method;
  }

  std::vector<TestServer::Request> seen = server.requests();
  ASSERT_EQ(seen.size(), sent.size());
  auto header_names = [](const TestServer::Request& r) {
    std::vector<std::string> names;
    for (const auto& [name, value] : r.headers) names.push_back(name);
    return names;
  };
  using ::testing::UnorderedElementsAreArray;
  const std::vector<std::vector<std::string>> expected_names = {
      {"Host", "X-One", "Content-Type", "Content-Length"},
      {"Host"},
      {"Host", "Content-Type", "Content-Length"},
      {"Host"},
      {"Host"},
      {"Host", "Content-Length"},
      {"Host", "X-Two"},
  };
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(seen[i].method, sent[i].method);
    EXPECT_EQ(seen[i].target, sent[i].url.substr(server.Url("").size()));
    EXPECT_EQ(seen[i].body, sent[i].body);
    EXPECT_THAT(header_names(seen[i]), UnorderedElementsAreArray(expected_names[i]))
        << sent[i].method;
  }
  EXPECT_EQ(server.accepted(), 1);
}

TEST(CurlHttpClientTest, ReportsOnlyFinalResponseAndDoesNotFollowRedirects) {
  TestServer server([](const TestServer::Request&) {
    return TestServer::Reply{absl::StrCat("HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n",
                                          Response(302, "Found", "Location: /elsewhere\r\n", ""))};
  });
  Outcome outcome;
  auto client = MakeClient();
  client->Send(Get(server.Url("/start")), In(kWait), outcome.Callback());
  absl::StatusOr<HttpResponse> result = outcome.Wait();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status_code, 302);
  EXPECT_THAT(result->headers,
              ElementsAre(Pair("location", "/elsewhere"), Pair("content-length", "0")));
  // A followed redirect would have reached the server before the callback.
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(CurlHttpClientTest, ReusesOneConnectionForSequentialCalls) {
  TestServer server([](const TestServer::Request&) { return Ok("pong"); });
  std::list<Outcome> outcomes;
  auto client = MakeClient();
  for (int i = 0; i < 100; ++i) {
    Outcome& outcome = outcomes.emplace_back();
    client->Send(Get(server.Url(absl::StrCat("/", i))), In(kWait), outcome.Callback());
    absl::StatusOr<HttpResponse> result = outcome.Wait();
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_EQ(result->body, "pong");
  }
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(server.requests().size(), 100u);
  CurlHttpClient::Stats stats = client->GetStats();
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.started, 100u);
  EXPECT_EQ(stats.completed, 100u);
}

// A server that closes after each reply (without saying so) leaves a dead
// connection in the pool; libcurl must notice or retry, not fail the call.
TEST(CurlHttpClientTest, TellsTheObserverOfAnswersTransportErrorsAndConnections) {
  TestServer server([](const TestServer::Request& request) {
    if (request.target == "/missing") return TestServer::Reply{Response(404, "Not Found", "", "")};
    if (request.target == "/reset") {
      TestServer::Reply reply = Ok();
      reply.then = TestServer::Then::kReset;
      reply.bytes.clear();
      return reply;
    }
    return Ok("pong");
  });
  testing::RecordingObserver observer;  // outlives the client
  CurlHttpClientOptions options;
  options.observer = &observer;
  auto client = MakeClient(options);
  for (const char* path : {"/a", "/b", "/missing"}) {
    Outcome outcome;
    client->Send(Get(server.Url(path)), In(kWait), outcome.Callback());
    ASSERT_TRUE(outcome.Wait().ok());
  }
  // Sequential keep-alive calls share one connection, which stays open.
  EXPECT_EQ(observer.opened(), 1);
  EXPECT_EQ(observer.closed(), 0);
  Outcome reset;
  client->Send({"PATCH", server.Url("/reset"), {}, "{}"}, In(kWait), reset.Callback());
  EXPECT_FALSE(reset.Wait().ok());
  EXPECT_EQ(observer.events(),
            (std::vector<std::string>{"GET 200", "GET 200", "GET 404", "PATCH transport_error"}));
  // A request that is not idempotent took a fresh connection, which the
  // reset closed.
  EXPECT_EQ(observer.opened(), 2);
  EXPECT_EQ(observer.closed(), 1);
  client.reset();
  EXPECT_EQ(observer.closed(), 2) << "the pooled connection closes with the client";
}

TEST(CurlHttpClientTest, ServerClosingIdleConnectionsIsTransparent) {
  TestServer server([](const TestServer::Request&) {
    TestServer::Reply reply = Ok("once");
    reply.then = TestServer::Then::kClose;
    return reply;
  });
  std::list<Outcome> outcomes;
  auto client = MakeClient();
  for (int i = 0; i < 5; ++i) {
    Outcome& outcome = outcomes.emplace_back();
    client->Send(Get(server.Url("/x")), In(kWait), outcome.Callback());
    absl::StatusOr<HttpResponse> result = outcome.Wait();
    ASSERT_TRUE(result.ok()) << i << ": " << result.status();
    EXPECT_EQ(result->body, "once");
  }
  EXPECT_EQ(server.accepted(), 5);
  EXPECT_EQ(server.requests().size(), 5u);
}

TEST(CurlHttpClientTest, BoundsConnectionsAndQueuesTheRestInOrder) {
  std::atomic<bool> hold{true};
  TestServer server([&](const TestServer::Request&) { return hold ? Held() : Ok("late"); });
  CurlHttpClientOptions options;
  options.max_connections = 2;
  Tally tally;
  auto client = MakeClient(options);
  for (int i = 0; i < 10; ++i) {
    client->Send(Get(server.Url(absl::StrCat("/", i))), In(kWait), tally.Callback());
  }
  ASSERT_TRUE(server.AwaitHeld(2));
  CurlHttpClient::Stats stats = client->GetStats();
  EXPECT_EQ(stats.in_flight_now, 2u);
  EXPECT_EQ(stats.queued_now, 8u);
  EXPECT_EQ(stats.started, 2u);
  EXPECT_EQ(tally.done(), 0);

  hold = false;
  server.ReleaseHeld();
  ASSERT_TRUE(tally.AwaitDone(10));
  EXPECT_EQ(tally.ok(), 10);
  EXPECT_LE(server.accepted(), 2);
  EXPECT_LE(server.max_open(), 2);
  std::vector<TestServer::Request> seen = server.requests();
  ASSERT_EQ(seen.size(), 10u);
  // Nothing else is sent while the first two are held: FIFO order.
  EXPECT_THAT((std::vector<std::string>{seen[0].target, seen[1].target}),
              UnorderedElementsAre("/0", "/1"));
  stats = client->GetStats();
  EXPECT_EQ(stats.queued_now, 0u);
  EXPECT_EQ(stats.in_flight_now, 0u);
  EXPECT_EQ(stats.completed, 10u);
  EXPECT_LE(stats.connections_opened, 2u);
}

// Pools above 512 connections are split over several libcurl multi handles
// (libcurl 7.88 scans a multi's whole pool per transfer). Together they must
// behave as one pool: every slot usable at once, the excess queued in order,
// and each connection reused by the next burst.
TEST(CurlHttpClientTest, LargePoolIsUsableWholeAndReusedAcrossMultiHandles) {
  constexpr int kPool = 1100;  // three multi handles of 367, 367 and 366
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
  // Both ends of every connection live in this process.
  if (limit.rlim_cur < 2 * kPool + 256) GTEST_SKIP() << "RLIMIT_NOFILE is " << limit.rlim_cur;

  std::atomic<int> to_hold{0};
  TestServer server(
      [&](const TestServer::Request&) { return to_hold.fetch_sub(1) > 0 ? Held() : Ok("ok"); });
  CurlHttpClientOptions options;
  options.max_connections = kPool;
  auto client = MakeClient(options);
  for (int burst = 0; burst < 2; ++burst) {
    to_hold = kPool;
    Tally tally;
    for (int i = 0; i <= kPool; ++i) {
      client->Send(Get(server.Url(absl::StrCat("/", burst, "/", i))), In(kWait), tally.Callback());
    }
    ASSERT_TRUE(server.AwaitHeld(kPool)) << "burst " << burst;
    CurlHttpClient::Stats stats = client->GetStats();
    EXPECT_EQ(stats.in_flight_now, static_cast<uint64_t>(kPool));
    EXPECT_EQ(stats.queued_now, 1u);
    // The last call waits for a slot and takes the first one freed.
    server.ReleaseHeld();
    ASSERT_TRUE(tally.AwaitDone(kPool + 1));
    EXPECT_EQ(tally.ok(), kPool + 1);
  }
  EXPECT_EQ(server.accepted(), kPool);
  EXPECT_EQ(client->GetStats().connections_opened, static_cast<uint64_t>(kPool));
}

TEST(CurlHttpClientTest, DeadlineInFlightIsDeadlineExceededAndClosesConnection) {
  TestServer server([](const TestServer::Request&) { return Held(); });
  Outcome outcome;
  auto client = MakeClient();
  client->Send(Get(server.Url("/slow")), In(absl::Milliseconds(200)), outcome.Callback());
  absl::StatusOr<HttpResponse> result = outcome.Wait();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded) << result.status();
  EXPECT_TRUE(server.AwaitClosedByPeer(1));
  EXPECT_EQ(client->GetStats().in_flight_now, 0u);
}

TEST(CurlHttpClientTest, DeadlinePassingInQueueFailsWithoutSending) {
  TestServer server([](const TestServer::Request&) { return Held(); });
  CurlHttpClientOptions options;
  options.max_connections = 1;
  Outcome first;
  auto client = MakeClient(options);
  client->Send(Get(server.Url("/first")), absl::InfiniteFuture(), first.Callback());
  ASSERT_TRUE(server.AwaitHeld(1));
  Outcome second;
  client->Send(Get(server.Url("/second")), In(absl::Milliseconds(100)), second.Callback());
  EXPECT_EQ(second.Wait().status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(client->GetStats().queued_now, 0u);
  EXPECT_EQ(first.count(), 0);

  server.ReleaseHeld();
  EXPECT_TRUE(first.Wait().ok());
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(client->GetStats().started, 1u);
}

TEST(CurlHttpClientTest, PastDeadlineFailsAtOnceWithoutSending) {
  TestServer server([](const TestServer::Request&) { return Ok(); });
  Outcome late, next;
  auto client = MakeClient();
  client->Send(Get(server.Url("/late")), absl::Now() - absl::Seconds(1), late.Callback());
  EXPECT_EQ(late.Wait().status().code(), absl::StatusCode::kDeadlineExceeded);
  // A later call is sent; had the first one been, it would have arrived first.
  client->Send(Get(server.Url("/next")), In(kWait), next.Callback());
  ASSERT_TRUE(next.Wait().ok());
  std::vector<TestServer::Request> seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/next");
  EXPECT_EQ(client->GetStats().started, 1u);
}

TEST(CurlHttpClientTest, CancelQueuedCall) {
  TestServer server([](const TestServer::Request&) { return Held(); });
  CurlHttpClientOptions options;
  options.max_connections = 1;
  Outcome first;
  auto client = MakeClient(options);
  client->Send(Get(server.Url("/first")), In(kWait), first.Callback());
  ASSERT_TRUE(server.AwaitHeld(1));
  Outcome second;
  std::shared_ptr<Cancellable> call =
      client->Send(Get(server.Url("/second")), In(kWait), second.Callback());
  call->Cancel();
  call->Cancel();
  EXPECT_EQ(second.Wait().status().code(), absl::StatusCode::kCancelled);
  call->Cancel();
  EXPECT_EQ(client->GetStats().queued_now, 0u);
  EXPECT_EQ(server.held_now(), 1);

  server.ReleaseHeld();
  EXPECT_TRUE(first.Wait().ok());
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(second.count(), 1);
}

TEST(CurlHttpClientTest, CancelInFlightCallClosesItsConnection) {
  TestServer server([](const TestServer::Request&) { return Held(); });
  Outcome outcome;
  auto client = MakeClient();
  std::shared_ptr<Cancellable> call =
      client->Send(Get(server.Url("/held")), absl::InfiniteFuture(), outcome.Callback());
  ASSERT_TRUE(server.AwaitHeld(1));
  call->Cancel();
  EXPECT_EQ(outcome.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(server.AwaitClosedByPeer(1));
  call->Cancel();
  EXPECT_EQ(outcome.count(), 1);
  EXPECT_EQ(client->GetStats().in_flight_now, 0u);
}

TEST(CurlHttpClientTest, ConnectionRefusedIsUnavailableWithoutSecrets) {
  // Bound but not listening: connecting gets a reset, and no other process
  // can take the port meanwhile.
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);

  Outcome outcome;
  auto client = MakeClient();
  client->Send({"PATCH",
                absl::StrCat("http://127.0.0.1:", ntohs(address.sin_port), "/x"),
                {{"Authorization", std::string(kToken)}},
                "{}"},
               In(kWait), outcome.Callback());
  absl::StatusOr<HttpResponse> result = outcome.Wait();
  close(fd);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(result.status().message(),
              AllOf(HasSubstr("connect"), Not(HasSubstr("s3cr3t")), Not(HasSubstr("Bearer"))));
}

TEST(CurlHttpClientTest, VerboseLogNeverShowsHeadersOrBodies) {
  TestServer server([](const TestServer::Request&) {
    return TestServer::Reply{Response(200, "OK", "Set-Cookie: s3cr3t-cookie\r\n", "s3cr3t-body")};
  });
  Outcome outcome;
  CurlHttpClientOptions options;
  options.verbose = true;
  auto client = MakeClient(options);
  ::testing::internal::CaptureStderr();
  client->Send({"PATCH", server.Url("/x"), {{"Authorization", std::string(kToken)}}, "s3cr3t-req"},
               In(kWait), outcome.Callback());
  absl::StatusOr<HttpResponse> result = outcome.Wait();
  client.reset();  // nothing more can be logged
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->body, "s3cr3t-body");
  EXPECT_THAT(log, AllOf(HasSubstr("component=curl"), Not(HasSubstr("s3cr3t"))));
}

TEST(CurlHttpClientTest, EnvironmentProxyIsIgnoredUnlessEnabled) {
  TestServer origin([](const TestServer::Request&) { return Ok("direct"); });
  TestServer proxy([](const TestServer::Request&) { return Ok("proxied"); });
  // Set before any client exists: libcurl reads these on its loop thread.
  ScopedEnv http_proxy("http_proxy", proxy.Url("").c_str());
  ScopedEnv no_proxy("no_proxy", nullptr);
  ScopedEnv no_proxy_upper("NO_PROXY", nullptr);
  for (bool use_proxy : {false, true}) {
    Outcome outcome;
    CurlHttpClientOptions options;
    options.use_environment_proxy = use_proxy;
    auto client = MakeClient(options);
    client->Send(Get(origin.Url("/x")), In(kWait), outcome.Callback());
    absl::StatusOr<HttpResponse> result = outcome.Wait();
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->body, use_proxy ? "proxied" : "direct");
  }
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_EQ(proxy.requests()[0].target, origin.Url("/x"));
  EXPECT_EQ(origin.requests().size(), 1u);
}

struct BrokenReplyCase {
  std::string name;
  TestServer::Reply reply;
};

class BrokenReplyTest : public ::testing::TestWithParam<BrokenReplyCase> {};

TEST_P(BrokenReplyTest, IsUnavailable) {
  TestServer server([](const TestServer::Request&) { return GetParam().reply; });
  Outcome outcome;
  auto client = MakeClient();
  client->Send({"PATCH", server.Url("/x"), {{"Authorization", std::string(kToken)}}, "{}"},
               In(kWait), outcome.Callback());
  absl::StatusOr<HttpResponse> result = outcome.Wait();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable) << result.status();
  EXPECT_THAT(result.status().message(), Not(HasSubstr("s3cr3t")));
}

INSTANTIATE_TEST_SUITE_P(
    Replies, BrokenReplyTest,
    ::testing::Values(
        BrokenReplyCase{"ResetMidResponse",
                        {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", false,
                         TestServer::Then::kReset}},
        BrokenReplyCase{"ResetBeforeReply", {"", false, TestServer::Then::kReset}},
        BrokenReplyCase{"EmptyReply", {"", false, TestServer::Then::kClose}},
        BrokenReplyCase{"ClosedMidBody",
                        {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", false,
                         TestServer::Then::kClose}},
        BrokenReplyCase{"ClosedMidHeaders",
                        {"HTTP/1.1 200 OK\r\nContent-Le", false, TestServer::Then::kClose}},
        BrokenReplyCase{"NotHttp", {"SSH-2.0-OpenSSH\r\n\r\n", false, TestServer::Then::kClose}},
        BrokenReplyCase{
            "HeadersOverLimit",
            {Response(200, "OK", std::string(80 * 1024, 'a').insert(0, "X-Big: ") + "\r\n", ""),
             false, TestServer::Then::kKeepOpen}}),
    [](const auto& info) { return info.param.name; });

struct BodySizeCase {
  size_t size;
  bool truncated;
};

class BodySizeTest : public ::testing::TestWithParam<BodySizeCase> {};

TEST_P(BodySizeTest, BodyIsCappedAt64KiB) {
  std::string body(GetParam().size, 'x');
  for (size_t i = 0; i < body.size(); i += 1000) body[i] = static_cast<char>('a' + i % 26);
  TestServer server([&](const TestServer::Request&) { return Ok(body); });
  Outcome outcome, next;
  auto client = MakeClient();
  client->Send(Get(server.Url("/big")), In(kWait), outcome.Callback());
  absl::StatusOr<HttpResponse> result = outcome.Wait();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->status_code, 200);
  EXPECT_EQ(result->body_truncated, GetParam().truncated);
  EXPECT_EQ(result->body, body.substr(0, 64 * 1024));

  // The client stays usable afterwards (on a new connection if it aborted).
  client->Send(Get(server.Url("/next")), In(kWait), next.Callback());
  EXPECT_TRUE(next.Wait().ok());
}

INSTANTIATE_TEST_SUITE_P(Sizes, BodySizeTest,
                         ::testing::Values(BodySizeCase{0, false}, BodySizeCase{1, false},
                                           BodySizeCase{64 * 1024, false},
                                           BodySizeCase{64 * 1024 + 1, true},
                                           BodySizeCase{4 * 1024 * 1024, true}));

struct InvalidRequestCase {
  std::string name;
  HttpRequest request;
};

class InvalidRequestTest : public ::testing::TestWithParam<InvalidRequestCase> {};

TEST_P(InvalidRequestTest, IsRejectedWithoutSending) {
  TestServer server([](const TestServer::Request&) { return Ok(); });
  Outcome outcome, next;
  auto client = MakeClient();
  HttpRequest request = GetParam().request;
  absl::StrReplaceAll({{"$SERVER", server.Url("")}}, &request.url);
  client->Send(request, In(kWait), outcome.Callback());
  absl::StatusOr<HttpResponse> result = outcome.Wait();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << result.status();
  EXPECT_THAT(result.status().message(), Not(HasSubstr("s3cr3t")));
  client->Send(Get(server.Url("/next")), In(kWait), next.Callback());
  ASSERT_TRUE(next.Wait().ok());
  EXPECT_EQ(server.requests().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Requests, InvalidRequestTest,
    ::testing::Values(
        InvalidRequestCase{"HeaderValueWithCrLf",
                           {"GET", "$SERVER/x", {{"Authorization", "s3cr3t\r\nX-Evil: 1"}}, ""}},
        InvalidRequestCase{
            "HeaderValueWithNul",
            {"GET", "$SERVER/x", {{"Authorization", std::string("s3cr3t\0x", 8)}}, ""}},
        InvalidRequestCase{"HeaderNameWithSpace", {"GET", "$SERVER/x", {{"Bad Name", "v"}}, ""}},
        InvalidRequestCase{"EmptyHeaderName", {"GET", "$SERVER/x", {{"", "s3cr3t"}}, ""}},
        InvalidRequestCase{"MethodWithSpace", {"GET /y", "$SERVER/x", {}, ""}},
        InvalidRequestCase{"EmptyMethod", {"", "$SERVER/x", {}, ""}},
        InvalidRequestCase{"UrlWithNewline", {"GET", "$SERVER/x\r\nX-Evil: 1", {}, ""}},
        InvalidRequestCase{"FileScheme", {"GET", "file:///etc/passwd", {}, ""}},
        InvalidRequestCase{"FtpScheme", {"GET", "ftp://127.0.0.1/x", {}, ""}},
        InvalidRequestCase{"EmptyUrl", {"GET", "", {}, ""}}),
    [](const auto& info) { return info.param.name; });

TEST(CurlHttpClientTest, DestructorCancelsQueuedAndInFlightCalls) {
  TestServer server([](const TestServer::Request&) { return Held(); });
  // Declared before the client: callbacks run inside its destructor.
  Outcome in_flight_a, in_flight_b, queued, resent;
  CurlHttpClientOptions options;
  options.max_connections = 2;
  auto client = MakeClient(options);
  client->Send(Get(server.Url("/a")), In(kWait), in_flight_a.Callback());
  client->Send(Get(server.Url("/b")), absl::InfiniteFuture(), in_flight_b.Callback());
  // A retry decorator would send again from the callback; that call must
  // complete too, not be lost.
  CurlHttpClient* raw = client.get();
  client->Send(Get(server.Url("/c")), In(kWait), [&, raw](UpstreamResult result) {
    raw->Send(Get(server.Url("/retry")), In(kWait), resent.Callback());
    queued.Set(std::move(result));
  });
  ASSERT_TRUE(server.AwaitHeld(2));
  client.reset();

  for (Outcome* outcome : {&in_flight_a, &in_flight_b, &queued, &resent}) {
    EXPECT_EQ(outcome->count(), 1);
    EXPECT_EQ(outcome->Wait().status().code(), absl::StatusCode::kCancelled);
    EXPECT_NE(outcome->thread(), std::this_thread::get_id());
  }
  EXPECT_TRUE(server.AwaitClosedByPeer(2));
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(CurlHttpClientTest, HandleOutlivesClient) {
  TestServer server([](const TestServer::Request&) { return Held(); });
  Outcome outcome;
  auto client = MakeClient();
  std::shared_ptr<Cancellable> call =
      client->Send(Get(server.Url("/a")), In(kWait), outcome.Callback());
  ASSERT_TRUE(server.AwaitHeld(1));
  client.reset();
  call->Cancel();  // a no-op now, and must not touch the dead client
  EXPECT_EQ(outcome.count(), 1);
  EXPECT_EQ(outcome.Wait().status().code(), absl::StatusCode::kCancelled);
}

TEST(CurlHttpClientTest, CallbackMaySendAgain) {
  TestServer server([](const TestServer::Request& request) { return Ok(request.target); });
  Outcome first, second;
  auto client = MakeClient();
  CurlHttpClient* raw = client.get();
  client->Send(Get(server.Url("/first")), In(kWait), [&, raw](UpstreamResult result) {
    raw->Send(Get(server.Url("/second")), In(kWait), second.Callback());
    first.Set(std::move(result));
  });
  absl::StatusOr<HttpResponse> second_result = second.Wait();
  ASSERT_TRUE(second_result.ok()) << second_result.status();
  EXPECT_EQ(second_result->body, "/second");
  ASSERT_TRUE(first.Wait().ok());
  EXPECT_EQ(first.Wait()->body, "/first");
  EXPECT_EQ(server.accepted(), 1);
}

TEST(CurlHttpClientTest, ThousandConcurrentCallsUseNoExtraThreads) {
  TestServer server([](const TestServer::Request&) { return Ok("ok"); });
  Tally tally;
  std::atomic<int> threads_midway{-1};
  auto client = MakeClient();
  const int baseline = ThreadCount();
  ASSERT_GT(baseline, 0);
  constexpr int kCalls = 1000;
  for (int i = 0; i < kCalls; ++i) {
    client->Send(Get(server.Url(absl::StrCat("/", i))), In(kWait), tally.Callback([&, i] {
      if (i == kCalls / 2) threads_midway = ThreadCount();
    }));
  }
  const int threads_after_send = ThreadCount();
  ASSERT_TRUE(tally.AwaitDone(kCalls));
  EXPECT_EQ(tally.ok(), kCalls);
  // At most, not equal: a thread left by an earlier test (libcurl detaches
  // its resolver threads) may end meanwhile; under --gtest_repeat one did.
  // What matters is that calls never add a thread.
  EXPECT_LE(threads_after_send, baseline);
  EXPECT_GT(threads_midway.load(), 0);
  EXPECT_LE(threads_midway.load(), baseline);
  EXPECT_LE(ThreadCount(), baseline);
  CurlHttpClient::Stats stats = client->GetStats();
  EXPECT_EQ(stats.completed, static_cast<uint64_t>(kCalls));
  EXPECT_LE(stats.connections_opened, 256u);
  EXPECT_LE(server.max_open(), 256);
}

// Send and Cancel race from several threads against completions on the loop;
// every callback still runs exactly once.
TEST(CurlHttpClientTest, SendAndCancelFromManyThreads) {
  TestServer server([](const TestServer::Request&) { return Ok("ok"); });
  CurlHttpClientOptions options;
  options.max_connections = 8;
  Tally tally;
  auto client = MakeClient(options);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100;
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::shared_ptr<Cancellable> call = client->Send(
            Get(server.Url(absl::StrCat("/", t, "/", i))), In(kWait), tally.Callback());
        if (i % 2 == 0) call->Cancel();
      }
    });
  }
  for (std::thread& sender : senders) sender.join();
  ASSERT_TRUE(tally.AwaitDone(kThreads * kPerThread));
  EXPECT_EQ(tally.ok() + tally.cancelled(), kThreads * kPerThread);
  EXPECT_GE(tally.ok(), kThreads * kPerThread / 2);
  client.reset();
  EXPECT_EQ(tally.done(), kThreads * kPerThread);
}

// Every call the client took is, at any quiet moment, counted exactly once:
// waiting, in flight, or completed.
void ExpectAccountedFor(const CurlHttpClient::Stats& stats, uint64_t sent) {
  EXPECT_EQ(stats.queued_now + stats.in_flight_now + stats.completed, sent)
      << "queued " << stats.queued_now << ", in flight " << stats.in_flight_now << ", completed "
      << stats.completed;
  EXPECT_LE(stats.started, sent);
  EXPECT_LE(stats.in_flight_now, stats.started);
}

// Stats after each way a call can end: cancelled while queued, expired while
// queued, refused at the door (past deadline, invalid), cancelled in flight,
// answered.
TEST(CurlHttpClientTest, StatsAddUpAfterEveryWayACallEnds) {
  std::atomic<bool> hold{true};
  TestServer server([&](const TestServer::Request&) { return hold ? Held() : Ok("ok"); });
  CurlHttpClientOptions options;
  options.max_connections = 2;
  auto client = MakeClient(options);
  Outcome a, b, c, d, e, f, g;
  client->Send(Get(server.Url("/a")), absl::InfiniteFuture(), a.Callback());
  std::shared_ptr<Cancellable> b_call =
      client->Send(Get(server.Url("/b")), absl::InfiniteFuture(), b.Callback());
  ASSERT_TRUE(server.AwaitHeld(2));
  std::shared_ptr<Cancellable> d_call =
      client->Send(Get(server.Url("/d")), absl::InfiniteFuture(), d.Callback());
  client->Send(Get(server.Url("/e")), absl::InfiniteFuture(), e.Callback());
  CurlHttpClient::Stats stats = client->GetStats();
  EXPECT_EQ(stats.in_flight_now, 2u);
  EXPECT_EQ(stats.queued_now, 2u);
  ExpectAccountedFor(stats, 4);

  d_call->Cancel();
  EXPECT_EQ(d.Wait().status().code(), absl::StatusCode::kCancelled);
  stats = client->GetStats();
  EXPECT_EQ(stats.queued_now, 1u);
  EXPECT_EQ(stats.completed, 1u);
  ExpectAccountedFor(stats, 4);

  client->Send(Get(server.Url("/c")), In(absl::Milliseconds(100)), c.Callback());
  EXPECT_EQ(c.Wait().status().code(), absl::StatusCode::kDeadlineExceeded);
  client->Send(Get(server.Url("/f")), absl::Now() - absl::Seconds(1), f.Callback());
  EXPECT_EQ(f.Wait().status().code(), absl::StatusCode::kDeadlineExceeded);
  client->Send(Get("ftp://127.0.0.1/g"), In(kWait), g.Callback());
  EXPECT_EQ(g.Wait().status().code(), absl::StatusCode::kInvalidArgument);
  stats = client->GetStats();
  EXPECT_EQ(stats.queued_now, 1u);
  EXPECT_EQ(stats.in_flight_now, 2u);
  EXPECT_EQ(stats.started, 2u);
  EXPECT_EQ(stats.completed, 4u);
  ExpectAccountedFor(stats, 7);

  // The freed slot goes to the call still waiting.
  hold = false;
  b_call->Cancel();
  EXPECT_EQ(b.Wait().status().code(), absl::StatusCode::kCancelled);
  ASSERT_TRUE(e.Wait().ok());
  stats = client->GetStats();
  EXPECT_EQ(stats.queued_now, 0u);
  EXPECT_EQ(stats.in_flight_now, 1u);
  EXPECT_EQ(stats.started, 3u);
  EXPECT_EQ(stats.completed, 6u);
  ExpectAccountedFor(stats, 7);

  server.ReleaseHeld();
  ASSERT_TRUE(a.Wait().ok());
  stats = client->GetStats();
  EXPECT_EQ(stats.in_flight_now, 0u);
  EXPECT_EQ(stats.started, 3u);
  EXPECT_EQ(stats.completed, 7u);
  ExpectAccountedFor(stats, 7);
  for (Outcome* outcome : {&a, &b, &c, &d, &e, &f, &g}) EXPECT_EQ(outcome->count(), 1);
}

constexpr int kRacingThreads = 4;
constexpr int kRacingCallsPerThread = 150;

// Senders on several threads (some inline on the loop, some queued), with
// cancellations and deadlines passing in the queue: every call completes
// once and the gauges return to zero.
TEST(CurlHttpClientTest, StatsSettleAfterRacingSendsCancelsAndDeadlines) {
  TestServer server([](const TestServer::Request&) { return Ok("ok"); });
  CurlHttpClientOptions options;
  options.max_connections = 4;
  Tally tally;
  auto client = MakeClient(options);
  std::vector<std::thread> senders;
  senders.reserve(kRacingThreads);
  for (int t = 0; t < kRacingThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kRacingCallsPerThread; ++i) {
        // Every third call has a deadline short enough to pass while queued.
        const absl::Time deadline = i % 3 == 0 ? In(absl::Milliseconds(1)) : In(kWait);
        std::shared_ptr<Cancellable> call =
            client->Send(Get(server.Url(absl::StrCat("/", t, "/", i))), deadline, tally.Callback());
        if (i % 5 == 0) call->Cancel();
      }
    });
  }
  for (std::thread& sender : senders) sender.join();
  ASSERT_TRUE(tally.AwaitDone(kRacingThreads * kRacingCallsPerThread));
  const CurlHttpClient::Stats stats = client->GetStats();
  EXPECT_EQ(stats.completed, uint64_t{kRacingThreads} * kRacingCallsPerThread);
  EXPECT_EQ(stats.queued_now, 0u);
  EXPECT_EQ(stats.in_flight_now, 0u);
  ExpectAccountedFor(stats, uint64_t{kRacingThreads} * kRacingCallsPerThread);
  client.reset();
  EXPECT_EQ(tally.done(), kRacingThreads * kRacingCallsPerThread);
}

constexpr int kCallsAtDestruction = 6;  // two in flight, four queued

// Destruction completes every call, each once, and leaves nothing counted as
// waiting or in flight: the last callback sees the final numbers.
TEST(CurlHttpClientTest, StatsAddUpWhenDestructionCancelsEverything) {
  TestServer server([](const TestServer::Request&) { return Held(); });
  CurlHttpClientOptions options;
  options.max_connections = 2;
  auto client = MakeClient(options);
  CurlHttpClient* raw = client.get();
  absl::Mutex mu;
  std::vector<CurlHttpClient::Stats> seen;
  for (int i = 0; i < kCallsAtDestruction; ++i) {
    client->Send(Get(server.Url(absl::StrCat("/", i))), In(kWait),
                 [&, raw](const UpstreamResult& result) {
                   EXPECT_EQ(result.response.status().code(), absl::StatusCode::kCancelled);
                   // The client is inside its destructor, which waits for this callback.
                   CurlHttpClient::Stats stats = raw->GetStats();
                   absl::MutexLock lock(&mu);
                   seen.push_back(stats);
                 });
  }
  ASSERT_TRUE(server.AwaitHeld(2));
  ExpectAccountedFor(client->GetStats(), kCallsAtDestruction);
  client.reset();
  absl::MutexLock lock(&mu);
  ASSERT_EQ(seen.size(), static_cast<size_t>(kCallsAtDestruction));
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].completed, i + 1);
    ExpectAccountedFor(seen[i], kCallsAtDestruction);
  }
  EXPECT_EQ(seen.back().queued_now, 0u);
  EXPECT_EQ(seen.back().in_flight_now, 0u);
  EXPECT_EQ(seen.back().started, 2u);
}

// Did the request leave? The transport tells "no" (the server cannot have
// acted) from "maybe" on every failure.

struct DeliveryCase {
  std::string name;
  TestServer::Reply reply;
  absl::Duration timeout;
  absl::StatusCode code;
};

class MaybeDeliveredTest : public ::testing::TestWithParam<DeliveryCase> {};

TEST_P(MaybeDeliveredTest, FailureAfterTheRequestLeftIsMaybeDelivered) {
  TestServer server([](const TestServer::Request&) { return GetParam().reply; });
  Outcome outcome;
  auto client = MakeClient();
  client->Send({"PATCH", server.Url("/x"), {}, R"({"action":"start"})"}, In(GetParam().timeout),
               outcome.Callback());
  absl::StatusOr<HttpResponse> result = outcome.Wait();
  EXPECT_EQ(result.status().code(), GetParam().code) << result.status();
  EXPECT_EQ(outcome.WaitDelivery(), "maybe") << result.status();
  EXPECT_EQ(server.requests().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Failures, MaybeDeliveredTest,
    ::testing::Values(DeliveryCase{"ResetAfterTheRequest",
                                   {"", false, TestServer::Then::kReset},
                                   kWait,
                                   absl::StatusCode::kUnavailable},
                      DeliveryCase{"ClosedWithoutAnswer",
                                   {"", false, TestServer::Then::kClose},
                                   kWait,
                                   absl::StatusCode::kUnavailable},
                      DeliveryCase{"ResetMidResponse",
                                   {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", false,
                                    TestServer::Then::kReset},
                                   kWait,
                                   absl::StatusCode::kUnavailable},
                      DeliveryCase{
                          "ClosedMidHeaders",
                          {"HTTP/1.1 200 OK\r\nContent-Le", false, TestServer::Then::kClose},
                          kWait,
                          absl::StatusCode::kUnavailable},
                      DeliveryCase{"AnswerAfterTheDeadline", Held(), absl::Milliseconds(200),
                                   absl::StatusCode::kDeadlineExceeded}),
    [](const auto& info) { return info.param.name; });

TEST(CurlHttpClientTest, ConnectionRefusedIsNotDelivered) {
  int fd = -1;
  const int port = BoundButNotListening(fd);
  Outcome outcome;
  auto client = MakeClient();
  client->Send({"PATCH", absl::StrCat("http://127.0.0.1:", port, "/x"), {}, "{}"}, In(kWait),
               outcome.Callback());
  absl::StatusOr<HttpResponse> result = outcome.Wait();
  close(fd);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(outcome.WaitDelivery(), "no");
}

// libcurl keeps a handle's counters across transfers unless it resets them:
// a request that never left must say so on a handle that sent one before.
TEST(CurlHttpClientTest, ConnectionRefusedOnAReusedHandleIsNotDelivered) {
  TestServer server([](const TestServer::Request&) { return Ok("first"); });
  int fd = -1;
  const int port = BoundButNotListening(fd);
  CurlHttpClientOptions options;
  options.max_connections = 1;  // one handle, used twice
  auto client = MakeClient(options);
  Outcome first, second;
  client->Send({"PATCH", server.Url("/x"), {}, "{}"}, In(kWait), first.Callback());
  ASSERT_TRUE(first.Wait().ok());
  client->Send({"PATCH", absl::StrCat("http://127.0.0.1:", port, "/x"), {}, "{}"}, In(kWait),
               second.Callback());
  absl::StatusOr<HttpResponse> result = second.Wait();
  close(fd);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(second.WaitDelivery(), "no");
}

// A listener whose accept queue is full drops new SYNs, so connecting hangs
// until the connect timeout.
TEST(CurlHttpClientTest, ConnectTimeoutIsNotDelivered) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ASSERT_EQ(listen(listener, 0), 0);
  // Fill the accept queue (backlog 0 holds one) with connections never accepted.
  std::vector<int> fillers;
  for (int i = 0; i < 2; ++i) {
    const int filler = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ASSERT_GE(filler, 0);
    fillers.push_back(filler);
    const int rc = connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ASSERT_TRUE(rc == 0 || errno == EINPROGRESS) << std::strerror(errno);
  }
  CurlHttpClientOptions options;
  options.connect_timeout = absl::Milliseconds(300);
  auto client = MakeClient(options);
  Outcome outcome;
  client->Send(
      {"PATCH", absl::StrCat("http://127.0.0.1:", ntohs(address.sin_port), "/x"), {}, "{}"},
      In(kWait), outcome.Callback());
  absl::StatusOr<HttpResponse> result = outcome.Wait();
  for (int filler : fillers) close(filler);
  close(listener);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("Timeout was reached"));
  EXPECT_EQ(outcome.WaitDelivery(), "no");
}

TEST(CurlHttpClientTest, FailuresBeforeSendingAreNotDelivered) {
  TestServer server([](const TestServer::Request&) { return Held(); });
  CurlHttpClientOptions options;
  options.max_connections = 1;
  auto client = MakeClient(options);
  Outcome held, expired_in_queue, cancelled_in_queue, past_deadline, invalid;
  client->Send(Get(server.Url("/held")), In(kWait), held.Callback());
  ASSERT_TRUE(server.AwaitHeld(1));
  client->Send(Get(server.Url("/queued")), In(absl::Milliseconds(100)),
               expired_in_queue.Callback());
  client->Send(Get(server.Url("/queued")), In(kWait), cancelled_in_queue.Callback())->Cancel();
  client->Send(Get(server.Url("/late")), absl::Now() - absl::Seconds(1), past_deadline.Callback());
  client->Send({"GET", "file:///etc/passwd", {}, ""}, In(kWait), invalid.Callback());

  EXPECT_EQ(expired_in_queue.Wait().status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(expired_in_queue.WaitDelivery(), "no");
  EXPECT_EQ(cancelled_in_queue.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(cancelled_in_queue.WaitDelivery(), "no");
  EXPECT_EQ(past_deadline.Wait().status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(past_deadline.WaitDelivery(), "no");
  EXPECT_EQ(invalid.Wait().status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid.WaitDelivery(), "no");
  server.ReleaseHeld();
  EXPECT_TRUE(held.Wait().ok());
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(CurlHttpClientTest, CancellingAfterTheRequestLeftIsMaybeDelivered) {
  TestServer server([](const TestServer::Request&) { return Held(); });
  Outcome outcome;
  auto client = MakeClient();
  std::shared_ptr<Cancellable> call =
      client->Send(Get(server.Url("/held")), In(kWait), outcome.Callback());
  ASSERT_TRUE(server.AwaitHeld(1));
  call->Cancel();
  EXPECT_EQ(outcome.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(outcome.WaitDelivery(), "maybe");
}

// libcurl 7.88 sends a request again, on a new connection, when a reused one
// dies before any answer byte; the server may have acted on the first copy.
// A request that is not idempotent must reach the server once at most.
TEST(CurlHttpClientTest, ARequestNotIdempotentIsNeverSentTwice) {
  TestServer server([](const TestServer::Request& request) {
    if (request.method == "GET") return Ok("pooled");
    return TestServer::Reply{"", false, TestServer::Then::kReset};
  });
  auto client = MakeClient();
  Outcome warm_up, patch;
  client->Send(Get(server.Url("/warm-up")), In(kWait), warm_up.Callback());
  ASSERT_TRUE(warm_up.Wait().ok());
  client->Send({"PATCH", server.Url("/once"), {}, R"({"action":"start"})"}, In(kWait),
               patch.Callback());
  absl::StatusOr<HttpResponse> result = patch.Wait();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(patch.WaitDelivery(), "maybe");
  std::vector<TestServer::Request> seen = server.requests();
  ASSERT_EQ(seen.size(), 2u) << "the PATCH was sent again";
  EXPECT_EQ(seen[1].method, "PATCH");
  EXPECT_NE(seen[1].connection, seen[0].connection) << "a pooled connection was used";
}

// An idempotent request keeps using the pool, and libcurl's resend on a dead
// pooled connection is allowed for it.
TEST(CurlHttpClientTest, AnIdempotentRequestUsesThePool) {
  std::atomic<int> patches{0};
  TestServer server([&](const TestServer::Request& request) {
    if (request.method == "PATCH" && patches.fetch_add(1) == 0) {
      return TestServer::Reply{"", false, TestServer::Then::kReset};
    }
    return Ok("done");
  });
  auto client = MakeClient();
  Outcome warm_up, patch;
  client->Send(Get(server.Url("/warm-up")), In(kWait), warm_up.Callback());
  ASSERT_TRUE(warm_up.Wait().ok());
  client->Send({"PATCH", server.Url("/again"), {}, "{}", /*idempotent=*/true}, In(kWait),
               patch.Callback());
  absl::StatusOr<HttpResponse> result = patch.Wait();
  ASSERT_TRUE(result.ok()) << result.status();
  std::vector<TestServer::Request> seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1].connection, seen[0].connection);
}

// Test vectors made once with the openssl CLI (as in listener_security_test):
// a self-signed P-256 certificate for IP 127.0.0.1, valid from 2026-12-03 to
// 2126-11-09, and its key. Throwaway keys that protect nothing.
constexpr char kTlsCertificate[] = R"(-----BEGIN CERTIFICATE-----
MIIBlDCCATqgAwIBAgIUMh7akGzF4tXpd5DKgaQDELFOCSMwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLdGVzdC1zZXJ2ZXIwIBcNMjYxMjAzMDY0NjI2WhgPMjEyNjEx
MDkwNjQ2MjZaMBYxFDASBgNVBAMMC3Rlc3Qtc2VydmVyMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEvJgXr0vImOizi4M/Hrd7sLq3C5iv3KZZwMYn4EB2ThrZ2/6P
zr6r8tsazrgPs7cITiyQGsUewIGB2gD48AP47KNkMGIwHQYDVR0OBBYEFM5Q2BgZ
kyJhlgRhMGUp4u74aWT8MB8GA1UdIwQYMBaAFM5Q2BgZkyJhlgRhMGUp4u74aWT8
MA8GA1UdEwEB/wQFMAMBAf8wDwYDVR0RBAgwBocEfwAAATAKBggqhkjOPQQDAgNI
ADBFAiATjkTttwEkss/z7zybR65zU9upeHez6ikkim1bVZnIMgIhAPbnMnNrBJKo
2qDXkkaVhsLPcEr8RxaI32tp0Yvcj0Yo
-----END CERTIFICATE-----
)";
constexpr char kTlsKey[] = R"(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqrnUeykT5+zrODF3
4Mvn7QnpUUBYNNUa5svar5pJ7MahRANCAAS8mBevS8iY6LOLgz8et3uwurcLmK/c
plnAxifgQHZOGtnb/o/Ovqvy2xrOuA+ztwhOLJAaxR7AgYHaAPjwA/js
-----END PRIVATE KEY-----
)";

// An HTTPS server on 127.0.0.1 (port 0) with the certificate above, one
// blocking connection at a time: it answers every request head with 204 and
// closes. Counts the requests it answered (a handshake the client refused
// answers none).
class TlsTestServer {
 public:
  TlsTestServer() : ctx_(SSL_CTX_new(TLS_server_method())) {
    CheckOrDie(ctx_ != nullptr, "SSL_CTX_new");
    BIO* cert = BIO_new_mem_buf(kTlsCertificate, -1);
    BIO* key = BIO_new_mem_buf(kTlsKey, -1);
    X509* x509 = PEM_read_bio_X509(cert, nullptr, nullptr, nullptr);
    EVP_PKEY* pkey = PEM_read_bio_PrivateKey(key, nullptr, nullptr, nullptr);
    CheckOrDie(x509 != nullptr && pkey != nullptr && SSL_CTX_use_certificate(ctx_, x509) == 1 &&
                   SSL_CTX_use_PrivateKey(ctx_, pkey) == 1,
               "test certificate");
    X509_free(x509);
    EVP_PKEY_free(pkey);
    BIO_free(cert);
    BIO_free(key);
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CheckOrDie(listen_fd_ >= 0, "socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CheckOrDie(bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0,
               "bind");
    CheckOrDie(listen(listen_fd_, 16) == 0, "listen");
    socklen_t length = sizeof(address);
    CheckOrDie(getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0,
               "getsockname");
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Run(); });
  }

  ~TlsTestServer() {
    // Wakes the blocked accept().
    shutdown(listen_fd_, SHUT_RDWR);
    thread_.join();
    close(listen_fd_);
    SSL_CTX_free(ctx_);
  }

  std::string Url(absl::string_view path) const {
    return absl::StrCat("https://127.0.0.1:", port_, path);
  }

  int answered() {
    absl::MutexLock lock(&mu_);
    return answered_;
  }

 private:
  void Run() {
    while (true) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) == 1) Answer(ssl);
      SSL_free(ssl);
      close(fd);
    }
  }

  void Answer(SSL* ssl) {
    std::string head;
    char buffer[1024];
    while (!absl::StrContains(head, "\r\n\r\n")) {
      const int n = SSL_read(ssl, buffer, sizeof(buffer));
      if (n <= 0) return;
      head.append(buffer, n);
    }
    constexpr absl::string_view kReply =
        "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    if (SSL_write(ssl, kReply.data(), static_cast<int>(kReply.size())) > 0) {
      absl::MutexLock lock(&mu_);
      ++answered_;
    }
    SSL_shutdown(ssl);
  }

  SSL_CTX* const ctx_;
  int listen_fd_ = -1;
  int port_ = 0;
  absl::Mutex mu_;
  int answered_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

std::string WriteTempFile(absl::string_view name, absl::string_view content) {
  std::string path = absl::StrCat(::testing::TempDir(), name);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path;
}

TEST(CurlHttpClientTest, CreateRefusesAnUnreadableCaFile) {
  CurlHttpClientOptions options;
  options.ca_file = absl::StrCat(::testing::TempDir(), "no-such-ca.pem");
  absl::Status status = CurlHttpClient::Create(options).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(options.ca_file));
}

TEST(CurlHttpClientTest, HttpsTrustsTheCaFileInsteadOfTheSystemStore) {
  TlsTestServer server;
  CurlHttpClientOptions trusting;
  trusting.ca_file = WriteTempFile("curl_http_client_test_ca.pem", kTlsCertificate);
  Outcome ok;
  auto client = MakeClient(trusting);
  client->Send(Get(server.Url("/v2/ping")), In(kWait), ok.Callback());
  absl::StatusOr<HttpResponse> answer = ok.Wait();
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->status_code, 204);
  EXPECT_EQ(server.answered(), 1);

  // The system store does not know the test certificate.
  Outcome refused;
  auto system_store = MakeClient();
  system_store->Send(Get(server.Url("/v2/ping")), In(kWait), refused.Callback());
  absl::StatusOr<HttpResponse> failure = refused.Wait();
  EXPECT_EQ(failure.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(server.answered(), 1);
}

}  // namespace
}  // namespace livestream_gateway
