#include "server/authz/bearer_tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace livestream_gateway {
namespace {

absl::Status LineError(int line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", what));
}

bool IsPrincipalText(absl::string_view principal) {
  return !principal.empty() && absl::c_all_of(principal, [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f;
  });
}

}  // namespace

Sha256Digest Sha256(absl::string_view data) {
  Sha256Digest digest{};
  unsigned int size = 0;
  // Fails only when libcrypto cannot allocate: nothing sensible to go on with.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size()) {
    std::abort();
  }
  return digest;
}

absl::StatusOr<BearerTokens> BearerTokens::Parse(absl::string_view text) {
  BearerTokens tokens;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 2 || !absl::ConsumePrefix(&fields[0], "sha256:")) {
      return LineError(number, "expected \"sha256:<64 hex digits> <principal>\"");
    }
    if (fields[0].size() != 64 || !absl::c_all_of(fields[0], absl::ascii_isxdigit)) {
      return LineError(number, "the hash must be 64 hex digits (SHA-256)");
    }
    if (!IsPrincipalText(fields[1])) {
      return LineError(number, "the principal must be printable ASCII without spaces");
    }
    Entry entry;
    const std::string bytes = absl::HexStringToBytes(fields[0]);
    absl::c_copy(bytes, entry.hash.begin());
    entry.principal = std::string(fields[1]);
    if (absl::c_any_of(tokens.entries_,
                       [&entry](const Entry& other) { return other.hash == entry.hash; })) {
      return LineError(number, "this hash is already listed");
    }
    tokens.entries_.push_back(std::move(entry));
  }
  if (tokens.entries_.empty()) {
    return absl::InvalidArgumentError("lists no token (\"sha256:<hex> <principal>\" lines)");
  }
  return tokens;
}

const std::string* BearerTokens::PrincipalOf(absl::string_view token) const {
  const Sha256Digest hash = Sha256(token);
  const std::string* found = nullptr;
  // Every entry is compared, whether or not one matched already.
  for (const Entry& entry : entries_) {
    if (CRYPTO_memcmp(entry.hash.data(), hash.data(), hash.size()) == 0) found = &entry.principal;
  }
  return found;
}

}  // namespace livestream_gateway
