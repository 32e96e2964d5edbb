#include "server/zoom/easy_handle_pool.h"

namespace livestream_gateway {

CURL* EasyHandlePool::Take() {
  if (idle_.empty()) return nullptr;
  CURL* easy = idle_.back();
  idle_.pop_back();
  return easy;
}

void EasyHandlePool::Return(CURL* easy) {
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_PRIVATE, static_cast<void*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, static_cast<void*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, static_cast<void*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, static_cast<const char*>(nullptr));
  curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  if (idle_.size() >= capacity_) {
    curl_easy_cleanup(easy);
    return;
  }
  idle_.push_back(easy);
}

void EasyHandlePool::Clear() {
  for (CURL* easy : idle_) curl_easy_cleanup(easy);
  idle_.clear();
}

}  // namespace livestream_gateway
