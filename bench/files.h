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

// The lines of a captured request's header file ("Name: value"), without
// line ends and empty lines.
inline std::optional<std::vector<std::string>> ReadHeaderLines(const std::string& path) {
  std::optional<std::string> text = ReadFile(path);
  if (!text) return std::nullopt;
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipWhitespace())) {
    lines.emplace_back(absl::StripSuffix(line, "\r"));
  }
  return lines;
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
