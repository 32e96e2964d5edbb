#include "server/zoom/redactor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace livestream_gateway {

Redactor::Redactor(std::vector<std::string> secrets) {
  secrets.erase(std::remove(secrets.begin(), secrets.end(), std::string()), secrets.end());
  std::sort(secrets.begin(), secrets.end());
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
  if (!secrets.empty()) {
    secrets_ = std::make_shared<const std::vector<std::string>>(std::move(secrets));
  }
}

Redactor Redactor::With(absl::string_view secret) const {
  if (secret.empty()) return *this;
  std::vector<std::string> secrets;
  if (secrets_ != nullptr) secrets = *secrets_;
  secrets.emplace_back(secret);
  return Redactor(std::move(secrets));
}

std::string Redactor::Redact(absl::string_view text) const {
  // [begin, end) of every occurrence, overlapping ones included: with the
  // secrets "abcd" and "cdef", "abcdef" must lose both.
  std::vector<std::pair<size_t, size_t>> found;
  if (secrets_ != nullptr) {
    for (const std::string& secret : *secrets_) {
      for (size_t at = text.find(secret); at != absl::string_view::npos;
           at = text.find(secret, at + 1)) {
        found.emplace_back(at, at + secret.size());
      }
    }
  }
  if (found.empty()) return std::string(text);
  std::sort(found.begin(), found.end());
  std::string out;
  size_t kept = 0;  // text before this offset is settled
  for (size_t i = 0; i < found.size();) {
    const size_t begin = found[i].first;
    size_t end = found[i].second;
    for (++i; i < found.size() && found[i].first <= end; ++i) end = std::max(end, found[i].second);
    absl::StrAppend(&out, text.substr(kept, begin - kept), kRedacted);
    kept = end;
  }
  absl::StrAppend(&out, text.substr(kept));
  return out;
}

void KnownSecrets::Add(absl::string_view secret) {
  if (secret.empty()) return;
  absl::MutexLock lock(&mu_);
  lasting_.emplace_back(secret);
  RebuildLocked();
}

void KnownSecrets::AddAccessToken(absl::string_view token) {
  if (token.empty()) return;
  absl::MutexLock lock(&mu_);
  if (std::find(access_tokens_.begin(), access_tokens_.end(), token) != access_tokens_.end()) {
    return;
  }
  access_tokens_.emplace_back(token);
  if (access_tokens_.size() > kRetainedAccessTokens) access_tokens_.pop_front();
  RebuildLocked();
}

Redactor KnownSecrets::redactor() const {
  absl::ReaderMutexLock lock(&mu_);
  return redactor_;
}

void KnownSecrets::RebuildLocked() {
  std::vector<std::string> secrets = lasting_;
  secrets.insert(secrets.end(), access_tokens_.begin(), access_tokens_.end());
  redactor_ = Redactor(std::move(secrets));
}

}  // namespace livestream_gateway
