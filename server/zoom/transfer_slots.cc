#include "server/zoom/transfer_slots.h"

#include "absl/base/macros.h"

namespace livestream_gateway {

TransferSlots::TransferSlots(int connections) : connections_(connections) {
  ABSL_ASSERT(connections >= 1);
  const int count = (connections + kConnectionsPerShard - 1) / kConnectionsPerShard;
  shards_.resize(count);
  for (int i = 0; i < count; ++i) {
    shards_[i].capacity = connections / count + (i < connections % count ? 1 : 0);
  }
  CheckInvariants();
}

int TransferSlots::Acquire() {
  ABSL_ASSERT(!full());
  // There is always room: in_flight_ < connections_.
  int shard = 0;
  while (shards_[shard].in_flight == shards_[shard].capacity) ++shard;
  ++shards_[shard].in_flight;
  ++in_flight_;
  CheckInvariants();
  return shard;
}

void TransferSlots::Release(int shard) {
  ABSL_ASSERT(shards_[shard].in_flight > 0);
  --shards_[shard].in_flight;
  --in_flight_;
  CheckInvariants();
}

void TransferSlots::CheckInvariants() const {
#ifndef NDEBUG
  int capacity = 0;
  int in_flight = 0;
  for (const Shard& shard : shards_) {
    ABSL_ASSERT(shard.capacity <= kConnectionsPerShard);
    ABSL_ASSERT(shard.in_flight >= 0 && shard.in_flight <= shard.capacity);
    capacity += shard.capacity;
    in_flight += shard.in_flight;
  }
  ABSL_ASSERT(capacity == connections_);
  ABSL_ASSERT(in_flight == in_flight_);
#endif
}

}  // namespace livestream_gateway
