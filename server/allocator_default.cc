// TuneAllocator for a server on glibc's malloc (or a sanitizer's): nothing to
// tune.

#include "server/allocator.h"

namespace livestream_gateway {

void TuneAllocator() {}

}  // namespace livestream_gateway
