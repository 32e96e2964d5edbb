#ifndef LIVESTREAM_GATEWAY_TESTS_INTEGRATION_RAW_HTTP2_H_
#define LIVESTREAM_GATEWAY_TESTS_INTEGRATION_RAW_HTTP2_H_

// A bare HTTP/2 client on one loopback TCP connection, for what no gRPC
// library sends on purpose: connections that stop after the preface, and
// streams reset as soon as they are opened ("rapid reset", CVE-2023-44487).
//
// Frames follow RFC 9113. Header blocks hold only HPACK literals without
// indexing and without Huffman coding (RFC 7541 section 6.2.2): every decoder
// accepts them and they leave the peer's dynamic table untouched, so the
// client needs no HPACK state. It never decodes the server's header blocks;
// it reads only what it must answer (SETTINGS, PING), flow-control credit,
// GOAWAY, and the DATA of streams it was asked to watch.

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace livestream_gateway::testing {

// RFC 9113 section 6.
enum class FrameType : uint8_t {
  kData = 0x0,
  kHeaders = 0x1,
  kRstStream = 0x3,
  kSettings = 0x4,
  kPing = 0x6,
  kGoaway = 0x7,
  kWindowUpdate = 0x8,
};
inline constexpr uint8_t kFlagEndStream = 0x1;
inline constexpr uint8_t kFlagAck = 0x1;
inline constexpr uint8_t kFlagEndHeaders = 0x4;
inline constexpr uint32_t kErrorCancel = 0x8;

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One frame: the 9-byte header and `payload`.
std::string EncodeFrame(FrameType type, uint8_t flags, uint32_t stream_id,
                        absl::string_view payload);
// An HPACK integer with an N-bit prefix (RFC 7541 section 5.1); `first_byte`
// holds the pattern bits above the prefix.
void AppendHpackInteger(uint8_t first_byte, int prefix_bits, uint64_t value, std::string& out);
// A header block of literals without indexing, new names, no Huffman coding.
std::string EncodeHeaderBlock(const HeaderList& headers);
// A gRPC length-prefixed message, uncompressed.
std::string GrpcFrame(absl::string_view serialized_message);
// The request headers of a unary gRPC call to `path` on `authority`.
HeaderList GrpcRequestHeaders(absl::string_view path, absl::string_view authority);

class RawHttp2Connection {
 public:
  // Opens a TCP connection to 127.0.0.1:`port`; sends nothing.
  static absl::StatusOr<std::unique_ptr<RawHttp2Connection>> Connect(int port);
  ~RawHttp2Connection();
  RawHttp2Connection(const RawHttp2Connection&) = delete;
  RawHttp2Connection& operator=(const RawHttp2Connection&) = delete;

  // Writes raw bytes (for a preface left unfinished, say).
  absl::Status SendBytes(absl::string_view bytes);
  // Sends the client preface and an empty SETTINGS frame, reads until the
  // server's SETTINGS arrives and acknowledges it. Reads nothing after that
  // unless StartReading is called.
  absl::Status Handshake(absl::Duration timeout = absl::Seconds(10));
  // From now on a thread reads every frame: it acknowledges SETTINGS and
  // PING, gives back receive-window credit, takes send-window credit, and
  // records GOAWAY and the DATA of watched streams.
  void StartReading();

  // Opens `count` streams, each carrying `message` (already gRPC-framed) as
  // a complete request; with `reset`, each is followed at once by RST_STREAM
  // (CANCEL). Waits for connection send window as needed (needs
  // StartReading). Returns the id of the last stream.
  absl::StatusOr<uint32_t> SendRequests(int count, const HeaderList& headers,
                                        absl::string_view message, bool reset);
  // Like SendRequests with count 1 and no reset, and records what the server
  // sends on the stream.
  absl::StatusOr<uint32_t> SendWatchedRequest(const HeaderList& headers, absl::string_view message);
  // Waits until the server ends a watched stream (END_STREAM or RST_STREAM)
  // and gives the DATA it sent on it; false when `timeout` passes first.
  bool WaitForStreamEnd(uint32_t stream_id, absl::Duration timeout, std::string* data);

  // Waits until the server sends GOAWAY (true) or closes the connection
  // without one or `timeout` passes (false). Needs StartReading.
  bool WaitForGoaway(absl::Duration timeout);
  // Waits until the server closes the connection. Needs StartReading.
  bool WaitForClose(absl::Duration timeout);

  // Sends a PING and waits for its acknowledgement (needs StartReading):
  // the server has then read every frame sent before it.
  absl::Status Ping(absl::Duration timeout);

 private:
  explicit RawHttp2Connection(int fd) : fd_(fd) {}

  absl::Status WriteAll(absl::string_view bytes);
  // Reads one frame into the arguments; false on end of file, an error or
  // `deadline`. Bytes past the frame stay in in_ for the next call.
  bool ReadFrame(absl::Time deadline, FrameType* type, uint8_t* flags, uint32_t* stream_id,
                 std::string* payload);
  bool FillTo(size_t size, absl::Time deadline);
  // Answers and records one frame from the server.
  void OnFrame(FrameType type, uint8_t flags, uint32_t stream_id, absl::string_view payload);
  void ReadLoop();

  const int fd_;
  // Read by Handshake, then only by the reader thread.
  std::string in_;
  absl::Mutex write_mu_;
  std::thread reader_;
  uint32_t next_stream_id_ = 1;  // writer only
  uint64_t pings_sent_ = 0;      // writer only

  struct Watched {
    std::string data;
    bool ended = false;
  };
  absl::Mutex mu_;
  int64_t send_window_ ABSL_GUARDED_BY(mu_) = 65535;  // RFC 9113 section 6.9.2
  int64_t initial_stream_window_ ABSL_GUARDED_BY(mu_) = 65535;
  uint64_t pings_acked_ ABSL_GUARDED_BY(mu_) = 0;
  bool goaway_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<uint32_t, Watched> watched_ ABSL_GUARDED_BY(mu_);
};

}  // namespace livestream_gateway::testing

#endif  // LIVESTREAM_GATEWAY_TESTS_INTEGRATION_RAW_HTTP2_H_
