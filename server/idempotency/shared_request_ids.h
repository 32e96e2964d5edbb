#ifndef LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_SHARED_REQUEST_IDS_H_
#define LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_SHARED_REQUEST_IDS_H_

// The outcomes of request_ids shared by the replicas through Redis, so that a
// repeat reaches Zoom once whichever replica takes it. Each process's
// RequestIdStore still comes first (it lets repeats within one process wait
// for their first); a call that is first in its process then claims the key
// in Redis:
//
// - nobody has it: this call is first everywhere, runs, and stores its
//   outcome (Complete) or frees the key (Abandon);
// - another replica's call completed it: its outcome answers this one;
// - another replica's call is running it: this one polls (on the Scheduler,
//   no thread) until that outcome is there, the key is freed (then it claims
//   again), or its own deadline passes;
// - the key's request had another body: INVALID_ARGUMENT, as in one process.
//
// A claim lives as long as its call may (its deadline) and a few seconds more,
// so a replica that dies mid-call frees its keys by itself. When Redis cannot
// be asked, a claim answers kUnavailable and the call runs as if alone (its
// process's store still holds); a repeat that waits for another replica keeps
// polling instead, as running it could send it twice.

#include <cstddef>
#include <memory>
#include <string>

#include "absl/functional/any_invocable.h"
#include "absl/time/time.h"
#include "server/defaults.h"
#include "server/idempotency/request_fingerprint.h"
#include "server/idempotency/request_id_store.h"
#include "server/redis/redis_client.h"
#include "server/redis/redis_script.h"
#include "server/zoom/http.h"
#include "server/zoom/scheduler.h"

namespace livestream_gateway::idempotency {

struct SharedRequestIdsOptions {
  // How long an outcome is remembered (--request_id_ttl).
  absl::Duration ttl = defaults::kRequestIdTtl;
  // Bounds each round trip (--redis_timeout).
  absl::Duration redis_timeout = defaults::kRedisTimeout;
  // How often a repeat looks whether another replica's first has finished.
  absl::Duration poll_interval = absl::Milliseconds(50);
  // A claim outlives its call's deadline by this much.
  absl::Duration claim_margin = absl::Seconds(5);
  size_t max_outcome_bytes = kDefaultMaxOutcomeBytes;
  std::string key_prefix = "livestream_gateway:request_id:";
};

enum class ClaimEnd {
  kFirst,        // run the request; then Complete or Abandon with `owner`
  kDone,         // another replica's first completed: answer with `outcome`
  kMismatch,     // the key's request had another fingerprint
  kUnavailable,  // Redis cannot be asked: run it as this process alone would
  kCancelled,    // the handle's Cancel(), or the deadline passed while polling
};

struct ClaimResult {
  ClaimEnd end = ClaimEnd::kUnavailable;
  std::string owner;                                 // kFirst
  std::shared_ptr<const Outcome> outcome = nullptr;  // kDone
};

// Thread-safe.
class SharedRequestIds : public std::enable_shared_from_this<SharedRequestIds> {
 public:
  using ClaimCallback = absl::AnyInvocable<void(ClaimResult) &&>;

  // `scheduler` and `redis` must outlive it.
  static std::shared_ptr<SharedRequestIds> Create(Scheduler* scheduler, redis::RedisClient* redis,
                                                  SharedRequestIdsOptions options);

  // `done` runs exactly once, never inside Claim() or Cancel(), and must
  // not block.
  std::shared_ptr<Cancellable> Claim(const RequestKey& key, const Fingerprint& fingerprint,
                                     absl::Time deadline, ClaimCallback done);
  // The first's outcome, for the other replicas' repeats (the caller has
  // decided it is to be remembered). Fire and forget.
  void Complete(const RequestKey& key, const Fingerprint& fingerprint, const std::string& owner,
                const Outcome& outcome);
  // Frees the key, if the claim is still `owner`'s.
  void Abandon(const RequestKey& key, const Fingerprint& fingerprint, const std::string& owner);

  // The Redis key of `key` (a hash: principals stay out of Redis).
  std::string RedisKey(const RequestKey& key) const;

 private:
  class Claiming;

  SharedRequestIds(Scheduler* scheduler, redis::RedisClient* redis,
                   SharedRequestIdsOptions options);
  // Claims the key; `polling` when a repeat found it freed.
  void Ask(const std::shared_ptr<Claiming>& claim, bool polling);
  void Poll(const std::shared_ptr<Claiming>& claim);
  // What a value found under the key says, for `claim`.
  void OnValue(const std::shared_ptr<Claiming>& claim, const redis::RedisReply& value);
  void Later(const std::shared_ptr<Claiming>& claim);

  Scheduler* const scheduler_;
  redis::RedisClient* const redis_;
  const SharedRequestIdsOptions options_;
  const redis::RedisScript claim_script_;
  const redis::RedisScript abandon_script_;
};

}  // namespace livestream_gateway::idempotency

#endif  // LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_SHARED_REQUEST_IDS_H_
