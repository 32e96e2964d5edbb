#ifndef LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_FAULTS_H_
#define LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_FAULTS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/struct.pb.h"
#include "tests/zoom_emulator/http_message.h"
#include "tests/zoom_emulator/json.h"
#include "tests/zoom_emulator/request_match.h"

namespace zoom_emulator {

// What the fault mode does to one unscripted API request (see README.md,
// "Fault injection").
enum class Fault {
  kNone,           // answered normally
  kRateLimited,    // 429 with Retry-After
  kServerError,    // 500, 502, 503 or 504
  kReset,          // TCP RST instead of an answer
  kSlow,           // answered normally after a delay
  kEndlessBody,    // 200 whose chunked body never ends
  kOversizedBody,  // 500 with a body far over what a client should read
};
inline constexpr size_t kFaultKinds = 7;

absl::string_view FaultName(Fault fault);

// The body of POST /_emulator/faults. Probabilities are per request, each in
// [0, 1], adding up to at most 1; all zero turns the mode off.
struct FaultConfig {
  uint64_t seed = 1;
  double rate_limited = 0;
  double server_error = 0;
  double reset = 0;
  double slow = 0;
  double endless_body = 0;
  double oversized_body = 0;
  int retry_after_s = 1;
  // A slow answer waits uniformly between 0 and this.
  absl::Duration slow_max = absl::Seconds(2);
  size_t oversized_body_bytes = size_t{1024} * 1024;
  // Only matching API requests draw; the others are answered normally and
  // leave the random sequence alone.
  RequestMatch match;

  bool enabled() const;
};

// Parses a fault configuration. Unknown keys and bad values are appended to
// `errors`; the result is meaningful only when none were.
FaultConfig ParseFaultConfig(const google::protobuf::Struct& body, FieldErrors* errors);

// One request's fate.
struct FaultDraw {
  Fault fault = Fault::kNone;
  absl::Duration delay = absl::ZeroDuration();  // kSlow
  int status = 0;                               // kServerError
};

// Draws each request's fault from a generator seeded by the configuration, so
// that a seed and a sequence of requests always give the same faults. Every
// draw consumes the same randomness, whatever it picks.
class FaultInjector {
 public:
  // Restarts the sequence and the counts.
  void Configure(const FaultConfig& config);
  bool enabled() const { return config_.enabled(); }
  // Whether `method` `path` draws a fault.
  bool Applies(absl::string_view method, absl::string_view path) const {
    return enabled() && config_.match.Matches(method, path);
  }
  const FaultConfig& config() const { return config_; }

  FaultDraw Next();

  // {"config": {...}, "requests": N, "injected": {"rate_limited": N, ...}}
  google::protobuf::Struct Json() const;

 private:
  // Uniform in [0, 1) from 53 bits: the same on every platform, unlike
  // std::uniform_real_distribution.
  double Uniform();

  FaultConfig config_;
  std::mt19937_64 rng_;
  uint64_t requests_ = 0;
  std::array<uint64_t, kFaultKinds> injected_{};
};

// The configuration as JSON, in the same shape ParseFaultConfig reads.
google::protobuf::Struct FaultConfigJson(const FaultConfig& config);

// An endless body: the head (chunked framing, no Content-Length) and the
// chunk repeated after it for as long as the peer reads.
std::string SerializeEndlessHead(const HttpResponse& response);
absl::string_view EndlessBodyChunk();

}  // namespace zoom_emulator

#endif  // LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_FAULTS_H_
