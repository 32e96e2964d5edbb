#ifndef LIVESTREAM_GATEWAY_SERVER_AUTHZ_AUTHZ_POLICY_H_
#define LIVESTREAM_GATEWAY_SERVER_AUTHZ_AUTHZ_POLICY_H_

// The subset of gRPC's authorization policy JSON (gRFC A43, the format of
// grpc::experimental::FileWatcherAuthorizationPolicyProvider) that this
// server enforces itself: gRPC's provider is declared in Debian 12's headers
// but missing from its library.
//
//   {"name": "gateway",
//    "deny_rules":  [{"name": "...", "source": {"principals": ["..."]},
//                     "request": {"paths": ["..."],
//                                 "headers": [{"key": "...", "values": ["..."]}]}}],
//    "allow_rules": [ ...the same shape... ]}

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace livestream_gateway {

// Larger --authz_policy_file files are refused.
inline constexpr size_t kMaxAuthzPolicyBytes = size_t{1} << 20;

// One pattern of a policy: "*" matches anything, "foo*" a prefix, "*foo" a
// suffix, anything else exactly (gRPC's rules, case-sensitive).
struct StringPattern {
  enum class Kind { kExact, kPrefix, kSuffix, kAny };
  Kind kind = Kind::kExact;
  std::string text;  // without the '*'

  bool Matches(absl::string_view value) const;
  friend bool operator==(const StringPattern&, const StringPattern&) = default;
};

StringPattern ParseStringPattern(absl::string_view pattern);

struct HeaderRule {
  std::string key;                    // lower case, as gRPC delivers metadata keys
  std::vector<StringPattern> values;  // any of them; never empty
  friend bool operator==(const HeaderRule&, const HeaderRule&) = default;
};

// A rule matches a call when every part that is present matches: an empty
// list matches anything (principals: even a caller without a principal).
struct AuthzRule {
  std::string name;
  std::vector<StringPattern> principals;  // any of them
  std::vector<StringPattern> paths;       // any of them, e.g. "/pkg.Service/Method"
  std::vector<HeaderRule> headers;        // all of them
  friend bool operator==(const AuthzRule&, const AuthzRule&) = default;
};

struct AuthzPolicy {
  std::string name;
  std::vector<AuthzRule> deny_rules;
  std::vector<AuthzRule> allow_rules;
};

// Parses a policy. Refuses, naming the JSON path (e.g.
// "allow_rules[1].source"): text that is not JSON, a field of the wrong type,
// a missing "name" (policy or rule) or "allow_rules", an empty header
// "values", a header key gRPC refuses (pseudo-headers, "grpc-*", "host") or
// that carries a secret ("authorization", "x-zoom-access-token": tokens
// belong in --authz_bearer_tokens_file, never in a policy), and every
// unknown field (a misspelt "principal" must not silently widen a rule).
absl::StatusOr<AuthzPolicy> ParseAuthzPolicy(absl::string_view json);

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_AUTHZ_AUTHZ_POLICY_H_
