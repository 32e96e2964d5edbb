#include "server/redis/redis_script.h"

#include <openssl/evp.h>

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace livestream_gateway::redis {
namespace {

std::string Sha1Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr) != 1) {
    // Only EVAL then: Redis answers NOSCRIPT to a hash it does not know.
    return std::string(40, '0');
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

std::vector<std::string> EvalArgs(absl::string_view command, const std::string& script,
                                  const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args) {
  std::vector<std::string> out;
  out.reserve(3 + keys.size() + args.size());
  out.emplace_back(command);
  out.push_back(script);
  out.push_back(absl::StrCat(keys.size()));
  out.insert(out.end(), keys.begin(), keys.end());
  out.insert(out.end(), args.begin(), args.end());
  return out;
}

}  // namespace

RedisScript::RedisScript(std::string source)
    : source_(std::move(source)), sha1_(Sha1Hex(source_)) {}

void RedisScript::Run(RedisClient* client, const std::vector<std::string>& keys,
                      const std::vector<std::string>& args, absl::Time deadline,
                      RedisClient::Callback done) const {
  client->Command(
      EvalArgs("EVALSHA", sha1_, keys, args), deadline,
      [client, eval = EvalArgs("EVAL", source_, keys, args), deadline,
       done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
        if (reply.ok() && reply->is_error() && absl::StartsWith(reply->text, "NOSCRIPT")) {
          client->Command(std::move(eval), deadline, std::move(done));
          return;
        }
        std::move(done)(std::move(reply));
      });
}

}  // namespace livestream_gateway::redis
