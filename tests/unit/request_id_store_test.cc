#include "server/idempotency/request_id_store.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "server/idempotency/request_fingerprint.h"

namespace livestream_gateway::idempotency {
namespace {

using Begun = RequestIdStore::Begun;
using Completion = RequestIdStore::Ticket::Completion;

constexpr absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);
constexpr char kMethod[] = "/zoom.livestream.v1.LiveStreamService/UpdateStatus";

RequestKey Key(std::string request_id, std::string principal = "alice") {
  return RequestKey{
      .principal = std::move(principal), .method = kMethod, .request_id = std::move(request_id)};
}

Fingerprint Body() { return RequestFingerprint("action: start"); }
Fingerprint OtherBody() { return RequestFingerprint("action: stop"); }

Outcome Response(std::string bytes) { return Outcome{absl::OkStatus(), std::move(bytes)}; }

// The results a repeat's callback got, in order.
class Recorder {
 public:
  WaitCallback Callback() {
    return [this](WaitResult result) { results_.push_back(std::move(result)); };
  }
  const std::vector<WaitResult>& Results() const { return results_; }

 private:
  std::vector<WaitResult> results_;
};

// A callback for a Begin that must not wait.
WaitCallback MustNotRun() {
  return [](const WaitResult&) { ADD_FAILURE() << "a callback ran that was never told to wait"; };
}

RequestIdStore::BeginResult BeginDone(RequestIdStore& store, const RequestKey& key,
                                      absl::Time now) {
  return store.Begin(key, Body(), now, MustNotRun());
}

TEST(RequestIdStoreTest, ARepeatOfACompletedRequestGetsItsOutcome) {
  RequestIdStore store;
  auto first = store.Begin(Key("1"), Body(), kStart, MustNotRun());
  ASSERT_EQ(first.begun, Begun::kFirst);
  EXPECT_EQ(first.ticket.Complete(Response("started"), kStart), Completion::kRemembered);

  for (int repeat = 0; repeat < 3; ++repeat) {
    auto again = BeginDone(store, Key("1"), kStart + absl::Seconds(repeat));
    ASSERT_EQ(again.begun, Begun::kDone);
    ASSERT_NE(again.outcome, nullptr);
    EXPECT_TRUE(again.outcome->status.ok());
    EXPECT_EQ(again.outcome->response, "started");
  }
  EXPECT_EQ(store.size(), 1);
  EXPECT_EQ(store.in_flight(), 0);
}

TEST(RequestIdStoreTest, AnErrorOutcomeKeepsItsDetails) {
  RequestIdStore store;
  absl::Status error = absl::NotFoundError("no such webinar");
  error.SetPayload("type.googleapis.com/google.rpc.ErrorInfo", absl::Cord("info"));
  auto first = BeginDone(store, Key("1"), kStart);
  first.ticket.Complete(Outcome{error, ""}, kStart);

  auto again = BeginDone(store, Key("1"), kStart);
  ASSERT_EQ(again.begun, Begun::kDone);
  EXPECT_EQ(again.outcome->status, error);
  EXPECT_EQ(again.outcome->status.GetPayload("type.googleapis.com/google.rpc.ErrorInfo"),
            absl::Cord("info"));
}

struct KeyPair {
  std::string name;
  RequestKey a;
  RequestKey b;
};

TEST(RequestIdStoreTest, KeysDifferingInAnyPartAreDifferentRequests) {
  const KeyPair pairs[] = {
      {"another caller", Key("1", "alice"), Key("1", "bob")},
      {"anonymous and a caller", Key("1", ""), Key("1", "alice")},
      {"another method", Key("1"), RequestKey{"alice", "/other/Method", "1"}},
      {"another id", Key("1"), Key("2")},
      // Where one part ends must not depend on the text of the parts.
      {"parts that run together", RequestKey{"a", "b", "c"}, RequestKey{"ab", "", "c"}},
      {"a principal that looks like a prefix", RequestKey{"1:a", "", ""}, RequestKey{"", "a", ""}},
  };
  for (const KeyPair& pair : pairs) {
    SCOPED_TRACE(pair.name);
    RequestIdStore store;
    auto a = store.Begin(pair.a, Body(), kStart, MustNotRun());
    ASSERT_EQ(a.begun, Begun::kFirst);
    a.ticket.Complete(Response("a"), kStart);
    EXPECT_EQ(store.Begin(pair.b, Body(), kStart, MustNotRun()).begun, Begun::kFirst);
  }
}

TEST(RequestIdStoreTest, ARepeatWithAnotherBodyIsAMismatch) {
  for (bool completed : {false, true}) {
    SCOPED_TRACE(completed ? "completed" : "in flight");
    RequestIdStore store;
    auto first = BeginDone(store, Key("1"), kStart);
    if (completed) first.ticket.Complete(Response("started"), kStart);

    Recorder recorder;
    EXPECT_EQ(store.Begin(Key("1"), OtherBody(), kStart, recorder.Callback()).begun,
              Begun::kMismatch);
    // The first request keeps its key.
    if (!completed) first.ticket.Complete(Response("started"), kStart);
    auto again = BeginDone(store, Key("1"), kStart);
    ASSERT_EQ(again.begun, Begun::kDone);
    EXPECT_EQ(again.outcome->response, "started");
    EXPECT_TRUE(recorder.Results().empty());
  }
}

TEST(RequestIdStoreTest, EveryRepeatWaitingGetsTheOutcomeOnceWhenTheFirstCompletes) {
  RequestIdStore store;
  auto first = BeginDone(store, Key("1"), kStart);
  ASSERT_EQ(first.begun, Begun::kFirst);
  std::vector<Recorder> recorders(3);
  std::vector<RequestIdStore::Waiter> waiters;
  for (Recorder& recorder : recorders) {
    auto repeat = store.Begin(Key("1"), Body(), kStart, recorder.Callback());
    ASSERT_EQ(repeat.begun, Begun::kWait);
    waiters.push_back(std::move(repeat.waiter));
  }
  for (const Recorder& recorder : recorders) EXPECT_TRUE(recorder.Results().empty());
  EXPECT_EQ(store.in_flight(), 1);

  first.ticket.Complete(Response("started"), kStart);
  for (const Recorder& recorder : recorders) {
    ASSERT_EQ(recorder.Results().size(), 1);
    EXPECT_EQ(recorder.Results()[0].end, WaitEnd::kDone);
    ASSERT_NE(recorder.Results()[0].outcome, nullptr);
    EXPECT_EQ(recorder.Results()[0].outcome->response, "started");
  }
  // Dropping a waiter whose callback ran does not run it again.
  waiters.clear();
  first.ticket.Complete(Response("again"), kStart);
  for (const Recorder& recorder : recorders) EXPECT_EQ(recorder.Results().size(), 1);
}

TEST(RequestIdStoreTest, AnAbandonedFirstFreesTheKeyAndTellsItsWaiters) {
  struct Case {
    std::string name;
    void (*end)(RequestIdStore::Ticket& ticket);
  };
  const Case cases[] = {
      {"Abandon", [](RequestIdStore::Ticket& ticket) { ticket.Abandon(); }},
      {"dropped",
       [](RequestIdStore::Ticket& ticket) { RequestIdStore::Ticket gone(std::move(ticket)); }},
      {"replaced", [](RequestIdStore::Ticket& ticket) { ticket = RequestIdStore::Ticket(); }},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.name);
    RequestIdStore store;
    auto first = BeginDone(store, Key("1"), kStart);
    Recorder recorder;
    auto repeat = store.Begin(Key("1"), Body(), kStart, recorder.Callback());
    ASSERT_EQ(repeat.begun, Begun::kWait);

    test.end(first.ticket);
    ASSERT_EQ(recorder.Results().size(), 1);
    EXPECT_EQ(recorder.Results()[0].end, WaitEnd::kAbandoned);
    EXPECT_EQ(recorder.Results()[0].outcome, nullptr);
    EXPECT_EQ(store.size(), 0);
    EXPECT_EQ(first.ticket.Complete(Response("late"), kStart), Completion::kSpent);
    EXPECT_EQ(BeginDone(store, Key("1"), kStart).begun, Begun::kFirst);
  }
}

// The callback runs outside the store's lock: a repeat told the first was
// abandoned begins again from it, and one of them becomes the first.
TEST(RequestIdStoreTest, AnAbandonedRepeatMayBeginAgainFromItsCallback) {
  RequestIdStore store;
  auto first = BeginDone(store, Key("1"), kStart);
  std::vector<RequestIdStore::BeginResult> retries;
  auto begin_again = [&](const WaitResult& result) {
    ASSERT_EQ(result.end, WaitEnd::kAbandoned);
    retries.push_back(store.Begin(Key("1"), Body(), kStart, [](const WaitResult&) {}));
  };
  auto repeat_a = store.Begin(Key("1"), Body(), kStart, begin_again);
  auto repeat_b = store.Begin(Key("1"), Body(), kStart, begin_again);

  first.ticket.Abandon();
  ASSERT_EQ(retries.size(), 2);
  EXPECT_EQ(retries[0].begun, Begun::kFirst);
  EXPECT_EQ(retries[1].begun, Begun::kWait);
}

TEST(RequestIdStoreTest, ACancelledWaitRunsItsCallbackOnceAndOnlyThat) {
  struct Case {
    std::string name;
    void (*stop)(RequestIdStore::Waiter& waiter);
  };
  const Case cases[] = {
      {"Cancel", [](RequestIdStore::Waiter& waiter) { waiter.Cancel(); }},
      {"dropped",
       [](RequestIdStore::Waiter& waiter) { RequestIdStore::Waiter gone(std::move(waiter)); }},
      {"replaced", [](RequestIdStore::Waiter& waiter) { waiter = RequestIdStore::Waiter(); }},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.name);
    RequestIdStore store;
    auto first = BeginDone(store, Key("1"), kStart);
    Recorder cancelled;
    Recorder staying;
    auto leaving = store.Begin(Key("1"), Body(), kStart, cancelled.Callback());
    auto waiting = store.Begin(Key("1"), Body(), kStart, staying.Callback());

    test.stop(leaving.waiter);
    ASSERT_EQ(cancelled.Results().size(), 1);
    EXPECT_EQ(cancelled.Results()[0].end, WaitEnd::kCancelled);
    EXPECT_TRUE(staying.Results().empty());

    first.ticket.Complete(Response("started"), kStart);
    leaving.waiter.Cancel();
    EXPECT_EQ(cancelled.Results().size(), 1);
    ASSERT_EQ(staying.Results().size(), 1);
    EXPECT_EQ(staying.Results()[0].end, WaitEnd::kDone);
  }
}

TEST(RequestIdStoreTest, TheRememberPolicyDecidesWhatRepeatsGet) {
  struct Case {
    absl::Status status;
    Completion completion;
  };
  // A policy in the spirit of the edge's: what says "nothing was done, try
  // again" is not remembered.
  const Case cases[] = {
      {absl::OkStatus(), Completion::kRemembered},
      {absl::InvalidArgumentError("bad id"), Completion::kRemembered},
      {absl::UnknownError("may have reached Zoom"), Completion::kRemembered},
      {absl::UnavailableError("not sent"), Completion::kNotRemembered},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.status.ToString());
    RequestIdStore store(RequestIdStoreOptions{
        .remember = [](const Outcome& outcome) { return !absl::IsUnavailable(outcome.status); }});
    auto first = BeginDone(store, Key("1"), kStart);
    Recorder recorder;
    auto repeat = store.Begin(Key("1"), Body(), kStart, recorder.Callback());

    EXPECT_EQ(first.ticket.Complete(Outcome{test.status, ""}, kStart), test.completion);
    // Waiting repeats get the outcome either way: it is their request's.
    ASSERT_EQ(recorder.Results().size(), 1);
    EXPECT_EQ(recorder.Results()[0].outcome->status, test.status);
    const Begun next = BeginDone(store, Key("1"), kStart).begun;
    EXPECT_EQ(next, test.completion == Completion::kRemembered ? Begun::kDone : Begun::kFirst);
  }
}

TEST(RequestIdStoreTest, OutcomeBytesCountsWhatTheOutcomeHolds) {
  absl::Status error = absl::InternalError("12345");
  error.SetPayload("type/x", absl::Cord("123"));
  struct Case {
    Outcome outcome;
    size_t bytes;
  };
  const Case cases[] = {
      {Response(""), 0},
      {Response("1234"), 4},
      {Outcome{error, ""}, 5 + 6 + 3},
  };
  for (const Case& test : cases) EXPECT_EQ(OutcomeBytes(test.outcome), test.bytes);
}

TEST(RequestIdStoreTest, AnOutcomeTooLargeIsNotRemembered) {
  RequestIdStore store(RequestIdStoreOptions{.max_outcome_bytes = 4});
  auto small = BeginDone(store, Key("small"), kStart);
  EXPECT_EQ(small.ticket.Complete(Response("1234"), kStart), Completion::kRemembered);

  auto large = BeginDone(store, Key("large"), kStart);
  Recorder recorder;
  auto repeat = store.Begin(Key("large"), Body(), kStart, recorder.Callback());
  EXPECT_EQ(large.ticket.Complete(Response("12345"), kStart), Completion::kTooLarge);
  ASSERT_EQ(recorder.Results().size(), 1);
  EXPECT_EQ(recorder.Results()[0].outcome->response, "12345");
  EXPECT_EQ(BeginDone(store, Key("large"), kStart).begun, Begun::kFirst);
}

TEST(RequestIdStoreTest, AnOutcomeIsRememberedForTheTtlFromItsCompletion) {
  const absl::Duration ttl = absl::Minutes(10);
  RequestIdStore store(RequestIdStoreOptions{.ttl = ttl});
  auto first = BeginDone(store, Key("1"), kStart);
  // A call in flight longer than the ttl is still in flight.
  Recorder recorder;
  EXPECT_EQ(store.Begin(Key("1"), Body(), kStart + 2 * ttl, recorder.Callback()).begun,
            Begun::kWait);
  const absl::Time completed = kStart + 2 * ttl;
  first.ticket.Complete(Response("started"), completed);

  EXPECT_EQ(BeginDone(store, Key("1"), completed + ttl - absl::Nanoseconds(1)).begun, Begun::kDone);
  EXPECT_EQ(BeginDone(store, Key("1"), completed + ttl).begun, Begun::kFirst);
}

TEST(RequestIdStoreTest, ExpiredOutcomesAreDroppedWithoutBeingAskedFor) {
  RequestIdStore store(RequestIdStoreOptions{.ttl = absl::Minutes(1)});
  for (int i = 0; i < 10; ++i) {
    BeginDone(store, Key(absl::StrCat(i)), kStart).ticket.Complete(Response("ok"), kStart);
  }
  ASSERT_EQ(store.size(), 10);
  auto other = BeginDone(store, Key("other"), kStart + absl::Minutes(1));
  EXPECT_EQ(store.size(), 1);
}

// The clock is the caller's: one that steps back must not revive an outcome
// whose ttl passed, nor leave it stuck behind younger ones.
TEST(RequestIdStoreTest, AnExpiredOutcomeBehindAYoungerOneIsNotAnswered) {
  RequestIdStore store(RequestIdStoreOptions{.ttl = absl::Minutes(1)});
  BeginDone(store, Key("young"), kStart).ticket.Complete(Response("ok"), kStart);
  BeginDone(store, Key("old"), kStart).ticket.Complete(Response("ok"), kStart - absl::Minutes(5));
  EXPECT_EQ(BeginDone(store, Key("old"), kStart).begun, Begun::kFirst);
  EXPECT_EQ(BeginDone(store, Key("young"), kStart).begun, Begun::kDone);
}

TEST(RequestIdStoreTest, ANewKeyEvictsTheOutcomeCompletedLongestAgo) {
  RequestIdStore store(RequestIdStoreOptions{.max_entries = 3});
  auto a = BeginDone(store, Key("a"), kStart);
  auto b = BeginDone(store, Key("b"), kStart);
  auto c = BeginDone(store, Key("c"), kStart);
  // Completed in another order than they began.
  b.ticket.Complete(Response("b"), kStart + absl::Seconds(1));
  c.ticket.Complete(Response("c"), kStart + absl::Seconds(2));
  a.ticket.Complete(Response("a"), kStart + absl::Seconds(3));

  auto d = BeginDone(store, Key("d"), kStart + absl::Seconds(4));
  ASSERT_EQ(d.begun, Begun::kFirst);
  EXPECT_EQ(store.size(), 3);
  // A repeat does not make an outcome younger: c is next, then a.
  EXPECT_EQ(BeginDone(store, Key("c"), kStart + absl::Seconds(4)).begun, Begun::kDone);
  EXPECT_EQ(BeginDone(store, Key("a"), kStart + absl::Seconds(4)).begun, Begun::kDone);
  d.ticket.Complete(Response("d"), kStart + absl::Seconds(5));

  // Each new key evicts the next: c, then a; a repeat of an evicted one is a
  // new key too (it evicts d).
  struct Step {
    std::string new_key;
    std::vector<std::string> kept;
  };
  const Step steps[] = {
      {"e", {"a", "d"}},
      {"f", {"d", "e"}},
      {"c", {"e", "f"}},
  };
  absl::Time now = kStart + absl::Seconds(5);
  for (const Step& step : steps) {
    SCOPED_TRACE(step.new_key);
    now += absl::Seconds(1);
    auto begun = BeginDone(store, Key(step.new_key), now);
    ASSERT_EQ(begun.begun, Begun::kFirst);
    EXPECT_EQ(store.size(), 3);
    for (const std::string& kept : step.kept) {
      EXPECT_EQ(BeginDone(store, Key(kept), now).begun, Begun::kDone) << kept;
    }
    begun.ticket.Complete(Response(step.new_key), now);
  }
}

TEST(RequestIdStoreTest, RequestsInFlightAreNeverEvicted) {
  RequestIdStore store(RequestIdStoreOptions{.max_entries = 2});
  auto a = BeginDone(store, Key("a"), kStart);
  auto b = BeginDone(store, Key("b"), kStart);
  EXPECT_EQ(BeginDone(store, Key("c"), kStart).begun, Begun::kFull);
  EXPECT_EQ(store.in_flight(), 2);

  b.ticket.Complete(Response("b"), kStart);
  auto c = BeginDone(store, Key("c"), kStart);
  EXPECT_EQ(c.begun, Begun::kFirst);
  // The one in flight stayed and is still waited on.
  Recorder recorder;
  EXPECT_EQ(store.Begin(Key("a"), Body(), kStart, recorder.Callback()).begun, Begun::kWait);
  EXPECT_EQ(BeginDone(store, Key("d"), kStart).begun, Begun::kFull);
}

TEST(RequestIdStoreTest, TooManyRepeatsWaitingOnOneRequestAreRefused) {
  RequestIdStore store(RequestIdStoreOptions{.max_waiters_per_request = 2});
  auto first = BeginDone(store, Key("1"), kStart);
  Recorder recorder;
  auto one = store.Begin(Key("1"), Body(), kStart, recorder.Callback());
  auto two = store.Begin(Key("1"), Body(), kStart, recorder.Callback());
  ASSERT_EQ(two.begun, Begun::kWait);
  EXPECT_EQ(store.Begin(Key("1"), Body(), kStart, MustNotRun()).begun, Begun::kFull);
  one.waiter.Cancel();
  EXPECT_EQ(store.Begin(Key("1"), Body(), kStart, recorder.Callback()).begun, Begun::kWait);
}

TEST(RequestIdStoreTest, AFloodOfDistinctIdsStaysAtTheBound) {
  constexpr size_t bound = 1000;
  constexpr int ids = 1'000'000;
  RequestIdStore store(RequestIdStoreOptions{.max_entries = bound});
  size_t largest = 0;
  for (int i = 0; i < ids; ++i) {
    const absl::Time now = kStart + absl::Milliseconds(i);
    auto first = BeginDone(store, Key(absl::StrCat(i)), now);
    ASSERT_EQ(first.begun, Begun::kFirst) << i;
    first.ticket.Complete(Response("ok"), now);
    largest = std::max(largest, store.size());
  }
  EXPECT_EQ(largest, bound);
  EXPECT_EQ(store.size(), bound);
  const absl::Time end = kStart + absl::Milliseconds(ids);
  EXPECT_EQ(BeginDone(store, Key(absl::StrCat(ids - 1)), end).begun, Begun::kDone);
  EXPECT_EQ(BeginDone(store, Key("0"), end).begun, Begun::kFirst);
}

// Threads begin, complete, abandon and cancel on the same keys at once: all
// move through the keys together, a few rounds on each. Each key's outcome is
// completed at most once (its ttl is endless and nothing is evicted), and
// every repeat gets exactly that outcome: at once, or through its callback,
// which runs exactly once.
TEST(RequestIdStoreTest, ConcurrentRepeatsEachGetTheirKeysOutcomeOnce) {
  constexpr int rounds_per_key = 4;
  constexpr int thread_count = 4;
  constexpr int rounds = 5000;
  constexpr int keys = rounds / rounds_per_key;
  RequestIdStore store(RequestIdStoreOptions{
      .ttl = absl::InfiniteDuration(), .max_waiters_per_request = size_t{thread_count} * rounds});

  // A repeat told to wait, kept to the end so that its wait goes on.
  struct Wait {
    int key = 0;
    bool cancelled = false;
    std::atomic<int> runs{0};
    std::optional<WaitResult> result;  // written by the one run
    RequestIdStore::Waiter waiter;
  };
  absl::Mutex mu;
  // Guarded by mu:
  std::vector<std::unique_ptr<Wait>> waits;
  std::vector<std::pair<int, std::string>> answered;  // the kDone answers
  std::vector<int> completions(keys, 0);

  auto outcome_of = [](int key) { return absl::StrCat("outcome-", key); };
  auto work = [&](int thread) {
    for (int round = 0; round < rounds; ++round) {
      const int key = round / rounds_per_key;
      auto wait = std::make_unique<Wait>();
      wait->key = key;
      Wait* raw = wait.get();
      auto begun = store.Begin(Key(absl::StrCat(key)), Body(), kStart, [raw](WaitResult result) {
        raw->result = std::move(result);
        raw->runs.fetch_add(1);
      });
      switch (begun.begun) {
        case Begun::kFirst:
          // Gives the others time to find it in flight.
          for (int i = 0; i < 20; ++i) std::this_thread::yield();
          // Some firsts give up, so that their waiters are abandoned.
          if ((round + thread) % 5 == 0) {
            begun.ticket.Abandon();
          } else if (begun.ticket.Complete(Response(outcome_of(key)), kStart) ==
                     Completion::kRemembered) {
            absl::MutexLock lock(&mu);
            ++completions[key];
          }
          break;
        case Begun::kDone: {
          absl::MutexLock lock(&mu);
          answered.emplace_back(key, begun.outcome->response);
          break;
        }
        case Begun::kWait: {
          if (round % 3 == 0) {
            wait->cancelled = true;
            begun.waiter.Cancel();
          }
          wait->waiter = std::move(begun.waiter);
          absl::MutexLock lock(&mu);
          waits.push_back(std::move(wait));
          break;
        }
        default:
          ADD_FAILURE() << "unexpected answer " << static_cast<int>(begun.begun);
      }
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(thread_count);
  for (int thread = 0; thread < thread_count; ++thread) threads.emplace_back(work, thread);
  for (std::thread& thread : threads) thread.join();

  absl::MutexLock lock(&mu);
  for (int key = 0; key < keys; ++key) EXPECT_LE(completions[key], 1) << key;
  EXPECT_FALSE(answered.empty());
  for (const auto& [key, response] : answered) EXPECT_EQ(response, outcome_of(key));
  for (const auto& wait : waits) {
    ASSERT_EQ(wait->runs.load(), 1);
    const WaitResult& result = *wait->result;
    // A cancel may come after the first ended: then the wait ended with it.
    if (result.end == WaitEnd::kCancelled) {
      EXPECT_TRUE(wait->cancelled);
    }
    if (result.end == WaitEnd::kDone) {
      EXPECT_EQ(result.outcome->response, outcome_of(wait->key));
    }
  }
  EXPECT_EQ(store.in_flight(), 0);
}

}  // namespace
}  // namespace livestream_gateway::idempotency
