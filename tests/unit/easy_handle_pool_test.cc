#include "server/zoom/easy_handle_pool.h"

#include <curl/curl.h>

#include "gtest/gtest.h"

namespace livestream_gateway {
namespace {

CURL* NewHandle() {
  CURL* easy = curl_easy_init();
  EXPECT_NE(easy, nullptr);
  return easy;
}

void* PrivateOf(CURL* easy) {
  char* user = nullptr;
  EXPECT_EQ(curl_easy_getinfo(easy, CURLINFO_PRIVATE, &user), CURLE_OK);
  return user;
}

TEST(EasyHandlePoolTest, ReusesTheHandleReturnedLast) {
  EasyHandlePool pool(4);
  EXPECT_EQ(pool.Take(), nullptr);
  CURL* first = NewHandle();
  CURL* second = NewHandle();
  pool.Return(first);
  pool.Return(second);
  EXPECT_EQ(pool.idle(), 2u);
  EXPECT_EQ(pool.Take(), second);
  EXPECT_EQ(pool.Take(), first);
  EXPECT_EQ(pool.Take(), nullptr);
  pool.Return(first);
  pool.Return(second);
}  // the pool frees both (LeakSanitizer checks)

TEST(EasyHandlePoolTest, AReturnedHandlePointsIntoNothing) {
  EasyHandlePool pool(1);
  CURL* easy = NewHandle();
  int call = 0;
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_slist header{const_cast<char*>("X-A: 1"), nullptr};
  ASSERT_EQ(curl_easy_setopt(easy, CURLOPT_PRIVATE, static_cast<void*>(&call)), CURLE_OK);
  ASSERT_EQ(curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer), CURLE_OK);
  ASSERT_EQ(curl_easy_setopt(easy, CURLOPT_HTTPHEADER, &header), CURLE_OK);
  ASSERT_EQ(curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "body"), CURLE_OK);
  ASSERT_EQ(PrivateOf(easy), &call);
  pool.Return(easy);
  CURL* again = pool.Take();
  ASSERT_EQ(again, easy);
  EXPECT_EQ(PrivateOf(again), nullptr);
  pool.Return(again);
}

TEST(EasyHandlePoolTest, KeepsAtMostItsCapacity) {
  EasyHandlePool pool(2);
  pool.Return(NewHandle());
  pool.Return(NewHandle());
  pool.Return(NewHandle());  // freed at once
  EXPECT_EQ(pool.idle(), 2u);
  pool.Clear();
  EXPECT_EQ(pool.idle(), 0u);
  EXPECT_EQ(pool.Take(), nullptr);
}

}  // namespace
}  // namespace livestream_gateway
