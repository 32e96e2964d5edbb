#include "server/zoom/transfer_queue.h"

#include "absl/base/macros.h"

namespace livestream_gateway {

// A queued entry that dies would leave the queue pointing at freed memory.
TransferQueue::Entry::~Entry() { ABSL_ASSERT(!queued_); }

TransferQueue::~TransferQueue() { ABSL_ASSERT(fifo_.empty() && deadlines_.empty()); }

void TransferQueue::Push(Entry& entry, absl::Time deadline) {
  ABSL_ASSERT(!entry.queued_);
  entry.position_ = fifo_.insert(fifo_.end(), &entry);
  entry.queued_ = true;
  entry.has_deadline_ = deadline != absl::InfiniteFuture();
  // Equal keys go after those already there, so expiry keeps queue order.
  if (entry.has_deadline_) entry.deadline_position_ = deadlines_.emplace(deadline, &entry);
}

TransferQueue::Entry* TransferQueue::PopFront() {
  if (fifo_.empty()) return nullptr;
  Entry* entry = fifo_.front();
  Remove(*entry);
  return entry;
}

TransferQueue::Entry* TransferQueue::Expired(absl::Time now) const {
  if (deadlines_.empty() || deadlines_.begin()->first > now) return nullptr;
  return deadlines_.begin()->second;
}

void TransferQueue::Remove(Entry& entry) {
  ABSL_ASSERT(entry.queued_);
  fifo_.erase(entry.position_);
  if (entry.has_deadline_) deadlines_.erase(entry.deadline_position_);
  entry.queued_ = false;
  entry.has_deadline_ = false;
  // Every queued entry with a finite deadline is indexed, and only those.
  ABSL_ASSERT(deadlines_.size() <= fifo_.size());
}

absl::Time TransferQueue::NextDeadline() const {
  return deadlines_.empty() ? absl::InfiniteFuture() : deadlines_.begin()->first;
}

}  // namespace livestream_gateway
