#include "client/cpp/async_calls.h"

#include <utility>
#include <vector>

namespace livestream_client::internal {
namespace {

// The AsyncCalls whose callback runs on this thread, if any.
thread_local const AsyncCalls* current_callback_of = nullptr;

}  // namespace

AsyncCalls::Registration::Registration(std::shared_ptr<AsyncCalls> calls,
                                       std::shared_ptr<grpc::ClientContext> context)
    : calls_(std::move(calls)), context_(std::move(context)) {}

AsyncCalls::Registration::Registration(Registration&& other) noexcept
    : calls_(std::move(other.calls_)), context_(std::move(other.context_)) {}

AsyncCalls::Registration::~Registration() {
  if (calls_ == nullptr) return;
  grpc::ClientContext* const key = context_.get();
  // The context (and with it, perhaps, a reference to the channel) goes
  // before the call's place: the client may be destroyed once the place is.
  context_.reset();
  calls_->Release(key);
}

AsyncCalls::Registration AsyncCalls::Register(std::shared_ptr<grpc::ClientContext> context) {
  absl::MutexLock lock(&mu_);
  calls_.emplace(context.get(), context);
  ++registered_;
  return Registration(shared_from_this(), std::move(context));
}

void AsyncCalls::Release(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  calls_.erase(context);
  --registered_;
}

void AsyncCalls::CancelAllAndWait() {
  std::vector<std::shared_ptr<grpc::ClientContext>> running;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [key, context] : calls_) {
      if (std::shared_ptr<grpc::ClientContext> alive = context.lock(); alive != nullptr) {
        running.push_back(std::move(alive));
      }
    }
  }
  // Outside the lock: a cancellation may complete a call on this thread.
  for (const std::shared_ptr<grpc::ClientContext>& context : running) context->TryCancel();
  running.clear();
  const size_t own = current_callback_of == this ? 1 : 0;
  absl::MutexLock lock(&mu_);
  auto drained = [this, own] {
    mu_.AssertReaderHeld();
    return registered_ <= own;
  };
  mu_.Await(absl::Condition(&drained));
}

AsyncCalls::CallbackScope::CallbackScope(const AsyncCalls* calls)
    : previous_(std::exchange(current_callback_of, calls)) {}

AsyncCalls::CallbackScope::~CallbackScope() { current_callback_of = previous_; }

}  // namespace livestream_client::internal
