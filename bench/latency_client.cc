// bench_latency_client: the measuring client of bench/run.sh.
//
//   --mode=frame  writes one gRPC-framed UpdateStatusRequest (for h2load -d).
//   --mode=grpc   sequential unary calls (concurrency 1): latency percentiles.
//   --mode=curl   the same PATCH sent sequentially with libcurl straight to
//                 the upstream: the baseline the gateway's latency is
//                 compared to.
//   --mode=burst  fires --calls concurrent calls at once, --rounds times, and
//                 samples the server's /proc/<pid>/status meanwhile.
//
// Every mode prints one JSON object per line on stdout and exits non-zero if
// it could not run or if any call failed, so the bench never reports numbers
// for calls that did not succeed.

#include <curl/curl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/files.h"
#include "zoom/livestream/v1/livestream_service.grpc.pb.h"

ABSL_FLAG(std::string, mode, "grpc", "frame | grpc | curl | burst");
ABSL_FLAG(std::string, target, "127.0.0.1:50051", "gRPC server host:port (grpc, burst)");
ABSL_FLAG(std::string, out, "", "output file (frame)");
ABSL_FLAG(std::string, webinar_id, "99289110036", "webinar ID sent in every request");
ABSL_FLAG(int, calls, 10000, "measured calls (grpc, curl) or calls per round (burst)");
ABSL_FLAG(int, warmup, 1000, "unmeasured calls sent first (grpc, curl)");
ABSL_FLAG(double, max_seconds, 120, "stop measuring after this long (grpc, curl)");
ABSL_FLAG(std::string, url, "", "upstream URL (curl)");
ABSL_FLAG(std::string, body_file, "", "request body (curl)");
ABSL_FLAG(std::string, headers_file, "", "request headers, one 'Name: value' a line (curl)");
ABSL_FLAG(int, rounds, 2, "bursts to fire one after the other (burst)");
ABSL_FLAG(int, channels, 8, "gRPC channels (connections) the burst is spread over");
ABSL_FLAG(int, pause_ms, 200, "pause between bursts");
ABSL_FLAG(double, deadline_s, 30, "per-call deadline (burst, grpc)");
ABSL_FLAG(int, sample_pid, 0, "server pid whose /proc status is sampled during bursts");
ABSL_FLAG(std::string, samples_file, "",
          "if set, every measured latency (µs) is appended here, one a line (grpc, curl), so "
          "that rounds can be pooled");

namespace {

using ::zoom::livestream::v1::LIVE_STREAM_ACTION_START;
using ::zoom::livestream::v1::LiveStreamService;
using ::zoom::livestream::v1::UpdateStatusRequest;
using ::zoom::livestream::v1::UpdateStatusResponse;
using Clock = std::chrono::steady_clock;

UpdateStatusRequest MakeRequest() {
  UpdateStatusRequest request;
  request.set_webinar_id(absl::GetFlag(FLAGS_webinar_id));
  request.set_action(LIVE_STREAM_ACTION_START);
  return request;
}

std::string CodeName(grpc::StatusCode code) {
  static const auto* const kNames = new std::map<grpc::StatusCode, std::string>{
      {grpc::OK, "OK"},
      {grpc::CANCELLED, "CANCELLED"},
      {grpc::UNKNOWN, "UNKNOWN"},
      {grpc::INVALID_ARGUMENT, "INVALID_ARGUMENT"},
      {grpc::DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED"},
      {grpc::NOT_FOUND, "NOT_FOUND"},
      {grpc::ALREADY_EXISTS, "ALREADY_EXISTS"},
      {grpc::PERMISSION_DENIED, "PERMISSION_DENIED"},
      {grpc::RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED"},
      {grpc::FAILED_PRECONDITION, "FAILED_PRECONDITION"},
      {grpc::ABORTED, "ABORTED"},
      {grpc::OUT_OF_RANGE, "OUT_OF_RANGE"},
      {grpc::UNIMPLEMENTED, "UNIMPLEMENTED"},
      {grpc::INTERNAL, "INTERNAL"},
      {grpc::UNAVAILABLE, "UNAVAILABLE"},
      {grpc::DATA_LOSS, "DATA_LOSS"},
      {grpc::UNAUTHENTICATED, "UNAUTHENTICATED"},
  };
  auto it = kNames->find(code);
  return it == kNames->end() ? absl::StrCat("CODE_", static_cast<int>(code)) : it->second;
}

// JSON string literal; messages come from servers and may hold quotes.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// Nearest-rank percentile of sorted samples.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

bool AppendSamples(const std::vector<double>& micros) {
  const std::string path = absl::GetFlag(FLAGS_samples_file);
  if (path.empty()) return true;
  std::ofstream out(path, std::ios::app);
  for (double m : micros) out << absl::StrFormat("%.1f\n", m);
  return out.good();
}

std::string LatencyJson(const std::string& mode, std::vector<double> micros, int errors,
                        const std::string& first_error) {
  std::sort(micros.begin(), micros.end());
  double sum = 0;
  for (double m : micros) sum += m;
  const double mean = micros.empty() ? 0 : sum / static_cast<double>(micros.size());
  return absl::StrFormat(
      "{\"mode\":%s,\"calls\":%d,\"errors\":%d,\"first_error\":%s,\"min_us\":%.1f,"
      "\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f}",
      Quote(mode), micros.size(), errors, Quote(first_error), micros.empty() ? 0 : micros.front(),
      Percentile(micros, 50), Percentile(micros, 90), Percentile(micros, 99),
      micros.empty() ? 0 : micros.back(), mean);
}

int RunFrame() {
  const std::string path = absl::GetFlag(FLAGS_out);
  if (path.empty()) {
    std::fprintf(stderr, "--out is required\n");
    return 2;
  }
  const std::string message = MakeRequest().SerializeAsString();
  std::string frame(5, '\0');  // uncompressed flag, then big-endian length
  const uint32_t length = static_cast<uint32_t>(message.size());
  for (int i = 0; i < 4; ++i) frame[1 + i] = static_cast<char>((length >> (24 - 8 * i)) & 0xff);
  frame += message;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << frame;
  return out.good() ? 0 : 1;
}

int RunGrpc() {
  auto channel =
      grpc::CreateChannel(absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials());
  auto stub = LiveStreamService::NewStub(channel);
  const UpdateStatusRequest request = MakeRequest();
  const auto deadline = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(absl::GetFlag(FLAGS_deadline_s)));
  const int warmup = absl::GetFlag(FLAGS_warmup);
  const int calls = absl::GetFlag(FLAGS_calls);
  const auto stop_at =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(absl::GetFlag(FLAGS_max_seconds)));
  std::vector<double> micros;
  micros.reserve(calls);
  int errors = 0;
  std::string first_error;
  for (int i = 0; i < warmup + calls && Clock::now() < stop_at; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + deadline);
    UpdateStatusResponse response;
    const auto start = Clock::now();
    grpc::Status status = stub->UpdateStatus(&ctx, request, &response);
    const auto end = Clock::now();
    if (!status.ok()) {
      if (errors++ == 0) {
        first_error = absl::StrCat(CodeName(status.error_code()), ": ", status.error_message());
      }
      continue;
    }
    if (i >= warmup) {
      micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  const bool saved = AppendSamples(micros);
  std::printf("%s\n", LatencyJson("grpc", std::move(micros), errors, first_error).c_str());
  return errors == 0 && saved ? 0 : 1;
}

size_t Discard(char* /*data*/, size_t size, size_t n, void* /*user*/) { return size * n; }

int RunCurl() {
  const std::optional<livestream_bench::CapturedRequest> captured =
      livestream_bench::ReadCapturedRequest(absl::GetFlag(FLAGS_url),
                                            absl::GetFlag(FLAGS_body_file),
                                            absl::GetFlag(FLAGS_headers_file));
  if (!captured) return 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* easy = curl_easy_init();
  curl_slist* header_list = nullptr;
  for (const std::string& line : captured->header_lines) {
    header_list = curl_slist_append(header_list, line.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_URL, absl::GetFlag(FLAGS_url).c_str());
  curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "PATCH");
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, captured->body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(captured->body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, Discard);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);

  const int warmup = absl::GetFlag(FLAGS_warmup);
  const int calls = absl::GetFlag(FLAGS_calls);
  const auto stop_at =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(absl::GetFlag(FLAGS_max_seconds)));
  std::vector<double> micros;
  micros.reserve(calls);
  int errors = 0;
  std::string first_error;
  for (int i = 0; i < warmup + calls && Clock::now() < stop_at; ++i) {
    const auto start = Clock::now();
    CURLcode rc = curl_easy_perform(easy);
    const auto end = Clock::now();
    long http_status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &http_status);
    if (rc != CURLE_OK || http_status < 200 || http_status > 299) {
      if (errors++ == 0) {
        first_error = rc != CURLE_OK ? curl_easy_strerror(rc) : absl::StrCat("HTTP ", http_status);
      }
      continue;
    }
    if (i >= warmup) {
      micros.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  curl_slist_free_all(header_list);
  curl_easy_cleanup(easy);
  curl_global_cleanup();
  const bool saved = AppendSamples(micros);
  std::printf("%s\n", LatencyJson("curl", std::move(micros), errors, first_error).c_str());
  return errors == 0 && saved ? 0 : 1;
}

struct ProcSample {
  int64_t threads = 0;
  int64_t vm_hwm_kib = 0;
  int64_t vm_rss_kib = 0;
};

std::optional<ProcSample> ReadProcStatus(int pid) {
  std::optional<std::string> text =
      livestream_bench::ReadFile(absl::StrCat("/proc/", pid, "/status"));
  if (!text) return std::nullopt;
  ProcSample sample;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t:"), absl::SkipEmpty());
    if (parts.size() < 2) continue;
    int64_t value = 0;
    if (!absl::SimpleAtoi(parts[1], &value)) continue;
    if (parts[0] == "Threads") sample.threads = value;
    if (parts[0] == "VmHWM") sample.vm_hwm_kib = value;
    if (parts[0] == "VmRSS") sample.vm_rss_kib = value;
  }
  return sample;
}

// utime + stime in seconds; the comm field may hold spaces, so fields are
// counted from the last ')'.
double ReadCpuSeconds(int pid) {
  std::optional<std::string> text =
      livestream_bench::ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!text) return 0;
  size_t paren = text->rfind(')');
  if (paren == std::string::npos) return 0;
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(*text).substr(paren + 2), ' ', absl::SkipEmpty());
  // Fields after ')' start at field 3 (state); utime is field 14, stime 15.
  int64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return 0;
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Samples the server every few milliseconds while a burst runs: VmHWM is a
// peak already, but the thread count is not.
class Sampler {
 public:
  explicit Sampler(int pid) : pid_(pid) {
    if (pid_ > 0) thread_ = std::thread([this] { Loop(); });
  }
  ~Sampler() { Stop(); }
  ProcSample Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    if (pid_ > 0) Take();
    return peak_;
  }

 private:
  void Loop() {
    while (!stop_.load()) {
      Take();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  void Take() {
    if (std::optional<ProcSample> s = ReadProcStatus(pid_)) {
      peak_.threads = std::max(peak_.threads, s->threads);
      peak_.vm_hwm_kib = std::max(peak_.vm_hwm_kib, s->vm_hwm_kib);
      peak_.vm_rss_kib = std::max(peak_.vm_rss_kib, s->vm_rss_kib);
    }
  }
  const int pid_;
  std::atomic<bool> stop_{false};
  ProcSample peak_;
  std::thread thread_;
};

struct BurstCall {
  grpc::ClientContext ctx;
  UpdateStatusResponse response;
  grpc::Status status;
};

int RunBurst() {
  const int n_channels = std::max(1, absl::GetFlag(FLAGS_channels));
  const int calls = absl::GetFlag(FLAGS_calls);
  const int rounds = absl::GetFlag(FLAGS_rounds);
  const int pid = absl::GetFlag(FLAGS_sample_pid);
  const double deadline_s = absl::GetFlag(FLAGS_deadline_s);
  const UpdateStatusRequest request = MakeRequest();

  // One connection per channel (a local subchannel pool each), all connected
  // before the clock starts so a burst measures the server, not our dialing.
  std::vector<std::unique_ptr<LiveStreamService::Stub>> stubs;
  for (int i = 0; i < n_channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = grpc::CreateCustomChannel(absl::GetFlag(FLAGS_target),
                                             grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::fprintf(stderr, "cannot connect to %s\n", absl::GetFlag(FLAGS_target).c_str());
      return 1;
    }
    stubs.push_back(LiveStreamService::NewStub(channel));
  }

  bool all_ok = true;
  for (int round = 1; round <= rounds; ++round) {
    std::vector<std::unique_ptr<BurstCall>> batch;
    batch.reserve(calls);
    for (int i = 0; i < calls; ++i) {
      batch.push_back(std::make_unique<BurstCall>());
      batch.back()->ctx.set_deadline(
          std::chrono::system_clock::now() +
          std::chrono::milliseconds(static_cast<int64_t>(deadline_s * 1000)));
    }
    absl::Mutex mu;
    int remaining = calls;
    const std::optional<ProcSample> before = pid > 0 ? ReadProcStatus(pid) : std::nullopt;
    const double cpu_before = pid > 0 ? ReadCpuSeconds(pid) : 0;
    Sampler sampler(pid);
    const auto start = Clock::now();
    for (int i = 0; i < calls; ++i) {
      BurstCall* call = batch[i].get();
      stubs[i % n_channels]->async()->UpdateStatus(&call->ctx, &request, &call->response,
                                                   [call, &mu, &remaining](grpc::Status status) {
                                                     call->status = std::move(status);
                                                     absl::MutexLock lock(&mu);
                                                     --remaining;
                                                   });
    }
    bool finished;
    {
      absl::MutexLock lock(&mu);
      finished = mu.AwaitWithTimeout(absl::Condition(
                                         +[](int* r) { return *r == 0; }, &remaining),
                                     absl::Seconds(deadline_s + 10));
    }
    const auto end = Clock::now();
    const ProcSample peak = sampler.Stop();
    const double cpu_after = pid > 0 ? ReadCpuSeconds(pid) : 0;
    if (!finished) {
      // Cancelling makes every callback run, so the batch can be freed.
      for (auto& call : batch) call->ctx.TryCancel();
      absl::MutexLock lock(&mu);
      mu.Await(absl::Condition(
          +[](int* r) { return *r == 0; }, &remaining));
    }
    std::map<std::string, int> errors;
    std::string first_error;
    int ok = 0;
    for (const auto& call : batch) {
      if (call->status.ok()) {
        ++ok;
      } else {
        if (errors.empty()) {
          first_error =
              absl::StrCat(CodeName(call->status.error_code()), ": ", call->status.error_message());
        }
        ++errors[CodeName(call->status.error_code())];
      }
    }
    std::vector<std::string> error_fields;
    for (const auto& [code, count] : errors) {
      error_fields.push_back(absl::StrCat(Quote(code), ":", count));
    }
    const std::string line = absl::StrFormat(
        "{\"mode\":\"burst\",\"round\":%d,\"calls\":%d,\"ok\":%d,\"errors\":{%s},"
        "\"first_error\":%s,\"finished\":%s,\"wall_s\":%.4f,\"server_cpu_s\":%.3f,"
        "\"server_threads_before\":%d,\"server_peak_threads\":%d,\"server_vmhwm_kib\":%d,"
        "\"server_peak_rss_kib\":%d,\"server_rss_before_kib\":%d}",
        round, calls, ok, absl::StrJoin(error_fields, ","), Quote(first_error),
        finished ? "true" : "false", std::chrono::duration<double>(end - start).count(),
        cpu_after - cpu_before, before ? before->threads : 0, peak.threads, peak.vm_hwm_kib,
        peak.vm_rss_kib, before ? before->vm_rss_kib : 0);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    all_ok = all_ok && finished && ok == calls;
    if (round < rounds) {
      std::this_thread::sleep_for(std::chrono::milliseconds(absl::GetFlag(FLAGS_pause_ms)));
    }
  }
  return all_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "frame") return RunFrame();
  if (mode == "grpc") return RunGrpc();
  if (mode == "curl") return RunCurl();
  if (mode == "burst") return RunBurst();
  std::fprintf(stderr, "unknown --mode=%s (frame | grpc | curl | burst)\n", mode.c_str());
  return 2;
}
