#include "tests/integration/raw_http2.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"

namespace livestream_gateway::testing {
namespace {

constexpr absl::string_view kClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr uint16_t kSettingsInitialWindowSize = 0x4;
constexpr uint8_t kFlagPadded = 0x8;
// A write the server does not take within this long fails the test rather
// than hanging it.
constexpr int kSendTimeoutSeconds = 20;
// Streams per write in SendRequests: enough that the client is not what
// limits the rate.
constexpr int kStreamsPerWrite = 64;

void AppendUint32(uint32_t value, std::string& out) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

uint32_t ReadUint32(absl::string_view bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

void AppendHpackString(absl::string_view text, std::string& out) {
  AppendHpackInteger(0x00, 7, text.size(), out);  // H = 0: not Huffman coded
  out.append(text.data(), text.size());
}

}  // namespace

std::string EncodeFrame(FrameType type, uint8_t flags, uint32_t stream_id,
                        absl::string_view payload) {
  std::string frame;
  frame.reserve(9 + payload.size());
  const auto length = static_cast<uint32_t>(payload.size());
  frame.push_back(static_cast<char>(length >> 16));
  frame.push_back(static_cast<char>(length >> 8));
  frame.push_back(static_cast<char>(length));
  frame.push_back(static_cast<char>(type));
  frame.push_back(static_cast<char>(flags));
  AppendUint32(stream_id & 0x7fffffffU, frame);
  frame.append(payload.data(), payload.size());
  return frame;
}

void AppendHpackInteger(uint8_t first_byte, int prefix_bits, uint64_t value, std::string& out) {
  const uint64_t prefix_max = (uint64_t{1} << prefix_bits) - 1;
  if (value < prefix_max) {
    out.push_back(static_cast<char>(first_byte | value));
    return;
  }
  out.push_back(static_cast<char>(first_byte | prefix_max));
  value -= prefix_max;
  while (value >= 128) {
    out.push_back(static_cast<char>(0x80 | (value & 0x7f)));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

std::string EncodeHeaderBlock(const HeaderList& headers) {
  std::string block;
  for (const auto& [name, value] : headers) {
    // 0000 and a 4-bit index of 0: literal without indexing, new name.
    block.push_back(0x00);
    AppendHpackString(name, block);
    AppendHpackString(value, block);
  }
  return block;
}

std::string GrpcFrame(absl::string_view serialized_message) {
  std::string framed(1, '\0');  // not compressed
  AppendUint32(static_cast<uint32_t>(serialized_message.size()), framed);
  framed.append(serialized_message.data(), serialized_message.size());
  return framed;
}

HeaderList GrpcRequestHeaders(absl::string_view path, absl::string_view authority) {
  return {{":method", "POST"},
          {":scheme", "http"},
          {":path", std::string(path)},
          {":authority", std::string(authority)},
          {"content-type", "application/grpc"},
          {"te", "trailers"}};
}

absl::StatusOr<std::unique_ptr<RawHttp2Connection>> RawHttp2Connection::Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket");
  timeval send_timeout{.tv_sec = kSendTimeoutSeconds, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    absl::Status status = absl::ErrnoToStatus(errno, "connect");
    close(fd);
    return status;
  }
  return std::unique_ptr<RawHttp2Connection>(new RawHttp2Connection(fd));
}

RawHttp2Connection::~RawHttp2Connection() {
  // Wakes the reader out of poll: it then reads end of file.
  shutdown(fd_, SHUT_RDWR);
  if (reader_.joinable()) reader_.join();
  close(fd_);
}

absl::Status RawHttp2Connection::SendBytes(absl::string_view bytes) { return WriteAll(bytes); }

absl::Status RawHttp2Connection::WriteAll(absl::string_view bytes) {
  absl::MutexLock lock(&write_mu_);
  while (!bytes.empty()) {
    const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, "send");
    }
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
  return absl::OkStatus();
}

bool RawHttp2Connection::FillTo(size_t size, absl::Time deadline) {
  char chunk[16 * 1024];
  while (in_.size() < size) {
    const int wait_ms = deadline == absl::InfiniteFuture()
                            ? -1
                            : static_cast<int>(std::max<int64_t>(
                                  0, absl::ToInt64Milliseconds(deadline - absl::Now())));
    pollfd poll_fd{.fd = fd_, .events = POLLIN, .revents = 0};
    const int ready = poll(&poll_fd, 1, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t got = recv(fd_, chunk, sizeof(chunk), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    in_.append(chunk, static_cast<size_t>(got));
  }
  return true;
}

bool RawHttp2Connection::ReadFrame(absl::Time deadline, FrameType* type, uint8_t* flags,
                                   uint32_t* stream_id, std::string* payload) {
  if (!FillTo(9, deadline)) return false;
  const size_t length = (static_cast<size_t>(static_cast<uint8_t>(in_[0])) << 16) |
                        (static_cast<size_t>(static_cast<uint8_t>(in_[1])) << 8) |
                        static_cast<uint8_t>(in_[2]);
  if (!FillTo(9 + length, deadline)) return false;
  *type = static_cast<FrameType>(in_[3]);
  *flags = static_cast<uint8_t>(in_[4]);
  *stream_id = ReadUint32(absl::string_view(in_).substr(5, 4)) & 0x7fffffffU;
  payload->assign(in_, 9, length);
  in_.erase(0, 9 + length);
  return true;
}

absl::Status RawHttp2Connection::Handshake(absl::Duration timeout) {
  if (absl::Status sent =
          WriteAll(absl::StrCat(kClientPreface, EncodeFrame(FrameType::kSettings, 0, 0, "")));
      !sent.ok()) {
    return sent;
  }
  const absl::Time deadline = absl::Now() + timeout;
  FrameType type{};
  uint8_t flags = 0;
  uint32_t stream_id = 0;
  std::string payload;
  while (ReadFrame(deadline, &type, &flags, &stream_id, &payload)) {
    OnFrame(type, flags, stream_id, payload);
    if (type == FrameType::kSettings && (flags & kFlagAck) == 0) return absl::OkStatus();
  }
  return absl::DeadlineExceededError("no SETTINGS from the server");
}

void RawHttp2Connection::StartReading() {
  reader_ = std::thread([this] { ReadLoop(); });
}

void RawHttp2Connection::ReadLoop() {
  FrameType type{};
  uint8_t flags = 0;
  uint32_t stream_id = 0;
  std::string payload;
  while (ReadFrame(absl::InfiniteFuture(), &type, &flags, &stream_id, &payload)) {
    OnFrame(type, flags, stream_id, payload);
  }
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

void RawHttp2Connection::OnFrame(FrameType type, uint8_t flags, uint32_t stream_id,
                                 absl::string_view payload) {
  std::string reply;
  {
    absl::MutexLock lock(&mu_);
    switch (type) {
      case FrameType::kSettings:
        if ((flags & kFlagAck) != 0) break;
        for (size_t at = 0; at + 6 <= payload.size(); at += 6) {
          const uint16_t id = static_cast<uint16_t>((static_cast<uint8_t>(payload[at]) << 8) |
                                                    static_cast<uint8_t>(payload[at + 1]));
          if (id == kSettingsInitialWindowSize) {
            initial_stream_window_ = ReadUint32(payload.substr(at + 2, 4));
          }
        }
        reply = EncodeFrame(FrameType::kSettings, kFlagAck, 0, "");
        break;
      case FrameType::kPing:
        if ((flags & kFlagAck) != 0) {
          ++pings_acked_;
        } else {
          reply = EncodeFrame(FrameType::kPing, kFlagAck, 0, payload);
        }
        break;
      case FrameType::kWindowUpdate:
        if (stream_id == 0 && payload.size() == 4) {
          send_window_ += ReadUint32(payload) & 0x7fffffffU;
        }
        break;
      case FrameType::kGoaway:
        goaway_ = true;
        break;
      case FrameType::kData: {
        // Give the connection-level credit straight back, so that answers to
        // many streams never stall on a window this client forgot.
        if (!payload.empty()) {
          std::string increment;
          AppendUint32(static_cast<uint32_t>(payload.size()), increment);
          reply = EncodeFrame(FrameType::kWindowUpdate, 0, 0, increment);
        }
        auto watched = watched_.find(stream_id);
        if (watched == watched_.end()) break;
        absl::string_view data = payload;
        if ((flags & kFlagPadded) != 0 && !data.empty()) {
          const size_t padding = static_cast<uint8_t>(data[0]);
          data.remove_prefix(1);
          data.remove_suffix(std::min(padding, data.size()));
        }
        watched->second.data.append(data.data(), data.size());
        if ((flags & kFlagEndStream) != 0) watched->second.ended = true;
        break;
      }
      case FrameType::kHeaders:
        if (auto watched = watched_.find(stream_id);
            watched != watched_.end() && (flags & kFlagEndStream) != 0) {
          watched->second.ended = true;
        }
        break;
      case FrameType::kRstStream:
        if (auto watched = watched_.find(stream_id); watched != watched_.end()) {
          watched->second.ended = true;
        }
        break;
    }
  }
  // A failed write shows up as a closed connection on the next read.
  if (!reply.empty()) WriteAll(reply).IgnoreError();
}

absl::StatusOr<uint32_t> RawHttp2Connection::SendRequests(int count, const HeaderList& headers,
                                                          absl::string_view message, bool reset) {
  // The header block is the same for every stream: literals change no state.
  const std::string header_block = EncodeHeaderBlock(headers);
  std::string reset_payload;
  AppendUint32(kErrorCancel, reset_payload);
  {
    absl::MutexLock lock(&mu_);
    if (initial_stream_window_ < static_cast<int64_t>(message.size())) {
      return absl::FailedPreconditionError(absl::StrCat("the server's initial stream window ",
                                                        initial_stream_window_,
                                                        " is smaller than one request"));
    }
  }
  std::string batch;
  uint32_t last_stream_id = 0;
  for (int done = 0; done < count;) {
    const int streams = std::min(kStreamsPerWrite, count - done);
    const int64_t data_bytes = static_cast<int64_t>(message.size()) * streams;
    {
      absl::MutexLock lock(&mu_);
      auto can_send = [this, data_bytes]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return send_window_ >= data_bytes || goaway_ || closed_;
      };
      if (!mu_.AwaitWithTimeout(absl::Condition(&can_send), absl::Seconds(kSendTimeoutSeconds))) {
        return absl::DeadlineExceededError("the server gave no send window");
      }
      if (goaway_ || closed_) return absl::UnavailableError("the server ended the connection");
      send_window_ -= data_bytes;
    }
    batch.clear();
    for (int i = 0; i < streams; ++i) {
      last_stream_id = next_stream_id_;
      next_stream_id_ += 2;
      batch += EncodeFrame(FrameType::kHeaders, kFlagEndHeaders, last_stream_id, header_block);
      batch += EncodeFrame(FrameType::kData, kFlagEndStream, last_stream_id, message);
      if (reset) batch += EncodeFrame(FrameType::kRstStream, 0, last_stream_id, reset_payload);
    }
    if (absl::Status sent = WriteAll(batch); !sent.ok()) return sent;
    done += streams;
  }
  return last_stream_id;
}

absl::StatusOr<uint32_t> RawHttp2Connection::SendWatchedRequest(const HeaderList& headers,
                                                                absl::string_view message) {
  {
    absl::MutexLock lock(&mu_);
    watched_[next_stream_id_];
  }
  return SendRequests(1, headers, message, /*reset=*/false);
}

bool RawHttp2Connection::WaitForGoaway(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ended = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return goaway_ || closed_; };
  mu_.AwaitWithTimeout(absl::Condition(&ended), timeout);
  return goaway_;
}

bool RawHttp2Connection::WaitForClose(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto closed = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return closed_; };
  return mu_.AwaitWithTimeout(absl::Condition(&closed), timeout);
}

bool RawHttp2Connection::WaitForStreamEnd(uint32_t stream_id, absl::Duration timeout,
                                          std::string* data) {
  absl::MutexLock lock(&mu_);
  auto ended = [this, stream_id]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto watched = watched_.find(stream_id);
    return closed_ || (watched != watched_.end() && watched->second.ended);
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&ended), timeout)) return false;
  auto watched = watched_.find(stream_id);
  if (watched == watched_.end() || !watched->second.ended) return false;
  *data = watched->second.data;
  return true;
}

absl::Status RawHttp2Connection::Ping(absl::Duration timeout) {
  const uint64_t expected = ++pings_sent_;
  std::string opaque;
  AppendUint32(static_cast<uint32_t>(expected >> 32), opaque);
  AppendUint32(static_cast<uint32_t>(expected), opaque);
  if (absl::Status sent = WriteAll(EncodeFrame(FrameType::kPing, 0, 0, opaque)); !sent.ok()) {
    return sent;
  }
  absl::MutexLock lock(&mu_);
  auto acked = [this, expected]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return pings_acked_ >= expected || closed_;
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&acked), timeout)) {
    return absl::DeadlineExceededError("no PING acknowledgement");
  }
  if (pings_acked_ < expected) return absl::UnavailableError("the server closed the connection");
  return absl::OkStatus();
}

}  // namespace livestream_gateway::testing
