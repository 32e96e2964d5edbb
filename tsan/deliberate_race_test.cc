// Built and run in ThreadSanitizer builds only (tsan/CMakeLists.txt), to show
// that the tsan stage is not blind: `race` and `wrong_mutex` must be reported,
// `locked` must not. With Debian's uninstrumented libabsl_synchronization in
// place of the build's own (LD_PRELOAD), `locked` is reported too: that false
// report is what the instrumented copy prevents.
//
// Usage: deliberate_race_test race|wrong_mutex|locked

#include <cstdio>
#include <cstring>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace {

constexpr int kIterations = 10000;

// Deliberately unguarded in `race` and `wrong_mutex`.
int counter = 0;

// noinline: the ctest expects these names in TSan's report.
__attribute__((noinline)) void RacyIncrement() {
  for (int i = 0; i < kIterations; ++i) ++counter;
}

__attribute__((noinline)) void IncrementUnder(absl::Mutex* mu) {
  for (int i = 0; i < kIterations; ++i) {
    absl::MutexLock lock(mu);
    ++counter;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc == 2 ? argv[1] : "";
  absl::Mutex first;
  absl::Mutex second;
  if (std::strcmp(mode, "race") == 0) {
    std::thread a(RacyIncrement);
    std::thread b(RacyIncrement);
    a.join();
    b.join();
  } else if (std::strcmp(mode, "wrong_mutex") == 0) {
    std::thread a(IncrementUnder, &first);
    std::thread b(IncrementUnder, &second);
    a.join();
    b.join();
  } else if (std::strcmp(mode, "locked") == 0) {
    std::thread a(IncrementUnder, &first);
    std::thread b(IncrementUnder, &first);
    a.join();
    b.join();
  } else {
    std::fprintf(stderr, "usage: %s race|wrong_mutex|locked\n", argv[0]);
    return 2;
  }
  std::printf("counter: %d\n", counter);
  return 0;
}
