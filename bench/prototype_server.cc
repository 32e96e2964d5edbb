// bench_prototype_server: the design of the throwaway prototype whose figures
// ../docs/performance.md quotes as "Prototype", rebuilt so that the bench can
// measure it on the same machine as the gateway. The targets were set on a
// faster machine; this server says what that design does here.
//
// As in the prototype: a callback service with DefaultReactor hands each call
// through a mutex-guarded queue and curl_multi_wakeup to ONE libcurl multi
// thread (curl_multi_poll + curl_multi_perform), which sends the PATCH on a
// pooled easy handle and calls Finish when the answer arrives. It has none of
// the gateway's work: no validation, no policies (retries, credentials, rate
// limits), no error mapping, no deadlines, no cancellation, no logging. Every
// call sends the same request, read from the files the bench captured from
// the gateway, so both put the same bytes on the wire.

#include <curl/curl.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench/files.h"
#include "bench/serve.h"
#include "zoom/livestream/v1/livestream_service.grpc.pb.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port to listen on (port 0 picks a free one)");
ABSL_FLAG(std::string, port_file, "", "if set, the bound port is written here once listening");
ABSL_FLAG(std::string, url, "", "the PATCH URL");
ABSL_FLAG(std::string, body_file, "", "request body");
ABSL_FLAG(std::string, headers_file, "", "request headers, one 'Name: value' a line");
ABSL_FLAG(int, max_connections, 256, "upstream connections (CURLMOPT_MAX_HOST_CONNECTIONS)");

namespace {

using ::zoom::livestream::v1::LiveStreamService;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;

struct Exchange {
  grpc::ServerUnaryReactor* reactor;
  std::string body;  // built per call, as the prototype did
};

class UpstreamLoop {
 public:
  // NOLINTNEXTLINE(google-runtime-int): libcurl's type
  UpstreamLoop(std::string url, const std::vector<std::string>& headers, long max_connections)
      : url_(std::move(url)), multi_(curl_multi_init()) {
    for (const std::string& header : headers) {
      header_list_ = curl_slist_append(header_list_, header.c_str());
    }
    header_list_ = curl_slist_append(header_list_, "Expect:");
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, max_connections);
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, max_connections);
    thread_ = std::thread([this] { Run(); });
  }

  // The process exits without stopping the loop: the bench kills it.
  void Submit(std::unique_ptr<Exchange> exchange) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      incoming_.push_back(std::move(exchange));
    }
    curl_multi_wakeup(multi_);
  }

 private:
  static size_t Discard(char* /*data*/, size_t size, size_t count, void* /*user*/) {
    return size * count;
  }

  void Start(std::unique_ptr<Exchange> exchange) {
    CURL* easy = nullptr;
    if (idle_.empty()) {
      easy = curl_easy_init();
    } else {
      easy = idle_.back();
      idle_.pop_back();
    }
    curl_easy_setopt(easy, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PATCH");
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, exchange->body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE,
                     static_cast<long>(exchange->body.size()));  // NOLINT(google-runtime-int)
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_list_);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Discard);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, exchange.release());
    curl_multi_add_handle(multi_, easy);
  }

  void Run() {
    std::vector<std::unique_ptr<Exchange>> incoming;
    while (true) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        incoming.swap(incoming_);
      }
      for (auto& exchange : incoming) Start(std::move(exchange));
      incoming.clear();
      int running = 0;
      curl_multi_perform(multi_, &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL* easy = msg->easy_handle;
        const CURLcode result = msg->data.result;
        char* user = nullptr;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &user);
        std::unique_ptr<Exchange> exchange(reinterpret_cast<Exchange*>(user));
        long status = 0;  // NOLINT(google-runtime-int): libcurl's type
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        curl_multi_remove_handle(multi_, easy);
        idle_.push_back(easy);
        const bool ok = result == CURLE_OK && status >= 200 && status < 300;
        exchange->reactor->Finish(ok ? grpc::Status::OK
                                     : grpc::Status(grpc::StatusCode::UNAVAILABLE, "upstream"));
      }
      curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
    }
  }

  const std::string url_;
  CURLM* const multi_;
  curl_slist* header_list_ = nullptr;
  std::mutex mu_;
  std::vector<std::unique_ptr<Exchange>> incoming_;
  std::vector<CURL*> idle_;  // loop thread only
  std::thread thread_;
};

class PrototypeService final : public LiveStreamService::CallbackService {
 public:
  PrototypeService(UpstreamLoop* loop, std::string body) : loop_(loop), body_(std::move(body)) {}

  grpc::ServerUnaryReactor* UpdateStatus(grpc::CallbackServerContext* ctx,
                                         const UpdateStatusRequest* /*request*/,
                                         UpdateStatusResponse* /*response*/) override {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    loop_->Submit(std::make_unique<Exchange>(Exchange{reactor, body_}));
    return reactor;
  }

 private:
  UpstreamLoop* const loop_;
  const std::string body_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::optional<livestream_bench::CapturedRequest> captured =
      livestream_bench::ReadCapturedRequest(absl::GetFlag(FLAGS_url),
                                            absl::GetFlag(FLAGS_body_file),
                                            absl::GetFlag(FLAGS_headers_file));
  if (!captured) return 2;
  const sigset_t signals = livestream_bench::BlockTerminationSignals();
  curl_global_init(CURL_GLOBAL_DEFAULT);
  UpstreamLoop loop(absl::GetFlag(FLAGS_url), captured->header_lines,
                    absl::GetFlag(FLAGS_max_connections));
  PrototypeService service(&loop, captured->body);
  std::unique_ptr<grpc::Server> server =
      livestream_bench::StartServer("bench_prototype_server", &service, absl::GetFlag(FLAGS_listen),
                                    absl::GetFlag(FLAGS_port_file));
  if (server == nullptr) return 1;
  livestream_bench::WaitForTerminationSignal(signals);
  // Calls in flight would need the loop to finish them; the bench is done
  // with this process, so leave without a graceful shutdown.
  std::_Exit(0);
}
