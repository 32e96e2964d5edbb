#include "server/zoom/transfer_slots.h"

#include <ostream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAreArray;

struct SplitCase {
  int connections;
  std::vector<int> capacities;
};
void PrintTo(const SplitCase& c, std::ostream* os) { *os << c.connections; }

class TransferSlotsSplitTest : public ::testing::TestWithParam<SplitCase> {};

TEST_P(TransferSlotsSplitTest, SplitsEvenlyIntoShardsOfAtMost512) {
  const TransferSlots slots(GetParam().connections);
  std::vector<int> capacities;
  capacities.reserve(slots.shards());
  for (int i = 0; i < slots.shards(); ++i) capacities.push_back(slots.capacity(i));
  EXPECT_THAT(capacities, ElementsAreArray(GetParam().capacities));
  EXPECT_EQ(slots.in_flight(), 0);
  EXPECT_FALSE(slots.full());
}

INSTANTIATE_TEST_SUITE_P(Pools, TransferSlotsSplitTest,
                         ::testing::Values(SplitCase{1, {1}}, SplitCase{256, {256}},
                                           SplitCase{512, {512}}, SplitCase{513, {257, 256}},
                                           SplitCase{1024, {512, 512}},
                                           SplitCase{1100, {367, 367, 366}},
                                           SplitCase{10000, std::vector<int>(20, 500)}),
                         [](const auto& info) { return std::to_string(info.param.connections); });

TEST(TransferSlotsTest, FillsTheFirstShardWithRoomFirst) {
  TransferSlots slots(1100);
  for (int i = 0; i < 367; ++i) ASSERT_EQ(slots.Acquire(), 0);
  EXPECT_EQ(slots.Acquire(), 1);
  EXPECT_EQ(slots.in_flight(0), 367);
  EXPECT_EQ(slots.in_flight(1), 1);
  // A slot freed in the first shard is taken again before the second's.
  slots.Release(0);
  EXPECT_EQ(slots.Acquire(), 0);
  EXPECT_EQ(slots.in_flight(), 368);
}

TEST(TransferSlotsTest, IsFullAtTheConnectionCountAndNotBefore) {
  TransferSlots slots(1030);
  std::vector<int> taken;
  while (!slots.full()) taken.push_back(slots.Acquire());
  EXPECT_EQ(taken.size(), 1030u);
  EXPECT_EQ(slots.in_flight(), 1030);
  for (int i = 0; i < slots.shards(); ++i) EXPECT_EQ(slots.in_flight(i), slots.capacity(i));
  slots.Release(1);
  EXPECT_FALSE(slots.full());
  EXPECT_EQ(slots.Acquire(), 1);
  for (int shard : taken) slots.Release(shard);
  EXPECT_EQ(slots.in_flight(), 0);
  for (int i = 0; i < slots.shards(); ++i) EXPECT_EQ(slots.in_flight(i), 0);
}

#ifndef NDEBUG
TEST(TransferSlotsDeathTest, MisuseIsCaughtInDebugBuilds) {
  EXPECT_DEATH(
      {
        TransferSlots slots(1);
        slots.Acquire();
        slots.Acquire();  // full
      },
      "");
  EXPECT_DEATH(
      {
        TransferSlots slots(2);
        slots.Release(0);  // nothing in flight
      },
      "");
}
#endif

}  // namespace
}  // namespace livestream_gateway
