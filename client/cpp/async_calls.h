#ifndef LIVESTREAM_CLIENT_CPP_ASYNC_CALLS_H_
#define LIVESTREAM_CLIENT_CPP_ASYNC_CALLS_H_

#include <grpcpp/client_context.h>

#include <cstddef>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace livestream_client::internal {

// The async calls of one LiveStreamClient, so that destroying the client can
// cancel them and wait until gRPC has let go of each. The wait matters for
// more than tidiness: a call's ClientContext holds the channel, and when the
// last reference to a channel drops on one of gRPC's callback threads, gRPC
// 1.51 tears down that thread's own completion queue under it (a double free
// in grpc_cq_internal_unref that ASan caught at the exit of a test). Waiting
// keeps the client's reference alive until every call's is gone, so the last
// one drops on the thread that destroys the client.
class AsyncCalls : public std::enable_shared_from_this<AsyncCalls> {
 public:
  // Held by a call's state from its start until gRPC drops the call; when
  // destroyed it releases the context first and then the call's place.
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&& other) noexcept;
    Registration& operator=(Registration&&) = delete;
    ~Registration();

   private:
    friend class AsyncCalls;
    Registration(std::shared_ptr<AsyncCalls> calls, std::shared_ptr<grpc::ClientContext> context);

    // Shared: a client destroyed from a call's callback goes before the call.
    std::shared_ptr<AsyncCalls> calls_;
    std::shared_ptr<grpc::ClientContext> context_;
  };

  // Shared with the calls' registrations: make it with std::make_shared.
  AsyncCalls() = default;
  AsyncCalls(const AsyncCalls&) = delete;
  AsyncCalls& operator=(const AsyncCalls&) = delete;
  ~AsyncCalls() = default;

  // Must be owned by a std::shared_ptr.
  Registration Register(std::shared_ptr<grpc::ClientContext> context);

  // Cancels every registered call and waits until all are released, except
  // the one whose callback runs on this thread (a client destroyed from its
  // own callback would otherwise wait for itself).
  void CancelAllAndWait();

  // Marks the calling thread as running a callback of these calls.
  class CallbackScope {
   public:
    explicit CallbackScope(const AsyncCalls* calls);
    CallbackScope(const CallbackScope&) = delete;
    CallbackScope& operator=(const CallbackScope&) = delete;
    ~CallbackScope();

   private:
    const AsyncCalls* previous_;
  };

 private:
  void Release(grpc::ClientContext* context);

  absl::Mutex mu_;
  // The contexts of the calls not yet released; weak, so that a context dies
  // with the call (or the caller's PendingCall) that owns it.
  absl::flat_hash_map<grpc::ClientContext*, std::weak_ptr<grpc::ClientContext>> calls_
      ABSL_GUARDED_BY(mu_);
  size_t registered_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace livestream_client::internal

#endif  // LIVESTREAM_CLIENT_CPP_ASYNC_CALLS_H_
