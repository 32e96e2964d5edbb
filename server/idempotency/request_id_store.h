#ifndef LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_REQUEST_ID_STORE_H_
#define LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_REQUEST_ID_STORE_H_

// The outcomes of mutating requests by their request_id (AIP-155), so that a
// caller's retry is answered as its first attempt was, without calling Zoom
// again. The store knows nothing of gRPC or of the requests themselves: the
// edge gives it a key, a fingerprint of the request and, at the end, an
// opaque outcome.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/defaults.h"
#include "server/idempotency/request_fingerprint.h"

namespace livestream_gateway::idempotency {

// Whose request, to which method, with which id. Two callers (or one caller
// on two methods) may use the same request_id without meeting.
struct RequestKey {
  std::string principal;   // the caller's; empty for an anonymous caller
  std::string method;      // the full gRPC method name
  std::string request_id;  // as the caller sent it (a UUID, validated)
};

// What the first call ended with, as the edge will answer every repeat.
struct Outcome {
  absl::Status status;   // OK, or the error with its details as payloads
  std::string response;  // the serialized response when `status` is OK
};

// The bytes an outcome holds: the response, the status message and each
// payload with its type URL. What max_outcome_bytes bounds.
size_t OutcomeBytes(const Outcome& outcome);

// An outcome above this many bytes is not remembered (its waiters still get
// it). The gateway's are smaller: a response of a few fields, or an error
// whose text from Zoom is bounded (zoom/error_mapping.h) to about 2 KiB.
inline constexpr size_t kDefaultMaxOutcomeBytes = 4 * 1024;

struct RequestIdStoreOptions {
  // How long a completed outcome is remembered, from its completion; > 0.
  absl::Duration ttl = defaults::kRequestIdTtl;
  // Entries in flight and completed together; >= 1.
  size_t max_entries = defaults::kRequestIdMaxEntries;
  size_t max_outcome_bytes = kDefaultMaxOutcomeBytes;
  // Repeats that may wait on one request in flight; each is a call the
  // server holds, which its connection limits bound too.
  size_t max_waiters_per_request = 100;
  // Which completed outcomes repeats get instead of running the request
  // again; null remembers every one. An outcome not remembered still goes to
  // the repeats waiting for it. The edge's policy: everything except errors
  // that say nothing reached Zoom and a retry may succeed (UNAVAILABLE,
  // RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, ABORTED or CANCELLED with
  // delivered "no"): a repeat of those must try again, not be told again.
  std::function<bool(const Outcome&)> remember = nullptr;
};

// How a repeat that waited for its first ended.
enum class WaitEnd {
  kDone,       // the first completed: `outcome` is its outcome
  kAbandoned,  // the first ended without one: Begin again (one becomes first)
  kCancelled,  // the repeat stopped waiting (Waiter::Cancel)
};

struct WaitResult {
  WaitEnd end;
  std::shared_ptr<const Outcome> outcome;  // set only for kDone
};

// Runs exactly once for each repeat told to wait, on the thread that ended
// the wait (the first's Complete or Abandon, or Cancel), outside the store's
// lock, so it may call the store again. It must not block.
using WaitCallback = absl::AnyInvocable<void(WaitResult)>;

// Thread-safe; no call ever waits for another request (only for the store's
// lock, held for O(1) work: amortized, as expired entries are dropped in
// bulk). Times come from the caller, so tests drive them.
//
// Memory per entry, on x86-64: about 250 bytes of bookkeeping (a map slot, the
// entry, its place in the completion order and the outcome's shared block)
// plus its key (principal + method + request_id, about 90 bytes for an
// anonymous UpdateStatus) plus its outcome (OutcomeBytes, at most
// max_outcome_bytes): 353 bytes measured for an anonymous UpdateStatus with an
// empty response. So the defaults hold about 45 MB when outcomes are a
// hundred bytes, and never more than max_entries * (~0.4 KiB +
// max_outcome_bytes) plus the waiting repeats' callbacks. Large outcomes are
// errors from Zoom, which its rate limit makes few per ttl.
class RequestIdStore {
 public:
  // Held by the first call of a key. Complete or Abandon it once; dropping it
  // without either abandons. Not thread-safe itself; the store must outlive it.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept;
    Ticket& operator=(Ticket&& other) noexcept;
    ~Ticket();

    enum class Completion {
      kRemembered,     // repeats get `outcome` until it expires or is evicted
      kNotRemembered,  // by the `remember` policy: the next repeat runs again
      kTooLarge,       // over max_outcome_bytes: the next repeat runs again
      kSpent,          // this ticket was completed or abandoned already
    };
    // Ends the first call: every repeat waiting for it gets `outcome`.
    Completion Complete(Outcome outcome, absl::Time now);
    // Ends the first call with no outcome that belongs to the request (its
    // caller cancelled it, the server is stopping): the key is free again and
    // the waiting repeats get kAbandoned, so one of them can run it.
    void Abandon();

   private:
    friend class RequestIdStore;
    Ticket(RequestIdStore* store, std::string key, uint64_t entry_id);

    RequestIdStore* store_ = nullptr;  // null once spent
    std::string key_;
    uint64_t entry_id_ = 0;
  };

  // Held by a repeat told to wait. Not thread-safe itself; the store must
  // outlive it.
  class Waiter {
   public:
    Waiter() = default;
    Waiter(Waiter&& other) noexcept;
    Waiter& operator=(Waiter&& other) noexcept;
    // Cancels.
    ~Waiter();

    // Stops waiting (the repeat's caller cancelled, or its deadline passed):
    // the callback runs now with kCancelled, unless it ran already.
    void Cancel();

   private:
    friend class RequestIdStore;
    Waiter(RequestIdStore* store, std::string key, uint64_t entry_id, uint64_t waiter_id);

    RequestIdStore* store_ = nullptr;  // null once cancelled
    std::string key_;
    uint64_t entry_id_ = 0;
    uint64_t waiter_id_ = 0;
  };

  enum class Begun {
    kFirst,     // run the request, then complete `ticket`
    kDone,      // a repeat of a completed request: answer with `outcome`
    kWait,      // a repeat of a request in flight: `on_outcome` will run
    kMismatch,  // the key's request had another fingerprint: INVALID_ARGUMENT
    kFull,      // no room (every entry in flight, or too many waiting)
  };

  // (Members initialized so that a designated initializer may leave them out
  // without a warning.)
  struct BeginResult {
    Begun begun = Begun::kFull;
    Ticket ticket = Ticket();                          // kFirst
    std::shared_ptr<const Outcome> outcome = nullptr;  // kDone
    Waiter waiter = Waiter();                          // kWait
  };

  explicit RequestIdStore(RequestIdStoreOptions options = {});
  RequestIdStore(const RequestIdStore&) = delete;
  RequestIdStore& operator=(const RequestIdStore&) = delete;
  // Every Ticket and Waiter must be gone.
  ~RequestIdStore();

  // Looks the request up, and if its key is free claims it. `on_outcome` is
  // kept, and runs once, only when the answer is kWait: taking it here rather
  // than after kWait leaves no moment at which the first could complete
  // unseen. Drops expired entries; makes room for a new key by evicting the
  // completed entry completed longest ago (never one in flight).
  BeginResult Begin(const RequestKey& key, const Fingerprint& fingerprint, absl::Time now,
                    WaitCallback on_outcome);

  // Entries in flight and completed, as max_entries counts them.
  size_t size() const;
  size_t in_flight() const;

 private:
  struct PendingWaiter {
    uint64_t id;
    WaitCallback callback;
  };
  struct Entry {
    std::string key;  // the map's key views it
    uint64_t id;      // tells a new entry of the same key from a gone one
    Fingerprint fingerprint;
    // In flight: null, and `waiters` wait. Completed: no waiters.
    std::shared_ptr<const Outcome> outcome;
    std::vector<PendingWaiter> waiters;
    absl::Time expires;                     // completed only
    std::list<Entry*>::iterator completed;  // completed only
  };

  Ticket::Completion Complete(absl::string_view key, uint64_t entry_id, Outcome outcome,
                              absl::Time now);
  void Abandon(absl::string_view key, uint64_t entry_id);
  void CancelWait(absl::string_view key, uint64_t entry_id, uint64_t waiter_id);

  // The entry of `key` if it is the one numbered `entry_id`.
  Entry* Find(absl::string_view key, uint64_t entry_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropExpired(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Erase(Entry* entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const RequestIdStoreOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<absl::string_view, std::unique_ptr<Entry>> entries_ ABSL_GUARDED_BY(mu_);
  // Completed entries, the one completed longest ago first: as every entry
  // lives for the same ttl, also the one that expires first.
  std::list<Entry*> completed_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace livestream_gateway::idempotency

#endif  // LIVESTREAM_GATEWAY_SERVER_IDEMPOTENCY_REQUEST_ID_STORE_H_
