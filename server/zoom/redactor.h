#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_REDACTOR_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_REDACTOR_H_

// The credentials this process holds, so that text an upstream sends back
// (an error message, a header) never carries one on to a caller or a log,
// even when the upstream or a proxy echoes the Authorization header.

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace livestream_gateway {

// What a redacted secret becomes.
inline constexpr absl::string_view kRedacted = "[REDACTED]";

// An immutable set of secrets. Cheap to copy (copies share the set) and safe
// to use from any thread.
class Redactor {
 public:
  // Redacts nothing.
  Redactor() = default;
  // Empty and repeated secrets are dropped.
  explicit Redactor(std::vector<std::string> secrets);

  // These secrets and `secret` (e.g. the token of the call at hand).
  Redactor With(absl::string_view secret) const;

  // `text` with every occurrence of every secret, matched byte for byte,
  // replaced by kRedacted; occurrences that overlap or touch become one.
  std::string Redact(absl::string_view text) const;

 private:
  std::shared_ptr<const std::vector<std::string>> secrets_;
};

// The process-wide set: the credentials configured at start-up and the
// access tokens issued since. Thread-safe.
class KnownSecrets {
 public:
  // How many of the latest access tokens stay redacted: the current one and
  // those it replaced, which calls still in flight may have sent.
  static constexpr size_t kRetainedAccessTokens = 8;

  // A credential for the life of the process (a static token, a client
  // secret or a value derived from it). Empty is ignored.
  void Add(absl::string_view secret);
  // A newly issued access token; the oldest beyond kRetainedAccessTokens is
  // forgotten. Empty is ignored.
  void AddAccessToken(absl::string_view token);

  // The secrets known now.
  Redactor redactor() const;

 private:
  void RebuildLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<std::string> lasting_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> access_tokens_ ABSL_GUARDED_BY(mu_);
  // Rebuilt on every change, so that readers only copy a pointer.
  Redactor redactor_ ABSL_GUARDED_BY(mu_);
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_REDACTOR_H_
