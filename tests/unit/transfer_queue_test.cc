#include "server/zoom/transfer_queue.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

using ::testing::ElementsAre;

struct Waiting : TransferQueue::Entry {
  explicit Waiting(std::string name) : name(std::move(name)) {}
  std::string name;
};

std::string NameOf(TransferQueue::Entry* entry) {
  return entry == nullptr ? "(none)" : static_cast<Waiting*>(entry)->name;
}

// Pops everything, in order.
std::vector<std::string> Drain(TransferQueue& queue) {
  std::vector<std::string> names;
  while (TransferQueue::Entry* entry = queue.PopFront()) names.push_back(NameOf(entry));
  return names;
}

constexpr absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);
absl::Time At(int seconds) { return kNow + absl::Seconds(seconds); }

TEST(TransferQueueTest, PopsInTheOrderPushed) {
  TransferQueue queue;
  Waiting a("a"), b("b"), c("c");
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.PopFront(), nullptr);
  queue.Push(a, At(30));
  queue.Push(b, absl::InfiniteFuture());
  queue.Push(c, At(10));
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_TRUE(b.queued());
  EXPECT_THAT(Drain(queue), ElementsAre("a", "b", "c"));
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(a.queued());
  // Popping took them out of the deadline index too.
  EXPECT_EQ(queue.NextDeadline(), absl::InfiniteFuture());
  EXPECT_EQ(queue.Expired(At(100)), nullptr);
}

TEST(TransferQueueTest, ExpiredIsTheEarliestDeadlineAtOrBeforeNow) {
  TransferQueue queue;
  Waiting late("late"), early("early"), never("never");
  queue.Push(late, At(20));
  queue.Push(never, absl::InfiniteFuture());
  queue.Push(early, At(10));
  EXPECT_EQ(queue.NextDeadline(), At(10));
  EXPECT_EQ(queue.Expired(At(9)), nullptr);
  EXPECT_EQ(NameOf(queue.Expired(At(10))), "early");
  // Expired() only looks; the caller removes.
  EXPECT_EQ(queue.size(), 3u);
  queue.Remove(*queue.Expired(At(25)));
  EXPECT_EQ(NameOf(queue.Expired(At(25))), "late");
  queue.Remove(late);
  // An infinite deadline never expires.
  EXPECT_EQ(queue.Expired(absl::InfiniteFuture()), nullptr);
  EXPECT_EQ(queue.NextDeadline(), absl::InfiniteFuture());
  EXPECT_THAT(Drain(queue), ElementsAre("never"));
}

TEST(TransferQueueTest, EqualDeadlinesExpireInQueueOrder) {
  TransferQueue queue;
  Waiting a("a"), b("b"), c("c");
  queue.Push(a, At(5));
  queue.Push(b, At(5));
  queue.Push(c, At(5));
  std::vector<std::string> expired;
  while (TransferQueue::Entry* entry = queue.Expired(At(5))) {
    expired.push_back(NameOf(entry));
    queue.Remove(*entry);
  }
  EXPECT_THAT(expired, ElementsAre("a", "b", "c"));
  EXPECT_TRUE(queue.empty());
}

TEST(TransferQueueTest, RemoveTakesAnEntryFromAnywhere) {
  TransferQueue queue;
  Waiting a("a"), b("b"), c("c"), d("d");
  queue.Push(a, At(1));
  queue.Push(b, At(2));
  queue.Push(c, absl::InfiniteFuture());
  queue.Push(d, At(4));
  queue.Remove(b);  // a cancelled call in the middle
  EXPECT_FALSE(b.queued());
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(NameOf(queue.Expired(At(3))), "a");
  queue.Remove(a);  // from the front
  EXPECT_EQ(queue.Expired(At(3)), nullptr);
  queue.Remove(d);  // from the back
  EXPECT_EQ(queue.NextDeadline(), absl::InfiniteFuture());
  EXPECT_THAT(Drain(queue), ElementsAre("c"));
}

TEST(TransferQueueTest, AnEntryCanBeQueuedAgainAfterLeaving) {
  TransferQueue queue;
  Waiting a("a"), b("b");
  queue.Push(a, At(1));
  queue.Push(b, At(2));
  ASSERT_EQ(queue.PopFront(), &a);
  queue.Push(a, absl::InfiniteFuture());
  EXPECT_EQ(NameOf(queue.Expired(At(10))), "b");
  queue.Remove(b);
  EXPECT_EQ(queue.Expired(At(10)), nullptr);
  EXPECT_THAT(Drain(queue), ElementsAre("a"));
}

TEST(TransferQueueTest, SizeTracksEveryWayOut) {
  TransferQueue queue;
  std::vector<std::unique_ptr<Waiting>> entries;
  for (int i = 0; i < 100; ++i) {
    entries.push_back(std::make_unique<Waiting>(std::to_string(i)));
    queue.Push(*entries.back(), i % 3 == 0 ? absl::InfiniteFuture() : At(i));
  }
  size_t expected = 100;
  // Expire the first third by deadline, cancel every fifth, pop the rest.
  while (TransferQueue::Entry* entry = queue.Expired(At(33))) {
    queue.Remove(*entry);
    EXPECT_EQ(queue.size(), --expected);
  }
  for (int i = 0; i < 100; i += 5) {
    if (entries[i]->queued()) {
      queue.Remove(*entries[i]);
      EXPECT_EQ(queue.size(), --expected);
    }
  }
  while (queue.PopFront() != nullptr) EXPECT_EQ(queue.size(), --expected);
  EXPECT_EQ(expected, 0u);
  for (const auto& entry : entries) EXPECT_FALSE(entry->queued());
}

#ifndef NDEBUG
TEST(TransferQueueDeathTest, MisuseIsCaughtInDebugBuilds) {
  EXPECT_DEATH(
      {
        TransferQueue queue;
        Waiting a("a");
        queue.Remove(a);  // not queued
      },
      "");
  EXPECT_DEATH(
      {
        TransferQueue queue;
        Waiting a("a");
        queue.Push(a, At(1));
        queue.Push(a, At(1));  // twice
      },
      "");
}
#endif

}  // namespace
}  // namespace livestream_gateway
