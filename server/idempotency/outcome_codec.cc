#include "server/idempotency/outcome_codec.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/cord.h"

namespace livestream_gateway::idempotency {
namespace {

constexpr char kVersion = 1;
// Far more than an outcome of the gateway carries (a few details).
constexpr size_t kMaxPayloads = 64;

void PutLength(std::string& out, size_t length) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
}

void PutText(std::string& out, absl::string_view text) {
  PutLength(out, text.size());
  out.append(text.data(), text.size());
}

class Reader {
 public:
  explicit Reader(absl::string_view bytes) : rest_(bytes) {}

  std::optional<uint32_t> Number(int width) {
    if (rest_.size() < static_cast<size_t>(width)) return std::nullopt;
    uint32_t value = 0;
    for (int i = 0; i < width; ++i) {
      value |= static_cast<uint32_t>(static_cast<unsigned char>(rest_[i])) << (8 * i);
    }
    rest_.remove_prefix(width);
    return value;
  }

  std::optional<absl::string_view> Text() {
    std::optional<uint32_t> length = Number(4);
    if (!length.has_value() || *length > rest_.size()) return std::nullopt;
    absl::string_view text = rest_.substr(0, *length);
    rest_.remove_prefix(*length);
    return text;
  }

  bool done() const { return rest_.empty(); }

 private:
  absl::string_view rest_;
};

absl::Status Malformed() { return absl::DataLossError("a malformed request_id outcome"); }

}  // namespace

std::string EncodeOutcome(const Outcome& outcome) {
  std::string out;
  out.push_back(kVersion);
  out.push_back(static_cast<char>(outcome.status.code()));
  PutText(out, outcome.status.message());
  std::vector<std::pair<std::string, std::string>> payloads;
  outcome.status.ForEachPayload([&payloads](absl::string_view type_url, const absl::Cord& payload) {
    payloads.emplace_back(std::string(type_url), std::string(payload));
  });
  out.push_back(static_cast<char>(payloads.size() & 0xff));
  out.push_back(static_cast<char>((payloads.size() >> 8) & 0xff));
  for (const auto& [type_url, payload] : payloads) {
    PutText(out, type_url);
    PutText(out, payload);
  }
  PutText(out, outcome.response);
  return out;
}

absl::StatusOr<Outcome> DecodeOutcome(absl::string_view bytes, size_t max_bytes) {
  Reader reader(bytes);
  std::optional<uint32_t> version = reader.Number(1);
  if (!version.has_value() || *version != kVersion) return Malformed();
  std::optional<uint32_t> code = reader.Number(1);
  std::optional<absl::string_view> message = reader.Text();
  std::optional<uint32_t> count = reader.Number(2);
  // Codes 0 (OK) .. 16 (UNAUTHENTICATED).
  if (!code.has_value() || *code > 16 || !message.has_value() || !count.has_value() ||
      *count > kMaxPayloads) {
    return Malformed();
  }
  Outcome outcome;
  if (*code == 0) {
    // OK carries neither a message nor payloads.
    if (!message->empty() || *count != 0) return Malformed();
  } else {
    outcome.status = absl::Status(static_cast<absl::StatusCode>(*code), *message);
  }
  for (uint32_t i = 0; i < *count; ++i) {
    std::optional<absl::string_view> type_url = reader.Text();
    std::optional<absl::string_view> payload = reader.Text();
    if (!type_url.has_value() || !payload.has_value() || type_url->empty()) return Malformed();
    outcome.status.SetPayload(*type_url, absl::Cord(*payload));
  }
  std::optional<absl::string_view> response = reader.Text();
  if (!response.has_value() || !reader.done()) return Malformed();
  outcome.response = std::string(*response);
  if (OutcomeBytes(outcome) > max_bytes) {
    return absl::ResourceExhaustedError("a request_id outcome over its bound");
  }
  return outcome;
}

}  // namespace livestream_gateway::idempotency
