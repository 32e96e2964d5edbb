// The main of the tests whose process makes gRPC channels (client and
// integration tests). gRPC 1.51 finishes shutting itself down on
// whichever thread releases its last object, which in a test can be one of
// gRPC's own threads shortly after the last test returned: a process that
// exits meanwhile runs OpenSSL's and the C++ runtime's exit handlers under
// that thread (ASan reported a double free and a leaked SSL context there).
// So main returns only once gRPC is no longer initialized, or after a bound
// that only a test leaking a channel or server reaches.

#include <grpc/grpc.h>

#include <iostream>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"

int main(int argc, char** argv) {
  testing::InitGoogleMock(&argc, argv);
  const int result = RUN_ALL_TESTS();
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (grpc_is_initialized() != 0 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  if (grpc_is_initialized() != 0) {
    std::cerr << "grpc_test_main: gRPC is still initialized 10 s after the last test: "
                 "a channel or server outlived the tests\n";
  }
  return result;
}
