// The raw HTTP/2 client's encoders against the examples of their RFCs; the
// attack tests check them against a real peer as well.

#include "tests/integration/raw_http2.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace livestream_gateway::testing {
namespace {

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

struct IntegerCase {
  uint64_t value;
  int prefix_bits;
  std::string hex;
};

class HpackIntegerTest : public ::testing::TestWithParam<IntegerCase> {};

TEST_P(HpackIntegerTest, MatchesRfc7541) {
  std::string out;
  AppendHpackInteger(0x00, GetParam().prefix_bits, GetParam().value, out);
  EXPECT_EQ(Hex(out), GetParam().hex);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, HpackIntegerTest,
    ::testing::Values(IntegerCase{10, 5, "0a"},        // RFC 7541 C.1.1
                      IntegerCase{1337, 5, "1f9a0a"},  // C.1.2
                      IntegerCase{42, 8, "2a"},        // C.1.3
                      IntegerCase{30, 5, "1e"},        // largest that fits the prefix
                      IntegerCase{31, 5, "1f00"},      // prefix full, nothing left
                      IntegerCase{127, 7, "7f00"}, IntegerCase{128, 7, "7f01"}));

TEST(HpackIntegerTest, KeepsThePatternBits) {
  std::string out;
  AppendHpackInteger(0x80, 7, 2, out);
  EXPECT_EQ(Hex(out), "82");
}

TEST(EncodeHeaderBlockTest, LiteralWithoutIndexingNewName) {
  // RFC 7541 C.2.1 encodes this header with indexing (first octet 0x40);
  // without indexing (section 6.2.2) only that octet differs.
  EXPECT_EQ(Hex(EncodeHeaderBlock({{"custom-key", "custom-header"}})),
            "000a637573746f6d2d6b65790d637573746f6d2d686561646572");
}

TEST(EncodeHeaderBlockTest, LongValueTakesAMultiOctetLength) {
  const std::string block = EncodeHeaderBlock({{"x", std::string(200, 'v')}});
  // 0x00, name length 1, "x", then 200 as a 7-bit-prefix integer: 7f 49.
  EXPECT_EQ(Hex(block.substr(0, 5)), "0001787f49");
  EXPECT_EQ(block.size(), 5u + 200u);
}

TEST(EncodeFrameTest, LaysOutTheNineOctetHeader) {
  // RFC 9113 section 4.1: length (24), type (8), flags (8), R + stream (32).
  EXPECT_EQ(Hex(EncodeFrame(FrameType::kRstStream, 0, 1, std::string("\0\0\0\x08", 4))),
            "000004030000000001"
            "00000008");
  EXPECT_EQ(Hex(EncodeFrame(FrameType::kSettings, kFlagAck, 0, "")), "000000040100000000");
  // The reserved bit is never sent.
  EXPECT_EQ(Hex(EncodeFrame(FrameType::kData, kFlagEndStream, 0x80000003U, "ab")),
            "0000020001000000036162");
}

TEST(EncodeFrameTest, CarriesPayloadsOverSixtyFourKibInTheLength) {
  const std::string frame = EncodeFrame(FrameType::kData, 0, 5, std::string(0x10203, 'x'));
  EXPECT_EQ(Hex(frame.substr(0, 3)), "010203");
  EXPECT_EQ(frame.size(), 9u + 0x10203u);
}

TEST(GrpcFrameTest, PrefixesUncompressedFlagAndBigEndianLength) {
  // gRPC over HTTP/2: Length-Prefixed-Message.
  EXPECT_EQ(Hex(GrpcFrame("abc")), "0000000003616263");
  EXPECT_EQ(Hex(GrpcFrame("")), "0000000000");
}

TEST(GrpcRequestHeadersTest, PseudoHeadersComeFirst) {
  const HeaderList headers = GrpcRequestHeaders("/a.B/C", "127.0.0.1:1");
  ASSERT_EQ(headers.size(), 6u);
  EXPECT_EQ(headers[0], (std::pair<std::string, std::string>{":method", "POST"}));
  EXPECT_EQ(headers[2], (std::pair<std::string, std::string>{":path", "/a.B/C"}));
  EXPECT_EQ(headers[3], (std::pair<std::string, std::string>{":authority", "127.0.0.1:1"}));
  EXPECT_EQ(headers[4], (std::pair<std::string, std::string>{"content-type", "application/grpc"}));
  EXPECT_EQ(headers[5], (std::pair<std::string, std::string>{"te", "trailers"}));
}

}  // namespace
}  // namespace livestream_gateway::testing
