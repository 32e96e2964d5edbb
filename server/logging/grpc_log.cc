#include "server/logging/grpc_log.h"

#include <grpc/support/log.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "server/logging/logger.h"

namespace livestream_gateway {
namespace {

LogLevel LevelOf(gpr_log_severity severity) {
  switch (severity) {
    case GPR_LOG_SEVERITY_DEBUG:
      return LogLevel::kDebug;
    case GPR_LOG_SEVERITY_INFO:
      return LogLevel::kInfo;
    case GPR_LOG_SEVERITY_ERROR:
      return LogLevel::kError;
  }
  return LogLevel::kError;
}

void LogGrpcLine(gpr_log_func_args* args) {
  const std::string source = absl::StrCat(args->file == nullptr ? "" : args->file, ":", args->line);
  Log(LevelOf(args->severity), args->message == nullptr ? "" : args->message,
      {{"component", "grpc"}, {"source", source}});
}

}  // namespace

void RouteGrpcLogsToLogger() { gpr_set_log_function(&LogGrpcLine); }

}  // namespace livestream_gateway
