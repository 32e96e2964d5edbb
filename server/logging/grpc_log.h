#ifndef LIVESTREAM_GATEWAY_SERVER_LOGGING_GRPC_LOG_H_
#define LIVESTREAM_GATEWAY_SERVER_LOGGING_GRPC_LOG_H_

namespace livestream_gateway {

// Sends gRPC's own log lines (gpr_log: bind failures, assertion messages,
// and whatever GRPC_VERBOSITY/GRPC_TRACE let through) to the process's
// logger, with component=grpc and source=file:line, instead of gRPC's own
// stderr format. Call before gRPC starts.
void RouteGrpcLogsToLogger();

}  // namespace livestream_gateway

#endif  // LIVESTREAM_GATEWAY_SERVER_LOGGING_GRPC_LOG_H_
