#ifndef LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_REQUEST_MATCH_H_
#define LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_REQUEST_MATCH_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "tests/zoom_emulator/json.h"

namespace zoom_emulator {

// Which API requests a scripted answer or the fault mode applies to, so that
// a test can aim at one endpoint while others pass (for example the GET of a
// read-modify-write but not its PATCH).
struct RequestMatch {
  std::string method;  // exact; empty matches any
  std::string path;    // a PathMatches pattern; empty matches any

  bool Matches(absl::string_view request_method, absl::string_view request_path) const;
};

// `pattern` and `path` have the same number of '/'-separated segments and
// each pattern segment matches its path segment, where '*' stands for any
// run of characters (a '*' never crosses a '/').
bool PathMatches(absl::string_view pattern, absl::string_view path);

// Reads {"method": "GET", "path": "/v2/webinars/*/livestream"}; both keys are
// optional. Problems are appended to `errors` under `field`.
RequestMatch ParseRequestMatch(const google::protobuf::Value& value, absl::string_view field,
                               FieldErrors* errors);

// The same shape ParseRequestMatch reads, with only the keys that are set.
google::protobuf::Struct RequestMatchJson(const RequestMatch& match);

}  // namespace zoom_emulator

#endif  // LIVESTREAM_GATEWAY_TESTS_ZOOM_EMULATOR_REQUEST_MATCH_H_
