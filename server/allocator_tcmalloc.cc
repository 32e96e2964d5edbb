// TuneAllocator for a server linked with gperftools' tcmalloc_minimal.

#include <gperftools/malloc_extension.h>

#include "server/allocator.h"

namespace livestream_gateway {

void TuneAllocator() {
  MallocExtension::instance()->SetNumericProperty("tcmalloc.max_total_thread_cache_bytes",
                                                  kMaxTotalThreadCacheBytes);
}

}  // namespace livestream_gateway
