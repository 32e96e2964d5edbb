#include "server/idempotency/request_fingerprint.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace livestream_gateway::idempotency {

Fingerprint RequestFingerprint(absl::string_view canonical_bytes) {
  Fingerprint digest{};
  unsigned int size = 0;
  // Fails only when libcrypto cannot allocate: nothing sensible to go on with.
  if (EVP_Digest(canonical_bytes.data(), canonical_bytes.size(), digest.data(), &size, EVP_sha256(),
                 nullptr) != 1 ||
      size != digest.size()) {
    std::abort();
  }
  return digest;
}

}  // namespace livestream_gateway::idempotency
