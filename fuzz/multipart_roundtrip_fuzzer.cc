// Differential: fields encoded by the server's multipart encoder
// (server/zoom/multipart.h) must parse back exactly with the Zoom emulator's
// independent RFC 7578 parser (tests/zoom_emulator/form_data.h): the same
// parts in order, each name as the encoder documents its escaping, each value
// byte for byte. The boundary is either fuzzer-chosen (used when the encoder's
// contract allows it: a valid RFC 2046 boundary found in no value) or picked
// by ChooseBoundary with fuzzer-driven randomness, which must never pick one
// that occurs in a value.

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/random/bit_gen_ref.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "fuzz/invariants.h"
#include "server/zoom/multipart.h"
#include "tests/zoom_emulator/form_data.h"

namespace livestream_gateway::fuzz {
namespace {

constexpr size_t kMaxFields = 8;

// A uniform random bit generator that draws from the fuzzer's input, so
// libFuzzer can steer ChooseBoundary towards a boundary a value contains; once
// the input runs out it continues pseudo-randomly (a constant stream could make
// a correct redraw loop spin forever).
class FuzzedBitGen {
 public:
  using result_type = uint64_t;
  explicit FuzzedBitGen(FuzzedDataProvider& data) : data_(data) {}
  // The names the URBG concept requires.
  static constexpr result_type min() {  // NOLINT(readability-identifier-naming)
    return std::numeric_limits<result_type>::min();
  }
  static constexpr result_type max() {  // NOLINT(readability-identifier-naming)
    return std::numeric_limits<result_type>::max();
  }
  result_type operator()() {
    return data_.remaining_bytes() >= sizeof(result_type) ? data_.ConsumeIntegral<result_type>()
                                                          : fallback_();
  }

 private:
  FuzzedDataProvider& data_;
  std::mt19937_64 fallback_;
};

// RFC 2046 §5.1.1 bchars, 1 to 70 of them, not ending in a space.
bool IsValidBoundary(absl::string_view boundary) {
  if (boundary.empty() || boundary.size() > 70 || boundary.back() == ' ') return false;
  for (const char c : boundary) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        !absl::StrContains("'()+_,-./:=? ", c)) {
      return false;
    }
  }
  return true;
}

bool OccursInAValue(const std::vector<FormField>& fields, absl::string_view boundary) {
  for (const FormField& field : fields) {
    if (absl::StrContains(field.value, boundary)) return true;
  }
  return false;
}

// The name as EncodeMultipartForm documents it between the quotes.
std::string EscapedName(absl::string_view name) {
  std::string out;
  for (const char c : name) {
    switch (c) {
      case '"':
        out += "%22";
        break;
      case '\\':
        out += "%5C";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void CheckRoundTrip(const std::vector<FormField>& fields, absl::string_view boundary) {
  const std::string body = EncodeMultipartForm(fields, boundary);
  const absl::StatusOr<std::vector<zoom_emulator::FormPart>> parts =
      zoom_emulator::ParseMultipartFormData(body, boundary);
  if (!parts.ok()) {
    Fail(absl::StrCat("the emulator cannot parse the encoder's body: ", parts.status().message()));
  }
  Require(parts->size() == fields.size(), "the parser found another number of parts");
  for (size_t i = 0; i < fields.size(); ++i) {
    const zoom_emulator::FormPart& part = (*parts)[i];
    Require(part.name == EscapedName(fields[i].name), "a name did not round-trip");
    Require(part.value == fields[i].value, "a value did not round-trip");
    Require(!part.filename.has_value() && part.content_type.empty(),
            "a part grew a filename or a Content-Type");
  }
  const absl::StatusOr<zoom_emulator::ParameterizedValue> content_type =
      zoom_emulator::ParseParameterizedValue(MultipartContentType(boundary));
  if (!content_type.ok()) {
    Fail(absl::StrCat("the Content-Type does not parse: ", content_type.status().message()));
  }
  Require(content_type->value == "multipart/form-data" &&
              content_type->Parameter("boundary") == std::string(boundary),
          "the Content-Type does not carry the boundary");
}

}  // namespace
}  // namespace livestream_gateway::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace livestream_gateway;  // NOLINT(google-build-using-namespace)
  FuzzedDataProvider provider(data, size);
  const bool choose_boundary = provider.ConsumeBool();
  std::string boundary = provider.ConsumeRandomLengthString(80);
  std::vector<FormField> fields(provider.ConsumeIntegralInRange<size_t>(0, fuzz::kMaxFields));
  for (FormField& field : fields) {
    field.name = provider.ConsumeRandomLengthString(64);
    field.value = provider.ConsumeRandomLengthString();
  }
  if (choose_boundary) {
    fuzz::FuzzedBitGen gen(provider);
    boundary = ChooseBoundary(fields, gen);
    fuzz::Require(fuzz::IsValidBoundary(boundary), "ChooseBoundary chose an invalid boundary");
    fuzz::Require(!fuzz::OccursInAValue(fields, boundary),
                  "ChooseBoundary chose a boundary that occurs in a value");
  } else if (!fuzz::IsValidBoundary(boundary) || fuzz::OccursInAValue(fields, boundary)) {
    return 0;  // Outside the encoder's contract.
  }
  fuzz::CheckRoundTrip(fields, boundary);
  return 0;
}
