#ifndef LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_SERVER_H_
#define LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_SERVER_H_

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/zoom_emulator/emulator.h"
#include "tests/zoom_emulator/http_message.h"
#include "tests/zoom_emulator/listen_address.h"

namespace zoom_emulator {

// The signals that stop Server::Run. Block them in every thread (before any
// is created) so that they arrive through Run's signalfd.
sigset_t StopSignals();

// A single-threaded, non-blocking HTTP/1.1 server: one epoll loop owns every
// socket, and delayed answers are timers in a min-heap whose earliest
// deadline bounds epoll_wait, so any number of them costs no thread and never
// blocks the loop.
class Server {
 public:
  Server(Emulator* emulator, bool quiet);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  absl::Status Listen(const ListenAddress& address);
  absl::StatusOr<int> Port() const;

  // Serves until one of StopSignals() arrives (then returns OK).
  absl::Status Run();

 private:
  using Clock = std::chrono::steady_clock;

  struct Connection {
    enum class State {
      kReading,    // parsing requests from `in`
      kWaiting,    // a delayed answer or reset is pending on a timer
      kWriting,    // `out` holds an answer the socket has not taken yet
      kLingering,  // answered and shut down for writing; draining until EOF
    };
    uint64_t id = 0;
    int fd = -1;
    State state = State::kReading;
    std::string in;
    size_t scan_from = 0;             // where to resume looking for the end of the head
    std::optional<RequestHead> head;  // parsed head while its body arrives
    size_t head_size = 0;
    bool continue_sent = false;
    std::string out;
    size_t out_offset = 0;
    bool peer_eof = false;
    bool keep_alive = true;
    bool head_only = false;
    bool close_after_write = false;
    bool endless_body = false;  // `out` is refilled forever (Reply::endless_body)
    uint32_t events = 0;        // the epoll interest registered
    uint64_t timer_seq = 0;     // a timer fires only if it still matches
    Reply pending;
  };

  struct Timer {
    Clock::time_point when;
    uint64_t connection_id;
    uint64_t seq;
    bool operator>(const Timer& other) const { return when > other.when; }
  };

  void AcceptAll();
  // Each of these returns false when it closed (and freed) `c`.
  bool OnReadable(Connection* c);
  bool OnWritable(Connection* c);
  bool Advance(Connection* c);
  bool Send(Connection* c, HttpResponse response);
  // Send(), or the start of an endless body.
  bool Respond(Connection* c, Reply reply);
  bool Flush(Connection* c);
  bool Fail(Connection* c, int status, absl::string_view message);
  bool StartLingering(Connection* c);
  bool UpdateInterest(Connection* c);
  void Close(Connection* c);
  void Reset(Connection* c);

  void Schedule(Connection* c, Clock::duration delay);
  void FireDueTimers();
  int EpollTimeoutMs() const;
  void Log(absl::string_view method, absl::string_view path, const Reply& reply) const;

  Emulator* emulator_;
  bool quiet_;
  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  int signal_fd_ = -1;
  int spare_fd_ = -1;  // given up to shed a connection when out of descriptors
  uint64_t next_id_;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::vector<char> read_buffer_;
};

}  // namespace zoom_emulator

#endif  // LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_SERVER_H_
