#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_TRANSFER_QUEUE_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_TRANSFER_QUEUE_H_

#include <cstddef>
#include <list>
#include <map>

#include "absl/time/time.h"

namespace livestream_gateway {

// The calls waiting for a transfer slot: first in, first out, and indexed
// by deadline so that the ones whose deadline passes while they wait can be
// failed without a scan. A waiting call is an Entry (its base class) that
// the queue links but does not own; every operation is O(log n) at most.
// Not thread-safe: the transport's event loop owns it.
class TransferQueue {
 public:
  // The queue's bookkeeping inside a waiting call. Must not be destroyed
  // while queued.
  class Entry {
   public:
    Entry() = default;
    Entry(const Entry&) = delete;
    Entry& operator=(const Entry&) = delete;

    bool queued() const { return queued_; }

   protected:
    ~Entry();

   private:
    friend class TransferQueue;
    std::list<Entry*>::iterator position_;
    std::multimap<absl::Time, Entry*>::iterator deadline_position_;
    bool queued_ = false;
    bool has_deadline_ = false;  // finite: in the deadline index
  };

  TransferQueue() = default;
  TransferQueue(const TransferQueue&) = delete;
  TransferQueue& operator=(const TransferQueue&) = delete;
  ~TransferQueue();

  // Appends `entry`, which is not queued. An infinite deadline is not
  // indexed: such an entry never expires.
  void Push(Entry& entry, absl::Time deadline);
  // Takes the longest-waiting entry out; null when empty.
  Entry* PopFront();
  // The entry whose deadline is earliest, if it is at or before `now`
  // (among equal deadlines, the first queued); null otherwise. It stays
  // queued: the caller fails it and Remove()s it.
  Entry* Expired(absl::Time now) const;
  // Takes a queued entry out, wherever it is (a cancelled call, or an
  // expired one).
  void Remove(Entry& entry);

  bool empty() const { return fifo_.empty(); }
  size_t size() const { return fifo_.size(); }
  // The earliest finite deadline of a queued entry, else InfiniteFuture().
  absl::Time NextDeadline() const;

 private:
  std::list<Entry*> fifo_;
  std::multimap<absl::Time, Entry*> deadlines_;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_TRANSFER_QUEUE_H_
