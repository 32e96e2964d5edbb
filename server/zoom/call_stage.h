#ifndef LIVESTREAM_GATEWAY_SERVER_ZOOM_CALL_STAGE_H_
#define LIVESTREAM_GATEWAY_SERVER_ZOOM_CALL_STAGE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/zoom/http.h"

namespace livestream_gateway {

// The cancellation plumbing shared by the policies' per-call objects. A call
// goes through stages one after another (waiting for a token, a rate-limit
// slot or a backoff timer; a transfer), each an asynchronous operation whose
// handle honours the Cancellable contract. This remembers the handle of the
// stage in progress so that Cancel() reaches it, whichever thread the stages
// complete on, and even when a stage completes before the function that
// started it has returned its handle.
//
// Use: `ticket = Begin()` (nullopt: cancelled, finish instead of starting),
// start the stage, `Attach(*ticket, handle)`; the stage's callback calls
// End() first.
class CallStage {
 public:
  std::optional<uint64_t> Begin() {
    absl::MutexLock lock(&mu_);
    if (cancelled_) return std::nullopt;
    return ticket_;
  }

  void Attach(uint64_t ticket, std::shared_ptr<Cancellable> handle) {
    bool cancel = false;
    {
      absl::MutexLock lock(&mu_);
      // The stage already ended: the handle is spent.
      if (ticket != ticket_) return;
      handle_ = handle;
      cancel = cancelled_;
    }
    // Cancel() came between Begin() and Attach().
    if (cancel && handle != nullptr) handle->Cancel();
  }

  // Also drops the handle, which breaks the cycle call -> handle -> callback
  // -> call.
  void End() {
    std::shared_ptr<Cancellable> spent;
    absl::MutexLock lock(&mu_);
    ++ticket_;
    spent = std::move(handle_);
  }

  void Cancel() {
    std::shared_ptr<Cancellable> handle;
    {
      absl::MutexLock lock(&mu_);
      if (cancelled_) return;
      cancelled_ = true;
      handle = handle_;
    }
    if (handle != nullptr) handle->Cancel();
  }

 private:
  absl::Mutex mu_;
  uint64_t ticket_ ABSL_GUARDED_BY(mu_) = 0;
  std::shared_ptr<Cancellable> handle_ ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

// The handle of an operation that completed before returning it.
class CompletedOperation final : public Cancellable {
 public:
  void Cancel() override {}
};

// Nothing is left to cancel, so every operation that answers at once can
// hand out this one handle instead of allocating its own.
inline const std::shared_ptr<Cancellable>& SharedCompletedOperation() {
  static const auto* const handle =
      new std::shared_ptr<Cancellable>(std::make_shared<CompletedOperation>());
  return *handle;
}

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_ZOOM_CALL_STAGE_H_
