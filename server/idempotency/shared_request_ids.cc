#include "server/idempotency/shared_request_ids.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/idempotency/outcome_codec.h"

namespace livestream_gateway::idempotency {
namespace {

// A claim's value: the marker, the request's fingerprint, then the owner
// (in flight) or the encoded outcome (done).
constexpr char kInFlight = 'C';
constexpr char kDone = 'D';
constexpr size_t kHeaderBytes = 1 + sizeof(Fingerprint);

// Claims the key unless it has a value, which it returns instead.
constexpr char kClaimScript[] = R"lua(
local value = redis.call('GET', KEYS[1])
if value then return value end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
)lua";

// Frees the key only while it is still the given claim.
constexpr char kAbandonScript[] = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

std::string Header(char state, const Fingerprint& fingerprint) {
  std::string value(1, state);
  value.append(reinterpret_cast<const char*>(fingerprint.data()), fingerprint.size());
  return value;
}

std::string NewOwner() {
  thread_local absl::BitGen bit_gen;
  return absl::StrCat(absl::Hex(absl::Uniform<uint64_t>(bit_gen), absl::kZeroPad16),
                      absl::Hex(absl::Uniform<uint64_t>(bit_gen), absl::kZeroPad16));
}

int64_t Millis(absl::Duration duration) {
  return std::max<int64_t>(1,
                           absl::ToInt64Milliseconds(absl::Ceil(duration, absl::Milliseconds(1))));
}

}  // namespace

// One claim in progress; its handle.
class SharedRequestIds::Claiming final : public Cancellable {
 public:
  Claiming(Scheduler* scheduler, std::string key, const Fingerprint& fingerprint,
           absl::Time deadline, ClaimCallback done)
      : key(std::move(key)),
        fingerprint(fingerprint),
        deadline(deadline),
        owner(NewOwner()),
        marker(Header(kInFlight, fingerprint) + owner),
        scheduler_(scheduler),
        done_(std::move(done)) {}

  void Cancel() override {
    ClaimCallback done;
    std::shared_ptr<Cancellable> timer;
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
      done = std::move(done_);
      timer = std::move(timer_);
    }
    if (timer != nullptr) timer->Cancel();
    scheduler_->RunAt(absl::InfinitePast(), [done = std::move(done)](const absl::Status&) mutable {
      std::move(done)(ClaimResult{.end = ClaimEnd::kCancelled});
    });
  }

  void Finish(ClaimResult result) {
    ClaimCallback done;
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
      done = std::move(done_);
      timer_ = nullptr;
    }
    std::move(done)(std::move(result));
  }

  void SetTimer(std::shared_ptr<Cancellable> timer) {
    {
      absl::MutexLock lock(&mu_);
      if (!finished_) {
        timer_ = std::move(timer);
        return;
      }
    }
    timer->Cancel();
  }

  bool finished() {
    absl::MutexLock lock(&mu_);
    return finished_;
  }

  const std::string key;
  const Fingerprint fingerprint;
  const absl::Time deadline;
  const std::string owner;
  const std::string marker;

 private:
  Scheduler* const scheduler_;
  absl::Mutex mu_;
  ClaimCallback done_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<Cancellable> timer_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

std::shared_ptr<SharedRequestIds> SharedRequestIds::Create(Scheduler* scheduler,
                                                           redis::RedisClient* redis,
                                                           SharedRequestIdsOptions options) {
  return std::shared_ptr<SharedRequestIds>(
      new SharedRequestIds(scheduler, redis, std::move(options)));
}

SharedRequestIds::SharedRequestIds(Scheduler* scheduler, redis::RedisClient* redis,
                                   SharedRequestIdsOptions options)
    : scheduler_(scheduler),
      redis_(redis),
      options_(std::move(options)),
      claim_script_(kClaimScript),
      abandon_script_(kAbandonScript) {}

std::string SharedRequestIds::RedisKey(const RequestKey& key) const {
  // Length prefixes keep ("a:b", "c") and ("a", "b:c") apart, as in the
  // process's store.
  const std::string text = absl::StrCat(key.principal.size(), ":", key.principal, key.method.size(),
                                        ":", key.method, key.request_id);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::StrCat(options_.key_prefix,
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(digest), sizeof(digest))));
}

std::shared_ptr<Cancellable> SharedRequestIds::Claim(const RequestKey& key,
                                                     const Fingerprint& fingerprint,
                                                     absl::Time deadline, ClaimCallback done) {
  auto claim =
      std::make_shared<Claiming>(scheduler_, RedisKey(key), fingerprint, deadline, std::move(done));
  Ask(claim, /*polling=*/false);
  return claim;
}

void SharedRequestIds::Ask(const std::shared_ptr<Claiming>& claim, bool polling) {
  const absl::Time now = scheduler_->Now();
  claim_script_.Run(
      redis_, {claim->key},
      // A day at most: a call without a deadline must not hold its id for ever.
      {claim->marker, absl::StrCat(Millis(std::min(claim->deadline - now + options_.claim_margin,
                                                   absl::Hours(24))))},
      std::min(claim->deadline, now + options_.redis_timeout),
      [weak = weak_from_this(), claim, polling](absl::StatusOr<redis::RedisReply> reply) {
        std::shared_ptr<SharedRequestIds> self = weak.lock();
        if (self == nullptr) {
          claim->Finish(ClaimResult{.end = ClaimEnd::kCancelled});
        } else if (!reply.ok() || reply->is_error()) {
          if (polling) {
            self->Later(claim);
          } else {
            claim->Finish(ClaimResult{.end = ClaimEnd::kUnavailable});
          }
        } else if (reply->type == redis::RedisReply::Type::kNil) {
          claim->Finish(ClaimResult{.end = ClaimEnd::kFirst, .owner = claim->owner});
        } else {
          self->OnValue(claim, *reply);
        }
      });
}

void SharedRequestIds::OnValue(const std::shared_ptr<Claiming>& claim,
                               const redis::RedisReply& value) {
  const std::string& text = value.text;
  if (value.type != redis::RedisReply::Type::kString || text.size() < kHeaderBytes ||
      (text[0] != kInFlight && text[0] != kDone)) {
    // Not ours to read: the call runs as its process alone would.
    claim->Finish(ClaimResult{.end = ClaimEnd::kUnavailable});
    return;
  }
  if (absl::string_view(text).substr(1, sizeof(Fingerprint)) !=
      absl::string_view(reinterpret_cast<const char*>(claim->fingerprint.data()),
                        claim->fingerprint.size())) {
    claim->Finish(ClaimResult{.end = ClaimEnd::kMismatch});
    return;
  }
  if (text[0] == kInFlight) {
    Later(claim);
    return;
  }
  absl::StatusOr<Outcome> outcome =
      DecodeOutcome(absl::string_view(text).substr(kHeaderBytes), options_.max_outcome_bytes);
  if (!outcome.ok()) {
    claim->Finish(ClaimResult{.end = ClaimEnd::kUnavailable});
    return;
  }
  claim->Finish(ClaimResult{.end = ClaimEnd::kDone,
                            .outcome = std::make_shared<const Outcome>(*std::move(outcome))});
}

void SharedRequestIds::Later(const std::shared_ptr<Claiming>& claim) {
  const absl::Time now = scheduler_->Now();
  if (now >= claim->deadline) {
    claim->Finish(ClaimResult{.end = ClaimEnd::kCancelled});
    return;
  }
  claim->SetTimer(scheduler_->RunAt(std::min(claim->deadline, now + options_.poll_interval),
                                    [weak = weak_from_this(), claim](const absl::Status& status) {
                                      if (!status.ok())
                                        return;  // cancelled: Claiming::Cancel answers
                                      if (std::shared_ptr<SharedRequestIds> self = weak.lock()) {
                                        self->Poll(claim);
                                      } else {
                                        claim->Finish(ClaimResult{.end = ClaimEnd::kCancelled});
                                      }
                                    }));
}

void SharedRequestIds::Poll(const std::shared_ptr<Claiming>& claim) {
  if (claim->finished()) return;
  const absl::Time now = scheduler_->Now();
  if (now >= claim->deadline) {
    claim->Finish(ClaimResult{.end = ClaimEnd::kCancelled});
    return;
  }
  redis_->Command({"GET", claim->key}, std::min(claim->deadline, now + options_.redis_timeout),
                  [weak = weak_from_this(), claim](absl::StatusOr<redis::RedisReply> reply) {
                    std::shared_ptr<SharedRequestIds> self = weak.lock();
                    if (self == nullptr) {
                      claim->Finish(ClaimResult{.end = ClaimEnd::kCancelled});
                    } else if (!reply.ok() || reply->is_error()) {
                      self->Later(claim);
                    } else if (reply->type == redis::RedisReply::Type::kNil) {
                      // The first gave up (or its claim ran out): claim it.
                      self->Ask(claim, /*polling=*/true);
                    } else {
                      self->OnValue(claim, *reply);
                    }
                  });
}

void SharedRequestIds::Complete(const RequestKey& key, const Fingerprint& fingerprint,
                                const std::string& owner, const Outcome& outcome) {
  if (OutcomeBytes(outcome) > options_.max_outcome_bytes) {
    Abandon(key, fingerprint, owner);
    return;
  }
  redis_->Command({"SET", RedisKey(key), Header(kDone, fingerprint) + EncodeOutcome(outcome), "PX",
                   absl::StrCat(Millis(options_.ttl))},
                  scheduler_->Now() + options_.redis_timeout,
                  [](absl::StatusOr<redis::RedisReply>) {});
}

void SharedRequestIds::Abandon(const RequestKey& key, const Fingerprint& fingerprint,
                               const std::string& owner) {
  abandon_script_.Run(redis_, {RedisKey(key)}, {Header(kInFlight, fingerprint) + owner},
                      scheduler_->Now() + options_.redis_timeout,
                      [](absl::StatusOr<redis::RedisReply>) {});
}

}  // namespace livestream_gateway::idempotency
