#ifndef LIVESTREAM_GATEWAY_TESTS_UNIT_FAKE_HTTP_CLIENT_H_
#define LIVESTREAM_GATEWAY_TESTS_UNIT_FAKE_HTTP_CLIENT_H_

// An AsyncHttpClient the test answers by hand: requests wait until Reply(),
// or are answered at once by `auto_result` or `auto_reply` when set. Cancel() completes the
// call with CANCELLED right away, inside Cancel(), which the decorators must
// cope with. Like the real transport, destruction completes calls still open
// with CANCELLED, so declare it after the decorators that use it.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "server/zoom/http.h"

namespace livestream_gateway::testing {

class FakeHttpClient final : public AsyncHttpClient {
 public:
  std::function<absl::StatusOr<HttpResponse>(const HttpRequest&)> auto_reply;
  // Like auto_reply, with the attempts and delivery too; wins over it.
  std::function<UpstreamResult(const HttpRequest&)> auto_result;

  ~FakeHttpClient() override {
    std::vector<std::shared_ptr<Call>> calls;
    {
      absl::MutexLock lock(&mu_);
      calls.swap(calls_);
    }
    for (const auto& call : calls) {
      call->Complete(UpstreamResult{absl::CancelledError("fake transport: gone")});
    }
  }

  std::shared_ptr<Cancellable> Send(HttpRequest request, absl::Time deadline,
                                    HttpCallback done) override {
    auto call = std::make_shared<Call>(std::move(request), deadline, std::move(done));
    {
      absl::MutexLock lock(&mu_);
      calls_.push_back(call);
    }
    if (auto_result) {
      call->Complete(auto_result(call->request));
    } else if (auto_reply) {
      call->Complete(UpstreamResult{auto_reply(call->request)});
    }
    return call;
  }

  int sent() {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(calls_.size());
  }
  // Sent and not yet answered or cancelled.
  int open() {
    absl::MutexLock lock(&mu_);
    int count = 0;
    for (const auto& call : calls_) count += call->IsOpen() ? 1 : 0;
    return count;
  }
  HttpRequest request(int i) { return CallAt(i)->request; }
  absl::Time deadline(int i) { return CallAt(i)->deadline; }
  bool cancelled(int i) { return CallAt(i)->WasCancelled(); }
  // Completes call `i` (0-based, in order sent); false if it already was.
  bool Reply(int i, UpstreamResult result) { return CallAt(i)->Complete(std::move(result)); }
  // As a transport does: one attempt, and a failure may have been delivered.
  bool Reply(int i, absl::StatusOr<HttpResponse> response) {
    return Reply(i, UpstreamResult{std::move(response)});
  }

  // A value of header `name` in request `i`, or nullopt.
  std::optional<std::string> Header(int i, const std::string& name) {
    for (const auto& [key, value] : request(i).headers) {
      if (key == name) return value;
    }
    return std::nullopt;
  }

 private:
  class Call final : public Cancellable {
   public:
    Call(HttpRequest request, absl::Time deadline, HttpCallback done)
        : request(std::move(request)), deadline(deadline), done_(std::move(done)) {}
    void Cancel() override {
      {
        absl::MutexLock lock(&mu_);
        if (!open_) return;
        cancelled_ = true;
      }
      Complete(UpstreamResult{absl::CancelledError("fake transport: cancelled")});
    }
    bool Complete(UpstreamResult result) {
      HttpCallback done;
      {
        absl::MutexLock lock(&mu_);
        if (!open_) return false;
        open_ = false;
        done = std::move(done_);
      }
      std::move(done)(std::move(result));
      return true;
    }
    bool IsOpen() {
      absl::MutexLock lock(&mu_);
      return open_;
    }
    bool WasCancelled() {
      absl::MutexLock lock(&mu_);
      return cancelled_;
    }
    const HttpRequest request;
    const absl::Time deadline;

   private:
    absl::Mutex mu_;
    HttpCallback done_;
    bool open_ = true;
    bool cancelled_ = false;
  };

  std::shared_ptr<Call> CallAt(int i) {
    absl::MutexLock lock(&mu_);
    return calls_.at(static_cast<size_t>(i));
  }

  absl::Mutex mu_;
  std::vector<std::shared_ptr<Call>> calls_;
};

inline HttpResponse Answer(int status_code, std::string body = "", HttpHeaders headers = {}) {
  HttpResponse response;
  response.status_code = status_code;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

// Collects one callback's result.
struct Outcome {
  absl::Mutex mu;
  std::optional<UpstreamResult> result;
  int calls = 0;

  HttpCallback Callback() {
    return [this](UpstreamResult r) {
      absl::MutexLock lock(&mu);
      ++calls;
      result = std::move(r);
    };
  }
  bool done() {
    absl::MutexLock lock(&mu);
    return result.has_value();
  }
  // The whole result: the response or error, the attempts and the delivery.
  UpstreamResult all() {
    absl::MutexLock lock(&mu);
    return result.value_or(UpstreamResult{absl::UnknownError("no result yet")});
  }
  absl::StatusOr<HttpResponse> get() { return all().response; }
  int count() {
    absl::MutexLock lock(&mu);
    return calls;
  }
};

}  // namespace livestream_gateway::testing

#endif  // LIVESTREAM_GATEWAY_TESTS_UNIT_FAKE_HTTP_CLIENT_H_
