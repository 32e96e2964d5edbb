#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_EASY_HANDLE_POOL_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_EASY_HANDLE_POOL_H_

#include <curl/curl.h>

#include <cstddef>
#include <vector>

namespace livestream_gateway {

// Idle libcurl easy handles kept for the next transfer: a handle keeps the
// options every transfer shares, its buffers and its DNS cache, so reusing
// one saves setting them up per call. At most `capacity` are kept (the
// transport's connection count, so never more than were in flight at once);
// a handle returned to a full pool is freed. Not thread-safe: the
// transport's event loop owns it.
class EasyHandlePool {
 public:
  explicit EasyHandlePool(size_t capacity) : capacity_(capacity) {}
  EasyHandlePool(const EasyHandlePool&) = delete;
  EasyHandlePool& operator=(const EasyHandlePool&) = delete;
  ~EasyHandlePool() { Clear(); }

  // The handle returned last (its memory is the warmest), or null when none
  // is idle.
  CURL* Take();
  // Takes back a handle whose transfer is over (removed from its multi
  // handle). Clears every option that points into the finished call, so an
  // idle handle refers to nothing that can die; the next transfer sets all
  // of them again anyway.
  void Return(CURL* easy);
  // Frees every idle handle; before the share handle they use goes.
  void Clear();

  size_t idle() const { return idle_.size(); }

 private:
  const size_t capacity_;
  std::vector<CURL*> idle_;
};

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_EASY_HANDLE_POOL_H_
