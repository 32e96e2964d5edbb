// Built and run in ThreadSanitizer builds only (tsan/CMakeLists.txt), to show
// that the tsan stage is not blind: `race` and `wrong_mutex` must be reported,
// `locked` must not. With Debian's uninstrumented abseil libraries in place of
// the build's own (LD_PRELOAD), `locked` is reported too: that false report is
// what the instrumented copies prevent.
//
// Usage: deliberate_race_test race|wrong_mutex|locked

#include <atomic>
#include <cstdio>
#include <cstring>
#include <latch>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace {

constexpr int kIterations = 10000;
// TSan misses a race now and then (about 1 run in 100 here, even with both
// threads running at once), so the threads race this many times over.
constexpr int kRounds = 10;

// Deliberately unguarded in `race` and `wrong_mutex`.
int counter = 0;

// noinline: the ctest expects these names in TSan's report.
__attribute__((noinline)) void RacyIncrement(std::latch* started) {
  started->arrive_and_wait();
  for (int i = 0; i < kIterations; ++i) {
    ++counter;
    // Keeps the increment a memory access on every iteration.
    std::atomic_signal_fence(std::memory_order_seq_cst);
  }
}

__attribute__((noinline)) void IncrementUnder(absl::Mutex* mu, std::latch* started) {
  started->arrive_and_wait();
  for (int i = 0; i < kIterations; ++i) {
    absl::MutexLock lock(mu);
    ++counter;
  }
}

// Two threads at once, each under its own mutex (or none, or the same one).
void Race(absl::Mutex* a, absl::Mutex* b) {
  std::latch started(2);
  std::thread first([&] { a == nullptr ? RacyIncrement(&started) : IncrementUnder(a, &started); });
  std::thread second([&] { b == nullptr ? RacyIncrement(&started) : IncrementUnder(b, &started); });
  first.join();
  second.join();
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc == 2 ? argv[1] : "";
  absl::Mutex one;
  absl::Mutex other;
  for (int round = 0; round < kRounds; ++round) {
    if (std::strcmp(mode, "race") == 0) {
      Race(nullptr, nullptr);
    } else if (std::strcmp(mode, "wrong_mutex") == 0) {
      Race(&one, &other);
    } else if (std::strcmp(mode, "locked") == 0) {
      Race(&one, &one);
    } else {
      std::fprintf(stderr, "usage: %s race|wrong_mutex|locked\n", argv[0]);
      return 2;
    }
  }
  std::printf("counter: %d\n", counter);
  return 0;
}
