#include "server/idempotency/request_fingerprint.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace livestream_gateway::idempotency {
namespace {

std::string Hex(const Fingerprint& fingerprint) {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(fingerprint.data()), fingerprint.size()));
}

struct Vector {
  std::string input;
  std::string sha256;
};

// FIPS 180-4's examples, and bytes no text encoder would make.
TEST(RequestFingerprintTest, IsSha256) {
  const Vector vectors[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string("\0\xff", 2),
       "06eb7d6a69ee19e5fbdf749018d3d2abfa04bcbd1365db312eb86dc7169389b8"},
  };
  for (const Vector& vector : vectors) {
    EXPECT_EQ(Hex(RequestFingerprint(vector.input)), vector.sha256)
        << absl::CHexEscape(vector.input);
  }
}

TEST(RequestFingerprintTest, OneByteMoreIsAnotherFingerprint) {
  EXPECT_NE(RequestFingerprint(std::string("\x08\x01", 2)),
            RequestFingerprint(std::string("\x08\x01\x00", 3)));
}

}  // namespace
}  // namespace livestream_gateway::idempotency
