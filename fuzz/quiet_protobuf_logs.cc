// Linked into every fuzz target. protobuf logs an ERROR line for each string
// that is not UTF-8 and each JSON parse failure; fuzzing produces those by
// the million, and writing them would cost more time than the code under
// test. A broken invariant still says what broke (invariants.h).

#include <cstddef>
#include <cstdint>

#include "google/protobuf/stubs/logging.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}
