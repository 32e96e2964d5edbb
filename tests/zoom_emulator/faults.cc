#include "tests/zoom_emulator/faults.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "tests/zoom_emulator/json.h"

namespace zoom_emulator {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr double kMaxExactInteger = 9007199254740991.0;  // 2^53 - 1
constexpr double kMaxSlowMs = 3600 * 1000;
constexpr double kMaxOversizedBytes = 64.0 * 1024 * 1024;
constexpr int kServerErrors[] = {500, 502, 503, 504};

bool IsIntegral(const Value& v, double lo, double hi) {
  return v.kind_case() == Value::kNumberValue && std::isfinite(v.number_value()) &&
         std::floor(v.number_value()) == v.number_value() && v.number_value() >= lo &&
         v.number_value() <= hi;
}

// The probability fields, in the order draws map onto them.
struct ProbabilityField {
  absl::string_view name;
  Fault fault;
  double FaultConfig::*member;
};
constexpr ProbabilityField kProbabilities[] = {
    {"rate_limited", Fault::kRateLimited, &FaultConfig::rate_limited},
    {"server_error", Fault::kServerError, &FaultConfig::server_error},
    {"reset", Fault::kReset, &FaultConfig::reset},
    {"slow", Fault::kSlow, &FaultConfig::slow},
    {"endless_body", Fault::kEndlessBody, &FaultConfig::endless_body},
    {"oversized_body", Fault::kOversizedBody, &FaultConfig::oversized_body},
};

}  // namespace

absl::string_view FaultName(Fault fault) {
  if (fault == Fault::kNone) return "none";
  for (const ProbabilityField& field : kProbabilities) {
    if (field.fault == fault) return field.name;
  }
  return "unknown";
}

bool FaultConfig::enabled() const {
  for (const ProbabilityField& field : kProbabilities) {
    if (this->*field.member > 0) return true;
  }
  return false;
}

FaultConfig ParseFaultConfig(const Struct& body, FieldErrors* errors) {
  FaultConfig config;
  for (const auto& [key, v] : body.fields()) {
    bool probability = false;
    for (const ProbabilityField& field : kProbabilities) {
      if (key != field.name) continue;
      probability = true;
      if (v.kind_case() == Value::kNumberValue && v.number_value() >= 0 && v.number_value() <= 1) {
        config.*field.member = v.number_value();
      } else {
        errors->emplace_back(key, "Must be a probability from 0 to 1.");
      }
    }
    if (probability) continue;
    if (key == "seed") {
      if (IsIntegral(v, 0, kMaxExactInteger)) {
        config.seed = static_cast<uint64_t>(v.number_value());
      } else {
        errors->emplace_back(key, "Must be an integer from 0 to 2^53-1.");
      }
    } else if (key == "retry_after_s") {
      if (IsIntegral(v, 0, 3600)) {
        config.retry_after_s = static_cast<int>(v.number_value());
      } else {
        errors->emplace_back(key, "Must be an integer from 0 to 3600.");
      }
    } else if (key == "slow_max_ms") {
      if (IsIntegral(v, 0, kMaxSlowMs)) {
        config.slow_max = absl::Milliseconds(v.number_value());
      } else {
        errors->emplace_back(key, "Must be an integer from 0 to 3600000.");
      }
    } else if (key == "oversized_body_bytes") {
      if (IsIntegral(v, 1, kMaxOversizedBytes)) {
        config.oversized_body_bytes = static_cast<size_t>(v.number_value());
      } else {
        errors->emplace_back(key, "Must be an integer from 1 to 67108864.");
      }
    } else if (key == "match") {
      config.match = ParseRequestMatch(v, key, errors);
    } else {
      errors->emplace_back(SanitizeUtf8(key), "Unknown field.");
    }
  }
  double total = 0;
  for (const ProbabilityField& field : kProbabilities) total += config.*field.member;
  // A little slack for decimal fractions such as 0.1 + 0.2 + 0.7.
  if (errors->empty() && total > 1 + 1e-9) {
    errors->emplace_back("faults", "The probabilities must add up to at most 1.");
  }
  return config;
}

Struct FaultConfigJson(const FaultConfig& config) {
  Struct s;
  auto& fields = *s.mutable_fields();
  fields["seed"] = NumberValue(static_cast<double>(config.seed));
  for (const ProbabilityField& field : kProbabilities) {
    fields[std::string(field.name)] = NumberValue(config.*field.member);
  }
  fields["retry_after_s"] = NumberValue(config.retry_after_s);
  fields["slow_max_ms"] =
      NumberValue(static_cast<double>(absl::ToInt64Milliseconds(config.slow_max)));
  fields["oversized_body_bytes"] = NumberValue(static_cast<double>(config.oversized_body_bytes));
  fields["match"] = StructValue(RequestMatchJson(config.match));
  return s;
}

void FaultInjector::Configure(const FaultConfig& config) {
  config_ = config;
  rng_.seed(config.seed);
  requests_ = 0;
  injected_ = {};
}

double FaultInjector::Uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

FaultDraw FaultInjector::Next() {
  // Three draws every time, so one request's fate never shifts the next's.
  const double pick = Uniform();
  const double delay_fraction = Uniform();
  const uint64_t status_index = rng_() % std::size(kServerErrors);
  ++requests_;
  FaultDraw draw;
  double upper = 0;
  for (const ProbabilityField& field : kProbabilities) {
    upper += config_.*field.member;
    if (pick < upper) {
      draw.fault = field.fault;
      break;
    }
  }
  if (draw.fault == Fault::kSlow) {
    draw.delay = absl::Milliseconds(std::floor(
        delay_fraction * static_cast<double>(absl::ToInt64Milliseconds(config_.slow_max))));
  }
  if (draw.fault == Fault::kServerError) draw.status = kServerErrors[status_index];
  ++injected_[static_cast<size_t>(draw.fault)];
  return draw;
}

Struct FaultInjector::Json() const {
  Struct s;
  auto& fields = *s.mutable_fields();
  fields["config"] = StructValue(FaultConfigJson(config_));
  fields["requests"] = NumberValue(static_cast<double>(requests_));
  Struct injected;
  for (const ProbabilityField& field : kProbabilities) {
    (*injected.mutable_fields())[std::string(field.name)] =
        NumberValue(static_cast<double>(injected_[static_cast<size_t>(field.fault)]));
  }
  fields["injected"] = StructValue(std::move(injected));
  return s;
}

std::string SerializeEndlessHead(const HttpResponse& response) {
  std::string out =
      absl::StrCat("HTTP/1.1 ", response.status, " ", ReasonPhrase(response.status), "\r\n");
  for (const auto& [name, value] : response.headers) {
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  out += "Transfer-Encoding: chunked\r\n\r\n";
  return out;
}

absl::string_view EndlessBodyChunk() {
  // 16 KiB of spaces per chunk: JSON whitespace that never ends.
  static const std::string* const chunk = [] {
    const std::string data(size_t{16} * 1024, ' ');
    return new std::string(absl::StrCat("4000\r\n", data, "\r\n"));
  }();
  return *chunk;
}

}  // namespace zoom_emulator
