#ifndef LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_JSON_H_
#define LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_JSON_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"

namespace zoom_emulator {

// Bounds on the JSON the emulator parses. protobuf's JSON parser takes time
// superlinear in nesting depth (10,000 nested arrays: ~20 s) and ~10 us per
// value, which would stall the single-threaded event loop, so text beyond
// these limits is refused before parsing.
struct JsonLimits {
  int max_depth = 32;
  size_t max_values = 1000;
};

// Parses any JSON value. Errors never echo the input.
absl::StatusOr<google::protobuf::Value> ParseJson(absl::string_view text, JsonLimits limits = {});

// Compact JSON text with object keys in sorted order. protobuf's printer
// follows Struct's hash-map order, which differs between runs; answers that
// read the same every time are easier to compare and debug (and Zoom's
// {"code","message"} happens to be sorted). Integral numbers print without a
// fraction; strings must be valid UTF-8 (see SanitizeUtf8).
std::string ToJson(const google::protobuf::Value& value);
std::string ToJson(const google::protobuf::Struct& object);

// Number of Unicode code points in `text`, or nullopt when it is not valid
// UTF-8.
std::optional<size_t> Utf8CodePoints(absl::string_view text);

// `text` with each byte that is not part of valid UTF-8 replaced by U+FFFD,
// so that network bytes can be stored in protobuf string fields.
std::string SanitizeUtf8(absl::string_view text);

// (field, message) for each invalid field of a body.
using FieldErrors = std::vector<std::pair<std::string, std::string>>;

// Small builders that keep call sites readable.
google::protobuf::Value StringValue(absl::string_view s);
google::protobuf::Value NumberValue(double d);
google::protobuf::Value BoolValue(bool b);
google::protobuf::Value StructValue(google::protobuf::Struct s);

}  // namespace zoom_emulator

#endif  // LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_JSON_H_
