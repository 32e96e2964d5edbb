#ifndef LIVESTREAM_GATEWAY_SERVER_ALLOCATOR_H_
#define LIVESTREAM_GATEWAY_SERVER_ALLOCATOR_H_

namespace livestream_gateway {

// The server's total per-thread allocator caches. Its calls are allocated on
// gRPC's threads and freed on the curl loop's, so the loop's cache keeps
// filling; gperftools' default budget (32 MiB for all threads) let RSS creep
// up for half an hour under bursty load, +6 % between minutes 10 and 30 of
// the soak at 200 calls/s, while memory in use stayed flat. With 4 MiB the
// same soak ran flat (docs/reliability.md, "Soak").
inline constexpr long kMaxTotalThreadCacheBytes = 4L << 20;

// Applies kMaxTotalThreadCacheBytes when the server runs on tcmalloc (CMake's
// LIVESTREAM_TCMALLOC); a no-op with any other allocator. Call once, early in
// main().
void TuneAllocator();

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ALLOCATOR_H_
