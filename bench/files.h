#ifndef LIVESTREAM_GATEWAY_BENCH_FILES_H_
#define LIVESTREAM_GATEWAY_BENCH_FILES_H_

// File helpers the bench tools share.

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace livestream_bench {

inline std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
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
