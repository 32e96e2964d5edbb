#include "server/authz/authz_policy.h"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace livestream_gateway {
namespace {

using ::google::protobuf::ListValue;
using ::google::protobuf::Struct;
using ::google::protobuf::Value;

absl::Status Refuse(absl::string_view path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path.empty() ? "the policy" : path, ": ", what));
}

// Unknown fields are refused rather than ignored: a misspelt "principals" or
// "paths" would otherwise turn a narrow rule into one that matches everyone.
absl::Status CheckFields(const Struct& object, absl::string_view path,
                         std::initializer_list<absl::string_view> known) {
  std::vector<std::string> unknown;
  for (const auto& [key, value] : object.fields()) {
    if (!absl::c_linear_search(known, key)) unknown.push_back(key);
  }
  if (unknown.empty()) return absl::OkStatus();
  absl::c_sort(unknown);
  return Refuse(path, absl::StrCat("unknown field", unknown.size() > 1 ? "s" : "", " \"",
                                   absl::StrJoin(unknown, "\", \""),
                                   "\" (known: ", absl::StrJoin(known, ", "), ")"));
}

std::string Child(absl::string_view path, absl::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
}

const Value* Find(const Struct& object, const std::string& key) {
  auto found = object.fields().find(key);
  return found == object.fields().end() ? nullptr : &found->second;
}

absl::StatusOr<std::string> RequiredString(const Struct& object, const std::string& key,
                                           absl::string_view path) {
  const Value* value = Find(object, key);
  if (value == nullptr) return Refuse(Child(path, key), "missing");
  if (value->kind_case() != Value::kStringValue) {
    return Refuse(Child(path, key), "must be a string");
  }
  return value->string_value();
}

// Null when the field is absent.
absl::StatusOr<const ListValue*> OptionalList(const Struct& object, const std::string& key,
                                              absl::string_view path) {
  const Value* value = Find(object, key);
  if (value == nullptr) return nullptr;
  if (value->kind_case() != Value::kListValue) return Refuse(Child(path, key), "must be a list");
  return &value->list_value();
}

absl::StatusOr<const Struct*> OptionalObject(const Struct& object, const std::string& key,
                                             absl::string_view path) {
  const Value* value = Find(object, key);
  if (value == nullptr) return nullptr;
  if (value->kind_case() != Value::kStructValue) {
    return Refuse(Child(path, key), "must be an object");
  }
  return &value->struct_value();
}

absl::StatusOr<std::vector<StringPattern>> Patterns(const ListValue* list, absl::string_view path) {
  std::vector<StringPattern> patterns;
  if (list == nullptr) return patterns;
  for (int i = 0; i < list->values_size(); ++i) {
    const Value& value = list->values(i);
    if (value.kind_case() != Value::kStringValue) {
      return Refuse(absl::StrCat(path, "[", i, "]"), "must be a string");
    }
    patterns.push_back(ParseStringPattern(value.string_value()));
  }
  return patterns;
}

// gRPC refuses the same keys; the two secrets are ours (see the header).
bool IsRefusedHeaderKey(absl::string_view key) {
  return absl::StartsWith(key, ":") || absl::StartsWith(key, "grpc-") || key == "host" ||
         key == "authorization" || key == "x-zoom-access-token";
}

absl::StatusOr<HeaderRule> ParseHeaderRule(const Struct& object, absl::string_view path) {
  if (absl::Status status = CheckFields(object, path, {"key", "values"}); !status.ok()) {
    return status;
  }
  absl::StatusOr<std::string> key = RequiredString(object, "key", path);
  if (!key.ok()) return key.status();
  HeaderRule rule;
  rule.key = absl::AsciiStrToLower(*key);
  if (rule.key.empty() || IsRefusedHeaderKey(rule.key)) {
    return Refuse(Child(path, "key"), absl::StrCat("header \"", *key, "\" cannot be matched"));
  }
  absl::StatusOr<const ListValue*> values = OptionalList(object, "values", path);
  if (!values.ok()) return values.status();
  if (*values == nullptr || (*values)->values_size() == 0) {
    return Refuse(Child(path, "values"), "must list at least one value");
  }
  absl::StatusOr<std::vector<StringPattern>> patterns = Patterns(*values, Child(path, "values"));
  if (!patterns.ok()) return patterns.status();
  rule.values = *std::move(patterns);
  return rule;
}

absl::StatusOr<AuthzRule> ParseRule(const Struct& object, absl::string_view path) {
  if (absl::Status status = CheckFields(object, path, {"name", "source", "request"});
      !status.ok()) {
    return status;
  }
  AuthzRule rule;
  absl::StatusOr<std::string> name = RequiredString(object, "name", path);
  if (!name.ok()) return name.status();
  rule.name = *std::move(name);

  absl::StatusOr<const Struct*> source = OptionalObject(object, "source", path);
  if (!source.ok()) return source.status();
  if (*source != nullptr) {
    const std::string source_path = Child(path, "source");
    if (absl::Status status = CheckFields(**source, source_path, {"principals"}); !status.ok()) {
      return status;
    }
    absl::StatusOr<const ListValue*> principals = OptionalList(**source, "principals", source_path);
    if (!principals.ok()) return principals.status();
    absl::StatusOr<std::vector<StringPattern>> patterns =
        Patterns(*principals, Child(source_path, "principals"));
    if (!patterns.ok()) return patterns.status();
    rule.principals = *std::move(patterns);
  }

  absl::StatusOr<const Struct*> request = OptionalObject(object, "request", path);
  if (!request.ok()) return request.status();
  if (*request != nullptr) {
    const std::string request_path = Child(path, "request");
    if (absl::Status status = CheckFields(**request, request_path, {"paths", "headers"});
        !status.ok()) {
      return status;
    }
    absl::StatusOr<const ListValue*> paths = OptionalList(**request, "paths", request_path);
    if (!paths.ok()) return paths.status();
    absl::StatusOr<std::vector<StringPattern>> patterns =
        Patterns(*paths, Child(request_path, "paths"));
    if (!patterns.ok()) return patterns.status();
    rule.paths = *std::move(patterns);

    absl::StatusOr<const ListValue*> headers = OptionalList(**request, "headers", request_path);
    if (!headers.ok()) return headers.status();
    for (int i = 0; *headers != nullptr && i < (*headers)->values_size(); ++i) {
      const std::string header_path = absl::StrCat(request_path, ".headers[", i, "]");
      const Value& header = (*headers)->values(i);
      if (header.kind_case() != Value::kStructValue) {
        return Refuse(header_path, "must be an object");
      }
      absl::StatusOr<HeaderRule> header_rule = ParseHeaderRule(header.struct_value(), header_path);
      if (!header_rule.ok()) return header_rule.status();
      rule.headers.push_back(*std::move(header_rule));
    }
  }
  return rule;
}

absl::StatusOr<std::vector<AuthzRule>> ParseRules(const ListValue* list, absl::string_view key) {
  std::vector<AuthzRule> rules;
  if (list == nullptr) return rules;
  for (int i = 0; i < list->values_size(); ++i) {
    const std::string path = absl::StrCat(key, "[", i, "]");
    if (list->values(i).kind_case() != Value::kStructValue) {
      return Refuse(path, "must be an object");
    }
    absl::StatusOr<AuthzRule> rule = ParseRule(list->values(i).struct_value(), path);
    if (!rule.ok()) return rule.status();
    rules.push_back(*std::move(rule));
  }
  return rules;
}

}  // namespace

StringPattern ParseStringPattern(absl::string_view pattern) {
  if (pattern == "*") return StringPattern{StringPattern::Kind::kAny, ""};
  if (absl::ConsumePrefix(&pattern, "*")) {
    return StringPattern{StringPattern::Kind::kSuffix, std::string(pattern)};
  }
  if (absl::ConsumeSuffix(&pattern, "*")) {
    return StringPattern{StringPattern::Kind::kPrefix, std::string(pattern)};
  }
  return StringPattern{StringPattern::Kind::kExact, std::string(pattern)};
}

bool StringPattern::Matches(absl::string_view value) const {
  switch (kind) {
    case Kind::kExact:
      return value == text;
    case Kind::kPrefix:
      return absl::StartsWith(value, text);
    case Kind::kSuffix:
      return absl::EndsWith(value, text);
    case Kind::kAny:
      return true;
  }
  return false;
}

absl::StatusOr<AuthzPolicy> ParseAuthzPolicy(absl::string_view json) {
  Struct root;
  if (const google::protobuf::util::Status parsed =
          google::protobuf::util::JsonStringToMessage(std::string(json), &root);
      !parsed.ok()) {
    // protobuf's message may quote the text over several lines.
    return absl::InvalidArgumentError(absl::StrCat(
        "not a JSON object: ", absl::StrReplaceAll(std::string(parsed.message()), {{"\n", " "}})));
  }
  if (absl::Status status = CheckFields(root, "", {"name", "deny_rules", "allow_rules"});
      !status.ok()) {
    return status;
  }
  AuthzPolicy policy;
  absl::StatusOr<std::string> name = RequiredString(root, "name", "");
  if (!name.ok()) return name.status();
  policy.name = *std::move(name);

  absl::StatusOr<const ListValue*> deny = OptionalList(root, "deny_rules", "");
  if (!deny.ok()) return deny.status();
  absl::StatusOr<std::vector<AuthzRule>> deny_rules = ParseRules(*deny, "deny_rules");
  if (!deny_rules.ok()) return deny_rules.status();
  policy.deny_rules = *std::move(deny_rules);

  absl::StatusOr<const ListValue*> allow = OptionalList(root, "allow_rules", "");
  if (!allow.ok()) return allow.status();
  // As in gRPC: a policy must say what it allows, even if that is nothing.
  if (*allow == nullptr) return Refuse("allow_rules", "missing");
  absl::StatusOr<std::vector<AuthzRule>> allow_rules = ParseRules(*allow, "allow_rules");
  if (!allow_rules.ok()) return allow_rules.status();
  policy.allow_rules = *std::move(allow_rules);
  return policy;
}

}  // namespace livestream_gateway
