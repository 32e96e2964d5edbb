#include "server/redis/redis_url.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace livestream_gateway::redis {
namespace {

constexpr absl::string_view kScheme = "redis://";
constexpr absl::string_view kTlsScheme = "rediss://";
// Redis's `databases` setting has no upper bound of its own; this keeps the
// number an int and refuses nonsense.
constexpr int kMaxDb = 1'000'000;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding; nullopt on a malformed escape.
std::optional<std::string> PercentDecode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

bool IsHostNameChar(char c) { return absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '_'; }

bool IsControlOrSpace(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte <= 0x20 || byte == 0x7f;
}

absl::Status UrlError(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(
      "--redis_url: ", what, " (expected redis://[[user]:password@]host[:port][/db])"));
}

}  // namespace

std::string DescribeEndpoint(const RedisEndpoint& endpoint) {
  const bool v6 = absl::StrContains(endpoint.host, ':');
  return absl::StrCat(v6 ? "[" : "", endpoint.host, v6 ? "]" : "", ":", endpoint.port, "/",
                      endpoint.db);
}

absl::StatusOr<RedisEndpoint> ParseRedisUrl(absl::string_view url) {
  if (absl::StartsWithIgnoreCase(url, kTlsScheme)) {
    return absl::InvalidArgumentError(
        "--redis_url: rediss:// (TLS) is not supported: Debian's hiredis 0.14 has no TLS; reach "
        "Redis over a private network or through a TLS proxy on loopback (docs/scaling.md)");
  }
  if (!absl::StartsWithIgnoreCase(url, kScheme)) return UrlError("the scheme must be redis://");
  absl::string_view rest = url.substr(kScheme.size());
  for (char c : rest) {
    if (IsControlOrSpace(c)) return UrlError("a space or control character");
  }
  if (absl::StrContains(rest, '?') || absl::StrContains(rest, '#')) {
    return UrlError("a query or fragment is not supported");
  }
  RedisEndpoint endpoint;
  // The authority ends at the first '/'; its userinfo at the last '@' (a
  // password may hold an '@' only percent-encoded, but be lenient).
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  absl::string_view path = slash == absl::string_view::npos ? "" : rest.substr(slash);
  if (const size_t at = authority.rfind('@'); at != absl::string_view::npos) {
    absl::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = userinfo.find(':');
    if (colon == absl::string_view::npos) {
      // redis://secret@host is how some clients write a password alone;
      // taking it as a user name would send the secret where a name goes.
      return UrlError("the credentials must be user:password or :password");
    }
    std::optional<std::string> user = PercentDecode(userinfo.substr(0, colon));
    std::optional<std::string> password = PercentDecode(userinfo.substr(colon + 1));
    if (!user.has_value() || !password.has_value()) {
      return UrlError("a malformed percent-escape in the credentials");
    }
    if (password->empty()) return UrlError("an empty password");
    endpoint.username = *std::move(user);
    endpoint.password = *std::move(password);
  }
  absl::string_view host;
  absl::string_view port;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return UrlError("an unclosed [ in the host");
    host = authority.substr(1, close - 1);
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!absl::StartsWith(after, ":")) return UrlError("text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return UrlError("an empty port");
    }
    if (host.empty()) return UrlError("an empty host");
    for (char c : host) {
      if (!absl::ascii_isxdigit(c) && c != ':' && c != '.') {
        return UrlError("the IPv6 address holds a character other than hex digits, : and .");
      }
    }
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != absl::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return UrlError("an empty port");
    }
    if (host.empty()) return UrlError("an empty host");
    for (char c : host) {
      if (!IsHostNameChar(c))
        return UrlError("the host holds a character other than A-Z a-z 0-9 . - _");
    }
  }
  endpoint.host = std::string(host);
  if (!port.empty()) {
    int value = 0;
    if (!absl::ascii_isdigit(port[0]) || port.size() > 5 || !absl::SimpleAtoi(port, &value) ||
        value < 1 || value > 65535) {
      return UrlError("the port must be a number within 1..65535");
    }
    endpoint.port = value;
  }
  if (!path.empty() && path != "/") {
    absl::string_view db = path.substr(1);
    int value = 0;
    if (db.size() > 7 || !absl::ascii_isdigit(db[0]) || !absl::SimpleAtoi(db, &value) ||
        value < 0 || value > kMaxDb) {
      return UrlError("the path must be a database number (e.g. /0)");
    }
    endpoint.db = value;
  }
  return endpoint;
}

}  // namespace livestream_gateway::redis
