#ifndef LIVESTREAM_GATEWAY_BENCH_FILES_H_
#define LIVESTREAM_GATEWAY_BENCH_FILES_H_

// File helpers the bench tools share.

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace livestream_bench {

inline std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The PATCH that bench/run.sh captured from the gateway: the body, and the
// header lines ("Name: value") without line ends. Both the prototype server
// and the direct libcurl client send exactly these bytes.
struct CapturedRequest {
  std::string body;
  std::vector<std::string> header_lines;
};

// nullopt, with a message, unless `url` is set and both files are readable.
inline std::optional<CapturedRequest> ReadCapturedRequest(const std::string& url,
                                                          const std::string& body_file,
                                                          const std::string& headers_file) {
  std::optional<std::string> body = ReadFile(body_file);
  const std::optional<std::string> headers = ReadFile(headers_file);
  if (url.empty() || !body || !headers) {
    std::fprintf(stderr, "--url, --body_file and --headers_file are required and readable\n");
    return std::nullopt;
  }
  CapturedRequest request{*std::move(body), {}};
  for (absl::string_view line : absl::StrSplit(*headers, '\n', absl::SkipWhitespace())) {
    request.header_lines.emplace_back(absl::StripSuffix(line, "\r"));
  }
  return request;
}

// Written to a temporary name and renamed so a reader polling for the file
// never sees a partial port.
inline bool WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out.good()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace livestream_bench

#endif  // LIVESTREAM_GATEWAY_BENCH_FILES_H_
