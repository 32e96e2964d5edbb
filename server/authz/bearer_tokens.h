#ifndef LIVESTREAM_GATEWAY_SERVER_AUTHZ_BEARER_TOKENS_H_
#define LIVESTREAM_GATEWAY_SERVER_AUTHZ_BEARER_TOKENS_H_

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace livestream_gateway {

// Larger --authz_bearer_tokens_file files are refused (about 10,000 callers).
inline constexpr size_t kMaxBearerTokensFileBytes = size_t{1} << 20;

using Sha256Digest = std::array<unsigned char, 32>;

// SHA-256 with OpenSSL's libcrypto (EVP).
Sha256Digest Sha256(absl::string_view data);

// The callers' bearer tokens, held only as SHA-256 hashes, each mapped to
// the principal it authenticates. The file (--authz_bearer_tokens_file) has
// one caller per line:
//
//   # comment
//   sha256:<64 hex digits> <principal>
//
// e.g. `printf %s "$TOKEN" | sha256sum` gives the digits. A principal is
// printable ASCII without spaces (e.g. "billing-service"). Blank lines and
// lines starting with '#' are ignored.
class BearerTokens {
 public:
  // Refuses, naming the line: a line of another shape, a hash that is not 64
  // hex digits, a principal with other characters, a hash listed twice, and a
  // file with no caller at all.
  static absl::StatusOr<BearerTokens> Parse(absl::string_view text);

  // The principal whose token this is, or null. Compares the token's hash
  // with every entry in constant time (OpenSSL's CRYPTO_memcmp), so the time
  // taken says nothing about how close a guess came.
  const std::string* PrincipalOf(absl::string_view token) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    Sha256Digest hash;
    std::string principal;
  };
  std::vector<Entry> entries_;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_AUTHZ_BEARER_TOKENS_H_
