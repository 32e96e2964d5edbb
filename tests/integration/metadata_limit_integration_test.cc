// The request-metadata limit (--max_metadata_bytes, default 16 KiB), on both
// sides, in one large entry and in many: what fits is served, what does not
// is refused before the service sees it, and the server stays healthy.

#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/rich_status.h"
#include "tests/integration/test_harness.h"

namespace livestream_gateway::testing {
namespace {

using ::zoom::livestream::v1::UpdateStatusResponse;

constexpr size_t kKiB = 1024;
constexpr char kMethodPath[] = "/zoom.livestream.v1.LiveStreamService/UpdateStatus";
// HTTP/2 counts each entry as name + value + 32 bytes (RFC 9113, 6.5.2), and
// so does gRPC's limit.
constexpr size_t kEntryOverhead = 32;

using Metadata = std::vector<std::pair<std::string, std::string>>;

// `entries` entries whose counted size adds up to `total` bytes.
Metadata Padding(size_t total, int entries) {
  Metadata metadata;
  for (int i = 0; i < entries; ++i) {
    std::string key = absl::StrCat("x-pad-", 1000 + i);
    const size_t value_size = total / static_cast<size_t>(entries) - kEntryOverhead - key.size();
    metadata.emplace_back(std::move(key), std::string(value_size, 'v'));
  }
  return metadata;
}

grpc::Status CallWith(const std::shared_ptr<grpc::Channel>& channel, const Metadata& metadata) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
  UpdateStatusResponse response;
  return zoom::livestream::v1::LiveStreamService::NewStub(channel)->UpdateStatus(
      &context, StartRequest(), &response);
}

// A channel with a connection of its own: channels to one target otherwise
// share gRPC's global subchannel pool, and with it their connections.
std::shared_ptr<grpc::Channel> ChannelTo(const Server& server) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(server.target(), grpc::InsecureChannelCredentials(), args);
}

class MetadataLimitTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto emulator = Emulator::Start();
    ASSERT_TRUE(emulator.ok()) << emulator.status();
    emulator_ = emulator->release();
    auto server = Server::Start(emulator_->base_url());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = server->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete emulator_;
  }

  static Emulator* emulator_;
  static Server* server_;
};

Emulator* MetadataLimitTest::emulator_ = nullptr;
Server* MetadataLimitTest::server_ = nullptr;

struct SizeCase {
  std::string name;
  size_t total;
  int entries;
  // The server closes the connection while the client still writes headers
  // beyond its socket buffers: the client then sees the broken connection.
  bool client_may_see_broken_connection = false;
};

void PrintTo(const SizeCase& value, std::ostream* os) { *os << value.name; }

class AcceptedMetadataTest : public MetadataLimitTest,
                             public ::testing::WithParamInterface<SizeCase> {};

TEST_P(AcceptedMetadataTest, IsServed) {
  grpc::Status status =
      CallWith(ChannelTo(*server_), Padding(GetParam().total, GetParam().entries));
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
}

// Under 16 KiB with the call's own headers (:path, :authority, te,
// content-type, user-agent, grpc-timeout, ...: about 0.4 KiB) included.
INSTANTIATE_TEST_SUITE_P(UnderTheLimit, AcceptedMetadataTest,
                         ::testing::Values(SizeCase{"OneEntryOf15KiB", 15 * kKiB, 1},
                                           SizeCase{"ThirtyEntriesOf15KiB", 15 * kKiB, 30},
                                           SizeCase{"HundredEntriesOf15KiB", 15 * kKiB, 100}),
                         [](const ::testing::TestParamInfo<SizeCase>& info) {
                           return info.param.name;
                         });

class RefusedMetadataTest : public MetadataLimitTest,
                            public ::testing::WithParamInterface<SizeCase> {};

TEST_P(RefusedMetadataTest, IsRefusedBeforeTheServiceAndTheServerStaysHealthy) {
  const double api_requests_before = StatsField(*emulator_, "api_requests");
  std::shared_ptr<grpc::Channel> channel = ChannelTo(*server_);
  grpc::Status status = CallWith(channel, Padding(GetParam().total, GetParam().entries));
  if (!GetParam().client_may_see_broken_connection ||
      status.error_code() != grpc::StatusCode::UNAVAILABLE) {
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << status.error_code() << ": " << status.error_message();
  }
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), api_requests_before);

  // A new connection serves at once. gRPC 1.51 stops decoding the header
  // block midway and so closes the refused call's connection; the channel
  // reconnects.
  grpc::Status after = CallWith(ChannelTo(*server_), {});
  EXPECT_TRUE(after.ok()) << after.error_code() << ": " << after.error_message();
  EXPECT_TRUE(WaitFor([&] { return CallWith(channel, {}).ok(); }));
}

INSTANTIATE_TEST_SUITE_P(
    OverTheLimit, RefusedMetadataTest,
    ::testing::Values(SizeCase{"OneEntryOf17KiB", 17 * kKiB, 1},
                      SizeCase{"FortyEntriesOf17KiB", 17 * kKiB, 40},
                      SizeCase{"OneEntryOf64KiB", 64 * kKiB, 1},
                      SizeCase{"ThousandEntriesOf600KiB", 600 * kKiB, 1000, true}),
    [](const ::testing::TestParamInfo<SizeCase>& info) { return info.param.name; });

// A bare HTTP/2 client (RFC 9113; HPACK literals without Huffman coding or
// indexing, RFC 7541) for what gRPC's own client never sends: headers split
// into CONTINUATION frames, and calls made without acknowledging the
// server's SETTINGS. gRPC 1.51 applies its metadata limit to neither.
class RawHttp2Client {
 public:
  struct Options {
    bool ack_settings = true;
    // Payload bytes per HEADERS or CONTINUATION frame.
    size_t frame_size = 16 * kKiB;
  };

  // One UpdateStatus call with `metadata` on a new connection; the grpc-status
  // the server ended it with, or -1 when it did not (connection closed,
  // stream reset, timeout).
  static int Call(int port, const Metadata& metadata, const Options& options) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    timeval timeout{.tv_sec = 10, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int result = -1;
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
      result = Exchange(fd, metadata, options);
    }
    close(fd);
    return result;
  }

 private:
  static constexpr uint8_t kData = 0, kHeaders = 1, kRstStream = 3, kSettings = 4, kGoAway = 7,
                           kContinuation = 9;
  static constexpr uint8_t kEndStream = 0x1, kAck = 0x1, kEndHeaders = 0x4;

  static std::string Frame(uint8_t type, uint8_t flags, uint32_t stream, absl::string_view body) {
    std::string frame = {static_cast<char>(body.size() >> 16),
                         static_cast<char>(body.size() >> 8),
                         static_cast<char>(body.size()),
                         static_cast<char>(type),
                         static_cast<char>(flags),
                         static_cast<char>(stream >> 24),
                         static_cast<char>(stream >> 16),
                         static_cast<char>(stream >> 8),
                         static_cast<char>(stream)};
    absl::StrAppend(&frame, body);
    return frame;
  }

  // An HPACK integer with a 7-bit prefix (RFC 7541, 5.1).
  static std::string Length(size_t n) {
    if (n < 127) return std::string(1, static_cast<char>(n));
    std::string out(1, '\x7F');
    for (n -= 127; n >= 128; n >>= 7) out += static_cast<char>((n & 0x7F) | 0x80);
    out += static_cast<char>(n);
    return out;
  }

  // "Literal Header Field without Indexing -- New Name" (RFC 7541, 6.2.2).
  static std::string Literal(absl::string_view name, absl::string_view value) {
    return absl::StrCat(absl::string_view("\0", 1), Length(name.size()), name, Length(value.size()),
                        value);
  }

  static bool ReadExactly(int fd, char* out, size_t size) {
    while (size > 0) {
      const ssize_t got = read(fd, out, size);
      if (got <= 0) return false;
      out += got;
      size -= static_cast<size_t>(got);
    }
    return true;
  }

  struct ReadFrame {
    uint8_t type;
    uint8_t flags;
    uint32_t stream;
    std::string body;
  };

  static std::optional<ReadFrame> Read(int fd) {
    unsigned char header[9];
    if (!ReadExactly(fd, reinterpret_cast<char*>(header), sizeof(header))) return std::nullopt;
    ReadFrame frame{
        .type = header[3],
        .flags = header[4],
        .stream = (uint32_t{header[5]} & 0x7F) << 24 | uint32_t{header[6]} << 16 |
                  uint32_t{header[7]} << 8 | uint32_t{header[8]},
        .body = std::string(size_t{header[0]} << 16 | size_t{header[1]} << 8 | size_t{header[2]},
                            '\0')};
    if (!ReadExactly(fd, frame.body.data(), frame.body.size())) return std::nullopt;
    return frame;
  }

  static bool Write(int fd, absl::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = write(fd, bytes.data(), bytes.size());
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  static int Exchange(int fd, const Metadata& metadata, const Options& options) {
    if (!Write(fd, absl::StrCat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Frame(kSettings, 0, 0, "")))) {
      return -1;
    }
    if (options.ack_settings) {
      for (;;) {
        std::optional<ReadFrame> frame = Read(fd);
        if (!frame.has_value()) return -1;
        if (frame->type == kSettings && (frame->flags & kAck) == 0) break;
      }
      if (!Write(fd, Frame(kSettings, kAck, 0, ""))) return -1;
    }
    std::string block =
        absl::StrCat(Literal(":method", "POST"), Literal(":scheme", "http"),
                     Literal(":path", kMethodPath), Literal(":authority", "127.0.0.1"),
                     Literal("content-type", "application/grpc"), Literal("te", "trailers"));
    for (const auto& [key, value] : metadata) absl::StrAppend(&block, Literal(key, value));
    std::string frames;
    for (size_t at = 0; at < block.size(); at += options.frame_size) {
      const bool last = at + options.frame_size >= block.size();
      absl::StrAppend(&frames, Frame(at == 0 ? kHeaders : kContinuation, last ? kEndHeaders : 0, 1,
                                     absl::string_view(block).substr(at, options.frame_size)));
    }
    const std::string message = StartRequest().SerializeAsString();
    // gRPC's length-prefixed message: uncompressed, 4-byte big-endian length.
    const std::string grpc_frame = absl::StrCat(
        absl::string_view("\0", 1),
        std::string{static_cast<char>(message.size() >> 24),
                    static_cast<char>(message.size() >> 16), static_cast<char>(message.size() >> 8),
                    static_cast<char>(message.size())},
        message);
    if (!Write(fd, absl::StrCat(frames, Frame(kData, kEndStream, 1, grpc_frame)))) return -1;

    // The response's header blocks: a status line, then trailers ending the
    // stream. gRPC writes the grpc-status literal of a connection's first
    // response unindexed and without Huffman coding.
    std::string headers;
    for (;;) {
      std::optional<ReadFrame> frame = Read(fd);
      if (!frame.has_value() || frame->type == kGoAway) return -1;
      if (frame->stream != 1) continue;
      if (frame->type == kRstStream) return -1;
      if (frame->type == kHeaders || frame->type == kContinuation) {
        absl::StrAppend(&headers, frame->body);
        if ((frame->flags & kEndStream) != 0) break;
      }
    }
    constexpr absl::string_view status_key = "\x0Bgrpc-status";
    const size_t at = absl::string_view(headers).find(status_key);
    if (at == std::string::npos || at + status_key.size() >= headers.size()) return -1;
    const size_t length = static_cast<unsigned char>(headers[at + status_key.size()]);
    int code = -1;
    if (length > 2 ||
        !absl::SimpleAtoi(absl::string_view(headers).substr(at + status_key.size() + 1, length),
                          &code)) {
      return -1;
    }
    return code;
  }
};

struct RawCase {
  std::string name;
  bool ack_settings;
  size_t frame_size;
  size_t total;
  int entries;
  int code;
};

void PrintTo(const RawCase& value, std::ostream* os) { *os << value.name; }

class RawClientMetadataTest : public MetadataLimitTest,
                              public ::testing::WithParamInterface<RawCase> {};

TEST_P(RawClientMetadataTest, IsHeldToTheSameLimit) {
  const RawCase& c = GetParam();
  const double api_requests_before = StatsField(*emulator_, "api_requests");
  EXPECT_EQ(RawHttp2Client::Call(server_->port(), Padding(c.total, c.entries),
                                 {.ack_settings = c.ack_settings, .frame_size = c.frame_size}),
            c.code);
  EXPECT_EQ(StatsField(*emulator_, "api_requests"), api_requests_before + (c.code == 0 ? 1 : 0));
  grpc::Status after = CallWith(ChannelTo(*server_), {});
  EXPECT_TRUE(after.ok()) << after.error_code() << ": " << after.error_message();
}

constexpr int kOk = 0;
constexpr int kResourceExhausted = 8;

INSTANTIATE_TEST_SUITE_P(
    BareHttp2, RawClientMetadataTest,
    ::testing::Values(
        RawCase{"NoSettingsAckOneEntryOf15KiB", false, 16 * kKiB, 15 * kKiB, 1, kOk},
        RawCase{"NoSettingsAckOneEntryOf17KiB", false, 16 * kKiB, 17 * kKiB, 1, kResourceExhausted},
        RawCase{"NoSettingsAckFortyEntriesOf17KiB", false, 16 * kKiB, 17 * kKiB, 40,
                kResourceExhausted},
        RawCase{"OneFrameOneEntryOf17KiB", true, 16 * kKiB, 17 * kKiB, 1, kResourceExhausted},
        RawCase{"ContinuationFramesThirtyEntriesOf15KiB", true, 4000, 15 * kKiB, 30, kOk},
        RawCase{"ContinuationFramesFortyEntriesOf17KiB", true, 4000, 17 * kKiB, 40,
                kResourceExhausted},
        RawCase{"ContinuationFramesThousandEntriesOf600KiB", true, 4000, 600 * kKiB, 1000,
                kResourceExhausted}),
    [](const ::testing::TestParamInfo<RawCase>& info) { return info.param.name; });

TEST_F(MetadataLimitTest, TheServiceLogsItsRefusal) {
  ASSERT_EQ(RawHttp2Client::Call(server_->port(), Padding(17 * kKiB, 40),
                                 {.ack_settings = true, .frame_size = 4000}),
            kResourceExhausted);
  EXPECT_TRUE(WaitFor([&] {
    return absl::StrContains(server_->process().Stderr(),
                             "outcome=RESOURCE_EXHAUSTED reason=METADATA_TOO_LARGE");
  })) << server_->process().Stderr();
}

TEST(MetadataLimitFlagTest, RaisesTheLimit) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(), {"--max_metadata_bytes=32768"});
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<grpc::Channel> channel = ChannelTo(**server);

  grpc::Status status = CallWith(channel, Padding(24 * kKiB, 1));
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  status = CallWith(channel, Padding(24 * kKiB, 40));
  EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  status = CallWith(channel, Padding(33 * kKiB, 1));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
}

// The largest caller token the service accepts always fits in the smallest
// metadata limit the server accepts, with room for the call's other headers.
TEST(MetadataLimitFlagTest, TheLargestCallerTokenFitsTheSmallestLimit) {
  auto emulator = Emulator::Start();
  ASSERT_TRUE(emulator.ok()) << emulator.status();
  auto server = Server::Start((*emulator)->base_url(),
                              {"--allow_caller_token", "--max_metadata_bytes=12288"});
  ASSERT_TRUE(server.ok()) << server.status();
  std::shared_ptr<grpc::Channel> channel = ChannelTo(**server);

  // Reaches Zoom, which refuses a token it never issued.
  grpc::Status status = CallWith(
      channel, {{"x-zoom-access-token", std::string(8 * kKiB, 't')},
                {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_EQ(ReasonOf(status), "ZOOM_UNAUTHENTICATED");
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 1);

  // One byte more is the service's own refusal, not the transport's.
  status = CallWith(channel, {{"x-zoom-access-token", std::string(8 * kKiB + 1, 't')}});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_EQ(ReasonOf(status), "INVALID_CALLER_TOKEN");
  EXPECT_EQ(StatsField(**emulator, "api_requests"), 1);
}

TEST(MetadataLimitFlagTest, ALimitTooSmallForACallerTokenIsRefusedAtStartUp) {
  auto server = Server::Start("http://127.0.0.1:1/v2", {"--max_metadata_bytes=4096"});
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()), ::testing::HasSubstr("--max_metadata_bytes"));
}

}  // namespace
}  // namespace livestream_gateway::testing
