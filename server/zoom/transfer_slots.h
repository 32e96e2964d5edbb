#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_TRANSFER_SLOTS_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_TRANSFER_SLOTS_H_

#include <vector>

namespace livestream_gateway {

// The transport's transfer slots, split over shards (libcurl multi handles,
// each its own connection pool): one slot is one transfer in flight and one
// keep-alive connection. libcurl 7.88 walks every connection of a multi
// handle when a transfer ends (and looks through the host's connections when
// one starts), which made a burst of 10,000 calls quadratic; so a pool above
// kConnectionsPerShard is split into shards whose capacities differ by at
// most one and add up to the total. Not thread-safe: the transport's event
// loop owns it.
class TransferSlots {
 public:
  static constexpr int kConnectionsPerShard = 512;

  // `connections` >= 1.
  explicit TransferSlots(int connections);

  int shards() const { return static_cast<int>(shards_.size()); }
  int capacity(int shard) const { return shards_[shard].capacity; }
  int in_flight(int shard) const { return shards_[shard].in_flight; }
  int in_flight() const { return in_flight_; }
  bool full() const { return in_flight_ == connections_; }

  // Takes a slot of the first shard with room, which keeps a light load on
  // one multi handle and its warm connections; returns that shard. Not when
  // full().
  int Acquire();
  // Gives back a slot Acquire() returned.
  void Release(int shard);

 private:
  struct Shard {
    int capacity = 0;
    int in_flight = 0;
  };
  // Cheap enough for every Acquire()/Release() in a debug build.
  void CheckInvariants() const;

  const int connections_;
  int in_flight_ = 0;
  std::vector<Shard> shards_;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_TRANSFER_SLOTS_H_
