#include "server/logging/protobuf_log.h"

#include <google/protobuf/stubs/logging.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "server/logging/logger.h"

namespace livestream_gateway {
namespace {

LogLevel LevelOf(google::protobuf::LogLevel level) {
  switch (level) {
    case google::protobuf::LOGLEVEL_INFO:
      return LogLevel::kInfo;
    case google::protobuf::LOGLEVEL_WARNING:
      return LogLevel::kWarning;
    case google::protobuf::LOGLEVEL_ERROR:
    case google::protobuf::LOGLEVEL_FATAL:
      return LogLevel::kError;
  }
  return LogLevel::kError;
}

void LogProtobufLine(google::protobuf::LogLevel level, const char* filename, int line,
                     const std::string& message) {
  const std::string source = absl::StrCat(filename == nullptr ? "" : filename, ":", line);
  Log(LevelOf(level), message, {{"component", "protobuf"}, {"source", source}});
}

}  // namespace

void RouteProtobufLogsToLogger() { google::protobuf::SetLogHandler(&LogProtobufLine); }

}  // namespace livestream_gateway
