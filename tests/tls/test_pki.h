#ifndef LIVESTREAM_GATEWAY_TESTS_TLS_TEST_PKI_H_
#define LIVESTREAM_GATEWAY_TESTS_TLS_TEST_PKI_H_

// A throwaway PKI made with the openssl CLI, for tests of TLS and mTLS on
// loopback. Test code only.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace livestream_testing {

inline constexpr char kSpiffeCaller[] = "spiffe://example.org/ns/default/sa/caller";

// Files go to `dir`, which must exist: EC P-256 keys (mode 0600) and
// certificates valid for two days.
class TestPki {
 public:
  explicit TestPki(std::string dir) : dir_(std::move(dir)) {}

  // A self-signed CA: NAME.crt and NAME.key.
  absl::Status MakeCa(const std::string& name);
  // A certificate for serving and for clients, signed by the CA `ca` (a name
  // given to MakeCa); `san` is openssl subjectAltName syntax
  // ("IP:127.0.0.1,DNS:localhost", "URI:spiffe://...") or empty for none.
  absl::Status MakeLeaf(const std::string& name, const std::string& ca,
                        const std::string& common_name, const std::string& san);
  // The usual set: CAs "ca" and "other-ca"; "server" (127.0.0.1, ::1,
  // localhost), "client" (CN caller) and "spiffe-client" (URI SAN
  // kSpiffeCaller) signed by ca; "rogue-client" (CN caller) by other-ca.
  absl::Status MakeStandardSet();

  std::string cert(const std::string& name) const { return dir_ + "/" + name + ".crt"; }
  std::string key(const std::string& name) const { return dir_ + "/" + name + ".key"; }

 private:
  std::string dir_;
};

}  // namespace livestream_testing

#endif  // LIVESTREAM_GATEWAY_TESTS_TLS_TEST_PKI_H_
