#include "server/idempotency/request_id_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace livestream_gateway::idempotency {
namespace {

// Length prefixes keep ("a:b", "c") and ("a", "b:c") apart; the request_id
// is what is left.
std::string KeyString(const RequestKey& key) {
  return absl::StrCat(key.principal.size(), ":", key.principal, key.method.size(), ":", key.method,
                      key.request_id);
}

void RunAll(std::vector<WaitCallback>& callbacks, WaitEnd end,
            const std::shared_ptr<const Outcome>& outcome) {
  for (WaitCallback& callback : callbacks) callback(WaitResult{end, outcome});
}

}  // namespace

size_t OutcomeBytes(const Outcome& outcome) {
  size_t bytes = outcome.response.size() + outcome.status.message().size();
  outcome.status.ForEachPayload([&bytes](absl::string_view type_url, const absl::Cord& payload) {
    bytes += type_url.size() + payload.size();
  });
  return bytes;
}

RequestIdStore::Ticket::Ticket(RequestIdStore* store, std::string key, uint64_t entry_id)
    : store_(store), key_(std::move(key)), entry_id_(entry_id) {}

RequestIdStore::Ticket::Ticket(Ticket&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)),
      key_(std::move(other.key_)),
      entry_id_(other.entry_id_) {}

RequestIdStore::Ticket& RequestIdStore::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    Abandon();
    store_ = std::exchange(other.store_, nullptr);
    key_ = std::move(other.key_);
    entry_id_ = other.entry_id_;
  }
  return *this;
}

RequestIdStore::Ticket::~Ticket() { Abandon(); }

RequestIdStore::Ticket::Completion RequestIdStore::Ticket::Complete(Outcome outcome,
                                                                    absl::Time now) {
  RequestIdStore* store = std::exchange(store_, nullptr);
  if (store == nullptr) return Completion::kSpent;
  return store->Complete(key_, entry_id_, std::move(outcome), now);
}

void RequestIdStore::Ticket::Abandon() {
  RequestIdStore* store = std::exchange(store_, nullptr);
  if (store != nullptr) store->Abandon(key_, entry_id_);
}

RequestIdStore::Waiter::Waiter(RequestIdStore* store, std::string key, uint64_t entry_id,
                               uint64_t waiter_id)
    : store_(store), key_(std::move(key)), entry_id_(entry_id), waiter_id_(waiter_id) {}

RequestIdStore::Waiter::Waiter(Waiter&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)),
      key_(std::move(other.key_)),
      entry_id_(other.entry_id_),
      waiter_id_(other.waiter_id_) {}

RequestIdStore::Waiter& RequestIdStore::Waiter::operator=(Waiter&& other) noexcept {
  if (this != &other) {
    Cancel();
    store_ = std::exchange(other.store_, nullptr);
    key_ = std::move(other.key_);
    entry_id_ = other.entry_id_;
    waiter_id_ = other.waiter_id_;
  }
  return *this;
}

RequestIdStore::Waiter::~Waiter() { Cancel(); }

void RequestIdStore::Waiter::Cancel() {
  RequestIdStore* store = std::exchange(store_, nullptr);
  if (store != nullptr) store->CancelWait(key_, entry_id_, waiter_id_);
}

RequestIdStore::RequestIdStore(RequestIdStoreOptions options) : options_(std::move(options)) {}

RequestIdStore::~RequestIdStore() = default;

RequestIdStore::BeginResult RequestIdStore::Begin(const RequestKey& key,
                                                  const Fingerprint& fingerprint, absl::Time now,
                                                  WaitCallback on_outcome) {
  std::string key_string = KeyString(key);
  absl::MutexLock lock(&mu_);
  DropExpired(now);
  if (auto it = entries_.find(key_string); it != entries_.end()) {
    Entry& entry = *it->second;
    // The clock may step back, leaving an expired entry behind a live one.
    if (entry.outcome != nullptr && entry.expires <= now) {
      Erase(&entry);
    } else if (entry.fingerprint != fingerprint) {
      return {.begun = Begun::kMismatch};
    } else if (entry.outcome != nullptr) {
      return {.begun = Begun::kDone, .outcome = entry.outcome};
    } else if (entry.waiters.size() >= options_.max_waiters_per_request) {
      return {.begun = Begun::kFull};
    } else {
      const uint64_t waiter_id = next_id_++;
      entry.waiters.push_back({waiter_id, std::move(on_outcome)});
      return {.begun = Begun::kWait,
              .waiter = Waiter(this, std::move(key_string), entry.id, waiter_id)};
    }
  }
  if (entries_.size() >= options_.max_entries) {
    if (completed_.empty()) return {.begun = Begun::kFull};
    Erase(completed_.front());
  }
  auto entry = std::make_unique<Entry>();
  entry->key = key_string;
  entry->id = next_id_++;
  entry->fingerprint = fingerprint;
  const uint64_t entry_id = entry->id;
  const absl::string_view view = entry->key;
  entries_.emplace(view, std::move(entry));
  return {.begun = Begun::kFirst, .ticket = Ticket(this, std::move(key_string), entry_id)};
}

size_t RequestIdStore::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

size_t RequestIdStore::in_flight() const {
  absl::MutexLock lock(&mu_);
  return entries_.size() - completed_.size();
}

RequestIdStore::Ticket::Completion RequestIdStore::Complete(absl::string_view key,
                                                            uint64_t entry_id, Outcome outcome,
                                                            absl::Time now) {
  auto shared = std::make_shared<const Outcome>(std::move(outcome));
  Ticket::Completion completion = Ticket::Completion::kRemembered;
  if (OutcomeBytes(*shared) > options_.max_outcome_bytes) {
    completion = Ticket::Completion::kTooLarge;
  } else if (options_.remember != nullptr && !options_.remember(*shared)) {
    completion = Ticket::Completion::kNotRemembered;
  }
  std::vector<WaitCallback> waiting;
  {
    absl::MutexLock lock(&mu_);
    Entry* entry = Find(key, entry_id);
    // An entry in flight is never evicted and only its ticket ends it.
    if (entry == nullptr) return Ticket::Completion::kSpent;
    waiting.reserve(entry->waiters.size());
    for (PendingWaiter& waiter : entry->waiters) waiting.push_back(std::move(waiter.callback));
    entry->waiters.clear();
    if (completion == Ticket::Completion::kRemembered) {
      entry->outcome = shared;
      entry->expires = now + options_.ttl;
      entry->completed = completed_.insert(completed_.end(), entry);
    } else {
      Erase(entry);
    }
  }
  RunAll(waiting, WaitEnd::kDone, shared);
  return completion;
}

void RequestIdStore::Abandon(absl::string_view key, uint64_t entry_id) {
  std::vector<WaitCallback> waiting;
  {
    absl::MutexLock lock(&mu_);
    Entry* entry = Find(key, entry_id);
    if (entry == nullptr) return;
    for (PendingWaiter& waiter : entry->waiters) waiting.push_back(std::move(waiter.callback));
    Erase(entry);
  }
  RunAll(waiting, WaitEnd::kAbandoned, nullptr);
}

void RequestIdStore::CancelWait(absl::string_view key, uint64_t entry_id, uint64_t waiter_id) {
  WaitCallback callback;
  {
    absl::MutexLock lock(&mu_);
    Entry* entry = Find(key, entry_id);
    if (entry == nullptr) return;
    auto& waiters = entry->waiters;
    for (auto it = waiters.begin(); it != waiters.end(); ++it) {
      if (it->id == waiter_id) {
        callback = std::move(it->callback);
        waiters.erase(it);
        break;
      }
    }
  }
  // Empty when the wait ended already and its callback ran.
  if (callback != nullptr) callback(WaitResult{WaitEnd::kCancelled, nullptr});
}

RequestIdStore::Entry* RequestIdStore::Find(absl::string_view key, uint64_t entry_id) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second->id != entry_id) return nullptr;
  return it->second.get();
}

void RequestIdStore::DropExpired(absl::Time now) {
  while (!completed_.empty() && completed_.front()->expires <= now) Erase(completed_.front());
}

void RequestIdStore::Erase(Entry* entry) {
  if (entry->outcome != nullptr) completed_.erase(entry->completed);
  // By iterator: the map's key views the entry that erase destroys.
  entries_.erase(entries_.find(absl::string_view(entry->key)));
}

}  // namespace livestream_gateway::idempotency
