#include "server/authz/authz_evaluator.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/str_join.h"

namespace livestream_gateway {
namespace {

bool AnyMatches(const std::vector<StringPattern>& patterns, absl::string_view value) {
  return absl::c_any_of(patterns,
                        [value](const StringPattern& pattern) { return pattern.Matches(value); });
}

std::optional<std::string> HeaderValue(const CallMetadata& metadata, absl::string_view key) {
  auto [begin, end] = metadata.equal_range(grpc::string_ref(key.data(), key.size()));
  if (begin == end) return std::nullopt;
  std::vector<absl::string_view> values;
  for (auto it = begin; it != end; ++it) {
    values.emplace_back(it->second.data(), it->second.size());
  }
  return absl::StrJoin(values, ",");
}

bool Matches(const AuthzRule& rule, absl::string_view principal, absl::string_view path,
             const CallMetadata& metadata) {
  if (!rule.principals.empty() && (principal.empty() || !AnyMatches(rule.principals, principal))) {
    return false;
  }
  if (!rule.paths.empty() && !AnyMatches(rule.paths, path)) return false;
  return absl::c_all_of(rule.headers, [&metadata](const HeaderRule& header) {
    std::optional<std::string> value = HeaderValue(metadata, header.key);
    return value.has_value() && AnyMatches(header.values, *value);
  });
}

}  // namespace

AuthzDecision EvaluateAuthzPolicy(const AuthzPolicy& policy, absl::string_view principal,
                                  absl::string_view path, const CallMetadata& metadata) {
  for (const AuthzRule& rule : policy.deny_rules) {
    if (Matches(rule, principal, path, metadata)) return AuthzDecision{false, rule.name};
  }
  for (const AuthzRule& rule : policy.allow_rules) {
    if (Matches(rule, principal, path, metadata)) return AuthzDecision{true, rule.name};
  }
  return AuthzDecision{false, ""};
}

}  // namespace livestream_gateway
